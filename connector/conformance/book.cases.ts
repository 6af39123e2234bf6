/**
 * @module connector/conformance/book.cases
 * Order book and trade history cases (the RPCs added after v1): depth best first and as deep as
 * asked, a depth stream that starts with a snapshot and follows changes, our fills paged oldest
 * first with a cursor, and every bad request refused naming its field. The fill cases take
 * liquidity with market orders, so they run only on a fresh simulated account.
 */
import assert from 'node:assert/strict';

import { dec } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { OrderBook, Trade } from '../../core/exchange.types.js';
import { sideProblem } from '../../core/order-book.js';
import { collect, eventually, rejectsWith, SYMBOL, type ConformanceCase } from './case.js';

const marketBuy = { symbol: SYMBOL, side: 'BUY', type: 'MARKET', quantity: dec('0.01') } as const;

/** Asserts `book` is a well-formed, uncrossed book of SYMBOL with 1..`levels` per side. */
function assertBook(book: OrderBook, levels: number, fresh: boolean): void {
  if (fresh) assert.equal(book.exchange, 'sim');
  assert.equal(book.symbol, SYMBOL);
  assert.equal(sideProblem(book.bids, true), null);
  assert.equal(sideProblem(book.asks, false), null);
  assert.ok(book.bids.length >= 1 && book.bids.length <= levels, `${book.bids.length} bids`);
  assert.ok(book.asks.length >= 1 && book.asks.length <= levels, `${book.asks.length} asks`);
  assert.ok(book.bids[0]?.price.lt(book.asks[0]?.price ?? 0), 'best bid below best ask');
  assert.ok(book.timeMs > 0);
}

/** Every page of a query, following the cursor to the end. */
async function allPages(exchange: Exchange, limit: number): Promise<Trade[][]> {
  const pages: Trade[][] = [];
  let cursor = '';
  do {
    const page = await exchange.getTradeHistory({ symbol: SYMBOL, limit, cursor });
    pages.push([...page.trades]);
    cursor = page.nextCursor;
  } while (cursor !== '' && pages.length < 10);
  return pages;
}

export const bookCases: readonly ConformanceCase[] = [
  {
    name: 'returns the order book best first, as deep as asked (20 levels by default)',
    async run({ exchange, fresh }) {
      const top = await exchange.getOrderBook(SYMBOL, 5);
      const standard = await exchange.getOrderBook(SYMBOL, 0);

      assertBook(top, 5, fresh);
      assertBook(standard, 20, fresh);
      assert.ok(standard.bids.length > top.bids.length, 'the default is deeper than 5');
      assert.ok(top.bids[0]?.price.lte(standard.asks[0]?.price ?? 0));
    },
  },
  {
    name: 'refuses a depth outside 1..5000 naming levels, and an unknown symbol',
    async run({ exchange }) {
      await rejectsWith(exchange.getOrderBook(SYMBOL, -1), 'INVALID_ARGUMENT', 'levels');
      await rejectsWith(exchange.getOrderBook(SYMBOL, 5001), 'INVALID_ARGUMENT', 'levels');
      await rejectsWith(exchange.getOrderBook('DOGEUSDT', 5), 'UNKNOWN_SYMBOL', 'symbol');
      await rejectsWith(exchange.getOrderBook('', 5), 'INVALID_ARGUMENT', 'symbol');
    },
  },
  {
    name: 'streams the order book: a snapshot at once, then the changes',
    async run(env) {
      const books = await collect<OrderBook>(env, (sink) =>
        env.exchange.subscribeOrderBook(SYMBOL, 5, sink),
      );
      await books.next(() => true, 'the first snapshot');
      const seen = books.values.length;

      env.advance(2000);

      await books.next(() => books.values.length > seen, 'an update after the market moved');
      for (const book of books.values) assertBook(book, 5, env.fresh);
      assert.deepEqual(books.errors, []);
      books.subscription.close();
    },
  },
  {
    name: 'ends a depth stream of an unknown symbol with UNKNOWN_SYMBOL',
    async run(env) {
      const errors: string[] = [];
      env.exchange.subscribeOrderBook('DOGEUSDT', 5, {
        next: () => errors.push('a book'),
        error: (e) => errors.push(e.reason),
      });
      await eventually(() => errors.length > 0, 'the stream to end', env.patienceMs);
      assert.deepEqual(errors, ['UNKNOWN_SYMBOL']);
    },
  },
  {
    name: 'pages through our fills oldest first with a cursor, each fill once',
    needsFresh: true,
    async run({ exchange }) {
      const before = await exchange.getTradeHistory({ symbol: SYMBOL });
      const orders = [];
      for (let i = 0; i < 3; i++) orders.push(await exchange.placeOrder(marketBuy));

      const pages = await allPages(exchange, 2);
      const fills = pages.flat();
      const total = fills.reduce((sum, t) => sum.add(t.quantity), dec(0));

      assert.deepEqual(before.trades, []);
      assert.equal(before.nextCursor, '');
      assert.equal(pages[0]?.length, 2, 'a full first page');
      assert.deepEqual(
        [...new Set(fills.map((t) => t.orderId))],
        orders.map((o) => o.orderId),
        'oldest first',
      );
      assert.equal(new Set(fills.map((t) => t.tradeId)).size, fills.length, 'no fill twice');
      assert.equal(total.toFixed(), '0.03');
      for (const fill of fills) {
        assert.equal(fill.symbol, SYMBOL);
        assert.equal(fill.side, 'BUY');
        assert.ok(fill.price.gt(0) && fill.fee.gt(0), 'a taker fill pays a fee');
        assert.equal(fill.isMaker, false);
      }
    },
  },
  {
    name: 'limits trade history to the time range asked for',
    needsFresh: true,
    async run({ exchange }) {
      await exchange.placeOrder(marketBuy);
      const [fill] = (await exchange.getTradeHistory({ symbol: SYMBOL })).trades;
      assert.ok(fill, 'the fill is listed');

      const earlier = await exchange.getTradeHistory({
        symbol: SYMBOL,
        startTimeMs: fill.timeMs - 60_000,
        endTimeMs: fill.timeMs - 1,
      });
      const exact = await exchange.getTradeHistory({
        symbol: SYMBOL,
        startTimeMs: fill.timeMs,
        endTimeMs: fill.timeMs,
      });

      assert.deepEqual(earlier.trades, []);
      assert.equal(earlier.nextCursor, '');
      assert.deepEqual(
        exact.trades.map((t) => t.tradeId),
        [fill.tradeId],
      );
    },
  },
  {
    name: 'refuses a bad trade history query naming the field',
    async run({ exchange }) {
      const q = { symbol: SYMBOL };
      await rejectsWith(
        exchange.getTradeHistory({ ...q, limit: 1001 }),
        'INVALID_ARGUMENT',
        'limit',
      );
      await rejectsWith(
        exchange.getTradeHistory({ ...q, startTimeMs: 2000, endTimeMs: 1000 }),
        'INVALID_ARGUMENT',
        'end_time',
      );
      await rejectsWith(
        exchange.getTradeHistory({ ...q, cursor: 'not a cursor' }),
        'INVALID_ARGUMENT',
        'cursor',
      );
      await rejectsWith(exchange.getTradeHistory({ symbol: '' }), 'INVALID_ARGUMENT', 'symbol');
      await rejectsWith(
        exchange.getTradeHistory({ symbol: 'DOGEUSDT' }),
        'UNKNOWN_SYMBOL',
        'symbol',
      );
    },
  },
];
