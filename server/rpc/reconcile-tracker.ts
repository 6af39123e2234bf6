/**
 * @module server/rpc/reconcile-tracker
 * TriggerReconciliation / GetReconciliationStatus over the engine's reconcile job: a trigger asks
 * each named symbol's job for a `manual` run and files a run id; the run completes once every
 * symbol reported a finished manual run (or the retry the job scheduled after a venue failure)
 * that started after the trigger. However often a symbol is asked for, at most one manual run of it
 * is queued at a time (it answers every trigger waiting on it). A symbol that stops being traded meanwhile fails the run; one
 * whose venue keeps failing leaves it `running` until `timeoutMs`, then `timed_out`. The last
 * `keep` runs are kept in memory (a restart forgets them: the ids are for following one run).
 */
import { randomBytes } from 'node:crypto';

import type { Clock } from '../../core/clock.js';
import { dec, toPlain } from '../../core/decimal.js';
import type { ReconcileSummary } from '../../actors/engine/reconcile.js';
import type { ReconcilePort } from './rpc.ports.js';

/** Where a run is. */
export type ReconcileRunStatus = 'running' | 'completed' | 'failed' | 'timed_out';

/** One symbol's finding. Positions in base units, decimal strings. */
export interface ReconcileResult {
  readonly symbol: string;
  readonly positionMatch: boolean;
  readonly localPosition: string;
  readonly exchangePosition: string;
  /** exchange − local. */
  readonly divergence: string;
  /** True when the run brought the ledger or the grid in line with the venue. */
  readonly corrected: boolean;
}

/** A run as GetReconciliationStatus shows it. */
export interface ReconcileRunView {
  readonly id: string;
  readonly status: ReconcileRunStatus;
  readonly symbols: readonly string[];
  readonly startedAtMs: number;
  /** 0 while running. */
  readonly completedAtMs: number;
  readonly results: readonly ReconcileResult[];
  /** Why a run failed; empty otherwise. */
  readonly problem: string;
}

interface Run {
  readonly id: string;
  readonly symbols: readonly string[];
  readonly startedAtMs: number;
  readonly results: Map<string, ReconcileResult>;
  status: ReconcileRunStatus;
  completedAtMs: number;
  problem: string;
}

export interface ReconcileTrackerOptions {
  readonly port: ReconcilePort;
  readonly clock: Clock;
  /** Runs kept; default 100. */
  readonly keep?: number;
  /** A run without every result after this long is `timed_out`, ms; default 120 000. */
  readonly timeoutMs?: number;
}

/** Manual reconciliation runs; see the module doc. */
export class ReconcileTracker {
  readonly #o: ReconcileTrackerOptions;
  readonly #runs = new Map<string, Run>();
  readonly #unsubscribe: () => void;

  constructor(options: ReconcileTrackerOptions) {
    this.#o = options;
    this.#unsubscribe = options.port.onReconciled((symbol, summary) =>
      this.#finished(symbol, summary),
    );
  }

  /**
   * Asks every symbol of `symbols` for a run.
   * @param symbols - traded symbols (the caller checked them)
   * @returns the run as it stands now
   */
  trigger(symbols: readonly string[]): ReconcileRunView {
    const run: Run = {
      id: `rec-${randomBytes(16).toString('hex')}`,
      symbols: [...symbols],
      startedAtMs: this.#o.clock.now(),
      results: new Map(),
      status: 'running',
      completedAtMs: 0,
      problem: '',
    };
    this.#runs.set(run.id, run);
    while (this.#runs.size > (this.#o.keep ?? 100)) {
      const [oldest] = this.#runs.keys();
      if (oldest !== undefined) this.#runs.delete(oldest);
    }
    for (const symbol of symbols) {
      // One queued manual run per symbol however often it is asked for: it answers every
      // trigger waiting on the symbol, and the venue sees one run
      if (this.#queued(symbol, run)) continue;
      if (!this.#o.port.request(symbol)) {
        this.#fail(run, `${symbol} stopped being traded before its run was queued`);
      }
    }
    if (symbols.length === 0) this.#complete(run);
    return view(run);
  }

  /** The run with `id`, or undefined when unknown (never issued, or older than the last `keep`). */
  get(id: string): ReconcileRunView | undefined {
    const run = this.#runs.get(id);
    if (!run) return undefined;
    if (run.status === 'running') this.#check(run);
    return view(run);
  }

  /** Stops listening to the engine. */
  close(): void {
    this.#unsubscribe();
  }

  /** True when another running run still waits for a manual run of `symbol`. */
  #queued(symbol: string, except: Run): boolean {
    for (const run of this.#runs.values()) {
      if (run === except || run.status !== 'running') continue;
      if (run.symbols.includes(symbol) && !run.results.has(symbol)) return true;
    }
    return false;
  }

  #finished(symbol: string, summary: ReconcileSummary): void {
    if (summary.trigger !== 'manual' && summary.trigger !== 'retry') return;
    for (const run of this.#runs.values()) {
      if (run.status !== 'running' || !run.symbols.includes(symbol)) continue;
      if (run.results.has(symbol) || summary.atMs < run.startedAtMs) continue;
      run.results.set(symbol, result(symbol, summary));
      if (run.results.size === run.symbols.length) this.#complete(run);
    }
  }

  #check(run: Run): void {
    const traded = new Set(this.#o.port.symbols());
    const gone = run.symbols.filter((s) => !run.results.has(s) && !traded.has(s));
    if (gone.length > 0) return this.#fail(run, `no longer traded: ${gone.join(', ')}`);
    const timeoutMs = this.#o.timeoutMs ?? 120_000;
    if (this.#o.clock.now() - run.startedAtMs > timeoutMs) {
      const waiting = run.symbols.filter((s) => !run.results.has(s));
      run.status = 'timed_out';
      run.completedAtMs = this.#o.clock.now();
      run.problem = `no finished run within ${timeoutMs} ms for ${waiting.join(', ')} (the venue may be failing: see the engine log)`;
    }
  }

  #complete(run: Run): void {
    run.status = 'completed';
    run.completedAtMs = this.#o.clock.now();
  }

  #fail(run: Run, problem: string): void {
    run.status = 'failed';
    run.completedAtMs = this.#o.clock.now();
    run.problem = problem;
  }
}

function result(symbol: string, summary: ReconcileSummary): ReconcileResult {
  const { venue, grid, matches } = summary.position;
  const corrected =
    summary.ledgerCorrected > 0 ||
    summary.adopted.length + summary.resubmitted.length + summary.vanished.length > 0;
  return {
    symbol,
    positionMatch: matches,
    localPosition: grid,
    exchangePosition: venue,
    divergence: toPlain(dec(venue).sub(dec(grid))),
    corrected,
  };
}

function view(run: Run): ReconcileRunView {
  return {
    id: run.id,
    status: run.status,
    symbols: run.symbols,
    startedAtMs: run.startedAtMs,
    completedAtMs: run.completedAtMs,
    results: run.symbols.flatMap((s) => {
      const r = run.results.get(s);
      return r ? [r] : [];
    }),
    problem: run.problem,
  };
}
