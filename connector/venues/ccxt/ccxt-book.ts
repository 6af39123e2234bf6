/**
 * @module connector/venues/ccxt/ccxt-book
 * L2 depth and our fill history on a ccxt venue, with each venue's limits as data:
 * - `getOrderBook` asks fetchOrderBook for the smallest depth the venue accepts that covers the
 *   request (Binance USD-M takes only 5/10/20/50/100/500/1000, Bitget futures 1/5/15/50) and
 *   trims the reply to the levels asked for;
 * - `subscribeOrderBook` runs one watchOrderBook loop per symbol at the venue's stream depth,
 *   shared by every subscriber (ccxt keeps one book per symbol, so two depths would corrupt it);
 *   each update is converted only as deep as the deepest subscriber needs, then trimmed per
 *   subscriber;
 * - `tradeHistory` reads fetchMyTrades over [from, to] windows no longer than the venue allows
 *   (24 h on Binance spot, 7 days on most). Venues return either the oldest or the newest N
 *   fills of a range, so a full reply is never trusted: the window is halved until the venue's
 *   reply holds everything in it, which makes paging exact on every venue.
 */
import type { OrderBook as CcxtOrderBook, Trade as CcxtTrade } from 'ccxt';
import type {
  MarketKind,
  OrderBook,
  Trade,
  TradeHistoryPage,
  TradeHistoryQuery,
} from '../../../core/exchange.types.js';
import { resolveBookLevels, trimBook } from '../../../core/order-book.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import {
  compareTrades,
  encodeTradeCursor,
  inQuery,
  resolveTradeQuery,
  type ResolvedTradeQuery,
} from '../../../core/trade-history.js';
import { baseAmount, toTrade } from './convert.js';
import { onStep, type MarketRef } from './markets.js';
import type { StreamRegistry } from './stream-supervisor.js';
import type { VenueId } from './venue-profiles.js';
import type { VenueContext } from './venue-context.js';

const DAY_MS = 86_400_000;
/** Venue calls one trade-history page may make; the next page resumes where it stopped. */
const MAX_CALLS_PER_PAGE = 40;

/** Depth and history limits of one venue and market kind. */
export interface BookLimits {
  /**
   * The fetchOrderBook limits the venue accepts, ascending. With `anyUpTo` every limit from 1 to
   * the last entry is accepted; otherwise only the listed ones.
   */
  readonly restDepths: readonly number[];
  readonly anyUpTo: boolean;
  /** Levels per side of the one watchOrderBook subscription per symbol. */
  readonly streamDepth: number;
  /** Most fills one fetchMyTrades reply holds. */
  readonly tradesPerCall: number;
  /** Longest time range one fetchMyTrades call may span. */
  readonly historyWindowMs: number;
  /**
   * Which fills of a range a full fetchMyTrades reply holds: the oldest (Binance pages forward
   * from startTime) or the newest (the others page backwards).
   */
  readonly historyOrder: 'oldest' | 'newest';
}

const range = (max: number): Pick<BookLimits, 'restDepths' | 'anyUpTo'> => ({
  restDepths: [max],
  anyUpTo: true,
});

// Limits from each venue's API documentation and ccxt 4.5's own clamps (ccxt-facts.md)
const LIMITS: Readonly<Record<`${VenueId}:${MarketKind}`, BookLimits | undefined>> = {
  'binance:spot': {
    ...range(5000),
    streamDepth: 1000,
    tradesPerCall: 1000,
    historyWindowMs: DAY_MS,
    historyOrder: 'oldest',
  },
  'binance:futures': undefined,
  'binanceusdm:futures': {
    restDepths: [5, 10, 20, 50, 100, 500, 1000],
    anyUpTo: false,
    streamDepth: 1000,
    tradesPerCall: 1000,
    historyWindowMs: 7 * DAY_MS,
    historyOrder: 'oldest',
  },
  'binanceusdm:spot': undefined,
  // Bitget's futures merge-depth takes 1/5/15/50; its WebSocket has snapshot channels of 50
  'bitget:spot': {
    ...range(150),
    streamDepth: 50,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
    historyOrder: 'newest',
  },
  'bitget:futures': {
    restDepths: [1, 5, 15, 50],
    anyUpTo: false,
    streamDepth: 50,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
    historyOrder: 'newest',
  },
  // ccxt clamps Gate futures depth to 300; the futures WebSocket serves 100 levels at most
  'gate:spot': {
    ...range(1000),
    streamDepth: 50,
    tradesPerCall: 1000,
    historyWindowMs: 30 * DAY_MS,
    historyOrder: 'newest',
  },
  'gate:futures': {
    ...range(300),
    streamDepth: 100,
    tradesPerCall: 1000,
    historyWindowMs: 30 * DAY_MS,
    historyOrder: 'newest',
  },
  // OKX "books" (400 levels) needs no VIP tier, unlike its 50-level tick-by-tick channel
  'okx:spot': {
    ...range(400),
    streamDepth: 400,
    tradesPerCall: 100,
    historyWindowMs: 30 * DAY_MS,
    historyOrder: 'newest',
  },
  'okx:futures': {
    ...range(400),
    streamDepth: 400,
    tradesPerCall: 100,
    historyWindowMs: 30 * DAY_MS,
    historyOrder: 'newest',
  },
  'bybit:spot': {
    ...range(200),
    streamDepth: 200,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
    historyOrder: 'newest',
  },
  'bybit:futures': {
    ...range(500),
    streamDepth: 200,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
    historyOrder: 'newest',
  },
};

/** The limits of a venue's market kind. */
export function bookLimits(venue: VenueId, kind: MarketKind): BookLimits {
  const limits = LIMITS[`${venue}:${kind}`];
  if (limits === undefined) throw new Error(`no book limits for ${venue} ${kind}`);
  return limits;
}

/** The fetchOrderBook limit to ask for `levels`: the smallest accepted one covering it. */
export function restDepthFor(limits: BookLimits, levels: number): number {
  const max = limits.restDepths.at(-1) as number;
  if (limits.anyUpTo) return Math.min(levels, max);
  return limits.restDepths.find((d) => d >= levels) ?? max;
}

/** A ccxt book as ours, at most `levels` per side (contract amounts in base units). */
export function toOrderBook(
  raw: CcxtOrderBook,
  market: MarketRef,
  levels: number,
  venue: string,
  nowMs: number,
): OrderBook {
  const side = (rows: readonly (readonly unknown[])[]) => {
    const out = [];
    for (const row of rows) {
      if (out.length >= levels) break;
      const quantity = baseAmount(row[1] as number, market);
      if (!quantity.gt(0)) continue;
      out.push({ price: onStep(row[0] as number, market.info.tickSize), quantity });
    }
    return out;
  };
  return {
    exchange: venue,
    symbol: market.symbol,
    bids: side(raw.bids),
    asks: side(raw.asks),
    timeMs: raw.timestamp ?? nowMs,
    sequence: Number(raw.nonce ?? 0),
  };
}

/**
 * The order book of `symbol`, `levels` per side (0 = 20), capped by the venue's depth limit.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `levels`, UNKNOWN_SYMBOL, or the venue's failure
 */
export async function orderBook(
  ctx: VenueContext,
  symbol: string,
  levels: number,
): Promise<OrderBook> {
  const depth = resolveBookLevels(levels);
  const market = ctx.book.get(symbol);
  const limits = bookLimits(ctx.profile.id, ctx.kind);
  const raw = await ctx.call(() =>
    ctx.ex.fetchOrderBook(market.unified, restDepthFor(limits, depth)),
  );
  return toOrderBook(raw, market, depth, ctx.name, ctx.clock.now());
}

/** Levels each live subscriber of a symbol wants, per venue: the watch converts the deepest. */
const wanted = new WeakMap<VenueContext, Map<string, number[]>>();

function wantedOf(ctx: VenueContext, symbol: string): number[] {
  let bySymbol = wanted.get(ctx);
  if (bySymbol === undefined) {
    bySymbol = new Map();
    wanted.set(ctx, bySymbol);
  }
  let list = bySymbol.get(symbol);
  if (list === undefined) {
    list = [];
    bySymbol.set(symbol, list);
  }
  return list;
}

/**
 * Streams the depth of `symbol`, `levels` per side (0 = 20), up to the venue's stream depth.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `levels`, UNKNOWN_SYMBOL
 */
export function subscribeOrderBook(
  ctx: VenueContext,
  registry: StreamRegistry,
  symbol: string,
  levels: number,
  sink: StreamSink<OrderBook>,
): Subscription {
  const depth = resolveBookLevels(levels);
  const market = ctx.book.get(symbol);
  const limits = bookLimits(ctx.profile.id, ctx.kind);
  const depths = wantedOf(ctx, market.symbol);
  depths.push(depth);
  const feed = registry.subscribe<OrderBook>(
    `book:${market.symbol}`,
    async () => {
      const raw = await ctx.ex.watchOrderBook(market.unified, limits.streamDepth);
      const deepest = Math.max(0, ...depths);
      return [toOrderBook(raw, market, deepest, ctx.name, ctx.clock.now())];
    },
    {
      next: (book) => sink.next(trimBook(book, depth)),
      error: (e) => sink.error(e),
      resync: () => sink.resync?.(),
    },
  );
  let open = true;
  return {
    close: () => {
      if (!open) return;
      open = false;
      depths.splice(depths.indexOf(depth), 1);
      feed.close();
    },
  };
}

/** Where a page's reading starts, or undefined when nothing is left to read. */
function firstFrom(query: ResolvedTradeQuery, windowMs: number): number | undefined {
  const from =
    query.after !== undefined
      ? Math.max(query.after.timeMs, query.startTimeMs)
      : query.startTimeMs === 0
        ? Math.max(0, query.endTimeMs - windowMs + 1)
        : query.startTimeMs;
  return from > query.endTimeMs ? undefined : from;
}

const timeOf = (row: CcxtTrade): number => row.timestamp ?? 0;

/**
 * The next `to` after a full reply for [from, to]: a window the reply shows to hold about three
 * quarters of a reply, and never more than half the current one, so narrowing always ends.
 */
function narrowed(rows: readonly CcxtTrade[], from: number, to: number): number {
  const times = rows.map(timeOf);
  const covered = Math.max(1, Math.max(...times) - Math.min(...times));
  return from + Math.min(Math.floor((to - from) / 2), Math.floor((covered * 3) / 4));
}

/**
 * One page of our fills of a symbol. A page may hold fewer fills than `limit` (even none)
 * while `nextCursor` is set, when the venue's window or call budget ended it: keep paging until
 * the cursor is empty. `startTimeMs` 0 means one venue window back from the end time.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the bad query field, UNKNOWN_SYMBOL,
 *   AUTHENTICATION without credentials, or the venue's failure
 */
export async function tradeHistory(
  ctx: VenueContext,
  query: TradeHistoryQuery,
): Promise<TradeHistoryPage> {
  const resolved = resolveTradeQuery(query, ctx.clock.now());
  const market = ctx.book.get(resolved.symbol);
  ctx.requireCredentials();
  const limits = bookLimits(ctx.profile.id, ctx.kind);
  let from = firstFrom(resolved, limits.historyWindowMs);
  if (from === undefined) return { trades: [], nextCursor: '' };
  const fetch = (since: number, until: number) =>
    ctx.privateCall(() =>
      ctx.ex.fetchMyTrades(market.unified, since, limits.tradesPerCall, { until }),
    );
  const collected: Trade[] = [];
  let readUpTo = from - 1;
  let windowMs = limits.historyWindowMs;
  let calls = 0;
  while (calls < MAX_CALLS_PER_PAGE) {
    let to = Math.min(resolved.endTimeMs, from + windowMs - 1);
    let rows = await fetch(from, to);
    calls++;
    // A full reply is complete only where the venue's order says so; narrow until it is whole
    while (rows.length >= limits.tradesPerCall && to > from && calls < MAX_CALLS_PER_PAGE) {
      if (limits.historyOrder === 'oldest') {
        const newest = Math.max(...rows.map(timeOf));
        if (newest <= from) break;
        to = newest - 1;
        rows = rows.filter((row) => timeOf(row) <= to);
        break;
      }
      to = narrowed(rows, from, to);
      rows = await fetch(from, to);
      calls++;
    }
    if (rows.length >= limits.tradesPerCall && to <= from) {
      ctx.logger.warn(
        { venue: ctx.name, symbol: market.symbol, timeMs: from },
        'trade history: one millisecond holds more fills than one venue reply; later ones of it are skipped',
      );
    } else if (rows.length >= limits.tradesPerCall && limits.historyOrder === 'newest') {
      // Out of calls with the window still too full: resume here on the next page
      break;
    }
    for (const row of rows) {
      const trade = toTrade(row, market);
      if (inQuery(trade, resolved)) collected.push(trade);
    }
    readUpTo = to;
    // Sparse windows widen again, so a quiet stretch costs few calls
    windowMs = rows.length < limits.tradesPerCall / 4 ? limits.historyWindowMs : to - from + 1;
    if (collected.length >= resolved.limit || to >= resolved.endTimeMs) break;
    from = to + 1;
  }
  collected.sort(compareTrades);
  const page = collected.slice(0, resolved.limit);
  const last = page.at(-1);
  if (page.length < collected.length && last !== undefined) {
    return { trades: page, nextCursor: encodeTradeCursor(last) };
  }
  const done = readUpTo >= resolved.endTimeMs;
  return {
    trades: page,
    nextCursor: done ? '' : encodeTradeCursor({ timeMs: readUpTo + 1, tradeId: '' }),
  };
}
