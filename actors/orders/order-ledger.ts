/**
 * @module actors/orders/order-ledger
 * The order ledger of one symbol: the single place a report about one of our orders goes. Each
 * report (order stream update, placement workflow result, reconciliation finding, cancel
 * verification) is judged by the order status table, written to the persisted order index with
 * the trades it carries, mirrored in memory, and only then handed back to the caller, which gives
 * the slot machine at most one event derived from the order as the ledger now holds it.
 *
 * Illegal transitions (contradictions) are logged at warn with the ids and counted, never
 * applied; duplicates and stale reports (an older stage than known) are debug. Our own intents
 * (an order about to be sent, a cancel about to be sent) are recorded in the mirror at once and
 * persisted by the owner with its next snapshot (`takeDirty`), so recording them costs no commit
 * before the venue call.
 *
 * The mirror holds every order not final yet plus the last `recentLimit` final ones, and answers
 * the queries risk and arbitrage build on: open and in-flight orders, lookups by either id, and
 * the symbol's exposure. One consumer at a time (the symbol actor's mailbox), so no locking.
 */
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

import type { Clock } from '../../core/clock.js';
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { Trade } from '../../core/exchange.types.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';
import { isClientOrderIdFor } from '../../machines/client-order-id.js';
import { fillFromTrade } from '../store/fills.repo.js';
import type {
  AppliedReport,
  ExposureSummary,
  LedgerOrder,
  OrderIntent,
  OrderLedgerStore,
  OrderReport,
  ReportOutcome,
} from './order-ledger.types.js';
import { judgeReport } from './order-judge.js';
import {
  isInflight,
  isOpen,
  isTerminal,
  transition,
  type FromStatus,
} from './order-status.table.js';

/** The counters a ledger keeps (engine.metrics registers them). */
export interface LedgerMetrics {
  /** market_maker_order_reports_total */
  readonly reports: Counter<'symbol' | 'source' | 'outcome'>;
  /** market_maker_order_illegal_transitions_total */
  readonly illegalTransitions: Counter<'symbol' | 'from' | 'to'>;
}

/** What one symbol's ledger is built from. */
export interface OrderLedgerOptions {
  readonly symbol: SymbolId;
  /** The venue name orders are filed under (part of the fills key). */
  readonly venue: string;
  /** This engine's client order id namespace: which ids of the symbol are ours. */
  readonly namespace: string;
  readonly store: OrderLedgerStore;
  readonly metrics: LedgerMetrics;
  readonly clock: Clock;
  readonly log: Logger;
  /** Final orders kept in memory for lookups and /status; default 200. */
  readonly recentLimit?: number;
}

/** One symbol's order ledger; see the module doc. */
export class OrderLedger {
  readonly symbol: SymbolId;
  readonly #options: OrderLedgerOptions;
  readonly #live = new Map<string, LedgerOrder>();
  /** Final orders, oldest first (insertion order), at most `recentLimit`. */
  readonly #recent = new Map<string, LedgerOrder>();
  readonly #byVenueId = new Map<string, string>();
  readonly #dirty = new Map<string, LedgerOrder>();
  #held: Decimal = ZERO;

  constructor(options: OrderLedgerOptions) {
    this.#options = options;
    this.symbol = options.symbol;
  }

  // -- LIFECYCLE --

  /** Loads the symbol's unfinished orders, the latest final ones and the held inventory. */
  async load(): Promise<void> {
    const { store, venue } = this.#options;
    const [live, recent, held] = await Promise.all([
      store.live(venue, this.symbol),
      store.recent(venue, this.symbol, this.#recentLimit()),
      store.heldInventory(venue, this.symbol),
    ]);
    for (const order of recent.reverse()) this.#remember(order);
    for (const order of live) this.#remember(order);
    this.#held = dec(held);
  }

  // -- COMMANDS: our own intents --

  /**
   * Records an order about to be sent (SUBMITTED). Persisted with the owner's next snapshot.
   * Re-recording an intent the ledger already holds (a resubmit after a restart) changes nothing.
   */
  submitted(intent: OrderIntent): void {
    if (this.#find(intent.clientOrderId)) return;
    const order: LedgerOrder = {
      ...intent,
      venue: this.#options.venue,
      symbol: this.symbol,
      venueOrderId: null,
      filledQuantity: '0',
      avgPrice: null,
      status: 'SUBMITTED',
      rejectReason: null,
      revision: 1,
      updatedAtMs: this.#options.clock.now(),
    };
    this.#remember(order);
    this.#dirty.set(order.clientOrderId, order);
  }

  /** Records that a cancel of the order is about to be sent (PENDING_CANCEL), if it still may. */
  cancelRequested(clientOrderId: ClientOrderId): void {
    const order = this.#find(clientOrderId);
    if (!order) return;
    const verdict = transition(order.status, 'PENDING_CANCEL');
    if (verdict.kind !== 'apply' || verdict.to === order.status) return;
    const next = {
      ...order,
      status: verdict.to,
      revision: order.revision + 1,
      updatedAtMs: this.#options.clock.now(),
    };
    this.#remember(next);
    this.#dirty.set(next.clientOrderId, next);
  }

  /** The orders changed since the last {@link takeDirty}, left in place (the risk layer reads them). */
  peekDirty(): LedgerOrder[] {
    return [...this.#dirty.values()];
  }

  /** The intents recorded since the last call, for the owner to persist with its snapshot. */
  takeDirty(): LedgerOrder[] {
    const dirty = [...this.#dirty.values()];
    this.#dirty.clear();
    return dirty;
  }

  // -- REPORTS --

  /**
   * Judges a report with the order status table, persists the result (and any new trades) and
   * mirrors it. Trades are recorded whatever the verdict: an execution is a venue fact.
   * @returns what was done, the order as held now, and the trades recorded now
   * @throws {Error} when the write fails (the owner must crash: nothing was mirrored)
   */
  async apply(report: OrderReport): Promise<AppliedReport> {
    const current = this.#find(report.clientOrderId) ?? (await this.#fromStore(report));
    const { venue, clock } = this.#options;
    const context = { venue, symbol: this.symbol, nowMs: clock.now() };
    const { outcome, next, from } = judgeReport(current, report, context);
    const fills = (report.trades ?? []).map((trade) =>
      fillFromTrade(this.#options.venue, trade, this.#ours(report.clientOrderId)),
    );
    const write = outcome === 'applied' && next ? [next] : [];
    const recorded = await this.#options.store.record(write, fills);
    const newTrades = (report.trades ?? []).filter((_, i) => recorded[i]);
    for (const trade of newTrades) this.#held = this.#held.add(signedQuantity(trade));
    if (next && outcome === 'applied') {
      this.#remember(next);
      this.#dirty.delete(next.clientOrderId);
    }
    this.#count(report, outcome, from);
    return { outcome, order: next ?? current ?? null, newTrades };
  }

  // -- QUERIES --

  /** True when `clientOrderId` names an order of ours on this symbol (held, or minted by us). */
  owns(clientOrderId: string): boolean {
    return (
      this.#find(clientOrderId) !== undefined ||
      isClientOrderIdFor(clientOrderId, this.symbol, this.#options.namespace)
    );
  }

  /** The order with our client order id, if the mirror holds it. */
  byClientOrderId(clientOrderId: string): LedgerOrder | undefined {
    return this.#find(clientOrderId);
  }

  /** The order with the venue's order id, if the mirror holds it. */
  byVenueOrderId(venueOrderId: string): LedgerOrder | undefined {
    const clientOrderId = this.#byVenueId.get(venueOrderId);
    return clientOrderId === undefined ? undefined : this.#find(clientOrderId);
  }

  /** Orders resting on the venue (NEW, PARTIALLY_FILLED, PENDING_CANCEL), oldest first. */
  openOrders(): LedgerOrder[] {
    return [...this.#live.values()].filter((o) => isOpen(o.status));
  }

  /** Orders with a request to the venue unanswered (SUBMITTED, PENDING_CANCEL), oldest first. */
  inflightOrders(): LedgerOrder[] {
    return [...this.#live.values()].filter((o) => isInflight(o.status));
  }

  /** Every order not final yet, oldest first. */
  liveOrders(): LedgerOrder[] {
    return [...this.#live.values()];
  }

  /** The last final orders the mirror keeps, newest first. */
  recentOrders(): LedgerOrder[] {
    return [...this.#recent.values()].reverse();
  }

  /** What resting and in-flight opening orders could add, and what our fills hold. */
  exposure(): ExposureSummary {
    let buy = ZERO;
    let sell = ZERO;
    for (const order of this.#live.values()) {
      if (order.reduceOnly || order.price === null) continue;
      const notional = dec(order.price).mul(dec(order.quantity).sub(order.filledQuantity));
      if (order.side === 'BUY') buy = buy.add(notional);
      else sell = sell.add(notional);
    }
    return {
      symbol: this.symbol,
      openingBuyNotional: toPlain(buy),
      openingSellNotional: toPlain(sell),
      heldInventory: toPlain(this.#held),
      openOrders: this.openOrders().length,
      inflightOrders: this.inflightOrders().length,
    };
  }

  // -- INTERNAL --

  /** An order the mirror let go of (final and old), read back before judging a report on it. */
  async #fromStore(report: OrderReport): Promise<LedgerOrder | undefined> {
    if (!this.owns(report.clientOrderId)) return undefined;
    const stored = await this.#options.store.byClientOrderId(report.clientOrderId);
    if (stored && stored.symbol === this.symbol) this.#remember(stored);
    return stored && stored.symbol === this.symbol ? stored : undefined;
  }

  #find(clientOrderId: string): LedgerOrder | undefined {
    return this.#live.get(clientOrderId) ?? this.#recent.get(clientOrderId);
  }

  #ours(clientOrderId: ClientOrderId): ClientOrderId | null {
    return this.owns(clientOrderId) ? clientOrderId : null;
  }

  #remember(order: LedgerOrder): void {
    const id = order.clientOrderId;
    if (order.venueOrderId !== null) this.#byVenueId.set(order.venueOrderId, id);
    if (!isTerminal(order.status)) {
      this.#live.set(id, order);
      return;
    }
    this.#live.delete(id);
    this.#recent.delete(id);
    this.#recent.set(id, order);
    while (this.#recent.size > this.#recentLimit()) {
      const [oldest] = this.#recent.keys();
      if (oldest === undefined) break;
      const evicted = this.#recent.get(oldest);
      this.#recent.delete(oldest);
      if (evicted?.venueOrderId) this.#byVenueId.delete(evicted.venueOrderId);
    }
  }

  #recentLimit(): number {
    return this.#options.recentLimit ?? 200;
  }

  #count(report: OrderReport, outcome: ReportOutcome, from: FromStatus): void {
    const { metrics, log } = this.#options;
    metrics.reports.inc({ symbol: this.symbol, source: report.source, outcome });
    const ids = {
      symbol: this.symbol,
      clientOrderId: report.clientOrderId,
      venueOrderId: report.venueOrderId,
      source: report.source,
      from,
      reported: report.trigger,
    };
    if (outcome === 'illegal') {
      metrics.illegalTransitions.inc({ symbol: this.symbol, from, to: report.trigger });
      log.warn(ids, 'order report contradicts the ledger: not applied');
    } else if (outcome === 'unknown') {
      log.warn(ids, 'report about an order of ours the ledger has no record of: not applied');
    } else if (outcome !== 'applied') {
      log.debug({ ...ids, outcome }, 'order report changes nothing');
    }
  }
}

/** Signed base units a trade adds to inventory (positive for a buy). */
function signedQuantity(trade: Trade): Decimal {
  return trade.side === 'BUY' ? trade.quantity : trade.quantity.neg();
}
