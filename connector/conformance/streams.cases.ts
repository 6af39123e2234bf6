/**
 * @module connector/conformance/streams.cases
 * Stream cases: price, orders, klines, account, positions and funding updates reach the consumer,
 * and a closed subscription stops delivering.
 */
import assert from 'node:assert/strict';

import type {
  Account,
  Candle,
  FundingRate,
  OrderUpdate,
  Position,
  PriceChange,
} from '../../core/exchange.types.js';
import { clientId, collect, marketBuy, restingBuy, SYMBOL, type ConformanceCase } from './case.js';

export const streamCases: readonly ConformanceCase[] = [
  {
    name: 'streams price changes of the subscribed symbols only',
    async run(env) {
      const prices = await collect<PriceChange>(env, (sink) =>
        env.exchange.subscribePrice([SYMBOL], sink),
      );

      env.advance(1000);

      const change = await prices.next((p) => p.symbol === SYMBOL, 'a BTCUSDT price');
      assert.equal(change.exchange, env.exchange.name);
      assert.ok(change.price.gt(0));
      assert.ok(change.timeMs > 0);
      assert.ok(prices.values.every((p) => p.symbol === SYMBOL));
      assert.deepEqual(prices.errors, []);
      prices.subscription.close();
    },
  },
  {
    name: 'streams every order update, NEW then CANCELED, and stops after close',
    async run(env) {
      const updates = await collect<OrderUpdate>(env, (sink) => env.exchange.subscribeOrders(sink));
      const id = clientId(env, 'stream1');
      const request = await restingBuy(env.exchange, { clientOrderId: id });

      const order = await env.exchange.placeOrder(request);
      await updates.next((u) => u.order.orderId === order.orderId, 'the NEW update');
      await env.exchange.cancelOrder(SYMBOL, order.orderId);
      await updates.next(
        (u) => u.order.orderId === order.orderId && u.order.status === 'CANCELED',
        'the CANCELED update',
      );
      updates.subscription.close();
      const later = await env.exchange.placeOrder(await restingBuy(env.exchange));
      await env.exchange.cancelOrder(SYMBOL, later.orderId);

      const mine = updates.values.filter((u) => u.order.orderId === order.orderId);
      assert.deepEqual(
        mine.map((u) => [u.exchange, u.order.clientOrderId, u.order.status]),
        [
          [env.exchange.name, id, 'NEW'],
          [env.exchange.name, id, 'CANCELED'],
        ],
      );
      assert.ok(!updates.values.some((u) => u.order.orderId === later.orderId), 'none after close');
      if (env.fresh) assert.equal(updates.values.length, 2);
    },
  },
  {
    name: 'streams the fill of an order with its last trade',
    async run(env) {
      const updates = await collect<OrderUpdate>(env, (sink) => env.exchange.subscribeOrders(sink));

      const order = await env.exchange.placeOrder(await marketBuy(env.exchange));

      const filled = await updates.next(
        (u) => u.order.orderId === order.orderId && u.order.status === 'FILLED',
        'the FILLED update',
      );
      assert.equal(filled.order.executedQty.toFixed(), order.quantity.toFixed());
      assert.equal(filled.lastTrade?.orderId, order.orderId);
      assert.ok(filled.lastTrade?.price.gt(0));
      updates.subscription.close();
    },
  },
  {
    name: 'streams klines of the subscribed interval',
    async run(env) {
      const candles = await collect<Candle>(env, (sink) =>
        env.exchange.subscribeKlines([SYMBOL], '1m', sink),
      );

      env.advance(61_000);

      const candle = await candles.next((c) => c.isClosed, 'a closed candle');
      assert.equal(candle.symbol, SYMBOL);
      assert.equal(candle.openTimeMs % 60_000, 0);
      assert.ok(candle.volume.gte(0));
      candles.subscription.close();
    },
  },
  {
    name: 'streams account and position updates after a fill',
    async run(env) {
      const accounts = await collect<Account>(
        env,
        (sink) => env.exchange.subscribeAccount(sink),
        1,
      );
      const positions = await collect<Position>(
        env,
        (sink) => env.exchange.subscribePositions(SYMBOL, sink),
        2,
      );
      const before = accounts.values.length;

      const order = await env.exchange.placeOrder(await marketBuy(env.exchange));

      const position = await positions.next(
        (p) => p.symbol === SYMBOL && !p.size.isZero(),
        'the opened position',
      );
      const account = await accounts.next(
        (a) => accounts.values.indexOf(a) >= before && a.positions.some((p) => p.symbol === SYMBOL),
        'the account update',
      );
      assert.ok(position.entryPrice.gt(0));
      assert.ok(account.positions.some((p) => p.symbol === SYMBOL));
      if (env.fresh) {
        assert.equal(position.size.toFixed(), order.quantity.toFixed());
        assert.ok(account.totalWalletBalance.lt(100_000), 'the taker fee was paid');
      }
      accounts.subscription.close();
      positions.subscription.close();
    },
  },
  {
    name: 'streams funding rates of a symbol',
    async run(env) {
      const rates = await collect<FundingRate>(env, (sink) =>
        env.exchange.subscribeFundingRate(SYMBOL, sink),
      );

      env.advance(60_000);

      const rate = await rates.next((r) => r.symbol === SYMBOL, 'a funding update');
      assert.equal(rate.exchange, env.exchange.name);
      assert.ok(rate.nextFundingTimeMs > 0);
      rates.subscription.close();
    },
  },
];
