/**
 * @module actors/engine/grid-planner
 * Where one symbol's grid quotes on this tick, from its config, its slots and the market: the
 * trailing window (centred on the price, or on the inventory-skewed centre), and whether the
 * volatility-derived interval asks for a new lattice generation.
 *
 * A new interval never reprices a resting order: it applies to a new lattice generation only,
 * and a new generation starts only from an idle grid. While the grid holds inventory (or works a
 * close) the change waits; once it is flat the grid drains (every resting entry is pulled,
 * nothing opens), and once idle the planner hands the actor the new lattice. A change smaller
 * than machines/grid-window's threshold is ignored, so the lattice does not churn.
 */
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import { levelPrice, nearestLevel } from '../../machines/grid-lattice.js';
import {
  effectiveInterval,
  intervalChanged,
  skewedCentre,
  trailingWindow,
  type TrailingWindow,
} from '../../machines/grid-window.js';
import type { GridLattice, SlotSet } from './slot-set.js';
import type { GridConfig } from './symbol.config.js';

/** What the grid does on this tick besides quoting. */
export interface GridPlan {
  /** The trailing window; undefined for a grid whose window the config fixes. */
  readonly window?: TrailingWindow;
  /** Pull every entry, open none: a new lattice waits for the grid to be idle. */
  readonly draining: boolean;
  /** Start this lattice generation now (the grid is idle). */
  readonly relattice?: GridLattice;
}

/**
 * The plan for one tick.
 * @param grid - the symbol's grid config
 * @param slots - its slots (read only)
 * @param marketPrice - current price, quote units
 * @param atr - the latest average true range, or null when unknown (no interval change)
 * @returns the plan
 */
export function planGrid(
  grid: GridConfig,
  slots: SlotSet,
  marketPrice: string,
  atr: Decimal | null,
): GridPlan {
  const wanted = wantedInterval(grid, slots.lattice, atr);
  if (wanted !== null && !slots.holdsInventory()) {
    if (!slots.isIdle()) return { draining: true };
    const lattice = {
      ...slots.lattice,
      anchorPrice: grid.anchorPrice ?? toPlain(dec(marketPrice).toNearest(slots.lattice.tickSize)),
      interval: wanted,
    };
    return { draining: false, relattice: lattice, ...windowOf(grid, lattice, marketPrice, slots) };
  }
  return { draining: false, ...windowOf(grid, slots.lattice, marketPrice, slots) };
}

/**
 * The interval a new lattice would get now, or null when the current one stays.
 * @param grid - the grid config (its `dynamicInterval`)
 * @param lattice - the current lattice
 * @param atr - the latest ATR, or null
 */
export function wantedInterval(
  grid: GridConfig,
  lattice: GridLattice,
  atr: Decimal | null,
): string | null {
  const dynamic = grid.dynamicInterval;
  if (!dynamic || atr === null) return null;
  const spec = {
    interval: grid.interval,
    atrScale: dynamic.atrScale,
    maxInterval: dynamic.maxInterval,
    tickSize: lattice.tickSize,
  };
  const wanted = effectiveInterval(spec, atr);
  return intervalChanged(lattice.interval, wanted) ? wanted : null;
}

function windowOf(
  grid: GridConfig,
  lattice: GridLattice,
  marketPrice: string,
  slots: SlotSet,
): { window?: TrailingWindow } {
  const trailing = grid.trailing;
  if (!trailing) return {};
  const skew = grid.inventorySkew;
  const centre = skew
    ? skewedCentre(marketPrice, toPlain(slots.position()), {
        factor: skew.factor,
        maxShift: toPlain(dec(skew.maxShiftPct).div(100)),
      })
    : marketPrice;
  const cached = windows.get(grid);
  const at = dec(centre);
  if (cached?.lattice === lattice && at.gte(cached.from) && at.lt(cached.to)) {
    return { window: cached.window };
  }
  const size = { levelsBelow: grid.levelsBelow, levelsAbove: grid.levelsAbove, mode: grid.mode };
  const window = trailingWindow(lattice, centre, size, trailing);
  // Every centre price that rounds to the same level gives the same window (the nearest level
  // rounds a midpoint up); a centre held by the drift bound is not cached
  if (window.centre === nearestLevel(lattice, centre)) {
    const half = dec(lattice.interval).div(2);
    const level = dec(levelPrice(lattice, window.centre));
    windows.set(grid, { lattice, from: level.sub(half), to: level.add(half), window });
  }
  return { window };
}

/** The last window of each grid, and the centre prices it holds for. */
const windows = new WeakMap<
  GridConfig,
  { lattice: GridLattice; from: Decimal; to: Decimal; window: TrailingWindow }
>();
