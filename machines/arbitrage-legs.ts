/**
 * @module arbitrage-legs
 * The pure arithmetic of an arbitrage pair's two legs: positions built only from executed
 * quantities, the hedge check, and the size of every order the position machine places. Every
 * size here derives from executed quantities (REQ-ARB-004): the second entry leg matches what the
 * first actually executed, and every compensation, exit and repair order reduces one leg by what
 * the fills say it holds, never by what was requested.
 *
 * Quantities are base units as decimal strings; a leg's position is signed (positive long).
 */
import { dec, Decimal, floorToStep, toPlain, ZERO } from '../core/decimal.js';
import type { ClientOrderId, Side } from '../core/types.js';
import type { LegOrderPurpose } from './arbitrage-order-id.js';
import { otherLeg, type LegKey, type LegMarket } from './arbitrage-pair.js';

/** One leg as the position machine tracks it; plain JSON so snapshots persist. */
export interface LegState {
  readonly venue: string;
  readonly market: LegMarket;
  readonly symbol: string;
  /** The venue's step size for the leg's symbol, base units. */
  readonly stepSize: string;
  /** Signed base quantity held from our own fills: positive long, negative short. */
  readonly position: string;
  /** Orders of this leg go to the spot margin account (a spot short on borrowed coins). */
  readonly useMargin: boolean;
}

/** Both legs, by key. */
export type Legs = Readonly<Record<LegKey, LegState>>;

/** The one order a pair may be working. Quantities are base units, decimal strings. */
export interface WorkingLegOrder {
  readonly clientOrderId: ClientOrderId;
  readonly leg: LegKey;
  readonly purpose: LegOrderPurpose;
  readonly side: Side;
  readonly quantity: string;
  /** Cumulative executed quantity already applied to the leg's position. */
  readonly filledQuantity: string;
  /** Cumulative fee charged in the base asset, already applied (a spot buy's fee in BTC). */
  readonly feeBase: string;
  readonly reduceOnly: boolean;
  readonly useMargin: boolean;
}

/** A leg and a quantity to trade on it. */
export interface LegOrderPlan {
  readonly leg: LegKey;
  readonly side: Side;
  readonly quantity: string;
  /** Whether the order lowers the leg's |position| (reduce-only on a perp). */
  readonly reduces: boolean;
}

/** a + b: the pair's net base exposure (zero when perfectly hedged). */
export function netExposure(legs: Legs): Decimal {
  return dec(legs.a.position).add(legs.b.position);
}

/** True when |a + b| is within `tolerance` base units. */
export function isBalanced(legs: Legs, tolerance: string): boolean {
  return netExposure(legs).abs().lte(tolerance);
}

/** True when both legs hold at most `tolerance` base units: nothing worth trading is left. */
export function isFlat(legs: Legs, tolerance: string): boolean {
  return dec(legs.a.position).abs().lte(tolerance) && dec(legs.b.position).abs().lte(tolerance);
}

/** The side that lowers |position|. */
function reducingSide(position: Decimal): Side {
  return position.isPositive() ? 'SELL' : 'BUY';
}

/**
 * The second entry leg: matches the net exposure the first leg's fills created, on the side
 * that cancels it, rounded down to the second leg's step.
 * @returns the plan, or null when the executed quantity rounds to nothing
 */
export function hedgePlan(legs: Legs, second: LegKey): LegOrderPlan | null {
  const net = netExposure(legs);
  const quantity = floorToStep(net.abs(), dec(legs[second].stepSize));
  if (quantity.lte(0)) return null;
  const side: Side = net.isPositive() ? 'SELL' : 'BUY';
  const held = dec(legs[second].position);
  const reduces = !held.isZero() && side === reducingSide(held) && quantity.lte(held.abs());
  return { leg: second, side, quantity: toPlain(quantity), reduces };
}

/**
 * A repair (compensation, exit match, re-hedge): reduce the leg with the larger |position| by
 * the net exposure, capped at what it holds, rounded down to its step. After a failed second
 * entry leg that is the first leg's executed quantity; after a failed exit leg, the rest of it.
 * @returns the plan, or null when nothing placeable would lower the imbalance
 */
export function repairPlan(legs: Legs): LegOrderPlan | null {
  const net = netExposure(legs);
  const a = dec(legs.a.position);
  const b = dec(legs.b.position);
  const larger: LegKey = a.abs().gte(b.abs()) ? 'a' : 'b';
  const held = larger === 'a' ? a : b;
  const quantity = floorToStep(Decimal.min(net.abs(), held.abs()), dec(legs[larger].stepSize));
  if (quantity.lte(0)) return null;
  return { leg: larger, side: reducingSide(held), quantity: toPlain(quantity), reduces: true };
}

/**
 * The first exit leg: bring `leg` down to `targetSize` (|position|, base units), rounded down
 * to its step. The other leg then follows by the net this creates (a repair plan).
 * @returns the plan, or null when the leg is already at or within one step of the target
 */
export function closePlan(legs: Legs, leg: LegKey, targetSize: string): LegOrderPlan | null {
  const held = dec(legs[leg].position);
  const excess = held.abs().sub(targetSize);
  const quantity = floorToStep(excess.isNegative() ? ZERO : excess, dec(legs[leg].stepSize));
  if (quantity.lte(0)) return null;
  return { leg, side: reducingSide(held), quantity: toPlain(quantity), reduces: true };
}

/**
 * The leg an exit closes first: the reverse of entry, so the hedge leg goes first and the leg
 * that was traded first (usually spot) follows by what the hedge leg actually executed.
 */
export function exitFirstLeg(firstLeg: LegKey): LegKey {
  return otherLeg(firstLeg);
}

/**
 * Applies one report of the working order to its leg: the position moves by the executed
 * quantity since the last report (buys up, sells down) less any new fee paid in the base asset.
 * @param filledQuantity - the order's cumulative executed quantity (base units)
 * @param feeBase - the order's cumulative fee in the base asset (base units)
 * @returns the legs and the order with the report applied
 */
export function applyExecution(
  legs: Legs,
  order: WorkingLegOrder,
  filledQuantity: string,
  feeBase: string,
): { legs: Legs; order: WorkingLegOrder } {
  const filled = dec(filledQuantity);
  const fee = dec(feeBase);
  const executed = filled.sub(order.filledQuantity);
  const feeDelta = fee.sub(order.feeBase);
  const signed = order.side === 'BUY' ? executed : executed.neg();
  const leg = legs[order.leg];
  const position = dec(leg.position).add(signed).sub(feeDelta);
  return {
    legs: { ...legs, [order.leg]: { ...leg, position: toPlain(position) } },
    order: { ...order, filledQuantity: toPlain(filled), feeBase: toPlain(fee) },
  };
}

/**
 * Checks a cumulative report against the working order: it must only grow and never exceed the
 * order's quantity (a reduce-only order may fill less than it asked for).
 * @returns the cumulative quantities to apply, or null when the report is stale or impossible
 */
export function freshExecution(
  order: WorkingLegOrder,
  filledQuantity: string,
  feeBase: string | undefined,
): { filledQuantity: string; feeBase: string } | null {
  const filled = dec(filledQuantity);
  if (filled.isNegative() || filled.gt(order.quantity)) return null;
  const fee = feeBase === undefined ? dec(order.feeBase) : dec(feeBase);
  if (fee.isNegative() || fee.gt(filled)) return null;
  // A report older than what was applied must not undo a fill
  const cumulative = filled.lt(order.filledQuantity) ? dec(order.filledQuantity) : filled;
  const cumulativeFee = fee.lt(order.feeBase) ? dec(order.feeBase) : fee;
  return { filledQuantity: toPlain(cumulative), feeBase: toPlain(cumulativeFee) };
}
