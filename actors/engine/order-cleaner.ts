/**
 * @module actors/engine/order-cleaner
 * The order cleaner (`risk.cleaner`): a job in each symbol actor that pulls our resting entries
 * that are too old, too far from the market, or beyond a cap of open orders per symbol (the
 * oldest first). It only ever touches opening orders of ours that a slot owns and that have not
 * traded at all: a partially filled order, a take-profit close (pulling it would only add risk)
 * and an order that is not ours (the ledger knows none) are never candidates. It cancels through
 * the owning slot, so the slot knows its order is going and the quoter decides afresh whether to
 * place it again (a level outside the quoting window stays free).
 *
 * Bounded: at most `max_cancels_per_run` per run; counted in
 * `market_maker_orders_cleaned_total{symbol, reason}`; logged at warn; backing off: a run that
 * still finds candidates it already asked to cancel doubles the wait before the next run (up to
 * `max_backoff_ms`), a clean run goes back to `interval_ms`.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { dec, type Decimal } from '../../core/decimal.js';
import { isOpen } from '../orders/order-status.table.js';
import type { LedgerOrder } from '../orders/order-ledger.types.js';

/** The cleaner's limits; null switches one off. */
export interface CleanerPolicy {
  readonly intervalMs: number;
  readonly maxBackoffMs: number;
  /** Entries resting longer than this are pulled, ms. */
  readonly maxAgeMs: number | null;
  /** Entries farther than this from the market are pulled, percent. */
  readonly maxDistancePct: Decimal | null;
  /** Open orders of ours per symbol above this: the oldest entries are pulled. */
  readonly maxOpenOrders: number | null;
  readonly maxCancelsPerRun: number;
}

/** Why an order is pulled; a bounded metric label. */
export type CleanReason = 'max_age' | 'max_distance' | 'max_open_orders';

/** One order to pull, and the slot that owns it. */
export interface CleanTarget {
  readonly clientOrderId: string;
  readonly slotIndex: number;
  readonly reason: CleanReason;
}

/**
 * Which orders to pull now (pure).
 * @param orders - the symbol's open orders from its ledger, oldest first
 * @param owner - the slot that works an order, or null
 * @param price - the market price, or null before the first
 * @param nowMs - epoch ms
 * @param policy - the limits
 * @returns at most `maxCancelsPerRun` targets, each once
 */
export function planCleanup(
  orders: readonly LedgerOrder[],
  owner: (clientOrderId: string) => number | null,
  price: Decimal | null,
  nowMs: number,
  policy: CleanerPolicy,
): CleanTarget[] {
  const open = orders.filter((o) => isOpen(o.status));
  const targets = new Map<string, CleanTarget>();
  const add = (order: LedgerOrder, reason: CleanReason) => {
    const slotIndex = order.slotIndex ?? owner(order.clientOrderId);
    if (targets.has(order.clientOrderId) || slotIndex === null) return;
    targets.set(order.clientOrderId, { clientOrderId: order.clientOrderId, slotIndex, reason });
  };
  const candidates = open.filter(
    (o) => !o.reduceOnly && o.status === 'NEW' && dec(o.filledQuantity).isZero(),
  );
  for (const order of candidates) {
    if (policy.maxAgeMs !== null && nowMs - order.updatedAtMs > policy.maxAgeMs) {
      add(order, 'max_age');
    } else if (policy.maxDistancePct !== null && price !== null && order.price !== null) {
      const distance = dec(order.price).sub(price).abs().div(price).mul(100);
      if (distance.gt(policy.maxDistancePct)) add(order, 'max_distance');
    }
  }
  if (policy.maxOpenOrders !== null) {
    let excess = open.length - targets.size - policy.maxOpenOrders;
    for (const order of candidates) {
      if (excess <= 0) break;
      if (targets.has(order.clientOrderId)) continue;
      add(order, 'max_open_orders');
      excess -= 1;
    }
  }
  return [...targets.values()].slice(0, policy.maxCancelsPerRun);
}

/** Runs the cleaner of one symbol on a timer that backs off; see the module doc. */
export class OrderCleanerJob {
  readonly #clock: Clock;
  readonly #policy: CleanerPolicy;
  readonly #run: () => void;
  #timer: TimerHandle | null = null;
  #waitMs: number;
  /** Orders the last run asked to pull. */
  #asked = new Set<string>();

  /**
   * @param run - posts the cleaning run to the actor's mailbox
   */
  constructor(clock: Clock, policy: CleanerPolicy, run: () => void) {
    this.#clock = clock;
    this.#policy = policy;
    this.#run = run;
    this.#waitMs = policy.intervalMs;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    if (this.#timer) this.#clock.clear(this.#timer);
    this.#timer = null;
  }

  /** The wait before the next run, ms. */
  get waitMs(): number {
    return this.#waitMs;
  }

  /**
   * Records a run's targets: targets asked for before and still there mean the venue does not
   * let them go yet, so the next run waits longer.
   */
  ran(targets: readonly CleanTarget[]): void {
    const stuck = targets.some((t) => this.#asked.has(t.clientOrderId));
    this.#asked = new Set(targets.map((t) => t.clientOrderId));
    this.#waitMs = stuck
      ? Math.min(this.#waitMs * 2, this.#policy.maxBackoffMs)
      : this.#policy.intervalMs;
  }

  #schedule(): void {
    this.#timer = this.#clock.after(this.#waitMs, () => {
      this.#timer = null;
      this.#run();
      this.#schedule();
    });
  }
}
