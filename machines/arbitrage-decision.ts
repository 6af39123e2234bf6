/**
 * @module arbitrage-decision
 * What an arbitrage pair should do now, as a pure function of its legs' funding, its feeds'
 * freshness, its position and its thresholds: enter (in which direction), exit, or hold (and why).
 *
 * - Entries need every leg's feed fresh (REQ-ARB-002, REQ-METRICS-005), the spread's APR at or
 *   above the entry threshold, and the funding expected over the holding horizon to beat the
 *   round trip's fees and slippage on both legs plus, for a spot short, the borrow interest.
 * - Exits happen when the APR of the held direction falls below the exit threshold (below the
 *   entry threshold: hysteresis, so a spread hovering at one level does not churn), but not before
 *   the minimum holding time, and not in the last minutes before a settlement that still pays us.
 * - A stale or missing feed never triggers an exit by itself: the risk layer decides on that.
 *
 * All money is decimal.js; rates, fees, slippage and APRs are fractions (0.001 = 0.1 %).
 */
import { Decimal, ZERO } from '../core/decimal.js';
import { needsMargin, type LegKey } from './arbitrage-pair.js';
import {
  bestSpread,
  fundingSpread,
  MS_PER_YEAR,
  nextSettlementMs,
  type FundingSpread,
  type LegFunding,
} from './arbitrage-spread.js';

/** Trading costs of one leg, fractions of the traded notional per trade. */
export interface LegCosts {
  /** Taker fee per trade (0.0005 = 5 bps). */
  readonly takerFee: Decimal;
  /** Expected slippage per market order against the reference price. */
  readonly slippage: Decimal;
}

/** The thresholds of one pair; validated by the pair's config schema. */
export interface ArbitrageThresholds {
  /** Enter when the APR of the better direction is at least this (0.1 = 10 %/year). */
  readonly entryApr: Decimal;
  /** Exit when the APR of the held direction falls below this; below entryApr. */
  readonly exitApr: Decimal;
  /** Spread-driven exits wait this long after the entry, ms. */
  readonly minHoldMs: number;
  /** The horizon the entry economics assume the position is held, ms; at least minHoldMs. */
  readonly expectedHoldMs: number;
  /** After an exit, no entry for this long, ms. */
  readonly reentryCooldownMs: number;
  /** A spread-driven exit waits when a settlement that still pays us is this close, ms. */
  readonly holdThroughFundingMs: number;
  /** Whether a spot leg may be shorted on margin (the negative-funding direction). */
  readonly allowSpotShort: boolean;
  /** Interest on a spot short's borrowed coins, per year (fraction). */
  readonly borrowApr: Decimal;
  readonly costs: Readonly<Record<LegKey, LegCosts>>;
}

/** One leg's funding plus whether its feeds (funding and price) are fresh enough to act on. */
export interface LegView extends LegFunding {
  /** Null when fresh; otherwise why not ("FEED_STALE", "FEED_MISSING"). */
  readonly feedProblem: 'FEED_STALE' | 'FEED_MISSING' | null;
}

/** The pair's position as the decision needs it. */
export interface PositionView {
  /** `busy` while an entry, exit or repair is in flight: no new decision then. */
  readonly state: 'flat' | 'hedged' | 'busy';
  /** The long leg of the held position; null when flat. */
  readonly long: LegKey | null;
  readonly enteredAtMs: number | null;
  /** When the last position was closed, epoch ms; null if never. */
  readonly exitedAtMs: number | null;
}

/** The expected economics of an entry over the holding horizon, fractions of notional. */
export interface EntryEconomics {
  readonly expectedFunding: Decimal;
  readonly roundTripCost: Decimal;
  readonly borrowCost: Decimal;
  /** expectedFunding − roundTripCost − borrowCost. */
  readonly netEdge: Decimal;
  /** netEdge per year of holding. */
  readonly netApr: Decimal;
}

/** Why a pair holds. */
export type HoldReason =
  | 'BUSY'
  | 'FEED_STALE'
  | 'FEED_MISSING'
  | 'INTERVAL_UNKNOWN'
  | 'COOLDOWN'
  | 'BELOW_ENTRY'
  | 'SPOT_SHORT_DISABLED'
  | 'COSTS_EXCEED_FUNDING'
  | 'ABOVE_EXIT'
  | 'MIN_HOLD'
  | 'FUNDING_IMMINENT';

/** What the pair should do. */
export type ArbitrageDecision =
  | {
      readonly action: 'enter';
      readonly long: LegKey;
      readonly spread: FundingSpread;
      readonly economics: EntryEconomics;
      /** The settlement the entry aims at; goes into the order ids. */
      readonly nextFundingTimeMs: number;
    }
  | {
      readonly action: 'exit';
      readonly reason: 'SPREAD_BELOW_EXIT' | 'DIRECTION_FLIPPED';
      readonly spread: FundingSpread;
    }
  | { readonly action: 'hold'; readonly reason: HoldReason; readonly spread: FundingSpread | null };

const hold = (reason: HoldReason, spread: FundingSpread | null = null): ArbitrageDecision => ({
  action: 'hold',
  reason,
  spread,
});

/**
 * The economics of entering `spread` for `expectedHoldMs`: funding at today's APR against both
 * legs' fees and slippage in and out, plus the borrow interest of a spot short.
 */
export function entryEconomics(
  spread: FundingSpread,
  legs: Readonly<Record<LegKey, LegView>>,
  t: ArbitrageThresholds,
): EntryEconomics {
  const years = new Decimal(t.expectedHoldMs).div(MS_PER_YEAR);
  const perTrade = (leg: LegKey) => t.costs[leg].takerFee.add(t.costs[leg].slippage);
  // Each leg trades twice: in and out
  const roundTripCost = perTrade('a').add(perTrade('b')).mul(2);
  const spotShort = needsMargin(legs[spread.short].market, false);
  const borrowCost = spotShort ? t.borrowApr.mul(years) : ZERO;
  const expectedFunding = spread.apr.mul(years);
  const netEdge = expectedFunding.sub(roundTripCost).sub(borrowCost);
  return {
    expectedFunding,
    roundTripCost,
    borrowCost,
    netEdge,
    netApr: years.isZero() ? ZERO : netEdge.div(years),
  };
}

/**
 * What the settlement at `atMs` pays the position per unit of notional: the short legs that
 * settle then receive their rate, the long legs pay theirs (fractions; negative = we pay).
 */
export function settlementPayment(
  legs: Readonly<Record<LegKey, LegFunding>>,
  long: LegKey,
  atMs: number,
): Decimal {
  let payment = ZERO;
  for (const key of ['a', 'b'] as const) {
    const leg = legs[key];
    if (leg.market !== 'perp' || leg.nextFundingTimeMs !== atMs) continue;
    payment = key === long ? payment.sub(leg.rate) : payment.add(leg.rate);
  }
  return payment;
}

function feedProblem(legs: Readonly<Record<LegKey, LegView>>): HoldReason | null {
  if (legs.a.feedProblem === 'FEED_MISSING' || legs.b.feedProblem === 'FEED_MISSING') {
    return 'FEED_MISSING';
  }
  return legs.a.feedProblem ?? legs.b.feedProblem;
}

function decideEntry(
  legs: Readonly<Record<LegKey, LegView>>,
  position: PositionView,
  t: ArbitrageThresholds,
  nowMs: number,
): ArbitrageDecision {
  const problem = feedProblem(legs);
  if (problem) return hold(problem);
  const spread = bestSpread(legs);
  if (!spread) return hold('INTERVAL_UNKNOWN');
  if (position.exitedAtMs !== null && nowMs - position.exitedAtMs < t.reentryCooldownMs) {
    return hold('COOLDOWN', spread);
  }
  if (spread.apr.lt(t.entryApr)) return hold('BELOW_ENTRY', spread);
  if (needsMargin(legs[spread.short].market, false) && !t.allowSpotShort) {
    return hold('SPOT_SHORT_DISABLED', spread);
  }
  const economics = entryEconomics(spread, legs, t);
  if (!economics.netEdge.gt(0)) return hold('COSTS_EXCEED_FUNDING', spread);
  return {
    action: 'enter',
    long: spread.long,
    spread,
    economics,
    nextFundingTimeMs: nextSettlementMs(legs),
  };
}

function decideExit(
  legs: Readonly<Record<LegKey, LegView>>,
  long: LegKey,
  enteredAtMs: number | null,
  t: ArbitrageThresholds,
  nowMs: number,
): ArbitrageDecision {
  // Unknown funding is no reason to trade; the risk layer acts on stale feeds
  const problem = feedProblem(legs);
  if (problem) return hold(problem);
  const spread = fundingSpread(legs, long);
  if (!spread) return hold('INTERVAL_UNKNOWN');
  if (spread.apr.gte(t.exitApr)) return hold('ABOVE_EXIT', spread);
  if (enteredAtMs !== null && nowMs - enteredAtMs < t.minHoldMs) return hold('MIN_HOLD', spread);
  const next = nextSettlementMs(legs);
  const untilSettlement = next - nowMs;
  if (
    untilSettlement > 0 &&
    untilSettlement <= t.holdThroughFundingMs &&
    settlementPayment(legs, long, next).gt(0)
  ) {
    return hold('FUNDING_IMMINENT', spread);
  }
  const reason = spread.apr.isNegative() ? 'DIRECTION_FLIPPED' : 'SPREAD_BELOW_EXIT';
  return { action: 'exit', reason, spread };
}

/**
 * Decides what the pair should do now.
 * @param legs - both legs' funding and feed freshness
 * @param position - the pair's position state
 * @param thresholds - the pair's thresholds and costs
 * @param nowMs - current time, epoch ms (from the actor's clock, never read here)
 * @returns enter (with direction and economics), exit (with reason) or hold (with reason)
 */
export function decideArbitrage(
  legs: Readonly<Record<LegKey, LegView>>,
  position: PositionView,
  thresholds: ArbitrageThresholds,
  nowMs: number,
): ArbitrageDecision {
  if (position.state === 'busy') return hold('BUSY');
  if (position.state === 'flat') return decideEntry(legs, position, thresholds, nowMs);
  if (position.long === null) throw new Error('a hedged pair must know its long leg');
  return decideExit(legs, position.long, position.enteredAtMs, thresholds, nowMs);
}
