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
} from '../../../core/trade-history.js';
import { baseAmount, toTrade } from './convert.js';
import { onStep, type MarketRef } from './markets.js';
import type { StreamRegistry } from './stream-supervisor.js';
import type { VenueId } from './venue-profiles.js';
import type { VenueContext } from './venue-context.js';

const DAY_MS = 86_400_000;
/** Halvings of a history window before a full reply is taken as it is (one ms of fills). */
const MAX_NARROWING = 40;

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
  },
  'binance:futures': undefined,
  'binanceusdm:futures': {
    restDepths: [5, 10, 20, 50, 100, 500, 1000],
    anyUpTo: false,
    streamDepth: 1000,
    tradesPerCall: 1000,
    historyWindowMs: 7 * DAY_MS,
  },
  'binanceusdm:spot': undefined,
  // Bitget's futures merge-depth takes 1/5/15/50; its WebSocket has snapshot channels of 50
  'bitget:spot': {
    ...range(150),
    streamDepth: 50,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
  },
  'bitget:futures': {
    restDepths: [1, 5, 15, 50],
    anyUpTo: false,
    streamDepth: 50,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
  },
  // ccxt clamps Gate futures depth to 300; the futures WebSocket serves 100 levels at most
  'gate:spot': {
    ...range(1000),
    streamDepth: 50,
    tradesPerCall: 1000,
    historyWindowMs: 30 * DAY_MS,
  },
  'gate:futures': {
    ...range(300),
    streamDepth: 100,
    tradesPerCall: 1000,
    historyWindowMs: 30 * DAY_MS,
  },
  // OKX "books" (400 levels) needs no VIP tier, unlike its 50-level tick-by-tick channel
  'okx:spot': { ...range(400), streamDepth: 400, tradesPerCall: 100, historyWindowMs: 30 * DAY_MS },
  'okx:futures': {
    ...range(400),
    streamDepth: 400,
    tradesPerCall: 100,
    historyWindowMs: 30 * DAY_MS,
  },
  'bybit:spot': {
    ...range(200),
    streamDepth: 200,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
  },
  'bybit:futures': {
    ...range(500),
    streamDepth: 200,
    tradesPerCall: 100,
    historyWindowMs: 7 * DAY_MS,
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

/** The first fetchMyTrades window of a query, or undefined when nothing is left to read. */
function firstWindow(
  query: ReturnType<typeof resolveTradeQuery>,
  windowMs: number,
): { from: number; to: number } | undefined {
  const from =
    query.after !== undefined
      ? Math.max(query.after.timeMs, query.startTimeMs)
      : query.startTimeMs === 0
        ? Math.max(0, query.endTimeMs - windowMs + 1)
        : query.startTimeMs;
  if (from > query.endTimeMs) return undefined;
  return { from, to: Math.min(query.endTimeMs, from + windowMs - 1) };
}

/**
 * One page of our fills of a symbol. A page may hold fewer fills than `limit` (even none)
 * while `nextCursor` is set: the venue's window limit ended it; keep paging until it is empty.
 * `startTimeMs` 0 means one venue window back from the end time.
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
  const window = firstWindow(resolved, limits.historyWindowMs);
  if (window === undefined) return { trades: [], nextCursor: '' };
  let { to } = window;
  let rows: CcxtTrade[] = [];
  for (let narrowing = 0; ; narrowing++) {
    const until = to;
    rows = await ctx.privateCall(() =>
      ctx.ex.fetchMyTrades(market.unified, window.from, limits.tradesPerCall, { until }),
    );
    if (rows.length < limits.tradesPerCall || to <= window.from) break;
    if (narrowing >= MAX_NARROWING) break;
    to = window.from + Math.floor((to - window.from) / 2);
  }
  const fills = rows
    .map((row) => toTrade(row, market))
    .filter((trade) => inQuery(trade, resolved))
    .sort(compareTrades);
  const page = fills.slice(0, resolved.limit);
  const last = page.at(-1);
  if (page.length < fills.length && last !== undefined) {
    return { trades: page, nextCursor: encodeTradeCursor(last) };
  }
  if (fills.length === 0 && rows.length >= limits.tradesPerCall) {
    // A whole reply of fills within one millisecond, none new: nothing more can be told apart
    ctx.logger.warn(
      { venue: ctx.name, symbol: market.symbol, timeMs: to },
      'trade history: a millisecond holds more fills than one venue reply; skipping past it',
    );
  }
  const done = to >= resolved.endTimeMs;
  return {
    trades: page,
    nextCursor: done ? '' : encodeTradeCursor({ timeMs: to + 1, tradeId: '' }),
  };
}
