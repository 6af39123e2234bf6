/**
 * @module arbitrage-spread
 * The funding spread of a pair and its annual rate, from each leg's own rate and the venue's
 * actual funding interval (REQ-ARB-001). The original annualised every spread with a hard-coded
 * 8 h interval (×1095); a 4 h or 1 h perp (Binance lists both) was then off by 2× or 8×, and a
 * cross-venue pair of an 8 h and a 1 h perp compared rates of different periods.
 *
 * spread = short-leg rate − long-leg rate, per period, as the venues quote them;
 * APR = short rate × periods per year(short) − long rate × periods per year(long), a year being
 * 365 days (8760 h, as the original's `annualize`). A spot leg pays and receives no funding: its
 * rate is 0 and it adds nothing to either figure.
 */
import { Decimal, ZERO } from '../core/decimal.js';
import { otherLeg, type LegKey, type LegMarket } from './arbitrage-pair.js';

/** Milliseconds in the 365-day year every APR here is quoted in. */
export const MS_PER_YEAR = 365 * 24 * 3_600_000;

/** What is known about one leg's funding right now. */
export interface LegFunding {
  readonly market: LegMarket;
  /** Rate of the current period as a fraction (0.0001 = 0.01 %); longs pay shorts when > 0. */
  readonly rate: Decimal;
  /** The venue's actual funding interval in ms; null when unknown (or spot). */
  readonly intervalMs: number | null;
  /** Next settlement, epoch ms; 0 = not applicable (spot, REQ-FUND-002). */
  readonly nextFundingTimeMs: number;
}

/** The spread of a pair in one direction. */
export interface FundingSpread {
  readonly long: LegKey;
  readonly short: LegKey;
  /** Short-leg rate − long-leg rate, per period (fractions). */
  readonly spread: Decimal;
  /** Funding earned per year per unit of notional held on each leg (fraction: 0.1 = 10 %). */
  readonly apr: Decimal;
}

/**
 * Funding periods per year of a perp with this interval: 1095 for 8 h, 2190 for 4 h, 8760 for 1 h.
 * @param intervalMs - the funding interval, ms
 * @throws {RangeError} when the interval is not a positive integer
 */
export function periodsPerYear(intervalMs: number): Decimal {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalMs must be a positive integer, was ${intervalMs}`);
  }
  return new Decimal(MS_PER_YEAR).div(intervalMs);
}

/**
 * A leg's funding rate per year: rate × periods per year; zero for a spot leg.
 * @returns the annual rate, or null for a perp whose interval is not known yet
 */
export function annualRate(leg: LegFunding): Decimal | null {
  if (leg.market === 'spot') return ZERO;
  if (leg.intervalMs === null) return null;
  return leg.rate.mul(periodsPerYear(leg.intervalMs));
}

/**
 * The spread and APR of holding `long` long and the other leg short.
 * @returns the spread, or null when a perp leg's interval is unknown (no decision possible)
 */
export function fundingSpread(
  legs: Readonly<Record<LegKey, LegFunding>>,
  long: LegKey,
): FundingSpread | null {
  const short = otherLeg(long);
  const shortAnnual = annualRate(legs[short]);
  const longAnnual = annualRate(legs[long]);
  if (shortAnnual === null || longAnnual === null) return null;
  const rate = (leg: LegFunding) => (leg.market === 'spot' ? ZERO : leg.rate);
  return {
    long,
    short,
    spread: rate(legs[short]).sub(rate(legs[long])),
    apr: shortAnnual.sub(longAnnual),
  };
}

/**
 * The better of the two directions: positive funding on a spot/perp pair is long spot + short
 * perp, negative is short spot + long perp; two perps go long the cheaper one (REQ-ARB-006).
 * On a tie the pair's config order wins (long `a`).
 * @returns the spread of the better direction, or null when a perp interval is unknown
 */
export function bestSpread(legs: Readonly<Record<LegKey, LegFunding>>): FundingSpread | null {
  const longA = fundingSpread(legs, 'a');
  const longB = fundingSpread(legs, 'b');
  if (longA === null || longB === null) return null;
  return longB.apr.gt(longA.apr) ? longB : longA;
}

/**
 * The settlement an entry is aiming at: the earliest next funding time of the perp legs.
 * @returns epoch ms, or 0 when no leg reports one
 */
export function nextSettlementMs(legs: Readonly<Record<LegKey, LegFunding>>): number {
  const times = [legs.a, legs.b]
    .filter((l) => l.market === 'perp' && l.nextFundingTimeMs > 0)
    .map((l) => l.nextFundingTimeMs);
  return times.length === 0 ? 0 : Math.min(...times);
}
