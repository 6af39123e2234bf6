/**
 * @module core/trade-history
 * Paging through our fills. A query is validated once into a `ResolvedTradeQuery`; pages are cut
 * at a cursor that names the last fill returned (its time and trade id), so a page never repeats
 * or skips a fill even when several share a millisecond. The cursor is opaque to callers
 * (base64url) and means the same thing on every venue.
 */
import { invalidArgument } from './errors.js';
import type { Trade, TradeHistoryPage, TradeHistoryQuery } from './exchange.types.js';

/** Fills per page when a query asks for 0. */
export const DEFAULT_TRADE_HISTORY_LIMIT = 100;
/** Most fills one page may hold. */
export const MAX_TRADE_HISTORY_LIMIT = 1000;

/**
 * Where a page starts: after this fill. An empty `tradeId` means "before every fill of
 * `timeMs`", which lets a venue adapter resume after a stretch of time it has fully read.
 */
export interface TradeCursor {
  readonly timeMs: number;
  readonly tradeId: string;
}

/** A validated query: every bound explicit. */
export interface ResolvedTradeQuery {
  readonly symbol: string;
  /** Inclusive, epoch ms; 0 when unbounded. */
  readonly startTimeMs: number;
  /** Inclusive, epoch ms. */
  readonly endTimeMs: number;
  readonly limit: number;
  /** Only fills ordered after this one; undefined for the first page. */
  readonly after: TradeCursor | undefined;
}

const isTime = (ms: number): boolean => Number.isSafeInteger(ms) && ms >= 0;

/**
 * Validates a query and fills in its defaults.
 * @param nowMs what an absent end time means
 * @throws {ExchangeError} INVALID_ARGUMENT naming `symbol`, `start_time`, `end_time`, `limit` or
 *   `cursor`
 */
export function resolveTradeQuery(query: TradeHistoryQuery, nowMs: number): ResolvedTradeQuery {
  if (query.symbol === '') throw invalidArgument('symbol', 'is required, e.g. "BTCUSDT"');
  const startTimeMs = query.startTimeMs ?? 0;
  const endTimeMs =
    query.endTimeMs === undefined || query.endTimeMs === 0 ? nowMs : query.endTimeMs;
  if (!isTime(startTimeMs)) {
    throw invalidArgument('start_time', `must be epoch milliseconds >= 0, was ${startTimeMs}`);
  }
  if (!isTime(endTimeMs)) {
    throw invalidArgument('end_time', `must be epoch milliseconds >= 0, was ${endTimeMs}`);
  }
  if (endTimeMs < startTimeMs) {
    throw invalidArgument(
      'end_time',
      `must not be before start_time (${startTimeMs}), was ${endTimeMs}`,
    );
  }
  const requested = query.limit ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > MAX_TRADE_HISTORY_LIMIT) {
    throw invalidArgument(
      'limit',
      `must be an integer from 1 to ${MAX_TRADE_HISTORY_LIMIT} (0 means ${DEFAULT_TRADE_HISTORY_LIMIT}), was ${requested}`,
    );
  }
  const cursor = query.cursor ?? '';
  return {
    symbol: query.symbol,
    startTimeMs,
    endTimeMs,
    limit: requested === 0 ? DEFAULT_TRADE_HISTORY_LIMIT : requested,
    after: cursor === '' ? undefined : decodeTradeCursor(cursor),
  };
}

/** The opaque cursor for "after `trade`". */
export function encodeTradeCursor(trade: TradeCursor): string {
  return Buffer.from(`${trade.timeMs}:${trade.tradeId}`, 'utf8').toString('base64url');
}

/**
 * Reads a cursor made by `encodeTradeCursor`.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `cursor` when it is not one
 */
export function decodeTradeCursor(cursor: string): TradeCursor {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const colon = text.indexOf(':');
  const timeMs = colon > 0 ? Number(text.slice(0, colon)) : Number.NaN;
  if (!isTime(timeMs)) {
    throw invalidArgument(
      'cursor',
      'is not a cursor this connector issued; send next_cursor of the previous page as is, or empty for the first page',
    );
  }
  return { timeMs, tradeId: text.slice(colon + 1) };
}

/**
 * Orders trade ids: numeric ids by value (venues issue them increasing), others as text, so
 * fills of one millisecond keep the venue's order.
 */
export function compareTradeIds(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** History order: by time, then by trade id. */
export function compareTrades(a: TradeCursor, b: TradeCursor): number {
  return a.timeMs - b.timeMs || compareTradeIds(a.tradeId, b.tradeId);
}

/** True when `trade` belongs in the query's range and after its cursor. */
export function inQuery(trade: Trade, query: ResolvedTradeQuery): boolean {
  if (trade.symbol !== query.symbol) return false;
  if (trade.timeMs < query.startTimeMs || trade.timeMs > query.endTimeMs) return false;
  return query.after === undefined || compareTrades(trade, query.after) > 0;
}

/**
 * One page out of fills a venue keeps in memory (any order, any symbols).
 * @returns the first `limit` matching fills oldest first, and a cursor when more match
 */
export function pageOfTrades(trades: Iterable<Trade>, query: ResolvedTradeQuery): TradeHistoryPage {
  const matching: Trade[] = [];
  for (const trade of trades) if (inQuery(trade, query)) matching.push(trade);
  matching.sort(compareTrades);
  const page = matching.slice(0, query.limit);
  const last = page.at(-1);
  const more = matching.length > page.length && last !== undefined;
  return { trades: page, nextCursor: more ? encodeTradeCursor(last) : '' };
}
