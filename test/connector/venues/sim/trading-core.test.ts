import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Account, OrderUpdate, Position } from '../../../../core/exchange.types.js';
import { assertDec, collector, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

describe('TradingCore cancel and lookup', () => {
  it('cancels an open order and reports it CANCELED', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'c-1' }));
    await futures.cancelOrder('BTCUSDT', order.orderId);
    const canceled = await futures.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'c-1' });
    assert.equal(canceled.status, 'CANCELED');
    assert.deepEqual(await futures.getOpenOrders('BTCUSDT'), []);
  });

  it('fails to cancel an unknown order with ORDER_NOT_FOUND', async () => {
    const { futures } = quietVenue();
    await rejectsWith(futures.cancelOrder('BTCUSDT', '42'), 'ORDER_NOT_FOUND', 'order_id');
    const order = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    await rejectsWith(futures.cancelOrder('ETHUSDT', order.orderId), 'ORDER_NOT_FOUND');
    await rejectsWith(futures.cancelOrder('BTCUSDT', ''), 'INVALID_ARGUMENT', 'order_id');
    await rejectsWith(futures.cancelOrder('NOPE', order.orderId), 'UNKNOWN_SYMBOL', 'symbol');
  });

  it('fails to cancel a filled or already canceled order with ORDER_NOT_CANCELABLE', async () => {
    const { futures } = quietVenue();
    const filled = await futures.placeOrder(market('BUY', '0.01'));
    const e = await rejectsWith(
      futures.cancelOrder('BTCUSDT', filled.orderId),
      'ORDER_NOT_CANCELABLE',
    );
    assert.match(e.message, /FILLED/);
    const open = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    await futures.cancelOrder('BTCUSDT', open.orderId);
    await rejectsWith(futures.cancelOrder('BTCUSDT', open.orderId), 'ORDER_NOT_CANCELABLE');
  });

  it('looks orders up by id or client id and fails with ORDER_NOT_FOUND otherwise', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'g-1' }));
    const byId = await futures.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(byId.clientOrderId, 'g-1');
    assertDec(byId.price, '90000');
    await rejectsWith(
      futures.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'nope' }),
      'ORDER_NOT_FOUND',
      'client_order_id',
    );
    await rejectsWith(
      futures.getOrder({ symbol: 'ETHUSDT', orderId: order.orderId }),
      'ORDER_NOT_FOUND',
    );
    await rejectsWith(futures.getOrder({ symbol: 'BTCUSDT' }), 'INVALID_ARGUMENT', 'order_id');
  });

  it('lists open orders of one symbol or of all symbols, oldest first', async () => {
    const { futures } = quietVenue();
    const btc = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    const eth = await futures.placeOrder({ ...limit('BUY', '0.01', '3000'), symbol: 'ETHUSDT' });
    const btc2 = await futures.placeOrder(limit('SELL', '0.01', '110000'));
    assert.deepEqual(
      (await futures.getOpenOrders('')).map((o) => o.orderId),
      [btc.orderId, eth.orderId, btc2.orderId],
    );
    assert.deepEqual(
      (await futures.getOpenOrders('BTCUSDT')).map((o) => o.orderId),
      [btc.orderId, btc2.orderId],
    );
    await futures.cancelAllOrders('BTCUSDT');
    assert.deepEqual(
      (await futures.getOpenOrders('')).map((o) => o.orderId),
      [eth.orderId],
    );
  });

  it('refuses cancelAllOrders without a symbol instead of cancelling every symbol', async () => {
    const { futures } = quietVenue();
    const btc = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    const eth = await futures.placeOrder({ ...limit('BUY', '0.01', '3000'), symbol: 'ETHUSDT' });
    await assert.rejects(futures.cancelAllOrders(''), {
      reason: 'INVALID_ARGUMENT',
      field: 'symbol',
    });
    assert.deepEqual(
      (await futures.getOpenOrders('')).map((o) => o.orderId),
      [btc.orderId, eth.orderId],
    );
  });

  it('forgets the oldest closed orders past retainClosedOrders but not their client ids', async () => {
    const { futures } = quietVenue({ retainClosedOrders: 1 });
    const first = await futures.placeOrder(market('BUY', '0.01', { clientOrderId: 'r-1' }));
    await futures.placeOrder(market('BUY', '0.01', { clientOrderId: 'r-2' }));
    await rejectsWith(
      futures.getOrder({ symbol: 'BTCUSDT', orderId: first.orderId }),
      'ORDER_NOT_FOUND',
    );
    assert.equal(
      (await futures.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'r-2' })).status,
      'FILLED',
    );
    await rejectsWith(
      futures.placeOrder(market('BUY', '0.01', { clientOrderId: 'r-1' })),
      'DUPLICATE_ORDER',
    );
  });
});

describe('TradingCore streams', () => {
  it('emits every order state change in order, with the trade that caused it', async () => {
    const { futures } = quietVenue();
    const updates = collector<OrderUpdate>();
    futures.subscribeOrders(updates.sink);
    const order = await futures.placeOrder(limit('BUY', '0.8', '100000.1'));
    await futures.cancelOrder('BTCUSDT', order.orderId);
    await futures.placeOrder(limit('BUY', '2', '100000.2', { timeInForce: 'IOC' }));
    assert.deepEqual(
      updates.values.map((u) => [u.order.status, u.lastTrade?.quantity.toFixed()]),
      [
        ['NEW', undefined],
        ['PARTIALLY_FILLED', '0.5'],
        ['CANCELED', undefined],
        ['NEW', undefined],
        // level 100000.1 was used up by the first order until the next price step
        ['PARTIALLY_FILLED', '0.5'],
        ['EXPIRED', undefined],
      ],
    );
    assert.ok(updates.values.every((u) => u.exchange === 'sim'));
  });

  it('emits account and position updates after fills, and a zero position once closed', async () => {
    const { futures } = quietVenue();
    const accounts = collector<Account>();
    const positions = collector<Position>();
    futures.subscribeAccount(accounts.sink);
    futures.subscribePositions('', positions.sink);
    await futures.placeOrder(limit('BUY', '0.01', '90000'));
    assert.equal(accounts.values.length, 0, 'a resting order changes no balance');
    await futures.placeOrder(market('BUY', '0.01'));
    await futures.placeOrder(market('SELL', '0.01'));
    assert.equal(accounts.values.length, 2);
    assert.deepEqual(
      positions.values.map((p) => p.size.toFixed()),
      ['0.01', '0'],
    );
  });

  it('stops delivering after close()', async () => {
    const { futures } = quietVenue();
    const updates = collector<OrderUpdate>();
    const sub = futures.subscribeOrders(updates.sink);
    await futures.placeOrder(limit('BUY', '0.01', '90000'));
    sub.close();
    sub.close();
    await futures.placeOrder(limit('BUY', '0.01', '90000'));
    assert.equal(updates.values.length, 1);
    assert.deepEqual(updates.errors, []);
  });

  it('cuts off a subscriber that throws without disturbing the others', async () => {
    const { futures } = quietVenue();
    const good = collector<OrderUpdate>();
    const errors: string[] = [];
    futures.subscribeOrders({
      next: () => {
        throw new Error('boom');
      },
      error: (e) => errors.push(e.reason),
    });
    futures.subscribeOrders(good.sink);
    const order = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    await futures.cancelOrder('BTCUSDT', order.orderId);
    assert.deepEqual(errors, ['INTERNAL']);
    assert.equal(good.values.length, 2);
  });
});
