/**
 * @module connector/resilient.exchange
 * Wraps any venue adapter with backoff retries of transient failures (REQ-WF-002: 3 attempts,
 * 100 ms doubling, jitter) for the calls no order depends on: market data, account, positions,
 * symbol info. Order calls pass through untouched, mutations and order reads alike: the engine's
 * order workflow venue step is the single owner of retries toward a venue and of "already placed"
 * resolution for everything an order intent does (README, Architecture), so a retry here would
 * multiply its bounded attempts and a duplicate resolved here would be resolved twice. A
 * DUPLICATE_ORDER from the venue reaches the caller as it is.
 */
import type { Decimal } from '../core/decimal.js';
import type { Exchange } from '../core/exchange.port.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../core/retry.js';
import type { StreamSink, Subscription } from '../core/stream.js';
import type {
  Account,
  BatchItemError,
  BatchPlaceResult,
  Candle,
  ExchangeKindInfo,
  FundingRate,
  GetOrderQuery,
  Order,
  OrderUpdate,
  PlaceOrderRequest,
  Position,
  PriceChange,
  SymbolInfo,
  Ticker,
} from '../core/exchange.types.js';

/** Decorates `inner` with transient-error retry of its market, account and reference calls. */
export function withResilience(inner: Exchange, policy: Partial<RetryPolicy> = {}): Exchange {
  return new ResilientExchange(inner, { ...DEFAULT_RETRY_POLICY, ...policy });
}

class ResilientExchange implements Exchange {
  readonly name: string;

  private readonly inner: Exchange;
  private readonly policy: RetryPolicy;
  constructor(inner: Exchange, policy: RetryPolicy) {
    this.inner = inner;
    this.policy = policy;
    this.name = inner.name;
  }

  // -- ORDERS: passed through; the caller's placement step owns retries and duplicates --
  placeOrder(request: PlaceOrderRequest): Promise<Order> {
    return this.inner.placeOrder(request);
  }

  batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult> {
    return this.inner.batchPlaceOrders(requests);
  }

  cancelOrder(symbol: string, orderId: string, useMargin?: boolean): Promise<void> {
    return this.inner.cancelOrder(symbol, orderId, useMargin);
  }

  batchCancelOrders(
    symbol: string,
    orderIds: readonly string[],
    useMargin?: boolean,
  ): Promise<readonly BatchItemError[]> {
    return this.inner.batchCancelOrders(symbol, orderIds, useMargin);
  }

  cancelAllOrders(symbol: string, useMargin?: boolean): Promise<void> {
    return this.inner.cancelAllOrders(symbol, useMargin);
  }

  getOrder(query: GetOrderQuery): Promise<Order> {
    return this.inner.getOrder(query);
  }

  getOpenOrders(symbol: string, useMargin?: boolean): Promise<readonly Order[]> {
    return this.inner.getOpenOrders(symbol, useMargin);
  }

  // -- ACCOUNT AND MARKET DATA --
  getType(): Promise<ExchangeKindInfo> {
    return this.retry(() => this.inner.getType());
  }
  getAccount(): Promise<Account> {
    return this.retry(() => this.inner.getAccount());
  }
  getPositions(symbol?: string): Promise<readonly Position[]> {
    return this.retry(() => this.inner.getPositions(symbol));
  }
  getBalance(asset: string): Promise<Decimal> {
    return this.retry(() => this.inner.getBalance(asset));
  }
  getLatestPrice(symbol: string): Promise<Decimal> {
    return this.retry(() => this.inner.getLatestPrice(symbol));
  }
  getTickers(): Promise<readonly Ticker[]> {
    return this.retry(() => this.inner.getTickers());
  }
  getOpenInterest(symbol: string): Promise<Decimal> {
    return this.retry(() => this.inner.getOpenInterest(symbol));
  }
  getHistoricalKlines(symbol: string, interval: string, limit: number): Promise<readonly Candle[]> {
    return this.retry(() => this.inner.getHistoricalKlines(symbol, interval, limit));
  }
  fetchExchangeInfo(symbol?: string): Promise<void> {
    return this.retry(() => this.inner.fetchExchangeInfo(symbol));
  }
  getSymbolInfo(symbol: string): Promise<SymbolInfo> {
    return this.retry(() => this.inner.getSymbolInfo(symbol));
  }
  getSymbols(): Promise<readonly string[]> {
    return this.retry(() => this.inner.getSymbols());
  }
  getFundingRate(symbol: string): Promise<FundingRate> {
    return this.retry(() => this.inner.getFundingRate(symbol));
  }
  getFundingRates(): Promise<readonly FundingRate[]> {
    return this.retry(() => this.inner.getFundingRates());
  }
  getHistoricalFundingRates(symbol: string, limit: number): Promise<readonly FundingRate[]> {
    return this.retry(() => this.inner.getHistoricalFundingRates(symbol, limit));
  }

  // -- STREAMS: passed through; reconnection is the transport's job --
  subscribePrice(symbols: readonly string[], sink: StreamSink<PriceChange>): Subscription {
    return this.inner.subscribePrice(symbols, sink);
  }
  subscribeOrders(sink: StreamSink<OrderUpdate>): Subscription {
    return this.inner.subscribeOrders(sink);
  }
  subscribeKlines(symbols: readonly string[], interval: string, sink: StreamSink<Candle>) {
    return this.inner.subscribeKlines(symbols, interval, sink);
  }
  subscribeAccount(sink: StreamSink<Account>): Subscription {
    return this.inner.subscribeAccount(sink);
  }
  subscribePositions(symbol: string, sink: StreamSink<Position>): Subscription {
    return this.inner.subscribePositions(symbol, sink);
  }
  subscribeFundingRate(symbol: string, sink: StreamSink<FundingRate>): Subscription {
    return this.inner.subscribeFundingRate(symbol, sink);
  }

  isReachable(): boolean {
    return this.inner.isReachable();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(this.policy, fn);
  }
}
