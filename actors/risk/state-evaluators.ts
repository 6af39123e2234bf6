/**
 * @module actors/risk/state-evaluators
 * Breaker conditions over the latest state rather than a window: consecutive losing round trips,
 * feed staleness, margin ratio, distance to liquidation and reconciliation divergence. Pure
 * classes fed by the owner; `verdict(nowMs)` never reads a clock.
 */
import { Decimal, dec, toPlain } from '../../core/decimal.js';
import type { Verdict } from './window-evaluators.js';

/** Consecutive losing round trips, net of the fees of both legs. */
export class LossStreakEvaluator {
  readonly #max: number;
  #streak = 0;
  #lastLoss: Decimal | null = null;

  /** @param maxConsecutiveLosses - trip at this many losses in a row */
  constructor(maxConsecutiveLosses: number) {
    this.#max = maxConsecutiveLosses;
  }

  /**
   * Records one finished round trip (open and close).
   * @param grossPnl - PnL of the round trip before fees, quote units
   * @param fees - fees of both legs in quote units (a rebate is negative)
   */
  recordRoundTrip(grossPnl: Decimal, fees: Decimal): void {
    const net = grossPnl.sub(fees);
    if (net.isNegative()) {
      this.#streak += 1;
      this.#lastLoss = net;
    } else {
      this.#streak = 0;
    }
  }

  /**
   * The trip consumed the streak (with entries paused no winning trade can end it), so the
   * breaker's cool-down can run; like bbgo, counting starts over.
   */
  acknowledge(): void {
    this.#streak = 0;
  }

  /** Losing round trips in a row so far. */
  get streak(): number {
    return this.#streak;
  }

  verdict(_nowMs: number): Verdict {
    const holds = this.#streak >= this.#max;
    const last = this.#lastLoss && this.#streak > 0 ? `, last ${toPlain(this.#lastLoss)}` : '';
    return {
      holds,
      reason: `${this.#streak} losing round trips in a row ${holds ? '≥' : '<'} ${this.#max}${last}`,
    };
  }
}

/** Age of one feed (price, orders, account, positions, funding) against its limit. */
export class FeedStalenessEvaluator {
  readonly #feed: string;
  readonly #maxAgeMs: number;
  #lastMs: number;
  #seen = false;

  /**
   * @param feed - its name, for the reason text
   * @param maxAgeMs - stale beyond this age, ms
   * @param startedMs - when watching began: a feed that never delivers is stale this long after
   */
  constructor(feed: string, maxAgeMs: number, startedMs: number) {
    this.#feed = feed;
    this.#maxAgeMs = maxAgeMs;
    this.#lastMs = startedMs;
  }

  /** @param atMs - when an update of the feed arrived, epoch ms */
  touch(atMs: number): void {
    this.#lastMs = Math.max(this.#lastMs, atMs);
    this.#seen = true;
  }

  /** @returns ms since the last update (or since watching began), at `nowMs` */
  ageMs(nowMs: number): number {
    return Math.max(0, nowMs - this.#lastMs);
  }

  verdict(nowMs: number): Verdict {
    const age = this.ageMs(nowMs);
    const holds = age > this.#maxAgeMs;
    const what = this.#seen ? `last update ${age} ms ago` : `no update for ${age} ms since start`;
    return {
      holds,
      reason: `${this.#feed} feed: ${what} ${holds ? '>' : '≤'} ${this.#maxAgeMs} ms`,
    };
  }
}

/** The account's margin use: maintenance margin / margin balance. */
export class MarginRatioEvaluator {
  readonly #max: Decimal;
  #ratio: Decimal | null = null;

  /** @param maxMarginRatio - trip at or above this fraction, e.g. "0.8" */
  constructor(maxMarginRatio: string) {
    this.#max = dec(maxMarginRatio);
  }

  /**
   * @param maintenanceMargin - the account's total maintenance margin, quote units
   * @param marginBalance - wallet balance + unrealized PnL, quote units
   */
  update(maintenanceMargin: Decimal, marginBalance: Decimal): void {
    this.#ratio = marginRatio(maintenanceMargin, marginBalance);
  }

  /** The latest ratio, or null before the first account update. */
  get ratio(): Decimal | null {
    return this.#ratio;
  }

  verdict(_nowMs: number): Verdict {
    if (this.#ratio === null) return { holds: false, reason: 'no account update yet' };
    const holds = this.#ratio.gte(this.#max);
    return {
      holds,
      reason: `margin ratio ${toPlain(this.#ratio.toDecimalPlaces(4))} ${holds ? '≥' : '<'} ${toPlain(this.#max)}`,
    };
  }
}

/**
 * Maintenance margin over margin balance. An account with margin in use and nothing left to
 * back it is at ratio 1 or above by definition.
 * @param maintenanceMargin - quote units
 * @param marginBalance - quote units
 * @returns the ratio (0 when no margin is in use)
 */
export function marginRatio(maintenanceMargin: Decimal, marginBalance: Decimal): Decimal {
  if (maintenanceMargin.lte(0)) return new Decimal(0);
  if (marginBalance.lte(0)) return new Decimal(1);
  return maintenanceMargin.div(marginBalance);
}

/**
 * Distance from the mark price to the liquidation price, as a percentage of the mark.
 * @param size - signed position size (0: no position)
 * @param markPrice - quote units
 * @param liquidationPrice - quote units; 0 when the venue reports none
 * @returns percent (0 when already past liquidation), or null when there is no liquidation risk
 */
export function liquidationDistancePct(
  size: Decimal,
  markPrice: Decimal,
  liquidationPrice: Decimal,
): Decimal | null {
  if (size.isZero() || liquidationPrice.lte(0) || markPrice.lte(0)) return null;
  const room = size.isPositive()
    ? markPrice.sub(liquidationPrice)
    : liquidationPrice.sub(markPrice);
  return Decimal.max(room, 0).div(markPrice).mul(100);
}

/** A position's distance to liquidation. */
export class LiquidationDistanceEvaluator {
  readonly #minPct: Decimal;
  #distance: Decimal | null = null;

  /** @param minDistancePct - trip below this distance, percent of mark, e.g. "10" */
  constructor(minDistancePct: string) {
    this.#minPct = dec(minDistancePct);
  }

  /** Updates from a position report (signed size, mark, liquidation price). */
  update(size: Decimal, markPrice: Decimal, liquidationPrice: Decimal): void {
    this.#distance = liquidationDistancePct(size, markPrice, liquidationPrice);
  }

  /** The latest distance in percent, or null when there is no liquidation risk. */
  get distancePct(): Decimal | null {
    return this.#distance;
  }

  verdict(_nowMs: number): Verdict {
    if (this.#distance === null) return { holds: false, reason: 'no position at liquidation risk' };
    const holds = this.#distance.lt(this.#minPct);
    return {
      holds,
      reason: `liquidation ${toPlain(this.#distance.toDecimalPlaces(2))}% from mark ${holds ? '<' : '≥'} ${toPlain(this.#minPct)}%`,
    };
  }
}

/** Position divergence between our books and the venue, found by reconciliation. */
export class DivergenceEvaluator {
  readonly #maxPct: Decimal;
  #last: { local: Decimal; venue: Decimal; pct: Decimal } | null = null;

  /** @param maxDivergencePct - trip above this divergence, percent, e.g. "5" */
  constructor(maxDivergencePct: string) {
    this.#maxPct = dec(maxDivergencePct);
  }

  /**
   * Records one reconciliation's finding.
   * @param local - the position our ledger holds, signed base units
   * @param venue - the position the venue reports, signed base units
   */
  record(local: Decimal, venue: Decimal): void {
    const scale = Decimal.max(local.abs(), venue.abs());
    const pct = scale.isZero() ? new Decimal(0) : venue.sub(local).abs().div(scale).mul(100);
    this.#last = { local, venue, pct };
  }

  verdict(_nowMs: number): Verdict {
    if (!this.#last) return { holds: false, reason: 'not reconciled yet' };
    const { local, venue, pct } = this.#last;
    const holds = pct.gt(this.#maxPct);
    return {
      holds,
      reason:
        `position divergence ${toPlain(pct.toDecimalPlaces(2))}% ${holds ? '>' : '≤'} ${toPlain(this.#maxPct)}% ` +
        `(ours ${toPlain(local)}, venue ${toPlain(venue)})`,
    };
  }
}
