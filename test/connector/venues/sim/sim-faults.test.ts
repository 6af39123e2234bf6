import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WallClock } from '../../../../core/clock.js';
import { createSimulatedVenue } from '../../../../connector/venues/sim/index.js';
import type { OrderUpdate, PriceChange } from '../../../../core/exchange.types.js';
import { assertDec, collector, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

describe('SimFaults', () => {
  it('delays calls by latencyMs on the venue clock', async () => {
    const { futures, venue, clock } = quietVenue();
    venue.faults.latencyMs = 50;
    let settled = false;
    const pending = futures.getLatestPrice('BTCUSDT').then((p) => {
      settled = true;
      return p;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'waits for the virtual clock');
    clock.advance(49);
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    clock.advance(1);
    assertDec(await pending, '100000');
    venue.faults.latencyMs = 0;
    assertDec(await futures.getLatestPrice('BTCUSDT'), '100000');
  });

  it('waits in real time for latency on the wall clock', async () => {
    const venue = createSimulatedVenue({}, new WallClock());
    venue.faults.latencyMs = 30;
    const started = performance.now();
    await venue.exchange('spot').getSymbols();
    assert.ok(performance.now() - started >= 25, 'waited about latencyMs');
    await venue.close();
  });

  it('fails the next N calls with RATE_LIMITED, then serves again', async () => {
    const { futures, venue } = quietVenue();
    venue.faults.rateLimitNextCalls(2);
    const e = await rejectsWith(futures.getAccount(), 'RATE_LIMITED');
    assert.equal(e.transient, true);
    await rejectsWith(futures.placeOrder(market('BUY', '0.01')), 'RATE_LIMITED');
    assert.equal((await futures.placeOrder(market('BUY', '0.01'))).status, 'FILLED');
  });

  it('rejects the next N placements, batch items included, with ORDER_REJECTED', async () => {
    const { futures, venue } = quietVenue();
    venue.faults.rejectNextPlacements(2);
    await rejectsWith(futures.placeOrder(limit('BUY', '0.01', '90000')), 'ORDER_REJECTED');
    const batch = await futures.batchPlaceOrders([
      limit('BUY', '0.01', '90000', { clientOrderId: 'f-1' }),
      limit('BUY', '0.01', '90000', { clientOrderId: 'f-2' }),
    ]);
    assert.deepEqual(
      batch.errors.map((e) => [e.index, e.reason]),
      [[0, 'ORDER_REJECTED']],
    );
    assert.deepEqual(
      batch.orders.map((o) => o.clientOrderId),
      ['f-2'],
    );
  });

  it('makes the venue unreachable: calls, streams and new subscriptions fail until it is back', async () => {
    const { futures, spot, venue, clock } = quietVenue();
    const prices = collector<PriceChange>();
    futures.subscribePrice([], prices.sink);
    venue.faults.setUnreachable(true);
    assert.equal(futures.isReachable(), false);
    assert.equal(spot.isReachable(), false);
    assert.equal(prices.errors[0]?.reason, 'EXCHANGE_UNAVAILABLE');
    await rejectsWith(futures.getAccount(), 'EXCHANGE_UNAVAILABLE');
    await rejectsWith(spot.placeOrder(market('BUY', '0.01')), 'EXCHANGE_UNAVAILABLE');
    const late = collector<OrderUpdate>();
    futures.subscribeOrders(late.sink);
    await Promise.resolve();
    assert.equal(late.errors[0]?.reason, 'EXCHANGE_UNAVAILABLE');
    clock.advance(1_000);
    assert.equal(prices.values.length, 0, 'no delivery after the stream ended');
    venue.faults.setUnreachable(false);
    assert.equal(futures.isReachable(), true);
    assert.equal((await futures.placeOrder(market('BUY', '0.01'))).status, 'FILLED');
  });

  it('drops every stream with EXCHANGE_UNAVAILABLE and delivers nothing after', () => {
    const { futures, spot, venue, clock } = quietVenue();
    const a = collector<PriceChange>();
    const b = collector<PriceChange>();
    futures.subscribePrice([], a.sink);
    spot.subscribePrice(['BTCUSDT'], b.sink);
    clock.advance(250);
    venue.faults.dropStreams();
    clock.advance(1_000);
    assert.equal(a.values.length, 4);
    assert.equal(b.values.length, 1);
    assert.deepEqual(
      [...a.errors, ...b.errors].map((e) => e.reason),
      ['EXCHANGE_UNAVAILABLE', 'EXCHANGE_UNAVAILABLE'],
    );
    assert.equal(futures.isReachable(), true);
  });

  it('restarts the venue: streams drop, orders, positions and balances survive', async () => {
    const { futures, venue } = quietVenue();
    const open = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    await futures.placeOrder(market('BUY', '0.5'));
    const before = await futures.getAccount();
    const updates = collector<OrderUpdate>();
    futures.subscribeOrders(updates.sink);
    venue.faults.restart();
    assert.equal(updates.errors[0]?.reason, 'EXCHANGE_UNAVAILABLE');
    assert.match(updates.errors[0]?.message ?? '', /restarted/);
    assert.deepEqual(
      (await futures.getOpenOrders('BTCUSDT')).map((o) => o.orderId),
      [open.orderId],
    );
    const after = await futures.getAccount();
    assertDec(after.totalWalletBalance, before.totalWalletBalance);
    assertDec(after.positions[0]?.size ?? before.totalWalletBalance, '0.5');
    const again = collector<OrderUpdate>();
    futures.subscribeOrders(again.sink);
    await futures.cancelOrder('BTCUSDT', open.orderId);
    assert.equal(again.values[0]?.order.status, 'CANCELED');
  });

  it('closes an exchange: its streams end CANCELLED and its calls fail', async () => {
    const { futures, venue } = quietVenue();
    const updates = collector<OrderUpdate>();
    futures.subscribeOrders(updates.sink);
    await futures.close();
    assert.equal(updates.errors[0]?.reason, 'CANCELLED');
    assert.equal(futures.isReachable(), false);
    await rejectsWith(futures.getAccount(), 'EXCHANGE_UNAVAILABLE');
    const reopened = venue.exchange('futures');
    assert.notEqual(reopened, futures);
    assert.equal((await reopened.getType()).kind, 'futures');
    await venue.close();
  });
});
