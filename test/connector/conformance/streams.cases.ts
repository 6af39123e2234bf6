/**
 * @module test/connector/conformance/streams.cases
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
} from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import { collect, restingBuy, SYMBOL, type ConformanceCase } from './case.js';

const marketBuy = { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: dec('0.01') } as const;

export const streamCases: readonly ConformanceCase[] = [
  {
    name: 'streams price changes of the subscribed symbols only',
    async run(env) {
      const prices = await collect<PriceChange>(env, (sink) =>
        env.exchange.subscribePrice([SYMBOL], sink),
      );

      env.clock.advance(1000);

      const change = await prices.next((p) => p.symbol === SYMBOL, 'a BTCUSDT price');
      assert.equal(change.exchange, 'sim');
      assert.ok(change.price.gt(0));
      assert.ok(change.timeMs > 0);
      assert.ok(prices.values.every((p) => p.symbol === SYMBOL));
      assert.deepEqual(prices.errors, []);
    },
  },
  {
    name: 'streams every order update, NEW then CANCELED, and stops after close',
    async run(env) {
      const updates = await collect<OrderUpdate>(env, (sink) => env.exchange.subscribeOrders(sink));
      const request = await restingBuy(env.exchange, { clientOrderId: 'conf-stream-1' });

      const order = await env.exchange.placeOrder(request);
      await updates.next((u) => u.order.status === 'NEW', 'the NEW update');
      await env.exchange.cancelOrder(SYMBOL, order.orderId);
      await updates.next((u) => u.order.status === 'CANCELED', 'the CANCELED update');
      updates.subscription.close();
      await env.exchange.placeOrder(await restingBuy(env.exchange));

      const mine = updates.values.filter((u) => u.order.orderId === order.orderId);
      assert.deepEqual(
        mine.map((u) => [u.exchange, u.order.clientOrderId, u.order.status]),
        [
          ['sim', 'conf-stream-1', 'NEW'],
          ['sim', 'conf-stream-1', 'CANCELED'],
        ],
      );
      assert.equal(updates.values.length, 2);
    },
  },
  {
    name: 'streams the fill of an order with its last trade',
    async run(env) {
      const updates = await collect<OrderUpdate>(env, (sink) => env.exchange.subscribeOrders(sink));

      const order = await env.exchange.placeOrder(marketBuy);

      const filled = await updates.next((u) => u.order.status === 'FILLED', 'the FILLED update');
      assert.equal(filled.order.orderId, order.orderId);
      assert.equal(filled.order.executedQty.toFixed(), '0.01');
      assert.equal(filled.lastTrade?.orderId, order.orderId);
      assert.ok(filled.lastTrade?.price.gt(0));
    },
  },
  {
    name: 'streams klines of the subscribed interval',
    async run(env) {
      const candles = await collect<Candle>(env, (sink) =>
        env.exchange.subscribeKlines([SYMBOL], '1m', sink),
      );

      env.clock.advance(61_000);

      const candle = await candles.next((c) => c.isClosed, 'a closed candle');
      assert.equal(candle.symbol, SYMBOL);
      assert.equal(candle.openTimeMs % 60_000, 0);
      assert.ok(candle.volume.gte(0));
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

      await env.exchange.placeOrder(marketBuy);

      const position = await positions.next((p) => p.size.eq('0.01'), 'the opened position');
      const account = await accounts.next((a) => a.positions.length === 1, 'the account update');
      assert.equal(position.symbol, SYMBOL);
      assert.ok(position.entryPrice.gt(0));
      assert.equal(account.positions[0]?.symbol, SYMBOL);
      assert.ok(account.totalWalletBalance.lt(100_000), 'the taker fee was paid');
    },
  },
  {
    name: 'streams funding rates of a symbol',
    async run(env) {
      const rates = await collect<FundingRate>(env, (sink) =>
        env.exchange.subscribeFundingRate(SYMBOL, sink),
      );

      env.clock.advance(60_000);

      const rate = await rates.next((r) => r.symbol === SYMBOL, 'a funding update');
      assert.equal(rate.exchange, 'sim');
      assert.ok(rate.nextFundingTimeMs > 0);
    },
  },
];
