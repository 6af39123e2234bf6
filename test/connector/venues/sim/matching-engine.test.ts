import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderUpdate } from '../../../../core/exchange.types.js';
import { assertDec, collector, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

// Quiet BTCUSDT perp: mid 100000, tick 0.1, synthetic ask 100000.1 / bid 99999.9 (one tick each
// side), 0.5 BTC per level (50000 USDT / 100000), levels one tick apart.

describe('SimulatedVenue matching', () => {
  it('walks synthetic levels with a market order and reports the volume-weighted average', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(market('BUY', '1.2'));
    assert.equal(order.status, 'FILLED');
    assert.deepEqual(
      order.trades.map((t) => [t.price.toFixed(), t.quantity.toFixed(), t.isMaker]),
      [
        ['100000.1', '0.5', false],
        ['100000.2', '0.5', false],
        ['100000.3', '0.2', false],
      ],
    );
    assertDec(order.executedQty, '1.2');
    assertDec(order.avgPrice, '100000.175');
  });

  it('matches resting orders by best price first, then by time at one price', async () => {
    const { futures } = quietVenue({ book: { halfSpreadTicks: 10 } });
    const a = await futures.placeOrder(limit('SELL', '0.01', '100000.5'));
    const b = await futures.placeOrder(limit('SELL', '0.01', '100000.3'));
    const c = await futures.placeOrder(limit('SELL', '0.01', '100000.3'));
    const taker = await futures.placeOrder(
      limit('BUY', '0.025', '100000.5', { timeInForce: 'IOC' }),
    );
    assert.deepEqual(
      taker.trades.map((t) => [t.price.toFixed(), t.quantity.toFixed()]),
      [
        ['100000.3', '0.01'],
        ['100000.3', '0.01'],
        ['100000.5', '0.005'],
      ],
    );
    const statuses = await Promise.all(
      [a, b, c].map((o) => futures.getOrder({ symbol: 'BTCUSDT', orderId: o.orderId })),
    );
    assert.deepEqual(
      statuses.map((o) => o.status),
      ['PARTIALLY_FILLED', 'FILLED', 'FILLED'],
    );
    assert.equal(statuses[1]?.trades[0]?.isMaker, true);
  });

  it('lets resting orders trade before synthetic liquidity at the same price', async () => {
    const { futures } = quietVenue({ book: { halfSpreadTicks: 10 } });
    const resting = await futures.placeOrder(limit('SELL', '0.01', '100001'));
    const taker = await futures.placeOrder(market('BUY', '0.02'));
    assert.equal(taker.trades.length, 2);
    const first = await futures.getOrder({ symbol: 'BTCUSDT', orderId: resting.orderId });
    assert.equal(first.status, 'FILLED');
    assert.deepEqual(
      first.trades.map((t) => [t.price.toFixed(), t.quantity.toFixed(), t.isMaker]),
      [['100001', '0.01', true]],
    );
    assertDec(taker.avgPrice, '100001');
  });

  it('rests the unfilled part of a crossing GTC limit order', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '0.8', '100000.1'));
    assert.equal(order.status, 'PARTIALLY_FILLED');
    assertDec(order.executedQty, '0.5');
    const open = await futures.getOpenOrders('BTCUSDT');
    assert.deepEqual(
      open.map((o) => [o.orderId, o.status]),
      [[order.orderId, 'PARTIALLY_FILLED']],
    );
  });

  it('expires the rest of an IOC order after filling what it can', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '2', '100000.2', { timeInForce: 'IOC' }));
    assert.equal(order.status, 'EXPIRED');
    assertDec(order.executedQty, '1');
    assert.deepEqual(await futures.getOpenOrders('BTCUSDT'), []);
  });

  it('expires a FOK order it cannot fill entirely, without any trade', async () => {
    const { futures } = quietVenue();
    const missed = await futures.placeOrder(limit('BUY', '1', '100000.1', { timeInForce: 'FOK' }));
    assert.equal(missed.status, 'EXPIRED');
    assertDec(missed.executedQty, '0');
    assert.deepEqual(missed.trades, []);
    const filled = await futures.placeOrder(
      limit('BUY', '0.5', '100000.1', { timeInForce: 'FOK' }),
    );
    assert.equal(filled.status, 'FILLED');
  });

  it('rejects a post-only order that would cross, creating no order', async () => {
    const { futures } = quietVenue();
    await rejectsWith(
      futures.placeOrder(limit('BUY', '0.1', '100000.1', { postOnly: true, clientOrderId: 'p1' })),
      'POST_ONLY_WOULD_CROSS',
    );
    await rejectsWith(
      futures.placeOrder(limit('SELL', '0.1', '99999.9', { timeInForce: 'GTX' })),
      'POST_ONLY_WOULD_CROSS',
    );
    assert.deepEqual(await futures.getOpenOrders('BTCUSDT'), []);
    const rested = await futures.placeOrder(
      limit('BUY', '0.1', '99999.9', { postOnly: true, clientOrderId: 'p1' }),
    );
    assert.equal(rested.status, 'NEW');
    assert.equal(rested.timeInForce, 'GTX');
    assert.equal(rested.postOnly, true);
  });

  it('keeps synthetic liquidity taken until the next price step', async () => {
    const { futures, venue } = quietVenue();
    await futures.placeOrder(market('BUY', '0.5'));
    const next = await futures.placeOrder(market('BUY', '0.1'));
    assertDec(next.avgPrice, '100000.2');
    venue.step();
    const refreshed = await futures.placeOrder(market('BUY', '0.1'));
    assertDec(refreshed.avgPrice, '100000.1');
  });

  it('fills a resting order as maker, partially per step, when the price moves through it', async () => {
    const { futures, venue } = quietVenue({ book: { tradeVolumeQuotePerTick: '20000' } });
    const updates = collector<OrderUpdate>();
    futures.subscribeOrders(updates.sink);
    const order = await futures.placeOrder(limit('SELL', '1', '100000.5'));
    venue.setSpotPrice('BTCUSDT', '100001');
    const afterOne = await futures.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(afterOne.status, 'PARTIALLY_FILLED');
    const trade = afterOne.trades[0];
    assert.ok(trade !== undefined);
    assert.equal(trade.isMaker, true);
    assertDec(trade.price, '100000.5');
    // Step budget is 20000 USDT x 0.5..1.5, i.e. 0.099..0.299 BTC at 100001
    assert.ok(trade.quantity.gte('0.099') && trade.quantity.lte('0.3'), trade.quantity.toFixed());
    assertDec(trade.fee, trade.price.mul(trade.quantity).mul('0.0002'), 'maker fee 2 bps');
    for (let i = 0; i < 20; i++) venue.step();
    const done = await futures.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(done.status, 'FILLED');
    assert.ok(done.trades.length >= 4);
    assert.ok(done.trades.every((t) => t.isMaker && t.price.eq('100000.5')));
    const statuses = updates.values.map((u) => u.order.status);
    assert.equal(statuses[0], 'NEW');
    assert.equal(statuses.at(-1), 'FILLED');
    assert.ok(statuses.slice(1, -1).every((s) => s === 'PARTIALLY_FILLED'));
    assert.ok(updates.values.slice(1).every((u) => u.lastTrade !== undefined));
  });

  it('does not fill a resting bid while the market stays above it', async () => {
    const { futures, venue } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '0.1', '99999'));
    for (let i = 0; i < 10; i++) venue.step();
    venue.setSpotPrice('BTCUSDT', '99999.1');
    const still = await futures.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(still.status, 'NEW');
    venue.setSpotPrice('BTCUSDT', '99999');
    const filled = await futures.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(filled.status, 'FILLED');
  });

  it('fills spot orders the same way on the spot tick grid', async () => {
    const { spot } = quietVenue();
    const order = await spot.placeOrder(market('BUY', '0.01'));
    assert.equal(order.status, 'FILLED');
    assertDec(order.avgPrice, '100000.01');
    assert.equal(order.trades[0]?.feeAsset, 'USDT');
  });
});
