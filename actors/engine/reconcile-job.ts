/**
 * @module actors/engine/reconcile-job
 * Reconciliation as a running job of one symbol: besides the run before trading and the one
 * after every order-stream reconnect (stream-router), it asks for a run every `intervalMs` while
 * the symbol trades. Requests are coalesced (one queued run at a time), and a run that fails on
 * a transient venue error is retried with backoff (1 s doubling, capped at the interval) instead
 * of failing the symbol; every run is counted by trigger and outcome, failures logged at warn.
 * The run itself is the actor's (it owns the ledger and the slots); this module only decides
 * when, by posting `reconcile` messages to the symbol's mailbox.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ExchangeError } from '../../core/errors.js';
import type { SymbolId } from '../../core/types.js';
import type { EngineMetrics } from './engine.metrics.js';
import type { ReconcileTrigger } from './symbol.messages.js';

/** First wait before retrying a failed run; doubles per failure in a row. */
const RETRY_INITIAL_MS = 1_000;
/** Wait before a large divergence is checked again. */
export const CONFIRM_DELAY_MS = 2_000;

/** What a job is built from. */
export interface ReconcileJobOptions {
  readonly symbol: SymbolId;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** Queues a run (posts a `reconcile` message to the symbol's mailbox). */
  readonly post: (trigger: ReconcileTrigger) => void;
}

/** When one symbol reconciles; see the module doc. */
export class ReconcileJob {
  readonly #options: ReconcileJobOptions;
  readonly #timers = new Set<TimerHandle>();
  #every: TimerHandle | null = null;
  #queued = false;
  #failures = 0;

  constructor(options: ReconcileJobOptions) {
    this.#options = options;
  }

  /** Starts the periodic runs. */
  start(): void {
    this.#every ??= this.#options.clock.every(this.#options.intervalMs, () =>
      this.request('timer'),
    );
  }

  /** Stops every timer of the job. */
  stop(): void {
    const { clock } = this.#options;
    if (this.#every) clock.clear(this.#every);
    this.#every = null;
    for (const timer of this.#timers) clock.clear(timer);
    this.#timers.clear();
  }

  /** Queues a run unless one is queued already. */
  request(trigger: ReconcileTrigger): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#options.post(trigger);
  }

  /** The actor took a queued run: the next request queues another. */
  taken(): void {
    this.#queued = false;
  }

  /** Queues a run after `delayMs`. */
  later(trigger: ReconcileTrigger, delayMs: number): void {
    const timer = this.#options.clock.after(delayMs, () => {
      this.#timers.delete(timer);
      this.request(trigger);
    });
    this.#timers.add(timer);
  }

  /** A run finished. */
  succeeded(trigger: ReconcileTrigger): void {
    this.#failures = 0;
    this.#count(trigger, 'ok');
  }

  /**
   * A run failed on a transient venue error: counted, logged, retried with backoff.
   * @returns the wait before the retry, ms
   */
  failed(trigger: ReconcileTrigger, error: ExchangeError): number {
    this.#failures++;
    const waitMs = Math.min(
      this.#options.intervalMs,
      RETRY_INITIAL_MS * 2 ** Math.min(this.#failures - 1, 30),
    );
    this.#count(trigger, 'failed');
    this.#options.log.warn(
      {
        symbol: this.#options.symbol,
        trigger,
        reason: error.reason,
        failures: this.#failures,
        waitMs,
      },
      `reconciliation failed: ${error.message}; retrying`,
    );
    this.later('retry', waitMs);
    return waitMs;
  }

  #count(trigger: ReconcileTrigger, outcome: 'ok' | 'failed'): void {
    this.#options.metrics.reconcileRuns.inc({ symbol: this.#options.symbol, trigger, outcome });
  }
}
