/**
 * @module core/exchange.port
 * The venue port: the one interface every venue adapter implements (the simulated venue, ccxt
 * venues) and that RemoteExchange implements over gRPC, so the engine cannot tell them apart.
 * Methods mirror the ExchangeService RPCs. Failures are thrown as `ExchangeError`.
 */
import type { Decimal } from './decimal.js';
import type { StreamSink, Subscription } from './stream.js';
import type {
  Account,
  BatchItemError,
  BatchPlaceResult,
  Candle,
  ExchangeKindInfo,
  FundingRate,
  GetOrderQuery,
  Order,
  OrderBook,
  OrderUpdate,
  PlaceOrderRequest,
  Position,
  PriceChange,
  SymbolInfo,
  Ticker,
  TradeHistoryPage,
  TradeHistoryQuery,
} from './exchange.types.js';

export interface Exchange {
  /** Venue name as GetName reports it: "sim", "binance", "okx", ... */
  readonly name: string;

  getType(): Promise<ExchangeKindInfo>;

  // -- ORDERS --
  /**
   * Places one order. With a client order id the venue already has, resolves to that order
   * instead of placing a second one.
   * @throws {ExchangeError} INVALID_ARGUMENT naming the field, INSUFFICIENT_FUNDS,
   *   POST_ONLY_WOULD_CROSS, REDUCE_ONLY_REJECTED, UNKNOWN_SYMBOL, RATE_LIMITED, ...
   */
  placeOrder(request: PlaceOrderRequest): Promise<Order>;
  /** Places several orders; one failing item does not fail the others. */
  batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult>;
  /** @throws {ExchangeError} ORDER_NOT_FOUND, ORDER_NOT_CANCELABLE */
  cancelOrder(symbol: string, orderId: string, useMargin?: boolean): Promise<void>;
  /** Cancels several orders; resolves to the per-item failures (empty when all succeeded). */
  batchCancelOrders(
    symbol: string,
    orderIds: readonly string[],
    useMargin?: boolean,
  ): Promise<readonly BatchItemError[]>;
  /**
   * Cancels every open order of one symbol.
   * @throws {ExchangeError} INVALID_ARGUMENT for an empty symbol: it never means every symbol
   */
  cancelAllOrders(symbol: string, useMargin?: boolean): Promise<void>;
  /** @throws {ExchangeError} ORDER_NOT_FOUND */
  getOrder(query: GetOrderQuery): Promise<Order>;
  getOpenOrders(symbol: string, useMargin?: boolean): Promise<readonly Order[]>;

  // -- ACCOUNT --
  getAccount(): Promise<Account>;
  /** Open positions; all symbols when `symbol` is empty. */
  getPositions(symbol?: string): Promise<readonly Position[]>;
  /**
   * Free balance of one asset (zero when the account holds none of an asset the venue lists).
   * @throws {ExchangeError} INVALID_ARGUMENT naming `asset` for an asset the venue does not have
   */
  getBalance(asset: string): Promise<Decimal>;

  // -- MARKET DATA --
  getLatestPrice(symbol: string): Promise<Decimal>;
  getTickers(): Promise<readonly Ticker[]>;
  getOpenInterest(symbol: string): Promise<Decimal>;
  /** Oldest first; the last candle may be in progress (`isClosed` false). */
  getHistoricalKlines(symbol: string, interval: string, limit: number): Promise<readonly Candle[]>;
  /** Refreshes the venue's market metadata (tick and step sizes). */
  fetchExchangeInfo(symbol?: string): Promise<void>;
  getSymbolInfo(symbol: string): Promise<SymbolInfo>;
  getSymbols(): Promise<readonly string[]>;
  getFundingRate(symbol: string): Promise<FundingRate>;
  getFundingRates(): Promise<readonly FundingRate[]>;
  /** Oldest first. */
  getHistoricalFundingRates(symbol: string, limit: number): Promise<readonly FundingRate[]>;
  /**
   * L2 depth of a symbol, `levels` per side (0 = 20), capped by the venue's depth limit.
   * @throws {ExchangeError} INVALID_ARGUMENT naming `levels` outside 0..5000, UNKNOWN_SYMBOL
   */
  getOrderBook(symbol: string, levels: number): Promise<OrderBook>;
  /**
   * Our fills of one symbol in a time range, oldest first, one page at a time.
   * @throws {ExchangeError} INVALID_ARGUMENT naming `limit`, `start_time`, `end_time` or
   *   `cursor`; UNKNOWN_SYMBOL
   */
  getTradeHistory(query: TradeHistoryQuery): Promise<TradeHistoryPage>;

  // -- STREAMS --
  subscribePrice(symbols: readonly string[], sink: StreamSink<PriceChange>): Subscription;
  /** Every order update of the account, all symbols. Never conflated. */
  subscribeOrders(sink: StreamSink<OrderUpdate>): Subscription;
  subscribeKlines(
    symbols: readonly string[],
    interval: string,
    sink: StreamSink<Candle>,
  ): Subscription;
  subscribeAccount(sink: StreamSink<Account>): Subscription;
  /** Position updates; all symbols when `symbol` is empty. */
  subscribePositions(symbol: string, sink: StreamSink<Position>): Subscription;
  subscribeFundingRate(symbol: string, sink: StreamSink<FundingRate>): Subscription;
  /**
   * The top `levels` of a symbol's book (0 = 20) whenever it changes. Every update is a full
   * snapshot, never a delta, so it may be conflated for a slow consumer.
   */
  subscribeOrderBook(symbol: string, levels: number, sink: StreamSink<OrderBook>): Subscription;

  /** True while the venue is reachable (drives grpc.health.v1). */
  isReachable(): boolean;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
