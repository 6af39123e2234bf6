/**
 * @module connector/venues/sim/matching-engine
 * Price-time priority matching, as pure planning over one market: which resting orders and which
 * synthetic levels an incoming order would take, and which resting orders a price step fills.
 * Planning does not mutate, so FOK, post-only and funds checks can look before anything trades.
 */
import { Decimal, ZERO } from '../../../core/decimal.js';
import type { Side } from '../../../core/exchange.types.js';
import type { BookSide } from './order-book.js';
import { remainingOf, type OrderRecord } from './order-record.js';
import type { SimMarket } from './sim-market.js';

/** One fill an incoming order would get. */
export interface PlannedFill {
  readonly priceTicks: number;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The resting order on the other side, or undefined for synthetic liquidity. */
  readonly maker: OrderRecord | undefined;
  /** Synthetic level index (meaningful when `maker` is undefined). */
  readonly level: number;
}

/** How much of a resting order may fill now (reduce-only orders are clipped to the position). */
export type FillableFn = (maker: OrderRecord, wanted: Decimal) => Decimal;

/**
 * Plans an incoming order against our resting orders and the synthetic book, best price first;
 * at equal prices resting orders come first (they were there before the synthetic refresh).
 * @param limitTicks limit price as a tick index; Infinity (buy) or -Infinity (sell) for market
 * @param quantity base quantity wanted
 */
export function planTaker(
  market: SimMarket,
  side: Side,
  limitTicks: number,
  quantity: Decimal,
  fillable: FillableFn,
): PlannedFill[] {
  const isBuy = side === 'BUY';
  const resting = market.book.opposite(side);
  const plan: PlannedFill[] = [];
  let remaining = quantity;
  let li = 0;
  let si = 0;
  let synthetic = market.syntheticTicks(isBuy, si);
  const withinLimit = (ticks: number): boolean =>
    isBuy ? ticks <= limitTicks : ticks >= limitTicks;
  while (remaining.gt(0)) {
    const userTicks = resting.prices[li];
    const useUser =
      userTicks !== undefined && (synthetic === undefined || !resting.better(synthetic, userTicks));
    if (useUser) {
      if (!withinLimit(userTicks)) break;
      remaining = takeLevel(resting, userTicks, remaining, plan, fillable);
      li++;
      continue;
    }
    if (synthetic === undefined || !withinLimit(synthetic)) break;
    const q = Decimal.min(remaining, market.syntheticAvailable(isBuy, si));
    if (q.gt(0)) {
      const price = market.info.tickSize.mul(synthetic);
      plan.push({ priceTicks: synthetic, price, quantity: q, maker: undefined, level: si });
      remaining = remaining.sub(q);
    }
    synthetic = market.syntheticTicks(isBuy, ++si);
  }
  return plan;
}

function takeLevel(
  side: BookSide,
  ticks: number,
  remaining: Decimal,
  plan: PlannedFill[],
  fillable: FillableFn,
): Decimal {
  let left = remaining;
  for (const maker of side.level(ticks)) {
    if (left.lte(0)) break;
    const q = fillable(maker, Decimal.min(left, remainingOf(maker)));
    if (q.lte(0)) continue;
    plan.push({ priceTicks: ticks, price: maker.price, quantity: q, maker, level: -1 });
    left = left.sub(q);
  }
  return left;
}

/** Total quantity of a plan. */
export function plannedQuantity(plan: readonly PlannedFill[]): Decimal {
  let q = ZERO;
  for (const f of plan) q = q.add(f.quantity);
  return q;
}

/** Total quote value (price x quantity) of a plan. */
export function plannedQuote(plan: readonly PlannedFill[]): Decimal {
  let v = ZERO;
  for (const f of plan) v = v.add(f.price.mul(f.quantity));
  return v;
}

/** A resting order a price step fills, and how much. */
export interface MakerFill {
  readonly maker: OrderRecord;
  readonly quantity: Decimal;
}

/**
 * Resting orders of one side that the market traded through: bids at or above mid, asks at or
 * below it, best price first and FIFO within a level, until `budget` (base units) is used up.
 */
export function planMakerFills(
  side: BookSide,
  midTicks: number,
  budget: Decimal,
  fillable: FillableFn,
): MakerFill[] {
  const fills: MakerFill[] = [];
  let left = budget;
  for (const ticks of side.prices) {
    if (left.lte(0) || side.better(midTicks, ticks)) break;
    for (const maker of side.level(ticks)) {
      if (left.lte(0)) break;
      const q = fillable(maker, Decimal.min(left, remainingOf(maker)));
      if (q.lte(0)) continue;
      fills.push({ maker, quantity: q });
      left = left.sub(q);
    }
  }
  return fills;
}
