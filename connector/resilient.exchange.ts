/**
 * @module connector/resilient.exchange
 * Wraps any venue adapter with the two guarantees the engine relies on:
 * - idempotent placement (REQ-WF-001): a client order id the venue already has resolves to that
 *   existing order, after checking it is the same order, never to a second one;
 * - retry of transient failures with backoff (REQ-WF-002). A placement is retried only when it
 *   carries a client order id, because only then can a retry be recognised as a duplicate.
 */
import type { Decimal } from '../core/decimal.js';
import { toPlain } from '../core/decimal.js';
import { ExchangeError, REASON_TO_CODE } from '../core/errors.js';
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

/** Describes why `existing` is not the order `request` asked for, or null when it is. */
export function orderMismatch(request: PlaceOrderRequest, existing: Order): string | null {
  const diffs: string[] = [];
  if (existing.symbol !== request.symbol) diffs.push(`symbol ${existing.symbol}`);
  if (existing.side !== request.side) diffs.push(`side ${existing.side}`);
  if (existing.type !== request.type) diffs.push(`type ${existing.type}`);
  if (!existing.quantity.eq(request.quantity)) diffs.push(`quantity ${toPlain(existing.quantity)}`);
  if (request.type === 'LIMIT' && request.price && !existing.price.eq(request.price)) {
    diffs.push(`price ${toPlain(existing.price)}`);
  }
  return diffs.length === 0 ? null : diffs.join(', ');
}

/** Decorates `inner` with idempotent placement and transient-error retry. */
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

  // -- ORDERS --
  async placeOrder(request: PlaceOrderRequest): Promise<Order> {
    const place = async (): Promise<Order> => {
      try {
        return await this.inner.placeOrder(request);
      } catch (e) {
        if (e instanceof ExchangeError && e.reason === 'DUPLICATE_ORDER' && hasClientId(request)) {
          return this.existingOrder(request, e);
        }
        throw e;
      }
    };
    return hasClientId(request) ? withRetry(this.policy, place) : place();
  }

  async batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult> {
    const call = (): Promise<BatchPlaceResult> => this.inner.batchPlaceOrders(requests);
    const result = requests.every(hasClientId) ? await withRetry(this.policy, call) : await call();
    if (!result.errors.some((e) => e.reason === 'DUPLICATE_ORDER')) return result;
    return this.resolveBatchDuplicates(requests, result);
  }

  cancelOrder(symbol: string, orderId: string, useMargin?: boolean): Promise<void> {
    return withRetry(this.policy, async (attempt) => {
      try {
        await this.inner.cancelOrder(symbol, orderId, useMargin);
      } catch (e) {
        // An earlier attempt may have cancelled it before its reply was lost
        if (attempt > 1 && e instanceof ExchangeError && e.reason === 'ORDER_NOT_CANCELABLE') {
          const order = await this.inner.getOrder({ symbol, orderId, useMargin });
          if (order.status === 'CANCELED') return;
        }
        throw e;
      }
    });
  }

  batchCancelOrders(
    symbol: string,
    orderIds: readonly string[],
    useMargin?: boolean,
  ): Promise<readonly BatchItemError[]> {
    return this.retry(() => this.inner.batchCancelOrders(symbol, orderIds, useMargin));
  }

  cancelAllOrders(symbol: string, useMargin?: boolean): Promise<void> {
    return this.retry(() => this.inner.cancelAllOrders(symbol, useMargin));
  }

  getOrder(query: GetOrderQuery): Promise<Order> {
    return this.retry(() => this.inner.getOrder(query));
  }

  getOpenOrders(symbol: string, useMargin?: boolean): Promise<readonly Order[]> {
    return this.retry(() => this.inner.getOpenOrders(symbol, useMargin));
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

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(this.policy, fn);
  }

  /** The venue's order for the request's client id, if it is the same order. */
  private async existingOrder(request: PlaceOrderRequest, duplicate: ExchangeError) {
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
}

function hasClientId(request: PlaceOrderRequest): boolean {
  return request.clientOrderId !== undefined && request.clientOrderId !== '';
}

function duplicateOf(item: BatchItemError): ExchangeError {
  return new ExchangeError('DUPLICATE_ORDER', item.message, { field: 'client_order_id' });
}
