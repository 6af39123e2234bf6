/**
 * @module core/exchange.types
 * Domain types of the venue port. Every adapter (simulated, ccxt) speaks these; the gRPC codec
 * converts them to and from the wire. Money is decimal.js, times are epoch milliseconds UTC.
 */
import type { Decimal } from './decimal.js';
import type { MarketKind, OrderStatus, OrderType, Side, TimeInForce } from './types.js';

export type { MarketKind, OrderStatus, OrderType, Side, TimeInForce };

export interface PlaceOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Defaults to GTC for limit orders; ignored for market orders. */
  readonly timeInForce?: TimeInForce;
  /** Base-asset quantity. */
  readonly quantity: Decimal;
  /** Limit price in quote units; absent for market orders. */
  readonly price?: Decimal;
  readonly reduceOnly?: boolean;
  /** Maker-only: rejected with reason POST_ONLY_WOULD_CROSS instead of taking liquidity. */
  readonly postOnly?: boolean;
  /** Our idempotency key; a venue that already has it returns the existing order. */
  readonly clientOrderId?: string;
  /** Spot only: place on the margin account (borrowing to short). */
  readonly useMargin?: boolean;
}

export interface Trade {
  readonly tradeId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  /** True when this fill added liquidity (maker fee). */
  readonly isMaker: boolean;
  readonly realizedPnl: Decimal;
  readonly timeMs: number;
}

export interface Order {
  /** Venue order id as a string of decimal digits where the venue's ids are numeric. */
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly executedQty: Decimal;
  /** Volume-weighted fill price; zero until the first fill. */
  readonly avgPrice: Decimal;
  readonly status: OrderStatus;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  readonly createdAtMs: number;
  readonly updateTimeMs: number;
  readonly trades: readonly Trade[];
}

/** One change of an order, as the order stream reports it. */
export interface OrderUpdate {
  readonly exchange: string;
  readonly order: Order;
  /** The fill that caused this update, if any. */
  readonly lastTrade?: Trade;
}

export interface Position {
  readonly symbol: string;
  /** Signed base quantity: positive long, negative short. */
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly leverage: number;
  /** "cross" or "isolated". */
  readonly marginType: string;
  readonly isolatedMargin: Decimal;
  readonly liquidationPrice: Decimal;
}

export interface Account {
  readonly totalWalletBalance: Decimal;
  readonly totalMarginBalance: Decimal;
  readonly availableBalance: Decimal;
  readonly positions: readonly Position[];
  readonly accountLeverage: number;
  readonly isUnified: boolean;
  readonly totalMaintenanceMargin: Decimal;
}

export interface SymbolInfo {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly tickSize: Decimal;
  readonly stepSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
}

export interface Candle {
  readonly symbol: string;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  /** Candle open time. */
  readonly openTimeMs: number;
  readonly isClosed: boolean;
}

export interface FundingRate {
  readonly exchange: string;
  readonly symbol: string;
  /** Rate of the current period, as a fraction (0.0001 = 0.01 %). */
  readonly rate: Decimal;
  readonly predictedRate: Decimal;
  readonly nextFundingTimeMs: number;
  readonly timeMs: number;
}

export interface Ticker {
  readonly symbol: string;
  readonly priceChange: Decimal;
  /** Fraction, not percent points. */
  readonly priceChangePercent: Decimal;
  readonly lastPrice: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly openInterest: Decimal;
  readonly timeMs: number;
}

export interface PriceChange {
  readonly exchange: string;
  readonly symbol: string;
  readonly price: Decimal;
  readonly timeMs: number;
}

export interface ExchangeKindInfo {
  readonly kind: MarketKind;
  readonly isUnifiedMargin: boolean;
}

export interface GetOrderQuery {
  readonly symbol: string;
  /** Venue id; when empty the client order id is used. */
  readonly orderId?: string;
  readonly clientOrderId?: string;
  readonly useMargin?: boolean;
}

/** Per-item failure of a batch call. `code` is the numeric gRPC status the failure maps to. */
export interface BatchItemError {
  readonly index: number;
  readonly clientOrderId: string;
  readonly message: string;
  readonly code: number;
  readonly reason: string;
}

export interface BatchPlaceResult {
  /** Orders that were placed, in request order (failed items are absent). */
  readonly orders: readonly Order[];
  readonly allSuccess: boolean;
  readonly errors: readonly BatchItemError[];
}

/** One price level of an L2 book: the total base quantity resting at `price`. */
export interface BookLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** L2 depth of one symbol at one moment. */
export interface OrderBook {
  readonly exchange: string;
  readonly symbol: string;
  /** Best (highest) first, strictly descending prices, positive quantities. */
  readonly bids: readonly BookLevel[];
  /** Best (lowest) first, strictly ascending prices, positive quantities. */
  readonly asks: readonly BookLevel[];
  /** Venue time of this state. */
  readonly timeMs: number;
  /** The venue's book update id where it has one (Binance lastUpdateId, OKX seqId), else 0. */
  readonly sequence: number;
}

/** Which of our fills to read: one symbol, a time range, one page. */
export interface TradeHistoryQuery {
  readonly symbol: string;
  /** Oldest fill time wanted, inclusive; absent or 0 = as far back as the venue keeps. */
  readonly startTimeMs?: number;
  /** Newest fill time wanted, inclusive; absent or 0 = now. */
  readonly endTimeMs?: number;
  /** Fills per page, 1..1000; absent or 0 = 100. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; absent or empty for the first page. */
  readonly cursor?: string;
}

/** One page of our fills. */
export interface TradeHistoryPage {
  /** Oldest first. */
  readonly trades: readonly Trade[];
  /** Where the next page starts; empty when this page is the last one. */
  readonly nextCursor: string;
}
