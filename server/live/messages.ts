/**
 * @module server/live/messages
 * The dashboard's WebSocket messages, `{type, data}` JSON text frames, and the mapping from domain
 * types to them. Shapes are the original prototypes' (original-facts §2.3-2.4), so a page written
 * for the original works unchanged: times are UNIX seconds, decimals plain strings, order sides
 * and statuses Binance-style upper case, trade sides lower case. Additions are extra keys and two
 * new types (`status`, `pnl`) that old pages ignore.
 */
import { ZERO, toPlain, type Decimal } from '../../core/decimal.js';
import type { Account, Candle, Order, Position, Trade } from '../../core/exchange.types.js';
import type { DepthData, FillsData } from './book-messages.js';
import type { PnlSummary } from './pnl-ledger.js';

/** One candle; `time` is its open time in UNIX seconds. */
export interface CandleData {
  readonly time: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

/** One order as the page draws it: a price line while NEW or PARTIALLY_FILLED. */
export interface OrderData {
  /**
   * Venue order id. A string (as in the Bitget prototype): the page only uses `String(id)`, and
   * ids of OKX or Bybit exceed 2^53, which a JSON number cannot carry exactly.
   */
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly status: string;
  /** Limit price (the original order price, not the fill price). */
  readonly price: string;
  readonly quantity: string;
  readonly executedQty: string;
  readonly avgPrice: string;
  /** Last change, UNIX seconds. */
  readonly time: number;
}

/** One fill. `side` is lower case; `price` and `amount` are this fill's. */
export interface TradeEventData {
  readonly id: string;
  readonly orderId: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly amount: string;
  readonly symbol: string;
  readonly time: number;
}

/** Balances of the futures account, in its quote asset. */
export interface AccountData {
  /** Quote asset the balances are in (USDT for USDT perpetuals). */
  readonly asset: string;
  readonly free: string;
  readonly balance: string;
  readonly marginBalance: string;
  readonly symbol: string;
}

/** The symbol's position as the venue reports it, with our realized PnL. */
export interface PositionData {
  readonly symbol: string;
  /** Signed base quantity: positive long, negative short, "0" flat. */
  readonly amount: string;
  readonly entryPrice: string;
  /** At `currentPrice`. */
  readonly unrealizedPnL: string;
  /** Realized since this server started, from the fills it saw. */
  readonly realizedPnL: string;
  readonly currentPrice: string;
  readonly leverage: number;
  readonly liquidationPrice: string;
  /** "snapshot" in a connect or resync snapshot, "update" when the venue reported a change. */
  readonly updateType: 'snapshot' | 'update';
}

/** PnL of the symbol since the server started (new type; original pages ignore it). */
export interface PnlData {
  readonly symbol: string;
  /** Realized from fills (average-cost), before fees. */
  readonly realizedPnL: string;
  /** Fees paid in the quote asset. */
  readonly fees: string;
  /** realizedPnL - fees. */
  readonly netPnL: string;
  readonly unrealizedPnL: string;
  readonly currentPrice: string;
  readonly buys: number;
  readonly sells: number;
  /** When counting started (server start), UNIX seconds. */
  readonly since: number;
}

/** "connecting" until the first snapshot, "live" while streaming, "reconnecting" after a failure. */
export type UpstreamState = 'connecting' | 'live' | 'reconnecting';

/** State of the live server's venue feed (new type; original pages ignore it). */
export interface StatusData {
  readonly upstream: UpstreamState;
  /** Venue name the connector reports ("sim", "binance", ...); empty until connected. */
  readonly exchange: string;
  readonly symbol: string;
  readonly interval: string;
  /** Candle length, so the page can place fill markers on their candle. */
  readonly intervalSeconds: number;
  /** Why the upstream is not live, if it is not. */
  readonly message: string;
  readonly time: number;
}

/** Every message the server sends. */
export type LiveMessage =
  | { readonly type: 'history'; readonly data: readonly CandleData[] }
  | { readonly type: 'kline'; readonly data: CandleData }
  | { readonly type: 'orders'; readonly data: OrderData | readonly OrderData[] }
  | { readonly type: 'trade_event'; readonly data: TradeEventData }
  | { readonly type: 'account'; readonly data: AccountData }
  | { readonly type: 'position'; readonly data: PositionData }
  | { readonly type: 'pnl'; readonly data: PnlData }
  | { readonly type: 'status'; readonly data: StatusData }
  // Added for many symbols (book-messages.ts); original pages ignore them
  | { readonly type: 'depth'; readonly data: DepthData }
  | { readonly type: 'fills'; readonly data: FillsData };

/** Epoch milliseconds → whole UNIX seconds. */
export function toUnixSeconds(timeMs: number): number {
  return Math.floor(timeMs / 1000);
}

/** A candle, its open time in UNIX seconds. */
export function toCandleData(c: Candle): CandleData {
  return {
    time: toUnixSeconds(c.openTimeMs),
    open: toPlain(c.open),
    high: toPlain(c.high),
    low: toPlain(c.low),
    close: toPlain(c.close),
    volume: toPlain(c.volume),
  };
}

/** An order with its limit price, Binance-style status and side. */
export function toOrderData(o: Order): OrderData {
  return {
    id: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    price: toPlain(o.price),
    quantity: toPlain(o.quantity),
    executedQty: toPlain(o.executedQty),
    avgPrice: toPlain(o.avgPrice),
    time: toUnixSeconds(o.updateTimeMs || o.createdAtMs),
  };
}

/** One fill as a `trade_event` (lower-case side, the fill's own price, quantity and time). */
export function toTradeEventData(t: Trade): TradeEventData {
  return {
    id: t.tradeId,
    orderId: t.orderId,
    side: t.side === 'BUY' ? 'buy' : 'sell',
    price: toPlain(t.price),
    amount: toPlain(t.quantity),
    symbol: t.symbol,
    time: toUnixSeconds(t.timeMs),
  };
}

/**
 * @param asset the quote asset of `symbol`, which the futures balances are denominated in
 */
export function toAccountData(a: Account, asset: string, symbol: string): AccountData {
  return {
    asset,
    free: toPlain(a.availableBalance),
    balance: toPlain(a.totalWalletBalance),
    marginBalance: toPlain(a.totalMarginBalance),
    symbol,
  };
}

/**
 * @param realizedPnl realized PnL of `p.symbol` so far (from our own fill accounting)
 * @param updateType whether this is part of a snapshot or a reported change
 */
export function toPositionData(
  p: Position,
  realizedPnl: Decimal,
  updateType: PositionData['updateType'],
): PositionData {
  return {
    symbol: p.symbol,
    amount: toPlain(p.size),
    entryPrice: toPlain(p.entryPrice),
    unrealizedPnL: toPlain(p.unrealizedPnl),
    realizedPnL: toPlain(realizedPnl),
    currentPrice: toPlain(p.markPrice),
    leverage: p.leverage,
    liquidationPrice: toPlain(p.liquidationPrice),
    updateType,
  };
}

/**
 * @param position the venue's position of `symbol` (size, entry), for the unrealized part
 * @param price latest trade price of `symbol`
 */
export function toPnlData(
  symbol: string,
  pnl: PnlSummary,
  position: Pick<Position, 'size' | 'entryPrice'> | undefined,
  price: Decimal,
): PnlData {
  const unrealized =
    position === undefined || position.size.isZero()
      ? ZERO
      : position.size.mul(price.sub(position.entryPrice));
  return {
    symbol,
    realizedPnL: toPlain(pnl.realized),
    fees: toPlain(pnl.fees),
    netPnL: toPlain(pnl.realized.sub(pnl.fees)),
    unrealizedPnL: toPlain(unrealized),
    currentPrice: toPlain(price),
    buys: pnl.buys,
    sells: pnl.sells,
    since: toUnixSeconds(pnl.sinceMs),
  };
}

/** Serializes a message once; the same frame goes to every client. */
export function encodeMessage(message: LiveMessage): string {
  return JSON.stringify(message);
}
