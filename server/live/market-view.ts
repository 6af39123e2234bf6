/**
 * @module server/live/market-view
 * What the dashboard shows of one symbol, kept in memory from the venue: the last N candles, open
 * orders, account, position and PnL. Upstream events go in (`apply`), the messages to broadcast
 * come out; a client that connects gets `snapshot()` without a venue call, so a thousand
 * dashboards cost the venue nothing. Everything is synchronous, so a snapshot and the live
 * updates after it can never interleave.
 */
import { ZERO, type Decimal } from '../../core/decimal.js';
import type {
  Account,
  Candle,
  Order,
  OrderUpdate,
  Position,
  Trade,
} from '../../core/exchange.types.js';
import {
  encodeMessage,
  toAccountData,
  toCandleData,
  toOrderData,
  toPnlData,
  toPositionData,
  toTradeEventData,
  type CandleData,
  type LiveMessage,
} from './messages.js';
import { PnlLedger } from './pnl-ledger.js';

/** One event from an upstream stream. */
export type UpstreamEvent =
  | { readonly kind: 'kline'; readonly value: Candle }
  | { readonly kind: 'order'; readonly value: OrderUpdate }
  | { readonly kind: 'account'; readonly value: Account }
  | { readonly kind: 'position'; readonly value: Position };

/** Everything fetched from the venue to (re)build the view. */
export interface VenueSnapshot {
  /** Oldest first. */
  readonly candles: readonly Candle[];
  readonly openOrders: readonly Order[];
  readonly account: Account;
  /** The symbol's position; undefined when the venue lists none (flat). */
  readonly position: Position | undefined;
  /** Orders open before a resync and gone after it, as the venue now reports them. */
  readonly closedOrders: readonly Order[];
}

/** The symbol a view shows and how much of it. */
export interface MarketViewOptions {
  readonly symbol: string;
  /** Asset the account balances and fees are in. */
  readonly quoteAsset: string;
  /** Candles kept for the `history` message. */
  readonly historyLimit: number;
  /** When PnL counting starts, epoch ms. */
  readonly sinceMs: number;
}

const OPEN_STATUSES: ReadonlySet<string> = new Set(['NEW', 'PARTIALLY_FILLED']);

/** The view of one symbol; build it, `load` a snapshot, then `apply` each upstream event. */
export class MarketView {
  private readonly ledger: PnlLedger;
  private candles: CandleData[] = [];
  private lastOpenTimeMs = -1;
  private orders = new Map<string, Order>();
  private account: Account | undefined;
  private position: Position | undefined;
  private price = ZERO;
  private version = 0;
  private cached: { version: number; frames: readonly string[] } | undefined;

  private readonly options: MarketViewOptions;
  constructor(options: MarketViewOptions) {
    this.options = options;
    this.ledger = new PnlLedger(options.quoteAsset, options.sinceMs);
  }

  /** True once a snapshot was loaded. */
  get loaded(): boolean {
    return this.account !== undefined;
  }

  /** Ids of the orders the view holds open (to find those that closed during a gap). */
  openOrderIds(): string[] {
    return [...this.orders.keys()];
  }

  /**
   * Replaces the view with a venue snapshot, then replays the events that arrived while it was
   * fetched. On the first load the venue position is where PnL counting starts and fills seen
   * meanwhile are taken as already in it; on a reload the fills missed during the gap are
   * counted (each once, by trade id).
   * @param pending upstream events received while the snapshot was fetched, in arrival order
   * @returns messages about what happened during the gap (closed orders, fills), to broadcast
   */
  load(snapshot: VenueSnapshot, pending: readonly UpstreamEvent[]): LiveMessage[] {
    const first = !this.loaded;
    const catchUp: LiveMessage[] = [];
    if (first) {
      const p = snapshot.position;
      this.ledger.seed(p?.size ?? ZERO, p?.entryPrice ?? ZERO);
      for (const o of snapshot.openOrders) this.ledger.markSeen(o.trades.map((t) => t.tradeId));
      for (const e of pending) {
        if (e.kind === 'order')
          this.ledger.markSeen(fillsOf(e.value, undefined).map((t) => t.tradeId));
      }
    } else {
      for (const order of [...snapshot.closedOrders, ...snapshot.openOrders]) {
        const held = this.orders.get(order.orderId);
        const changed = held === undefined || !held.executedQty.eq(order.executedQty);
        if (changed || held.status !== order.status) {
          catchUp.push(...this.applyOrder({ exchange: '', order }));
        }
      }
    }
    const candles = snapshot.candles.filter((c) => c.symbol === this.options.symbol);
    this.candles = candles.slice(-this.options.historyLimit).map(toCandleData);
    this.lastOpenTimeMs = candles.at(-1)?.openTimeMs ?? -1;
    if (candles.length > 0) this.price = (candles.at(-1) as Candle).close;
    this.orders = new Map(
      snapshot.openOrders.filter((o) => this.mine(o)).map((o) => [o.orderId, o] as const),
    );
    this.account = snapshot.account;
    this.position = snapshot.position;
    this.version++;
    for (const e of pending) catchUp.push(...this.apply(e));
    return catchUp;
  }

  /** Applies one upstream event; returns the messages to broadcast (none when it changed nothing). */
  apply(event: UpstreamEvent): LiveMessage[] {
    switch (event.kind) {
      case 'kline':
        return this.applyCandle(event.value);
      case 'order':
        return this.applyOrder(event.value);
      case 'account':
        if (!this.loaded) return [];
        this.account = event.value;
        this.version++;
        return [this.accountMessage()];
      case 'position':
        if (event.value.symbol !== this.options.symbol) return [];
        this.position = event.value;
        this.version++;
        return [this.positionMessage('update'), this.pnlMessage()];
    }
  }

  /**
   * The messages a client gets on connect, serialized once per change of the view: `history`,
   * the open `orders` (an array, possibly empty), `account`, `position`, `pnl`.
   * @returns undefined until a snapshot was loaded
   */
  snapshotFrames(): readonly string[] | undefined {
    if (!this.loaded) return undefined;
    if (this.cached?.version !== this.version) {
      const orders = [...this.orders.values()].map(toOrderData);
      const messages: LiveMessage[] = [
        { type: 'history', data: this.candles },
        { type: 'orders', data: orders },
        this.accountMessage(),
        this.positionMessage('snapshot'),
        this.pnlMessage(),
      ];
      this.cached = { version: this.version, frames: messages.map(encodeMessage) };
    }
    return this.cached.frames;
  }

  private applyCandle(c: Candle): LiveMessage[] {
    // Charts reject a bar older than the last one; a late candle from a replay is dropped
    if (c.symbol !== this.options.symbol || c.openTimeMs < this.lastOpenTimeMs) return [];
    const data = toCandleData(c);
    if (c.openTimeMs === this.lastOpenTimeMs) this.candles[this.candles.length - 1] = data;
    else this.candles.push(data);
    if (this.candles.length > this.options.historyLimit) this.candles.shift();
    this.lastOpenTimeMs = c.openTimeMs;
    this.price = c.close;
    this.version++;
    const messages: LiveMessage[] = [{ type: 'kline', data }];
    if (this.position !== undefined && !this.position.size.isZero()) {
      messages.push(this.pnlMessage());
    }
    return messages;
  }

  private applyOrder(update: OrderUpdate): LiveMessage[] {
    const order = update.order;
    if (!this.mine(order)) return [];
    const held = this.orders.get(order.orderId);
    // A replayed update older than what the view holds would reopen or rewind the order
    if (held !== undefined && order.executedQty.lt(held.executedQty)) return [];
    if (OPEN_STATUSES.has(order.status)) this.orders.set(order.orderId, order);
    else this.orders.delete(order.orderId);
    this.version++;
    const fills = fillsOf(update, held).filter((t) => this.ledger.apply(t));
    if (fills.length === 0) return [{ type: 'orders', data: toOrderData(order) }];
    return [
      { type: 'orders', data: toOrderData(order) },
      ...fills.map((t): LiveMessage => ({ type: 'trade_event', data: toTradeEventData(t) })),
      this.pnlMessage(),
    ];
  }

  private accountMessage(): LiveMessage {
    const account = this.account as Account;
    return {
      type: 'account',
      data: toAccountData(account, this.options.quoteAsset, this.options.symbol),
    };
  }

  private positionMessage(updateType: 'snapshot' | 'update'): LiveMessage {
    const p = this.position ?? flatPosition(this.options.symbol, this.price);
    return {
      type: 'position',
      data: toPositionData(p, this.ledger.summary().realized, updateType),
    };
  }

  private pnlMessage(): LiveMessage {
    return {
      type: 'pnl',
      data: toPnlData(this.options.symbol, this.ledger.summary(), this.position, this.price),
    };
  }

  private mine(o: Order): boolean {
    return o.symbol === this.options.symbol;
  }
}

/**
 * The fills an order update reports. Venues that send the trade send it as `lastTrade` or in
 * `order.trades`; for those that report only cumulative quantities, the fill is derived from
 * the change against the order the view held (its price from the change of the average price).
 */
export function fillsOf(update: OrderUpdate, held: Order | undefined): Trade[] {
  const order = update.order;
  if (update.lastTrade !== undefined) return [update.lastTrade];
  if (order.trades.length > 0) return [...order.trades];
  const before = held?.executedQty ?? ZERO;
  const quantity = order.executedQty.sub(before);
  if (quantity.lte(0)) return [];
  const paidBefore = (held?.avgPrice ?? ZERO).mul(before);
  const price = order.avgPrice.mul(order.executedQty).sub(paidBefore).div(quantity);
  return [
    {
      tradeId: `${order.orderId}:${order.executedQty.toFixed()}`,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      price,
      quantity,
      fee: ZERO,
      feeAsset: '',
      isMaker: true,
      realizedPnl: ZERO,
      timeMs: order.updateTimeMs,
    },
  ];
}

/** The position of a symbol the venue lists no position for. */
function flatPosition(symbol: string, price: Decimal): Position {
  return {
    symbol,
    size: ZERO,
    entryPrice: ZERO,
    markPrice: price,
    unrealizedPnl: ZERO,
    leverage: 0,
    marginType: '',
    isolatedMargin: ZERO,
    liquidationPrice: ZERO,
  };
}
