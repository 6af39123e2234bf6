/**
 * @module test/connector/conformance/orders.cases
 * Order lifecycle cases: place, get, open orders, cancel, batch place and cancel, cancel-all,
 * duplicate client ids, fills and the positions they open.
 */
import assert from 'node:assert/strict';
import { GrpcCode } from '../../../core/errors.js';
import { dec } from '../../../core/decimal.js';
import { rejectsWith, restingBuy, SYMBOL, type ConformanceCase } from './case.js';

export const orderCases: readonly ConformanceCase[] = [
  {
    name: 'places a resting limit order and finds it by venue id, client id and open orders',
    async run({ exchange }) {
      const request = await restingBuy(exchange, { clientOrderId: 'conf-place-1' });

      const order = await exchange.placeOrder(request);

      assert.match(order.orderId, /^\d+$/);
      assert.equal(order.status, 'NEW');
      assert.equal(order.clientOrderId, 'conf-place-1');
      assert.equal(order.price.toFixed(), request.price?.toFixed());
      assert.equal(order.quantity.toFixed(), '0.001');
      assert.ok(order.createdAtMs > 0);
      const byId = await exchange.getOrder({ symbol: SYMBOL, orderId: order.orderId });
      const byClientId = await exchange.getOrder({ symbol: SYMBOL, clientOrderId: 'conf-place-1' });
      assert.equal(byId.orderId, order.orderId);
      assert.equal(byClientId.orderId, order.orderId);
      const open = await exchange.getOpenOrders(SYMBOL);
      assert.deepEqual(
        open.map((o) => o.orderId),
        [order.orderId],
      );
    },
  },
  {
    name: 'cancels an order, which then cannot be cancelled again',
    async run({ exchange }) {
      const order = await exchange.placeOrder(await restingBuy(exchange));

      await exchange.cancelOrder(SYMBOL, order.orderId);

      assert.equal(
        (await exchange.getOrder({ symbol: SYMBOL, orderId: order.orderId })).status,
        'CANCELED',
      );
      assert.deepEqual(await exchange.getOpenOrders(SYMBOL), []);
      await rejectsWith(
        exchange.cancelOrder(SYMBOL, order.orderId),
        'ORDER_NOT_CANCELABLE',
        'order_id',
      );
    },
  },
  {
    name: 'refuses a client order id placed twice with DUPLICATE_ORDER, keeping one order',
    async run({ exchange }) {
      const request = await restingBuy(exchange, { clientOrderId: 'conf-dup-1' });

      const first = await exchange.placeOrder(request);
      // The caller resolves "already placed" (the engine looks the order up and compares it)
      await rejectsWith(exchange.placeOrder(request), 'DUPLICATE_ORDER', 'client_order_id');

      assert.deepEqual(
        (await exchange.getOpenOrders(SYMBOL)).map((o) => o.orderId),
        [first.orderId],
      );
      assert.equal(
        (await exchange.getOrder({ symbol: SYMBOL, clientOrderId: 'conf-dup-1' })).orderId,
        first.orderId,
      );
    },
  },
  {
    name: 'places a batch around a bad item, reporting it at its index with its code',
    async run({ exchange }) {
      const good = await restingBuy(exchange);
      const requests = [
        { ...good, clientOrderId: 'conf-batch-0' },
        { ...good, clientOrderId: 'conf-batch-1', quantity: dec(0) },
        { ...good, clientOrderId: 'conf-batch-2' },
      ];

      const result = await exchange.batchPlaceOrders(requests);

      assert.equal(result.allSuccess, false);
      assert.deepEqual(
        result.orders.map((o) => o.clientOrderId),
        ['conf-batch-0', 'conf-batch-2'],
      );
      assert.deepEqual(
        result.errors.map((e) => [e.index, e.clientOrderId, e.code, e.reason]),
        [[1, 'conf-batch-1', GrpcCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT']],
      );
      assert.match(result.errors[0]?.message ?? '', /quantity/);
    },
  },
  {
    name: 'batch-cancels orders, reporting an unknown id at its index',
    async run({ exchange }) {
      const a = await exchange.placeOrder(await restingBuy(exchange));
      const b = await exchange.placeOrder(await restingBuy(exchange));

      const errors = await exchange.batchCancelOrders(SYMBOL, [a.orderId, '999999999', b.orderId]);

      assert.deepEqual(
        errors.map((e) => [e.index, e.code]),
        [[1, GrpcCode.NOT_FOUND]],
      );
      assert.deepEqual(await exchange.getOpenOrders(SYMBOL), []);
    },
  },
  {
    name: 'cancels every open order of a symbol',
    async run({ exchange }) {
      await exchange.placeOrder(await restingBuy(exchange));
      await exchange.placeOrder(await restingBuy(exchange));

      await exchange.cancelAllOrders(SYMBOL);

      assert.deepEqual(await exchange.getOpenOrders(SYMBOL), []);
    },
  },
  {
    name: 'fills a market order and reports the position it opened',
    async run({ exchange }) {
      const order = await exchange.placeOrder({
        symbol: SYMBOL,
        side: 'BUY',
        type: 'MARKET',
        quantity: dec('0.01'),
      });

      assert.equal(order.status, 'FILLED');
      assert.equal(order.executedQty.toFixed(), '0.01');
      assert.ok(order.avgPrice.gt(0));
      assert.ok(order.trades.length > 0);
      assert.equal(order.trades[0]?.orderId, order.orderId);
      const positions = await exchange.getPositions(SYMBOL);
      assert.equal(positions.length, 1);
      assert.equal(positions[0]?.size.toFixed(), '0.01');
      assert.equal(positions[0]?.entryPrice.toFixed(), order.avgPrice.toFixed());
      const account = await exchange.getAccount();
      assert.deepEqual(
        account.positions.map((p) => [p.symbol, p.size.toFixed()]),
        [[SYMBOL, '0.01']],
      );
    },
  },
];
