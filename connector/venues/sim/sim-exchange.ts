/**
 * @module connector/venues/sim/sim-exchange
 * The `Exchange` port over one market kind of the simulated venue ("sim" = USDT perpetuals,
 * "sim-spot" = spot). Every unary call passes the fault switches first (unreachable, rate limit,
 * latency). A subscription that cannot start (unknown symbol, venue unreachable, exchange
 * closed) is handed back already ended: its sink gets the error on the next microtask, exactly
 * as a remote stream would report it, so consumers have one failure path for streams.
 */
import type { Decimal } from '../../../core/decimal.js';
import type { Clock } from '../../../core/clock.js';
import {
  ExchangeError,
  invalidArgument,
  quoteInput,
  toExchangeError,
} from '../../../core/errors.js';
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
  MarketKind,
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
import type { FundingSchedule } from './funding-schedule.js';
import { klineIntervalMs, spotFunding, tickerOf } from './market-data.js';
import { placeOrder } from './place-order.js';
import { orderBook, subscribeOrderBook, tradeHistory } from './sim-book.js';
import type { SimFaults } from './sim-faults.js';
import type { TradingCore } from './trading-core.js';

const DEFAULT_KLINE_LIMIT = 500;
const MAX_KLINE_LIMIT = 1_500;

/** What the venue gives each of its exchanges. */
export interface SimExchangeContext {
  readonly kind: MarketKind;
  readonly name: string;
  readonly core: TradingCore;
  readonly faults: SimFaults;
  readonly clock: Clock;
  /** Perp funding; undefined on spot. */
  readonly funding: FundingSchedule | undefined;
  /** Open interest of a listed symbol, base units (zero on spot). */
  openInterest(symbol: string): Decimal;
  /** Tells the venue this exchange was closed. */
  released(exchange: SimExchange): void;
}

const INERT: Subscription = { close: () => undefined };

/** One market kind of the simulated venue behind the venue port. */
export class SimExchange implements Exchange {
  readonly name: string;
  private readonly ctx: SimExchangeContext;
  private closed = false;

  constructor(ctx: SimExchangeContext) {
    this.ctx = ctx;
    this.name = ctx.name;
  }

  getType(): Promise<ExchangeKindInfo> {
    return this.call(() => ({ kind: this.ctx.kind, isUnifiedMargin: false }));
  }

  // -- ORDERS --
  placeOrder(request: PlaceOrderRequest): Promise<Order> {
    return this.call(() => {
      this.ctx.faults.beforePlacement();
      return placeOrder(this.ctx.core, request, this.ctx.faults.takePartialFill());
    });
  }

  batchPlaceOrders(requests: readonly PlaceOrderRequest[]): Promise<BatchPlaceResult> {
    return this.call(() => {
      const orders: Order[] = [];
      const errors: BatchItemError[] = [];
      requests.forEach((request, index) => {
        try {
          this.ctx.faults.beforePlacement();
          orders.push(placeOrder(this.ctx.core, request, this.ctx.faults.takePartialFill()));
        } catch (e) {
          errors.push(itemError(index, request.clientOrderId ?? '', e));
        }
      });
      return { orders, allSuccess: errors.length === 0, errors };
    });
  }

  cancelOrder(symbol: string, orderId: string, useMargin = false): Promise<void> {
    return this.call(() => this.ctx.core.cancel(symbol, orderId, useMargin));
  }

  batchCancelOrders(
    symbol: string,
    orderIds: readonly string[],
    useMargin = false,
  ): Promise<readonly BatchItemError[]> {
    return this.call(() => {
      const errors: BatchItemError[] = [];
      orderIds.forEach((orderId, index) => {
        try {
          this.ctx.core.cancel(symbol, orderId, useMargin);
        } catch (e) {
          const clientOrderId = this.ctx.core.orders.get(orderId)?.clientOrderId ?? '';
          errors.push(itemError(index, clientOrderId, e));
        }
      });
      return errors;
    });
  }

  cancelAllOrders(symbol: string, useMargin = false): Promise<void> {
    return this.call(() => this.ctx.core.cancelAll(symbol, useMargin));
  }

  getOrder(query: GetOrderQuery): Promise<Order> {
    return this.call(() => this.ctx.core.find(query));
  }

  getOpenOrders(symbol: string, useMargin = false): Promise<readonly Order[]> {
    return this.call(() => this.ctx.core.openOrders(symbol, useMargin));
  }

  // -- ACCOUNT --
  getAccount(): Promise<Account> {
    return this.call(() => this.ctx.core.deps.ledger.account());
  }

  getPositions(symbol = ''): Promise<readonly Position[]> {
    return this.call(() => {
      if (symbol === '') return this.ctx.core.deps.ledger.positions();
      this.ctx.core.market(symbol);
      return this.ctx.core.deps.ledger.positions(symbol).filter((p) => !p.size.isZero());
    });
  }

  /** @throws {ExchangeError} INVALID_ARGUMENT naming `asset` for an asset the venue does not have */
  getBalance(asset: string): Promise<Decimal> {
    return this.call(() => {
      if (asset === '') throw invalidArgument('asset', 'is required, e.g. "USDT"');
      const balance = this.ctx.core.deps.ledger.balance(asset);
      if (balance.isZero() && !this.listsAsset(asset)) {
        throw invalidArgument('asset', `${quoteInput(asset)} is not an asset of ${this.name}`);
      }
      return balance;
    });
  }

  // -- MARKET DATA --
  getLatestPrice(symbol: string): Promise<Decimal> {
    return this.call(() => this.ctx.core.market(symbol).mid.price);
  }

  getTickers(): Promise<readonly Ticker[]> {
    return this.call(() =>
      [...this.ctx.core.deps.markets.values()].map((m) =>
        tickerOf(m, this.ctx.openInterest(m.info.symbol), this.ctx.clock.now()),
      ),
    );
  }

  getOpenInterest(symbol: string): Promise<Decimal> {
    return this.call(() => {
      this.ctx.core.market(symbol);
      return this.ctx.openInterest(symbol);
    });
  }

  getHistoricalKlines(symbol: string, interval: string, limit: number): Promise<readonly Candle[]> {
    return this.call(() => {
      const market = this.ctx.core.market(symbol);
      const n = limit > 0 ? Math.min(limit, MAX_KLINE_LIMIT) : DEFAULT_KLINE_LIMIT;
      return market.klines.recent(klineIntervalMs(interval), n);
    });
  }

  fetchExchangeInfo(symbol = ''): Promise<void> {
    return this.call(() => {
      if (symbol !== '') this.ctx.core.market(symbol);
    });
  }

  getSymbolInfo(symbol: string): Promise<SymbolInfo> {
    return this.call(() => this.ctx.core.market(symbol).info);
  }

  getSymbols(): Promise<readonly string[]> {
    return this.call(() => [...this.ctx.core.deps.markets.keys()]);
  }

  getFundingRate(symbol: string): Promise<FundingRate> {
    return this.call(() => {
      this.ctx.core.market(symbol);
      return this.fundingOf(symbol);
    });
  }

  getFundingRates(): Promise<readonly FundingRate[]> {
    return this.call(() => [...this.ctx.core.deps.markets.keys()].map((s) => this.fundingOf(s)));
  }

  getHistoricalFundingRates(symbol: string, limit: number): Promise<readonly FundingRate[]> {
    return this.call(() => {
      this.ctx.core.market(symbol);
      const funding = this.ctx.funding;
      return funding === undefined ? [] : funding.history(symbol, limit > 0 ? limit : 100);
    });
  }

  getOrderBook(symbol: string, levels: number): Promise<OrderBook> {
    return this.call(() => orderBook(this.ctx.core, symbol, levels));
  }

  getTradeHistory(query: TradeHistoryQuery): Promise<TradeHistoryPage> {
    return this.call(() => tradeHistory(this.ctx.core, query));
  }

  // -- STREAMS --
  subscribePrice(symbols: readonly string[], sink: StreamSink<PriceChange>): Subscription {
    return this.subscribe(sink, () => {
      const wanted = this.symbolFilter(symbols);
      return this.ctx.core.deps.hub.prices.subscribe(sink, (p) => wanted(p.symbol));
    });
  }

  subscribeOrders(sink: StreamSink<OrderUpdate>): Subscription {
    return this.subscribe(sink, () => this.ctx.core.deps.hub.orders.subscribe(sink));
  }

  subscribeKlines(
    symbols: readonly string[],
    interval: string,
    sink: StreamSink<Candle>,
  ): Subscription {
    return this.subscribe(sink, () => {
      const ms = klineIntervalMs(interval);
      const wanted = this.symbolFilter(symbols);
      return this.ctx.core.deps.hub.klineTopic(ms).subscribe(sink, (c) => wanted(c.symbol));
    });
  }

  subscribeAccount(sink: StreamSink<Account>): Subscription {
    return this.subscribe(sink, () => this.ctx.core.deps.hub.account.subscribe(sink));
  }

  subscribePositions(symbol: string, sink: StreamSink<Position>): Subscription {
    return this.subscribe(sink, () => {
      const wanted = this.symbolFilter(symbol === '' ? [] : [symbol]);
      return this.ctx.core.deps.hub.positions.subscribe(sink, (p) => wanted(p.symbol));
    });
  }

  subscribeFundingRate(symbol: string, sink: StreamSink<FundingRate>): Subscription {
    return this.subscribe(sink, () => {
      const wanted = this.symbolFilter(symbol === '' ? [] : [symbol]);
      const subscription = this.ctx.core.deps.hub.funding.subscribe(sink, (f) => wanted(f.symbol));
      if (this.ctx.funding !== undefined) return subscription;
      return this.greetWithSpotFunding(symbol, sink, subscription);
    });
  }

  subscribeOrderBook(symbol: string, levels: number, sink: StreamSink<OrderBook>): Subscription {
    return this.subscribe(sink, () => subscribeOrderBook(this.ctx.core, symbol, levels, sink));
  }

  isReachable(): boolean {
    return !this.closed && this.ctx.faults.reachable;
  }

  /** Ends this exchange's streams (CANCELLED) and, with the last open exchange, the venue's timers. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.ctx.core.deps.hub.failAll(new ExchangeError('CANCELLED', `${this.name} was closed`));
      this.ctx.released(this);
    }
    return Promise.resolve();
  }

  /**
   * Spot never settles funding, so its stream would stay silent: like the ccxt spot venues it
   * delivers one zero update per symbol right after subscribing (REQ-FUND-004).
   */
  private greetWithSpotFunding(
    symbol: string,
    sink: StreamSink<FundingRate>,
    subscription: Subscription,
  ): Subscription {
    let open = true;
    const symbols = symbol === '' ? [...this.ctx.core.deps.markets.keys()] : [symbol];
    queueMicrotask(() => {
      for (const s of symbols) if (open) sink.next(this.fundingOf(s));
    });
    return {
      close: () => {
        open = false;
        subscription.close();
      },
    };
  }

  /** Runs a unary call behind the fault switches. */
  private async call<T>(fn: () => T): Promise<T> {
    this.throwIfClosed();
    const wait = this.ctx.faults.beforeCall();
    if (wait !== undefined) {
      await wait;
      this.ctx.faults.throwIfUnreachable();
    }
    return fn();
  }

  private subscribe<T>(sink: StreamSink<T>, open: () => Subscription): Subscription {
    try {
      this.throwIfClosed();
      this.ctx.faults.throwIfUnreachable();
      return open();
    } catch (e) {
      const error = toExchangeError(e);
      queueMicrotask(() => sink.error(error));
      return INERT;
    }
  }

  private throwIfClosed(): void {
    if (this.closed) throw new ExchangeError('EXCHANGE_UNAVAILABLE', `${this.name} was closed`);
  }

  /** Filter for a symbol list (empty = every symbol); checks every symbol is listed. */
  private symbolFilter(symbols: readonly string[]): (symbol: string) => boolean {
    if (symbols.length === 0) return () => true;
    for (const s of symbols) this.ctx.core.market(s);
    const set = new Set(symbols);
    return (symbol) => set.has(symbol);
  }

  /** True when `asset` is the base or quote asset of a listed market. */
  private listsAsset(asset: string): boolean {
    for (const { info } of this.ctx.core.deps.markets.values()) {
      if (info.baseAsset === asset || info.quoteAsset === asset) return true;
    }
    return false;
  }

  private fundingOf(symbol: string): FundingRate {
    const now = this.ctx.clock.now();
    const funding = this.ctx.funding;
    return funding === undefined
      ? spotFunding(this.name, symbol, now)
      : funding.current(symbol, now);
  }
}

function itemError(index: number, clientOrderId: string, e: unknown): BatchItemError {
  const error = toExchangeError(e);
  return { index, clientOrderId, message: error.message, code: error.code, reason: error.reason };
}
