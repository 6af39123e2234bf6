/**
 * @module connector/venues/sim/trading-core
 * The order side of one market kind (spot or futures): order maps keyed by id and client id,
 * fills booked through the kind's ledger, cancels, lookups, maker fills when the price moves,
 * and the order/account/position streams. Placement itself is in place-order.ts.
 */
import { Decimal } from '../../../core/decimal.js';
import type { Clock } from '../../../core/clock.js';
import { ExchangeError, invalidArgument } from '../../../core/errors.js';
import type { GetOrderQuery, MarketKind, Order, Trade } from '../../../core/exchange.types.js';
import { planMakerFills } from './matching-engine.js';
import { applyFill, isOpenStatus, remainingOf, toOrder, type OrderRecord } from './order-record.js';
import type { Ledger } from './sim-ledger.js';
import type { SimMarket } from './sim-market.js';
import type { StreamHub } from './stream-hub.js';

/** Venue-wide id counters, so ids are unique across both markets. */
export interface IdSource {
  nextOrderId(): string;
  nextTradeId(): string;
}

/** What a trading core is built from. */
export interface TradingCoreDeps {
  readonly kind: MarketKind;
  readonly exchangeName: string;
  readonly markets: ReadonlyMap<string, SimMarket>;
  readonly ledger: Ledger;
  readonly hub: StreamHub;
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly maxOpenOrdersPerSymbol: number;
  readonly retainClosedOrders: number;
}

/** Order state and fills of one market kind. */
export class TradingCore {
  readonly deps: TradingCoreDeps;
  /** Every retained order by venue id. */
  readonly orders = new Map<string, OrderRecord>();
  /** Open orders in creation order. */
  readonly open = new Map<string, OrderRecord>();
  readonly byClientId = new Map<string, OrderRecord>();
  /** Every client order id ever accepted, including forgotten orders'. */
  readonly seenClientIds = new Set<string>();
  private readonly closed: string[] = [];
  private closedHead = 0;
  private openReduceOnly = 0;

  constructor(deps: TradingCoreDeps) {
    this.deps = deps;
  }

  /**
   * The market of a symbol.
   * @throws {ExchangeError} INVALID_ARGUMENT when empty, UNKNOWN_SYMBOL when not listed
   */
  market(symbol: string): SimMarket {
    const m = this.deps.markets.get(symbol);
    if (m !== undefined) return m;
    if (symbol === '') throw invalidArgument('symbol', 'is required, e.g. "BTCUSDT"');
    throw new ExchangeError(
      'UNKNOWN_SYMBOL',
      `symbol ${symbol} is not listed on ${this.deps.exchangeName}; valid symbols: ${[...this.deps.markets.keys()].join(', ')}`,
      { field: 'symbol' },
    );
  }

  /** Registers a new order (status NEW) and emits its NEW update. */
  register(o: OrderRecord, market: SimMarket): void {
    this.orders.set(o.orderId, o);
    this.open.set(o.orderId, o);
    this.byClientId.set(o.clientOrderId, o);
    this.seenClientIds.add(o.clientOrderId);
    if (o.useMargin) market.openCount.margin++;
    else market.openCount.cash++;
    if (o.reduceOnly) this.openReduceOnly++;
    this.emitOrder(o);
  }

  /** Books one fill: ledger, trade, order record, candle volume, order stream. */
  fill(
    o: OrderRecord,
    market: SimMarket,
    price: Decimal,
    quantity: Decimal,
    isMaker: boolean,
  ): void {
    const { fee, realizedPnl } = this.deps.ledger.settle(o, market, price, quantity, isMaker);
    const trade: Trade = Object.freeze({
      tradeId: this.deps.ids.nextTradeId(),
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      price,
      quantity,
      fee,
      feeAsset: market.info.quoteAsset,
      isMaker,
      realizedPnl,
      timeMs: this.deps.clock.now(),
    });
    applyFill(o, trade);
    market.klines.addVolume(quantity);
    if (o.status === 'FILLED') {
      market.book.own(o.side).remove(o);
      this.retire(o, market);
    }
    this.emitOrder(o, trade);
  }

  /** Ends an open order as CANCELED or EXPIRED, releasing what it holds. */
  finish(o: OrderRecord, market: SimMarket, status: 'CANCELED' | 'EXPIRED'): void {
    market.book.own(o.side).remove(o);
    o.status = status;
    o.updateTimeMs = this.deps.clock.now();
    this.retire(o, market);
    this.emitOrder(o);
  }

  /**
   * Cancels one order.
   * @throws {ExchangeError} ORDER_NOT_FOUND, ORDER_NOT_CANCELABLE
   */
  cancel(symbol: string, orderId: string, useMargin: boolean): void {
    const market = this.market(symbol);
    if (orderId === '') throw invalidArgument('order_id', 'is required');
    const o = this.orders.get(orderId);
    if (o === undefined || o.symbol !== symbol || !this.sameAccount(o, useMargin)) {
      throw new ExchangeError('ORDER_NOT_FOUND', `order ${orderId} not found for ${symbol}`, {
        field: 'order_id',
      });
    }
    if (!isOpenStatus(o.status)) {
      throw new ExchangeError(
        'ORDER_NOT_CANCELABLE',
        `order ${orderId} is already ${o.status} and cannot be canceled`,
        { field: 'order_id' },
      );
    }
    this.finish(o, market, 'CANCELED');
  }

  /**
   * Cancels every open order of one symbol on one account.
   * @throws {ExchangeError} INVALID_ARGUMENT for an empty symbol: it never means every symbol
   */
  cancelAll(symbol: string, useMargin: boolean): void {
    const market = this.market(symbol);
    for (const o of [...this.open.values()]) {
      if (o.symbol === symbol && this.sameAccount(o, useMargin)) {
        this.finish(o, market, 'CANCELED');
      }
    }
  }

  /** Cancels every open order of every symbol on one account (the venue's own liquidation). */
  cancelEverySymbol(useMargin: boolean): void {
    for (const o of [...this.open.values()]) {
      if (this.sameAccount(o, useMargin)) this.finish(o, this.market(o.symbol), 'CANCELED');
    }
  }

  /**
   * Looks an order up by venue id, or by client id when the venue id is empty.
   * @throws {ExchangeError} ORDER_NOT_FOUND
   */
  find(query: GetOrderQuery): Order {
    this.market(query.symbol);
    const byId = query.orderId !== undefined && query.orderId !== '';
    const key = byId ? query.orderId : query.clientOrderId;
    if (key === undefined || key === '') {
      throw invalidArgument('order_id', 'order_id or client_order_id is required');
    }
    const o = byId ? this.orders.get(key) : this.byClientId.get(key);
    if (
      o === undefined ||
      o.symbol !== query.symbol ||
      !this.sameAccount(o, query.useMargin === true)
    ) {
      throw new ExchangeError(
        'ORDER_NOT_FOUND',
        `order ${byId ? '' : 'with client id '}${key} not found for ${query.symbol}`,
        { field: byId ? 'order_id' : 'client_order_id' },
      );
    }
    return toOrder(o);
  }

  /** Open orders of a symbol (every symbol when empty), oldest first. */
  openOrders(symbol: string, useMargin: boolean): Order[] {
    if (symbol !== '') this.market(symbol);
    const out: Order[] = [];
    for (const o of this.open.values()) {
      if ((symbol === '' || o.symbol === symbol) && this.sameAccount(o, useMargin))
        out.push(toOrder(o));
    }
    return out;
  }

  /**
   * Fills resting orders the last price step moved through, as makers, up to `volume` (base
   * units) per side; emits account and position updates when anything filled.
   * @returns true when something filled
   */
  makerFills(market: SimMarket, volume: Decimal): boolean {
    const fillable = (o: OrderRecord, wanted: Decimal): Decimal =>
      this.deps.ledger.fillable(o, wanted);
    const mid = market.mid.ticks;
    const fills = [
      ...planMakerFills(market.book.bids, mid, volume, fillable),
      ...planMakerFills(market.book.asks, mid, volume, fillable),
    ];
    let filled = false;
    for (const f of fills) {
      // An earlier fill of this batch may have shrunk the position a reduce-only order closes
      const q = this.deps.ledger.fillable(f.maker, Decimal.min(f.quantity, remainingOf(f.maker)));
      if (q.lte(0) || !isOpenStatus(f.maker.status)) continue;
      this.fill(f.maker, market, f.maker.price, q, true);
      filled = true;
    }
    if (filled) this.afterFills(market.info.symbol);
    return filled;
  }

  /**
   * After fills on a symbol: expires reduce-only orders that can no longer reduce anything,
   * then emits the account and the symbol's position.
   */
  afterFills(symbol: string): void {
    if (this.openReduceOnly > 0) this.expireStaleReduceOnly(symbol);
    this.emitAccount();
    this.emitPosition(symbol);
  }

  /** Emits the account snapshot to account subscribers. */
  emitAccount(): void {
    if (this.deps.hub.account.active) this.deps.hub.account.emit(this.deps.ledger.account());
  }

  /** Emits a symbol's position (size zero once closed) to position subscribers. */
  emitPosition(symbol: string): void {
    if (!this.deps.hub.positions.active) return;
    for (const p of this.deps.ledger.positions(symbol)) this.deps.hub.positions.emit(p);
  }

  /** Emits an order update when anybody listens. */
  emitOrder(o: OrderRecord, lastTrade?: Trade): void {
    if (!this.deps.hub.orders.active) return;
    const order = toOrder(o);
    this.deps.hub.orders.emit(
      lastTrade === undefined
        ? { exchange: this.deps.exchangeName, order }
        : { exchange: this.deps.exchangeName, order, lastTrade },
    );
  }

  /** Retained closed order ids, oldest retirement first (saved so forgetting resumes in order). */
  closedIds(): string[] {
    return this.closed.slice(this.closedHead);
  }

  /**
   * Takes a restored order back without events: open ones rejoin the open set and counts (the
   * caller rests them on the book), closed ones the retention queue in `closedIds` order.
   */
  adopt(records: readonly OrderRecord[], closedIds: readonly string[]): void {
    for (const o of records) {
      this.orders.set(o.orderId, o);
      this.byClientId.set(o.clientOrderId, o);
      this.seenClientIds.add(o.clientOrderId);
      if (!isOpenStatus(o.status)) continue;
      this.open.set(o.orderId, o);
      const market = this.market(o.symbol);
      if (o.useMargin) market.openCount.margin++;
      else market.openCount.cash++;
      if (o.reduceOnly) this.openReduceOnly++;
    }
    // One by one: spreading 100k retained ids into push() would overflow the call stack
    for (const id of closedIds) this.closed.push(id);
  }

  /** True when a spot order lives on the account `useMargin` names (futures: always). */
  private sameAccount(o: OrderRecord, useMargin: boolean): boolean {
    return this.deps.kind === 'futures' || o.useMargin === useMargin;
  }

  private expireStaleReduceOnly(symbol: string): void {
    for (const o of [...this.open.values()]) {
      if (
        o.reduceOnly &&
        o.symbol === symbol &&
        this.deps.ledger.fillable(o, remainingOf(o)).isZero()
      ) {
        this.finish(o, this.market(symbol), 'EXPIRED');
      }
    }
  }

  /** Moves a finished order out of the open set; forgets the oldest closed ones past retention. */
  private retire(o: OrderRecord, market: SimMarket): void {
    if (!this.open.delete(o.orderId)) return;
    if (o.useMargin) market.openCount.margin--;
    else market.openCount.cash--;
    if (o.reduceOnly) this.openReduceOnly--;
    this.deps.ledger.release(o);
    this.closed.push(o.orderId);
    if (this.closed.length - this.closedHead > this.deps.retainClosedOrders) {
      const old = this.orders.get(this.closed[this.closedHead] as string);
      this.closedHead++;
      if (old !== undefined) {
        this.orders.delete(old.orderId);
        this.byClientId.delete(old.clientOrderId);
      }
      // Compact now and then so the queue does not grow without bound
      if (this.closedHead > 4096 && this.closedHead * 2 > this.closed.length) {
        this.closed.splice(0, this.closedHead);
        this.closedHead = 0;
      }
    }
  }
}
