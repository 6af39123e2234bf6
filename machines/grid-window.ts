/**
 * @module grid-window
 * Where a grid quotes, as pure functions of the market: the trailing window (the buy levels, and
 * in neutral mode the sell levels, around the lattice level nearest the price), the inventory
 * skew that moves that centre, and the volatility-derived interval (ATR) a new lattice uses.
 *
 * The original (original-facts 3.5) had three defects fixed here: the skewed price also replaced
 * the market in the entry buffer check (so a skewed grid could quote a buy above the market), the
 * skew was unbounded (price × (1 − inventory × k) reaches zero or below with enough inventory),
 * and the ATR-derived interval re-priced the lattice under resting orders. Here the skew moves
 * only the centre and is capped, the buffer is always checked against the real market (by the
 * slot machine), and an effective interval is only ever used for a new lattice (the symbol actor
 * decides when; see actors/engine/grid-planner).
 *
 * All prices are decimal strings in quote units; nothing here touches a JS float.
 */
import {
  ceilToStep,
  dec,
  Decimal,
  floorToStep,
  toPlain,
  ZERO,
  type DecimalInput,
} from '../core/decimal.js';
import { levelPrice, nearestLevel, type GridMode, type LatticeSpec } from './grid-lattice.js';

/** Optional limits a trailing window stays within. */
export interface TrailingBounds {
  /** The centre stays within anchor level ± this many levels; null: unbounded. */
  readonly maxDriftLevels: number | null;
  /** No entry below this price (quote units); null: none. */
  readonly lowerPrice: string | null;
  /** No entry above this price (quote units); null: none. */
  readonly upperPrice: string | null;
}

/** How many levels a grid quotes on each side of its centre. */
export interface WindowSize {
  /** Buy levels under the centre. */
  readonly levelsBelow: number;
  /** Sell levels over the centre; used in neutral mode only. */
  readonly levelsAbove: number;
  readonly mode: GridMode;
}

/** A trailing window: the levels that may open, and the wider range resting entries may keep. */
export interface TrailingWindow {
  /** The (bounded) centre level. */
  readonly centre: number;
  /** Levels that may open an entry, ascending. */
  readonly levels: readonly number[];
  /**
   * Resting entries on levels from `keepFrom` to `keepTo` (inclusive) stay; any other is pulled.
   * One level wider than `levels` on each far side (and, long, up to the centre level), so a
   * price wobbling around the midpoint between two levels does not cancel and re-place the same
   * order on every tick.
   */
  readonly keepFrom: number;
  readonly keepTo: number;
}

/** Levels beyond the window, on each far side, whose resting entries are not pulled yet. */
export const TRAILING_SLACK_LEVELS = 1;

/**
 * The window of a trailing grid at `centrePrice`.
 * @param spec - the lattice
 * @param centrePrice - the (possibly skewed) price the window centres on, quote units
 * @param size - levels per side and the mode (long quotes buys only)
 * @param bounds - limits on the centre and on entry prices
 * @returns the window; `levels` is empty when the bounds leave nothing to quote
 */
export function trailingWindow(
  spec: LatticeSpec,
  centrePrice: string,
  size: WindowSize,
  bounds: TrailingBounds,
): TrailingWindow {
  let centre = nearestLevel(spec, centrePrice);
  if (bounds.maxDriftLevels !== null) {
    centre = Math.min(bounds.maxDriftLevels, Math.max(-bounds.maxDriftLevels, centre));
  }
  const below = Array.from({ length: size.levelsBelow }, (_, i) => centre - size.levelsBelow + i);
  const above =
    size.mode === 'neutral'
      ? Array.from({ length: size.levelsAbove }, (_, i) => centre + i + 1)
      : [];
  const lower = bounds.lowerPrice === null ? null : dec(bounds.lowerPrice);
  const upper = bounds.upperPrice === null ? null : dec(bounds.upperPrice);
  const levels = [...below, ...above].filter((k) => {
    const price = dec(levelPrice(spec, k));
    return (
      price.gt(0) && (lower === null || price.gte(lower)) && (upper === null || price.lte(upper))
    );
  });
  return {
    centre,
    levels,
    keepFrom: centre - size.levelsBelow - TRAILING_SLACK_LEVELS,
    // Long: a buy resting on the centre level sits below the market (one above it would have
    // filled), so it stays while the price wobbles around the midpoint over it
    keepTo: above.length > 0 ? centre + size.levelsAbove + TRAILING_SLACK_LEVELS : centre,
  };
}

/** Inventory skew: how far held inventory moves the window's centre. */
export interface SkewSpec {
  /** Fraction of the price the centre moves per base unit held (k), decimal string > 0. */
  readonly factor: string;
  /** The most the centre moves either way, as a fraction of the price, decimal string in (0, 1). */
  readonly maxShift: string;
}

/**
 * The skewed centre: price × (1 − clamp(inventory × k, ±maxShift)). Long inventory moves it down
 * (the next buys sit further below the market), short inventory moves it up.
 * @param price - the market price, quote units
 * @param inventory - signed net inventory, base units (positive long)
 * @param skew - the factor and its cap
 * @returns the centre price, quote units, decimal string; always positive
 */
export function skewedCentre(price: string, inventory: string, skew: SkewSpec): string {
  const cap = dec(skew.maxShift);
  const shift = Decimal.min(cap, Decimal.max(cap.neg(), dec(inventory).mul(skew.factor)));
  return toPlain(dec(price).mul(dec(1).sub(shift)));
}

/** The price extremes of one candle, decimal strings or decimals in quote units. */
export interface CandleRange {
  readonly high: DecimalInput;
  readonly low: DecimalInput;
  readonly close: DecimalInput;
  readonly isClosed: boolean;
}

/**
 * Average true range over the last `window` closed candles (a simple mean, as the original's risk
 * monitor computes it); unclosed candles are ignored, so a candle still forming never moves it.
 * @param candles - candles in time order, oldest first
 * @param window - closed candles to average over, ≥ 1
 * @returns the ATR in quote units, or null with fewer than `window` closed candles
 */
export function averageTrueRange(candles: readonly CandleRange[], window: number): Decimal | null {
  const closed = candles.filter((c) => c.isClosed);
  if (window < 1 || closed.length < window) return null;
  const start = closed.length - window;
  let total = ZERO;
  for (let i = start; i < closed.length; i++) {
    const c = closed[i]!;
    const high = dec(c.high);
    const low = dec(c.low);
    let range = high.sub(low);
    const previous = closed[i - 1];
    if (previous) {
      const prevClose = dec(previous.close);
      range = Decimal.max(range, high.sub(prevClose).abs(), low.sub(prevClose).abs());
    }
    total = total.add(range);
  }
  return total.div(window);
}

/** How volatility widens the interval of a new lattice. */
export interface DynamicIntervalSpec {
  /** The configured interval: the floor, quote units. */
  readonly interval: string;
  /** Multiplier on the ATR, decimal string > 0. */
  readonly atrScale: string;
  /** The ceiling of the effective interval, quote units. */
  readonly maxInterval: string;
  /** The venue's price increment. */
  readonly tickSize: string;
}

/**
 * The interval a new lattice uses: max(interval, ATR × scale), rounded up to the tick and capped
 * at `maxInterval` (rounded down to the tick, never under `interval`).
 * @param spec - the configured interval, scale, cap and tick
 * @param atr - the average true range, or null when it is not known yet (then the floor)
 * @returns the effective interval, a positive multiple of the tick, decimal string
 */
export function effectiveInterval(spec: DynamicIntervalSpec, atr: Decimal | null): string {
  const floor = dec(spec.interval);
  if (atr === null) return toPlain(floor);
  const tick = dec(spec.tickSize);
  const cap = Decimal.max(floor, floorToStep(dec(spec.maxInterval), tick));
  const wanted = ceilToStep(atr.mul(spec.atrScale), tick);
  return toPlain(Decimal.min(cap, Decimal.max(floor, wanted)));
}

/**
 * Relative change between two intervals below which a new lattice is not worth building (every
 * new lattice cancels the grid's entries and re-places them): 10 %.
 */
export const INTERVAL_CHANGE_THRESHOLD = '0.1';

/**
 * True when `wanted` differs from `current` by at least {@link INTERVAL_CHANGE_THRESHOLD}.
 * @param current - the lattice's interval, quote units
 * @param wanted - the effective interval now, quote units
 */
export function intervalChanged(current: string, wanted: string): boolean {
  const a = dec(current);
  return dec(wanted).sub(a).abs().gte(a.mul(INTERVAL_CHANGE_THRESHOLD));
}
