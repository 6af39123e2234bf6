/**
 * Order books and trade history on OKX, Bybit, Bitget and Gate USDT perpetuals through the real
 * ccxt code and each venue's loopback emulator: the depth request each venue accepts (Bitget
 * futures only takes 1/5/15/50), levels in base units (OKX and Gate count contracts), fills paged
 * oldest first with our cursor, and exact paging when a venue returns only the newest fills of a
 * range that holds more than one reply.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { dec } from '../../../../core/decimal.js';
import type { OrderBook, Trade } from '../../../../core/exchange.types.js';
import { eventually } from '../../../support/grpc-harness.js';
import type { CcxtExchange } from '../../../../connector/venues/ccxt/ccxt.exchange.js';
import {
  EMULATED_FILLS,
  EMULATED_FILLS_END,
  serveFills,
  type EmulatedFill,
} from './emulators/depth-fills.routes.js';
import { VENUE_SPECS, type VenueSpec } from './venue-specs.js';
import { startVenue } from './venue.harness.js';

/** The depth request each venue must receive for 7 levels: path and the limit parameter. */
const DEPTH_REQUESTS: Readonly<Record<string, readonly [string, string, string]>> = {
  okx: ['/api/v5/market/books', 'sz', '7'],
  bybit: ['/v5/market/orderbook', 'limit', '7'],
  bitget: ['/api/v2/mix/market/merge-depth', 'limit', '15'],
  gate: ['/api/v4/futures/usdt/order_book', 'limit', '7'],
};

/** Where each venue serves our fills, and how many one reply holds. */
const FILL_ENDPOINTS: Readonly<Record<string, readonly [string, number]>> = {
  okx: ['/api/v5/trade/fills-history', 100],
  bybit: ['/v5/execution/list', 100],
  bitget: ['/api/v2/mix/order/fills', 100],
  gate: ['/api/v4/futures/usdt/my_trades_timerange', 1000],
};

async function start(t: TestContext, spec: VenueSpec) {
  const emulator = spec.emulator();
  await emulator.start();
  const venue = await startVenue(t, { ...spec.venue, server: emulator.server });
  return { emulator, venue };
}

async function allFills(
  venue: CcxtExchange,
  range: { startTimeMs: number; endTimeMs: number },
  limit: number,
): Promise<{ pages: number; fills: Trade[] }> {
  const fills: Trade[] = [];
  let cursor = '';
  let pages = 0;
  do {
    const page = await venue.getTradeHistory({ symbol: 'BTCUSDT', ...range, limit, cursor });
    fills.push(...page.trades);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== '' && pages < 50);
  return { pages, fills };
}

const summary = (t: Trade) => [
  t.tradeId,
  t.orderId,
  t.side,
  t.price.toFixed(),
  t.quantity.toFixed(),
  t.isMaker,
  t.fee.toFixed(),
  t.timeMs,
];
const expected = (f: EmulatedFill) => [
  f.id,
  f.orderId,
  f.side === 'buy' ? 'BUY' : 'SELL',
  dec(f.price).toFixed(),
  f.quantity,
  f.maker,
  f.fee,
  f.timeMs,
];

describe('ccxt bybit depth stream (bybit emulator)', () => {
  it('watches one 200-level book per symbol and trims it for each subscriber', async (t) => {
    const spec = VENUE_SPECS.find((s) => s.name === 'bybit') as VenueSpec;
    const { venue } = await start(t, spec);
    const top: OrderBook[] = [];
    const deeper: OrderBook[] = [];
    const errors: unknown[] = [];

    const a = venue.subscribeOrderBook('BTCUSDT', 5, {
      next: (b) => top.push(b),
      error: (e) => errors.push(e),
    });
    const b = venue.subscribeOrderBook('BTCUSDT', 50, {
      next: (b) => deeper.push(b),
      error: (e) => errors.push(e),
    });
    await eventually(() => top.length > 0 && deeper.length > 0, 'both subscribers served');
    const feeds = venue.streams().feeds;
    a.close();
    b.close();

    assert.deepEqual(feeds, ['book:BTCUSDT']);
    assert.deepEqual([top[0]?.bids.length, top[0]?.asks.length], [5, 5]);
    assert.deepEqual([deeper[0]?.bids.length, deeper[0]?.asks.length], [30, 30]);
    assert.equal(top[0]?.bids[0]?.price.toFixed(), '99999.9');
    assert.equal(deeper[0]?.asks[29]?.quantity.toFixed(), '4.4');
    assert.deepEqual(errors, []);
    assert.deepEqual(venue.streams().feeds, []);
  });
});

for (const spec of VENUE_SPECS) {
  describe(`ccxt ${spec.name} order book and trade history (${spec.name} emulator)`, () => {
    it('asks for the depth the venue accepts and returns the levels asked for, in base units', async (t) => {
      const { emulator, venue } = await start(t, spec);
      const [path, param, value] = DEPTH_REQUESTS[spec.name] ?? ['', '', ''];

      const book = await venue.getOrderBook('BTCUSDT', 7);

      const [request] = emulator.server.requestsTo(path, 'GET');
      assert.equal(request?.query[param], value);
      assert.equal(book.symbol, 'BTCUSDT');
      assert.deepEqual(
        book.bids.slice(0, 2).map((l) => [l.price.toFixed(), l.quantity.toFixed()]),
        [
          ['99999.9', '1.5'],
          ['99999.8', '1.6'],
        ],
      );
      assert.deepEqual(
        book.asks.slice(0, 2).map((l) => [l.price.toFixed(), l.quantity.toFixed()]),
        [
          ['100000.1', '1.5'],
          ['100000.2', '1.6'],
        ],
      );
      assert.deepEqual([book.bids.length, book.asks.length], [7, 7]);
    });

    it('pages our fills oldest first with its cursor, maker flag and fee kept', async (t) => {
      const { venue } = await start(t, spec);

      const { pages, fills } = await allFills(
        venue,
        { startTimeMs: EMULATED_FILLS_END - 3_600_000, endTimeMs: EMULATED_FILLS_END },
        2,
      );

      assert.equal(pages, 3);
      assert.deepEqual(fills.map(summary), EMULATED_FILLS.map(expected));
    });

    it('reads a range holding more fills than one venue reply exactly once each', async (t) => {
      const many = Array.from({ length: 1_250 }, (_, i) => ({
        ...(EMULATED_FILLS[i % EMULATED_FILLS.length] as EmulatedFill),
        id: String(9_000_000 + i),
        // Two fills share each second, so reply boundaries fall inside one timestamp too
        timeMs: EMULATED_FILLS_END - 3_600_000 + Math.floor(i / 2) * 1000,
      }));
      t.after(serveFills(many));
      const { emulator, venue } = await start(t, spec);

      const { fills } = await allFills(
        venue,
        { startTimeMs: EMULATED_FILLS_END - 3_600_000, endTimeMs: EMULATED_FILLS_END },
        500,
      );

      const [path, perReply] = FILL_ENDPOINTS[spec.name] ?? ['', 1];
      const calls = emulator.server.requestsTo(path, 'GET').length;
      assert.deepEqual(
        fills.map((f) => f.tradeId),
        many.map((f) => f.id),
      );
      // Each narrowing aims at most replies being whole: about two calls per reply's worth
      const bound = 2 * Math.ceil(many.length / perReply) + 2;
      assert.ok(calls <= bound, `${calls} venue calls, expected at most ${bound}`);
    });
  });
}
