/**
 * @module actors/engine/divergence-watch
 * Judges the position check of each reconciliation: the venue's position against the grid's
 * inventory. No divergence: nothing to do. A small one (within `tolerancePct` of the grid's
 * capacity: dust, a fee charged in the base asset, a manual trade) is accepted as the venue's
 * truth and logged at warn once per new figure. A large one is confirmed by a second check
 * moments later (a fill can land between the venue's answers and our reports), then pauses the
 * symbol's entries until a later reconciliation finds it back within tolerance. Every finding is
 * published as a typed {@link PositionDivergence} for the risk layer, gauged and logged.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import { sample, type EngineMetrics } from './engine.metrics.js';
import type { PositionCheck } from './reconcile.js';
import type { PositionDivergence } from './symbol.messages.js';

/** What the actor must do after a check. */
export type DivergenceAction = 'none' | 'confirm' | 'pause' | 'resume';

/** What a watch is built from. */
export interface DivergenceWatchOptions {
  readonly symbol: SymbolId;
  /** The grid's capacity, base units (levels × order quantity): 100 % of divergence. */
  readonly capacity: Decimal;
  readonly tolerancePct: number;
  readonly clock: Clock;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  readonly publish?: (divergence: PositionDivergence) => void;
}

/** One symbol's position divergence judge; see the module doc. */
export class DivergenceWatch {
  readonly #options: DivergenceWatchOptions;
  #suspect = false;
  #paused = false;
  #accepted: string | null = null;

  /** @throws {RangeError} when the capacity is not positive */
  constructor(options: DivergenceWatchOptions) {
    if (!options.capacity.gt(0)) {
      throw new RangeError(`grid capacity must be positive, was ${toPlain(options.capacity)}`);
    }
    this.#options = options;
  }

  /** True while a large divergence keeps entries paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Judges one check.
   * @returns what the actor must do: nothing, check again soon, pause or resume entries
   */
  assess(check: PositionCheck): DivergenceAction {
    const { symbol, metrics } = this.#options;
    const divergence = dec(check.venue).sub(check.grid);
    metrics.positionDivergence.set({ symbol }, sample(divergence));
    const pct = divergence.abs().div(this.#options.capacity).mul(100);
    const finding = (severity: PositionDivergence['severity']): PositionDivergence => ({
      symbol,
      severity,
      venue: check.venue,
      grid: check.grid,
      divergence: toPlain(divergence),
      divergencePct: toPlain(pct.toDecimalPlaces(4)),
      atMs: this.#options.clock.now(),
    });
    if (pct.lte(this.#options.tolerancePct)) {
      this.#suspect = false;
      if (this.#paused) return this.#resume(finding('resolved'));
      if (!divergence.isZero() && this.#accepted !== toPlain(divergence)) {
        this.#accepted = toPlain(divergence);
        this.#report('warn', finding('small'), 'small position divergence: the venue is the truth');
      }
      if (divergence.isZero()) this.#accepted = null;
      return 'none';
    }
    if (this.#paused) return 'none';
    if (!this.#suspect) {
      this.#suspect = true;
      this.#options.log.warn(finding('large'), 'large position divergence: checking again');
      return 'confirm';
    }
    this.#suspect = false;
    this.#paused = true;
    metrics.divergencePaused.set({ symbol }, 1);
    this.#report('warn', finding('large'), 'large position divergence: entries paused');
    return 'pause';
  }

  #resume(finding: PositionDivergence): DivergenceAction {
    this.#paused = false;
    this.#options.metrics.divergencePaused.set({ symbol: this.#options.symbol }, 0);
    this.#report('info', finding, 'position back within tolerance: entries resume');
    return 'resume';
  }

  #report(level: 'info' | 'warn', finding: PositionDivergence, message: string): void {
    this.#options.log[level](finding, message);
    this.#options.publish?.(finding);
  }
}
