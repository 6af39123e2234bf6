/**
 * @module grid-lattice
 * The price lattice of a grid: level k sits at `anchor + k × interval`. The slot machine and the
 * symbol actor both take their prices from here, so a level means the same price everywhere. All
 * math is decimal on decimal strings; nothing here touches a JS float.
 */
import { Decimal, dec, isMultipleOf, toPlain } from '../core/decimal.js';
import type { Side } from '../core/types.js';

/**
 * How a grid trades. `long` only ever buys to open and sells to close, so its inventory is never
 * negative. `neutral` also opens with a sell above the market and closes it with a buy below.
 */
export type GridMode = 'long' | 'neutral';

/** Where the lattice sits. All three are decimal strings in quote units (e.g. USDT). */
export interface LatticeSpec {
  /** Price of level 0; a multiple of `tickSize`. */
  readonly anchorPrice: string;
  /** Distance between adjacent levels; a positive multiple of `tickSize`. */
  readonly interval: string;
  /** The venue's price increment; positive. */
  readonly tickSize: string;
}

/**
 * Fraction of `interval` the market must clear before a level is worth quoting: a maker order
 * closer than this to the market is likely to be rejected as a taker or filled on a wiggle.
 */
export const ENTRY_BUFFER_FRACTION = '0.1';

/**
 * Checks that a lattice only produces prices the venue accepts.
 * @param spec - the lattice to check
 * @returns the reason it is invalid, or null when it is valid
 */
export function latticeSpecError(spec: LatticeSpec): string | null {
  let anchor: Decimal, interval: Decimal, tick: Decimal;
  try {
    anchor = dec(spec.anchorPrice);
    interval = dec(spec.interval);
    tick = dec(spec.tickSize);
  } catch (e) {
    return `lattice has a non-decimal field: ${(e as Error).message}`;
  }
  if (!tick.gt(0)) return `tickSize must be positive, was ${spec.tickSize}`;
  if (!anchor.gt(0)) {
    return `anchorPrice must be positive, was ${spec.anchorPrice}`;
  }
  if (!interval.gt(0)) {
    return `interval must be positive, was ${spec.interval}`;
  }
  if (!isMultipleOf(anchor, tick)) {
    return `anchorPrice must be a multiple of tickSize ${spec.tickSize}, was ${spec.anchorPrice}`;
  }
  if (!isMultipleOf(interval, tick)) {
    return `interval must be a multiple of tickSize ${spec.tickSize}, was ${spec.interval}`;
  }
  return null;
}

/**
 * Price of lattice level `k`. Exact, because anchor and interval are multiples of the tick.
 * @param spec - the lattice
 * @param k - level index; negative levels lie below the anchor
 * @returns the level price, plain decimal string in quote units; ≤ 0 far below the anchor
 */
export function levelPrice(spec: LatticeSpec, k: number): string {
  return toPlain(dec(spec.anchorPrice).add(dec(spec.interval).mul(k)));
}

/**
 * The level closest to a price; an exact midpoint rounds up (toward +∞).
 * @param spec - the lattice
 * @param price - a price in quote units, decimal string
 * @returns the level index
 * @throws {RangeError} when the index is not a safe integer (price absurdly far from the anchor)
 */
export function nearestLevel(spec: LatticeSpec, price: string): number {
  const k = dec(price)
    .sub(dec(spec.anchorPrice))
    .div(dec(spec.interval))
    .toDecimalPlaces(0, Decimal.ROUND_HALF_CEIL)
    .toNumber();
  if (!Number.isSafeInteger(k)) throw new RangeError(`level index out of range, was ${k}`);
  return k;
}

/**
 * Levels a grid quotes around the market: `below` levels under the nearest level and `above`
 * levels over it, nearest first. The nearest level itself is left out; it is too close to quote.
 * @param spec - the lattice
 * @param marketPrice - current price in quote units, decimal string
 * @param below - how many levels under the market (the buy window)
 * @param above - how many levels over the market (the sell window)
 * @returns level indices below and above the market
 */
export function levelsAround(
  spec: LatticeSpec,
  marketPrice: string,
  below: number,
  above: number,
): { readonly below: number[]; readonly above: number[] } {
  const centre = nearestLevel(spec, marketPrice);
  return {
    below: Array.from({ length: below }, (_, i) => centre - i - 1),
    above: Array.from({ length: above }, (_, i) => centre + i + 1),
  };
}

/**
 * Which side opens a position at level `k` given the market, or null when the level should not
 * be quoted. A buy needs the level below the market by at least the buffer; a sell (neutral only)
 * needs it above by the buffer and a positive closing price one level down.
 * @param spec - the lattice
 * @param k - level index
 * @param marketPrice - current price in quote units, decimal string
 * @param mode - long never opens with a sell
 * @returns the opening side, or null
 */
export function entrySide(
  spec: LatticeSpec,
  k: number,
  marketPrice: string,
  mode: GridMode,
): Side | null {
  const level = dec(levelPrice(spec, k));
  if (!level.gt(0)) return null;
  const market = dec(marketPrice);
  const buffer = dec(spec.interval).mul(ENTRY_BUFFER_FRACTION);
  if (level.lt(market.sub(buffer))) return 'BUY';
  if (mode === 'neutral' && level.gt(market.add(buffer)) && level.gt(dec(spec.interval))) {
    return 'SELL';
  }
  return null;
}

/**
 * Where the position opened at level `k` is closed: one interval up for a long, one interval
 * down for a short, so each round trip earns one interval.
 * @param spec - the lattice
 * @param k - level index of the opening order
 * @param entry - side of the opening order
 * @returns the closing price in quote units, decimal string
 */
export function exitPrice(spec: LatticeSpec, k: number, entry: Side): string {
  return levelPrice(spec, entry === 'BUY' ? k + 1 : k - 1);
}

/**
 * Where a position is closed given the market: the lattice exit ({@link exitPrice}), or one tick
 * on the far side of the market when the market has already passed the exit, so the post-only
 * close rests as a maker instead of crossing the book (a long closes with a sell at
 * max(exit, market + tick); a short with a buy at min(exit, market − tick)).
 * @param spec - the lattice
 * @param k - level index of the opening order
 * @param entry - side of the opening order
 * @param marketPrice - current price in quote units, decimal string
 * @returns the closing price in quote units, decimal string; always positive
 */
export function closePrice(spec: LatticeSpec, k: number, entry: Side, marketPrice: string): string {
  const exit = dec(exitPrice(spec, k, entry));
  const tick = dec(spec.tickSize);
  const market = dec(marketPrice);
  if (entry === 'BUY') return toPlain(Decimal.max(exit, market.add(tick)));
  const under = market.sub(tick);
  return toPlain(under.gt(0) ? Decimal.min(exit, under) : exit);
}
