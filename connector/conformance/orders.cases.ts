/**
 * @module connector/conformance/orders.cases
 * Order lifecycle cases: place, get, open orders, cancel, batch place and cancel, cancel-all,
 * duplicate client ids, fills and the positions they open.
 */
import assert from 'node:assert/strict';

import { dec } from '../../core/decimal.js';
import { GrpcCode } from '../../core/errors.js';
import {
  clientId,
  marketBuy,
  positionSize,
  rejectsWith,
  restingBuy,
  SYMBOL,
  type ConformanceCase,
} from './case.js';

const idsOf = (orders: readonly { orderId: string }[]) => orders.map((o) => o.orderId);

export const orderCases: readonly ConformanceCase[] = [
  {
    name: 'places a resting limit order and finds it by venue id, client id and open orders',
    async run(env) {
      const { exchange } = env;
      const id = clientId(env, 'place1');
      const request = await restingBuy(exchange, { clientOrderId: id });

      const order = await exchange.placeOrder(request);

      assert.match(order.orderId, /^\d+$/);
      assert.equal(order.status, 'NEW');
      assert.equal(order.clientOrderId, id);
      assert.equal(order.price.toFixed(), request.price?.toFixed());
      assert.equal(order.quantity.toFixed(), request.quantity.toFixed());
      assert.ok(order.createdAtMs > 0);
      const byId = await exchange.getOrder({ symbol: SYMBOL, orderId: order.orderId });
      const byClientId = await exchange.getOrder({ symbol: SYMBOL, clientOrderId: id });
      assert.equal(byId.orderId, order.orderId);
      assert.equal(byClientId.orderId, order.orderId);
      const open = idsOf(await exchange.getOpenOrders(SYMBOL));
      if (env.fresh) assert.deepEqual(open, [order.orderId]);
      else assert.ok(open.includes(order.orderId), 'the order is among the open orders');
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
      assert.ok(!idsOf(await exchange.getOpenOrders(SYMBOL)).includes(order.orderId));
      await rejectsWith(
        exchange.cancelOrder(SYMBOL, order.orderId),
        'ORDER_NOT_CANCELABLE',
        'order_id',
      );
    },
  },
  {
    name: 'returns the existing order for a client order id placed twice',
    async run(env) {
      const { exchange } = env;
      const id = clientId(env, 'dup1');
      const request = await restingBuy(exchange, { clientOrderId: id });

      const first = await exchange.placeOrder(request);
      // Idempotent by client order id (REQ-WF-001): the same order again is the order placed
      const second = await exchange.placeOrder(request);

      assert.equal(second.orderId, first.orderId);
      const open = await exchange.getOpenOrders(SYMBOL);
      assert.equal(open.filter((o) => o.clientOrderId === id).length, 1);
      await rejectsWith(
        exchange.placeOrder({ ...request, quantity: request.quantity.mul(2) }),
        'DUPLICATE_ORDER',
        'client_order_id',
      );
    },
  },
  {
    name: 'places a batch around a bad item, reporting it at its index with its code',
    async run(env) {
      const good = await restingBuy(env.exchange);
      const ids = [0, 1, 2].map((i) => clientId(env, `batch${i}`));
      const requests = [
        { ...good, clientOrderId: ids[0] },
        { ...good, clientOrderId: ids[1], quantity: dec(0) },
        { ...good, clientOrderId: ids[2] },
      ];

      const result = await env.exchange.batchPlaceOrders(requests);

      assert.equal(result.allSuccess, false);
      assert.deepEqual(
        result.orders.map((o) => o.clientOrderId),
        [ids[0], ids[2]],
      );
      assert.deepEqual(
        result.errors.map((e) => [e.index, e.clientOrderId, e.code, e.reason]),
        [[1, ids[1], GrpcCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT']],
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
      const open = idsOf(await exchange.getOpenOrders(SYMBOL));
      assert.ok(!open.includes(a.orderId) && !open.includes(b.orderId), 'both cancelled');
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
    async run(env) {
      const { exchange } = env;
      const before = await positionSize(exchange);
      const request = await marketBuy(exchange);

      const order = await exchange.placeOrder(request);

      assert.equal(order.status, 'FILLED');
      assert.equal(order.executedQty.toFixed(), request.quantity.toFixed());
      assert.ok(order.avgPrice.gt(0));
      assert.ok(order.trades.length > 0);
      assert.equal(order.trades[0]?.orderId, order.orderId);
      const after = await positionSize(exchange);
      assert.equal(after.sub(before).toFixed(), request.quantity.toFixed());
      const account = await exchange.getAccount();
      const inAccount = account.positions.find((p) => p.symbol === SYMBOL);
      assert.equal(inAccount?.size.toFixed(), after.toFixed());
      if (env.fresh) {
        const [position] = await exchange.getPositions(SYMBOL);
        assert.equal(position?.entryPrice.toFixed(), order.avgPrice.toFixed());
        assert.deepEqual(
          account.positions.map((p) => [p.symbol, p.size.toFixed()]),
          [[SYMBOL, '0.01']],
        );
      }
    },
  },
];
