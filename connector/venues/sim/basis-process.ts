/**
 * @module connector/venues/sim/basis-process
 * The basis of an extra perpetual venue against the shared spot price: per symbol a seeded
 * mean-reverting (Ornstein-Uhlenbeck) process, so its perp trades at spot x (1 + basis) with a
 * premium of its own. Its random numbers come from its own seed, so adding a venue never changes
 * the prices of the others. Floats live only in here, as in the main price process.
 */
import type { Decimal } from '../../../core/decimal.js';
import type { TickPrice } from './price-process.js';
import { SeededRandom } from './seeded-random.js';
import type { RandomState } from './sim-state.js';

/** Basis parameters, bps and ms. */
export interface BasisSpec {
  readonly basisMeanBps: number;
  readonly basisVolatilityBps: number;
  readonly basisHalfLifeMs: number;
}

/** Saved position of the process. */
export interface BasisState {
  readonly rng: RandomState;
  readonly symbols: Readonly<Record<string, number>>;
}

/** Seeded, step-driven basis of every listed symbol on one venue. */
export class BasisProcess {
  private readonly rng: SeededRandom;
  private readonly bases = new Map<string, number>();
  private readonly mean: number;
  private readonly decay: number;
  private readonly shock: number;

  /**
   * @param symbols listed symbols, stepped in this order (part of determinism)
   * @param stepMs milliseconds one step represents
   */
  constructor(spec: BasisSpec, symbols: readonly string[], seed: number, stepMs: number) {
    this.rng = new SeededRandom(seed);
    this.mean = spec.basisMeanBps / 10_000;
    // Exact discretisation of an Ornstein-Uhlenbeck process: stable for any step size
    this.decay = Math.exp((-Math.LN2 * stepMs) / spec.basisHalfLifeMs);
    this.shock = (spec.basisVolatilityBps / 10_000) * Math.sqrt(1 - this.decay * this.decay);
    for (const symbol of symbols) this.bases.set(symbol, this.mean);
  }

  /** Advances every symbol's basis by one step. */
  step(): void {
    for (const [symbol, basis] of this.bases) {
      const z = this.rng.normal();
      this.bases.set(symbol, this.mean + (basis - this.mean) * this.decay + this.shock * z);
    }
  }

  /**
   * The perp price of `symbol` over `spot`, on the perp's tick.
   * @param spot the shared spot price
   * @param tick the perp's tick size
   */
  perp(symbol: string, spot: Decimal, tick: Decimal): TickPrice {
    const basis = this.bases.get(symbol);
    if (basis === undefined) throw new Error(`${symbol} is not listed`);
    const ticks = Math.max(1, Math.round((spot.toNumber() * (1 + basis)) / tick.toNumber()));
    return { ticks, price: tick.mul(ticks) };
  }

  /** The mean basis as a price factor (for candle history). */
  get meanFactor(): number {
    return 1 + this.mean;
  }

  saveState(): BasisState {
    return { rng: this.rng.saveState(), symbols: Object.fromEntries(this.bases) };
  }

  /** Continues from saved bases (symbols are checked by the caller). */
  restoreState(saved: BasisState): void {
    this.rng.restoreState(saved.rng);
    for (const symbol of this.bases.keys()) {
      const basis = saved.symbols[symbol];
      if (basis !== undefined) this.bases.set(symbol, basis);
    }
  }
}
