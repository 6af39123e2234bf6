/**
 * @module actors/engine/grid-builder
 * Turns a symbol's grid config and its last persisted snapshot into live slots. A snapshot whose
 * lattice matches the config is restored as it is (the grid resumes exactly where it stopped).
 * A fresh start anchors the lattice at the configured price, or at the market price rounded to
 * the venue's tick. A config whose lattice changed starts a clean grid: none of the old slots
 * come along, the inventory they hold is carried into the new grid explicitly (see
 * grid-change), and every new slot starts after the highest generation the old grid used, so no
 * client order id is minted twice. Only while an old slot still works an order does the change
 * wait (nothing new opens meanwhile).
 *
 * A trailing grid's first window is the one around the market price (not around the anchor), so
 * a restart far from the anchor spawns no slot it would drop on the first tick. With a dynamic
 * interval a new lattice takes the volatility-derived interval, and a persisted lattice whose
 * interval lies within the configured floor and cap still fits the config.
 */
import type { Logger } from 'pino';

import type { Exchange } from '../../core/exchange.port.js';
import { dec, toPlain } from '../../core/decimal.js';
import type { Decimal } from '../../core/decimal.js';
import { latticeSpecError } from '../../machines/grid-lattice.js';
import { trailingWindow } from '../../machines/grid-window.js';
import type { SymbolId } from '../../core/types.js';
import { carriedDocument, generationFloor, planGridChange } from './grid-change.js';
import { wantedInterval } from './grid-planner.js';
import { SlotSet, type GridLattice, type SlotSetDocument } from './slot-set.js';
import { venueFitProblems, type GridConfig } from './symbol.config.js';

/**
 * Level indices a grid config quotes: `levelsBelow` under the anchor and `levelsAbove` over it.
 * Level 0 is the anchor itself, which sits on the market at the first start.
 * @param grid - the grid config
 * @returns the indices, ascending
 */
export function gridWindow(grid: GridConfig): number[] {
  const below = Array.from({ length: grid.levelsBelow }, (_, i) => i - grid.levelsBelow);
  const above = Array.from({ length: grid.levelsAbove }, (_, i) => i + 1);
  return [...below, ...above];
}

/**
 * The slots of a symbol, restored or built.
 * @param exchange - the venue port (symbol info for a new lattice)
 * @param symbol - the symbol
 * @param grid - its grid config
 * @param stored - the last persisted snapshot, or null on a fresh start
 * @param marketPrice - current price, quote units (anchor of a new lattice without one)
 * @param log - where a grid change is reported
 * @param namespace - this engine's client order id namespace
 * @param atr - the latest average true range (dynamic interval), or null when unknown
 * @returns live slots
 * @throws {Error} when the stored snapshot is not a slot document, or the grid does not fit the
 *   venue's filters or puts a level at or below zero
 */
export async function buildSlots(
  exchange: Exchange,
  symbol: SymbolId,
  grid: GridConfig,
  stored: unknown,
  marketPrice: string,
  log: Logger,
  namespace: string,
  atr: Decimal | null = null,
): Promise<SlotSet> {
  const document = stored === null ? null : parseDocument(symbol, stored);
  if (document && latticeFits(document.lattice, grid)) {
    const window = windowFor(grid, document.lattice, marketPrice);
    // Levels the window grew over start after every generation the grid used
    return new SlotSet(
      symbol,
      document.lattice,
      window,
      document,
      namespace,
      floors(window, document),
    );
  }
  const lattice = await latticeFor(exchange, symbol, grid, marketPrice, atr);
  const window = windowFor(grid, lattice, marketPrice);
  if (!document) return new SlotSet(symbol, lattice, window, null, namespace);
  const plan = planGridChange(document, lattice);
  if (plan.working.length > 0) {
    // Their outcome is not known yet: reconcile on the old lattice, open nothing new
    log.warn(
      { symbol, working: plan.working, kept: document.lattice, wanted: lattice },
      'grid config changed while slots of the previous grid work orders: the new grid ' +
        'applies at the next start once they have settled; no new entries meanwhile',
    );
    return new SlotSet(symbol, document.lattice, [], document, namespace);
  }
  const carried = carriedDocument(symbol, lattice, plan, namespace);
  const level = plan.carried.length > 0 ? 'warn' : 'info';
  log[level](
    { symbol, from: document.lattice, to: lattice, carried: plan.carried },
    plan.carried.length > 0
      ? 'grid config changed: new grid, carrying the inventory of the previous one into it'
      : 'grid config changed: new grid',
  );
  return new SlotSet(
    symbol,
    lattice,
    window,
    carried,
    namespace,
    floors(window, null, plan.generationFloor),
  );
}

/** Per window level, the generation a fresh slot starts after. */
function floors(
  window: readonly number[],
  document: SlotSetDocument | null,
  floor = generationFloor(document),
): Map<number, number> {
  const stored = document?.slots ?? {};
  return new Map(window.filter((i) => !(String(i) in stored)).map((i) => [i, floor]));
}

/**
 * The levels a grid quotes when it is built: the configured window, or for a trailing grid the
 * window around the market price.
 */
function windowFor(grid: GridConfig, lattice: GridLattice, marketPrice: string): number[] {
  if (!grid.trailing) return gridWindow(grid);
  const size = { levelsBelow: grid.levelsBelow, levelsAbove: grid.levelsAbove, mode: grid.mode };
  return [...trailingWindow(lattice, marketPrice, size, grid.trailing).levels];
}

/**
 * True when `grid` builds the lattice a persisted grid already has. With a dynamic interval any
 * interval from the configured one up to its cap fits: the lattice's generations chose it.
 */
export function latticeFits(lattice: GridLattice, grid: GridConfig): boolean {
  const dynamic = grid.dynamicInterval;
  const interval = dec(lattice.interval);
  const intervalFits = dynamic
    ? interval.gte(grid.interval) && interval.lte(dynamic.maxInterval)
    : lattice.interval === grid.interval;
  return (
    intervalFits &&
    lattice.mode === grid.mode &&
    lattice.orderQuantity === grid.orderQuantity &&
    (grid.anchorPrice === null || grid.anchorPrice === lattice.anchorPrice)
  );
}

async function latticeFor(
  exchange: Exchange,
  symbol: SymbolId,
  grid: GridConfig,
  marketPrice: string,
  atr: Decimal | null,
): Promise<GridLattice> {
  const info = await exchange.getSymbolInfo(symbol);
  const problems = venueFitProblems(grid, info, marketPrice);
  if (problems.length > 0) {
    throw new Error(`${symbol} grid does not fit ${exchange.name}: ${problems.join('; ')}`);
  }
  const base: GridLattice = {
    anchorPrice: grid.anchorPrice ?? toPlain(dec(marketPrice).toNearest(info.tickSize)),
    interval: grid.interval,
    tickSize: toPlain(info.tickSize),
    mode: grid.mode,
    orderQuantity: grid.orderQuantity,
  };
  const lattice = { ...base, interval: wantedInterval(grid, base, atr) ?? grid.interval };
  const error = latticeSpecError(lattice);
  if (error) throw new Error(`${symbol} lattice is invalid: ${error}`);
  return lattice;
}

/**
 * Reads a persisted snapshot as a slot document.
 * @throws {Error} when it is not one
 */
export function parseDocument(symbol: SymbolId, stored: unknown): SlotSetDocument {
  const doc = stored as Partial<SlotSetDocument> | null;
  const lattice = doc?.lattice as Partial<GridLattice> | undefined;
  const fields = ['anchorPrice', 'interval', 'tickSize', 'orderQuantity'] as const;
  if (
    doc?.format !== 1 ||
    typeof doc.slots !== 'object' ||
    doc.slots === null ||
    !lattice ||
    !fields.every((f) => typeof lattice[f] === 'string') ||
    (lattice.mode !== 'long' && lattice.mode !== 'neutral')
  ) {
    throw new Error(`${symbol} snapshot is not a slot document of format 1`);
  }
  return doc as SlotSetDocument;
}
