/**
 * @module connector/venues/ccxt/ccxt.exchange
 * `CcxtExchange`: the `Exchange` port over one ccxt instance (one venue, one market kind). It is
 * venue-blind: it delegates orders, batches, market data and streams to the ccxt-* modules, which
 * read every venue difference from the profile table. Built and started by `createCcxtVenue`.
 */
import type { Decimal } from '../../../core/decimal.js';
import { ExchangeError, toExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
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
} from '../../../core/exchange.types.js';
import { batchCancelOrders, batchPlaceOrders, cancelAllOrders } from './ccxt-batch.js';
import * as depth from './ccxt-book.js';
import * as data from './ccxt-market-data.js';
import * as orders from './ccxt-orders.js';
import { spotFunding, spotFundings, subscribeSpotFunding } from './ccxt-spot-funding.js';
import * as streams from './ccxt-streams.js';
import { rateLimitUsage } from './rate-limit-usage.js';
import { StreamRegistry } from './stream-supervisor.js';
import type { VenueContext } from './venue-context.js';

export interface CcxtExchangeOptions {
  /** Stream reconnect schedule in ms (default 3 s, 5 s, 10 s, 30 s; the last repeats). */
  readonly streamBackoffMs: readonly number[];
  /** Funding poll period on venues without a funding stream, in ms. */
  readonly fundingPollMs: number;
}

export class CcxtExchange implements Exchange {
  readonly name: string;
  private readonly registry: StreamRegistry;

  private readonly ctx: VenueContext;
  private readonly options: CcxtExchangeOptions;
  constructor(ctx: VenueContext, options: CcxtExchangeOptions) {
    this.ctx = ctx;
    this.options = options;
    this.name = ctx.name;
    this.registry = new StreamRegistry({
      venue: ctx.name,
      logger: ctx.logger,
      backoffMs: options.streamBackoffMs,
      toError: (e) => ctx.toError(e),
      onStale: (feed, stale) => ctx.setStale(feed, stale),
    });
  }

  /** The ccxt exchange id behind this venue, e.g. "binanceusdm". */
  get venueId(): string {
    return this.ctx.profile.id;
  }

  async getType(): Promise<ExchangeKindInfo> {
    return {
      kind: this.ctx.kind,
      isUnifiedMargin: this.ctx.ex.options.enableUnifiedAccount === true,
    };
  }

  // -- ORDERS --
  placeOrder(request: PlaceOrderRequest): Promise<Order> {
    return orders.placeOrder(this.ctx, request);
  }
  batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult> {
    return batchPlaceOrders(this.ctx, requests);
  }
  cancelOrder(symbol: string, orderId: string, useMargin?: boolean): Promise<void> {
    return orders.cancelOrder(this.ctx, symbol, orderId, useMargin);
  }
  /** Cancels by our client order id (not part of the port: the engine cancels by venue id). */
  cancelOrderByClientId(symbol: string, clientOrderId: string, useMargin?: boolean) {
    return orders.cancelOrderByClientId(this.ctx, symbol, clientOrderId, useMargin);
  }
  batchCancelOrders(
    symbol: string,
    orderIds: readonly string[],
    useMargin?: boolean,
  ): Promise<readonly BatchItemError[]> {
    return batchCancelOrders(this.ctx, symbol, orderIds, useMargin);
  }
  cancelAllOrders(symbol: string, useMargin?: boolean): Promise<void> {
    return cancelAllOrders(this.ctx, symbol, useMargin);
  }
  getOrder(query: GetOrderQuery): Promise<Order> {
    return orders.getOrder(this.ctx, query);
  }
  getOpenOrders(symbol: string, useMargin?: boolean): Promise<readonly Order[]> {
    return orders.getOpenOrders(this.ctx, symbol, useMargin);
  }

  // -- ACCOUNT --
  getAccount(): Promise<Account> {
    return data.account(this.ctx);
  }
  getPositions(symbol?: string): Promise<readonly Position[]> {
    return data.positions(this.ctx, symbol);
  }
  getBalance(asset: string): Promise<Decimal> {
    return data.freeBalance(this.ctx, asset);
  }

  // -- MARKET DATA --
  getLatestPrice(symbol: string): Promise<Decimal> {
    return data.latestPrice(this.ctx, this.ctx.book.get(symbol));
  }
  getTickers(): Promise<readonly Ticker[]> {
    return data.tickers(this.ctx);
  }
  getOpenInterest(symbol: string): Promise<Decimal> {
    return data.openInterest(this.ctx, this.futuresMarket(symbol));
  }
  getHistoricalKlines(symbol: string, interval: string, limit: number): Promise<readonly Candle[]> {
    return data.klines(this.ctx, this.ctx.book.get(symbol), interval, limit);
  }
  async fetchExchangeInfo(): Promise<void> {
    await data.loadMarkets(this.ctx);
  }
  async getSymbolInfo(symbol: string): Promise<SymbolInfo> {
    return this.ctx.book.get(symbol).info;
  }
  async getSymbols(): Promise<readonly string[]> {
    return this.ctx.book.symbols();
  }
  // Spot venues answer funding locally: rate 0, next funding time 0 (REQ-FUND-004)
  async getFundingRate(symbol: string): Promise<FundingRate> {
    if (this.ctx.kind === 'spot') return spotFunding(this.ctx, symbol);
    return data.fundingRate(this.ctx, this.ctx.book.get(symbol));
  }
  async getFundingRates(): Promise<readonly FundingRate[]> {
    if (this.ctx.kind === 'spot') return spotFundings(this.ctx);
    return data.fundingRates(this.ctx);
  }
  async getHistoricalFundingRates(symbol: string, limit: number): Promise<readonly FundingRate[]> {
    const market = this.ctx.book.get(symbol);
    if (this.ctx.kind === 'spot') return [];
    return data.fundingHistory(this.ctx, market, limit);
  }
  getOrderBook(symbol: string, levels: number): Promise<OrderBook> {
    return depth.orderBook(this.ctx, symbol, levels);
  }
  getTradeHistory(query: TradeHistoryQuery): Promise<TradeHistoryPage> {
    return depth.tradeHistory(this.ctx, query);
  }

  // -- STREAMS: a subscription that cannot open ends at once through sink.error, as on the sim --
  subscribePrice(symbols: readonly string[], sink: StreamSink<PriceChange>): Subscription {
    return this.open(sink, () => streams.subscribePrice(this.ctx, this.registry, symbols, sink));
  }
  subscribeOrders(sink: StreamSink<OrderUpdate>): Subscription {
    return this.open(sink, () => streams.subscribeOrders(this.ctx, this.registry, sink));
  }
  subscribeKlines(symbols: readonly string[], interval: string, sink: StreamSink<Candle>) {
    return this.open(sink, () =>
      streams.subscribeKlines(this.ctx, this.registry, symbols, interval, sink),
    );
  }
  subscribeAccount(sink: StreamSink<Account>): Subscription {
    return this.open(sink, () => streams.subscribeAccount(this.ctx, this.registry, sink));
  }
  subscribePositions(symbol: string, sink: StreamSink<Position>): Subscription {
    return this.open(sink, () => {
      this.requireFutures();
      return streams.subscribePositions(this.ctx, this.registry, symbol, sink);
    });
  }
  subscribeFundingRate(symbol: string, sink: StreamSink<FundingRate>): Subscription {
    return this.open(sink, () => {
      if (this.ctx.kind === 'spot') return subscribeSpotFunding(this.ctx, symbol, sink);
      this.ctx.book.get(symbol);
      return streams.subscribeFundingRate(this.ctx, this.registry, symbol, sink, this.options);
    });
  }
  subscribeOrderBook(symbol: string, levels: number, sink: StreamSink<OrderBook>): Subscription {
    return this.open(sink, () =>
      depth.subscribeOrderBook(this.ctx, this.registry, symbol, levels, sink),
    );
  }

  /** Feed keys with subscribers, and those currently down. */
  streams(): { readonly feeds: readonly string[]; readonly stale: readonly string[] } {
    return { feeds: this.registry.feeds(), stale: this.ctx.stale() };
  }

  /** Used share of the venue's request budget per its last reply (RateLimitReporter). */
  rateLimitUsage(): number | undefined {
    const { ex } = this.ctx;
    return rateLimitUsage(ex.id, ex.last_response_headers as Record<string, unknown> | undefined);
  }

  isReachable(): boolean {
    return this.ctx.isReachable();
  }

  async close(): Promise<void> {
    this.registry.closeAll(new ExchangeError('CANCELLED', `${this.name}: venue closed`));
    await this.ctx.ex.close();
    this.ctx.hooks.clearTimers();
  }

  private open<T>(sink: StreamSink<T>, subscribe: () => Subscription): Subscription {
    try {
      return subscribe();
    } catch (e) {
      const error = toExchangeError(e);
      queueMicrotask(() => sink.error(error));
      return { close: () => undefined };
    }
  }

  private requireFutures(): void {
    if (this.ctx.kind !== 'futures') {
      throw new ExchangeError('UNIMPLEMENTED', `${this.name} is a spot venue: it has no positions`);
    }
  }

  private futuresMarket(symbol: string) {
    this.requireFutures();
    return this.ctx.book.get(symbol);
  }
}
