/**
 * @module connector/venues/sim/funding-schedule
 * Perp funding of the simulated venue. The rate of a period is the average premium of the perp
 * over spot ((perp / spot) - 1) sampled at every price step since the last settlement, capped at
 * +-maxRate; the predicted rate is the premium right now. Settlement times are multiples of the
 * interval since the epoch (00:00, 08:00, 16:00 UTC by default). History is preloaded
 * deterministically from the seed so a fresh venue already answers history queries.
 */
import { Decimal, ZERO } from '../../../core/decimal.js';
import type { FundingRate } from '../../../core/exchange.types.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import type { FundingState } from './sim-state.js';

const RATE_PLACES = 8;

interface SymbolFunding {
  premiumSum: Decimal;
  samples: number;
  premium: Decimal;
  readonly history: FundingRate[];
}

/** Funding settings, already validated. */
export interface FundingSpec {
  readonly exchangeName: string;
  readonly intervalMs: number;
  readonly maxRate: Decimal;
  readonly historyLength: number;
  readonly seed: number;
  /** Mean and spread of the preloaded history rates, as fractions. */
  readonly historyMean: number;
  readonly historySpread: number;
}

/** Funding rates, history and settlement times of every perp. */
export class FundingSchedule {
  private readonly spec: FundingSpec;
  private readonly bySymbol = new Map<string, SymbolFunding>();
  private next: number;

  /**
   * @param symbols listed perps, in listing order
   * @param nowMs venue start time
   */
  constructor(spec: FundingSpec, symbols: readonly string[], nowMs: number) {
    this.spec = spec;
    this.next = (Math.floor(nowMs / spec.intervalMs) + 1) * spec.intervalMs;
    for (const symbol of symbols) {
      this.bySymbol.set(symbol, {
        premiumSum: ZERO,
        samples: 0,
        premium: ZERO,
        history: this.preload(symbol),
      });
    }
  }

  /** Next settlement time, epoch milliseconds. */
  get nextFundingTimeMs(): number {
    return this.next;
  }

  /** Samples the premium of a perp at one price step. */
  sample(symbol: string, spot: Decimal, perp: Decimal): void {
    const f = this.entry(symbol);
    f.premium = perp.div(spot).sub(1);
    f.premiumSum = f.premiumSum.add(f.premium);
    f.samples++;
  }

  /** The current funding of a perp: this period's rate so far and the predicted next one. */
  current(symbol: string, nowMs: number): FundingRate {
    const f = this.entry(symbol);
    return this.rate(symbol, this.periodRate(f), this.clamp(f.premium), this.next, nowMs);
  }

  /**
   * Closes the period: records every perp's rate in history and starts the next period.
   * @returns the settled rate per symbol, in listing order
   */
  settle(nowMs: number): Array<{ symbol: string; rate: Decimal }> {
    const settled: Array<{ symbol: string; rate: Decimal }> = [];
    this.next += this.spec.intervalMs;
    for (const [symbol, f] of this.bySymbol) {
      const rate = this.periodRate(f);
      f.history.push(this.rate(symbol, rate, rate, this.next, nowMs));
      if (f.history.length > 2 * Math.max(this.spec.historyLength, 100)) {
        f.history.splice(0, f.history.length - Math.max(this.spec.historyLength, 100));
      }
      f.premiumSum = ZERO;
      f.samples = 0;
      settled.push({ symbol, rate });
    }
    return settled;
  }

  /** Settled rates of a perp, oldest first, at most `limit`. */
  history(symbol: string, limit: number): FundingRate[] {
    const h = this.entry(symbol).history;
    return h.slice(Math.max(0, h.length - limit));
  }

  /** Settlement time, the period's premium samples so far and the settled history. */
  saveState(): FundingState {
    const symbols: FundingState['symbols'] = {};
    for (const [symbol, f] of this.bySymbol) {
      symbols[symbol] = {
        premiumSum: f.premiumSum.toString(),
        samples: f.samples,
        premium: f.premium.toString(),
        history: f.history.map((h) => ({
          rate: h.rate.toString(),
          predictedRate: h.predictedRate.toString(),
          nextFundingTimeMs: h.nextFundingTimeMs,
          timeMs: h.timeMs,
        })),
      };
    }
    return { nextFundingTimeMs: this.next, symbols };
  }

  /**
   * Replaces the preloaded history with the saved one. A settlement time already in the past is
   * kept: the venue settles the missed periods as soon as it starts, as an exchange would have.
   */
  restoreState(saved: FundingState): void {
    this.next = saved.nextFundingTimeMs;
    for (const [symbol, f] of this.bySymbol) {
      const s = saved.symbols[symbol];
      if (s === undefined) continue;
      f.premiumSum = new Decimal(s.premiumSum);
      f.samples = s.samples;
      f.premium = new Decimal(s.premium);
      f.history.length = 0;
      for (const h of s.history) {
        const rate = new Decimal(h.rate);
        const predicted = new Decimal(h.predictedRate);
        f.history.push(this.rate(symbol, rate, predicted, h.nextFundingTimeMs, h.timeMs));
      }
    }
  }

  private periodRate(f: SymbolFunding): Decimal {
    const avg = f.samples === 0 ? f.premium : f.premiumSum.div(f.samples);
    return this.clamp(avg);
  }

  private clamp(rate: Decimal): Decimal {
    const max = this.spec.maxRate;
    return Decimal.max(max.neg(), Decimal.min(max, rate)).toDecimalPlaces(RATE_PLACES);
  }

  private rate(
    symbol: string,
    rate: Decimal,
    predictedRate: Decimal,
    next: number,
    timeMs: number,
  ): FundingRate {
    return Object.freeze({
      exchange: this.spec.exchangeName,
      symbol,
      rate,
      predictedRate,
      nextFundingTimeMs: next,
      timeMs,
    });
  }

  /** Past settlements: one per interval before now, drawn around the basis mean. */
  private preload(symbol: string): FundingRate[] {
    const rng = new SeededRandom(deriveSeed(this.spec.seed, `funding:${symbol}`));
    const out: FundingRate[] = [];
    for (let k = this.spec.historyLength; k >= 1; k--) {
      const settledAt = this.next - k * this.spec.intervalMs;
      const draw = this.spec.historyMean + this.spec.historySpread * rng.normal();
      const rate = this.clamp(new Decimal(draw.toFixed(RATE_PLACES)));
      out.push(this.rate(symbol, rate, rate, settledAt + this.spec.intervalMs, settledAt));
    }
    return out;
  }

  private entry(symbol: string): SymbolFunding {
    const f = this.bySymbol.get(symbol);
    if (f === undefined) throw new Error(`${symbol} has no funding schedule`);
    return f;
  }
}
