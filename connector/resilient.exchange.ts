/**
 * @module connector/resilient.exchange
 * Wraps any venue adapter with the connector's two duties at the venue boundary:
 * - idempotent placement (REQ-WF-001): when the venue answers "duplicate client order id", the
 *   order it holds under that id is looked up (one call) and returned if it is the order asked
 *   for; a different order is refused as DUPLICATE_ORDER naming what differs. No second order;
 * - backoff retries of transient failures (REQ-WF-002: 3 attempts, 100 ms doubling, jitter) for
 *   the calls no order depends on: market data, account, positions, symbol info.
 * Order calls are never retried here: the engine's order workflow venue step is the single owner
 * of retries toward a venue and of resolving an unknown outcome (README, Architecture), so a
 * retry here would multiply its bounded attempts.
 */
import type { Decimal } from '../core/decimal.js';
import { ExchangeError, REASON_TO_CODE } from '../core/errors.js';
import type { Exchange } from '../core/exchange.port.js';
import { orderMismatch } from '../core/order-match.js';
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
  OrderBook,
  OrderUpdate,
  PlaceOrderRequest,
  Position,
  PriceChange,
  SymbolInfo,
  Ticker,
  TradeHistoryPage,
  TradeHistoryQuery,
} from '../core/exchange.types.js';

/** Decorates `inner` with idempotent placement and retries of its market, account and reference calls. */
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

  // -- ORDERS: never retried here (the caller's placement step owns retries) --
  async placeOrder(request: PlaceOrderRequest): Promise<Order> {
    try {
      return await this.inner.placeOrder(request);
    } catch (e) {
      if (e instanceof ExchangeError && e.reason === 'DUPLICATE_ORDER' && hasClientId(request)) {
        return this.existingOrder(request, e);
      }
      throw e;
    }
  }

  async batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult> {
    const result = await this.inner.batchPlaceOrders(requests);
    if (!result.errors.some((e) => e.reason === 'DUPLICATE_ORDER')) return result;
    return this.resolveBatchDuplicates(requests, result);
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
  getOrderBook(symbol: string, levels: number): Promise<OrderBook> {
    return this.retry(() => this.inner.getOrderBook(symbol, levels));
  }
  getTradeHistory(query: TradeHistoryQuery): Promise<TradeHistoryPage> {
    return this.retry(() => this.inner.getTradeHistory(query));
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
  subscribeOrderBook(symbol: string, levels: number, sink: StreamSink<OrderBook>): Subscription {
    return this.inner.subscribeOrderBook(symbol, levels, sink);
  }

  isReachable(): boolean {
    return this.inner.isReachable();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  /** The venue's order for the request's client id, if it is the same order. */
  private async existingOrder(
    request: PlaceOrderRequest,
    duplicate: ExchangeError,
  ): Promise<Order> {
    const existing = await this.inner.getOrder({
      symbol: request.symbol,
      clientOrderId: request.clientOrderId,
      useMargin: request.useMargin,
    });
    const mismatch = orderMismatch(request, existing);
    if (mismatch !== null) {
      throw new ExchangeError(
        'DUPLICATE_ORDER',
        `client_order_id ${request.clientOrderId} is already used by order ${existing.orderId} with ${mismatch}; use a new client order id`,
        { field: 'client_order_id', venueCode: duplicate.venueCode, cause: duplicate },
      );
    }
    return existing;
  }

  private async resolveBatchDuplicates(
    requests: readonly PlaceOrderRequest[],
    result: BatchPlaceResult,
  ): Promise<BatchPlaceResult> {
    const placed = new Map<number, Order>();
    const errors: BatchItemError[] = [];
    let next = 0;
    const failed = new Set(result.errors.map((e) => e.index));
    requests.forEach((_, index) => {
      if (!failed.has(index)) placed.set(index, result.orders[next++] as Order);
    });
    for (const item of result.errors) {
      const request = requests[item.index];
      if (item.reason !== 'DUPLICATE_ORDER' || request === undefined || !hasClientId(request)) {
        errors.push(item);
        continue;
      }
      try {
        placed.set(item.index, await this.existingOrder(request, duplicateOf(item)));
      } catch (e) {
        const error = e instanceof ExchangeError ? e : duplicateOf(item);
        errors.push({ ...item, message: error.message, code: REASON_TO_CODE[error.reason] });
      }
    }
    const orders = [...placed.entries()].sort(([a], [b]) => a - b).map(([, order]) => order);
    return { orders, allSuccess: errors.length === 0, errors };
  }

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(this.policy, fn);
  }
}

function hasClientId(request: PlaceOrderRequest): boolean {
  return request.clientOrderId !== undefined && request.clientOrderId !== '';
}

function duplicateOf(item: BatchItemError): ExchangeError {
  return new ExchangeError('DUPLICATE_ORDER', item.message, { field: 'client_order_id' });
}
