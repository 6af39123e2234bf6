/**
 * @module server/live/book-messages
 * The dashboard messages added for many symbols: `depth` (the order book next to the chart) and
 * `fills` (recent fills from the venue's trade history, sent on connect and after a gap). Pages
 * written for the original contract ignore both. Decimals are plain strings, times UNIX seconds.
 */
import { toPlain } from '../../core/decimal.js';
import type { OrderBook, Trade } from '../../core/exchange.types.js';
import { toTradeEventData, toUnixSeconds, type TradeEventData } from './messages.js';

/** The top of one symbol's book: levels best first as [price, quantity]. */
export interface DepthData {
  readonly symbol: string;
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
  /** Empty when the side is empty. */
  readonly bestBid: string;
  readonly bestAsk: string;
  /** bestAsk - bestBid; empty unless both sides have a level. */
  readonly spread: string;
  /** Venue time of the book, UNIX seconds. */
  readonly time: number;
}

/** One fill in the recent list: a `trade_event` plus its fee and maker flag. */
export interface FillData extends TradeEventData {
  readonly fee: string;
  readonly feeAsset: string;
  readonly maker: boolean;
}

/** Recent fills of the symbol, newest first, each trade id once. */
export interface FillsData {
  readonly symbol: string;
  readonly fills: readonly FillData[];
  /**
   * "snapshot" when `fills` is the whole list (on connect, after a reload); "append" when it
   * holds only fills the page has not been sent yet (found in the venue's history after a gap).
   */
  readonly kind: 'snapshot' | 'append';
}

export function toDepthData(book: OrderBook): DepthData {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  return {
    symbol: book.symbol,
    bids: book.bids.map((l) => [toPlain(l.price), toPlain(l.quantity)] as const),
    asks: book.asks.map((l) => [toPlain(l.price), toPlain(l.quantity)] as const),
    bestBid: bid === undefined ? '' : toPlain(bid),
    bestAsk: ask === undefined ? '' : toPlain(ask),
    spread: bid === undefined || ask === undefined ? '' : toPlain(ask.sub(bid)),
    time: toUnixSeconds(book.timeMs),
  };
}

export function toFillData(trade: Trade): FillData {
  return {
    ...toTradeEventData(trade),
    fee: toPlain(trade.fee),
    feeAsset: trade.feeAsset,
    maker: trade.isMaker,
  };
}
