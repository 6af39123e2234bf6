/**
 * @module actors/engine/grid-change
 * What moves from a symbol's previous grid to a new one when its config changed: nothing of the
 * old slots themselves (a new config starts from a clean grid, so a level that made sense on the
 * old lattice never starts on the new one), but, explicitly,
 * - the inventory the old slots hold: each holding moves to the new lattice's level at or below
 *   its entry (long; at or above for a short), so it is closed one interval further on at a
 *   price no worse than the old close would have been relative to its entry;
 * - a generation floor: every slot of the new grid continues after the highest generation any
 *   old slot used, so no client order id is ever minted twice for the symbol.
 * Pure: the plan is computed from the persisted document and the new lattice.
 */
import { createActor } from 'xstate';

import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import { levelPrice } from '../../machines/grid-lattice.js';
import { gridSlotMachine, type GridSlotContext } from '../../machines/grid-slot.machine.js';
import type { GridLattice, SlotSetDocument } from './slot-set.js';

/** Inventory one old slot held, quote prices and base quantities as decimal strings. */
export interface Holding {
  /** The old slot's level. */
  readonly slot: number;
  /** Its level price on the old lattice (where the inventory was opened). */
  readonly price: string;
  /** Signed base quantity: positive long, negative short. */
  readonly quantity: string;
}

/** One holding placed on the new lattice. */
export interface CarriedHolding extends Holding {
  /** The new slot that holds and closes it. */
  readonly into: number;
  readonly intoPrice: string;
}

/** How a previous grid gives way to a new one. */
export interface GridChangePlan {
  /** Old slots still working an order: the change must wait until they have settled. */
  readonly working: readonly number[];
  readonly carried: readonly CarriedHolding[];
  /** Every new slot starts after this generation. */
  readonly generationFloor: number;
}

type StoredContext = Partial<GridSlotContext> & { position?: string; generation?: number };

function storedContexts(document: SlotSetDocument): [number, StoredContext, unknown][] {
  return Object.entries(document.slots).map(([index, snapshot]) => {
    const s = snapshot as { context?: StoredContext; value?: unknown };
    return [Number(index), s.context ?? {}, s.value];
  });
}

/**
 * The highest generation any slot of a persisted grid used.
 * @param document - the persisted slots
 * @returns 0 for a grid that never placed an order
 */
export function generationFloor(document: SlotSetDocument | null): number {
  if (!document) return 0;
  let floor = document.generationFloor ?? 0;
  for (const [, context] of storedContexts(document)) {
    if (Number.isSafeInteger(context.generation)) floor = Math.max(floor, context.generation ?? 0);
  }
  return floor;
}

/**
 * The inventory the slots of a persisted grid hold, by slot.
 * @param document - the persisted slots
 * @returns the holdings, ascending by slot; empty when the grid is flat
 */
export function holdingsOf(document: SlotSetDocument): Holding[] {
  const holdings: Holding[] = [];
  for (const [slot, context] of storedContexts(document)) {
    const position = dec(context.position ?? '0');
    if (position.isZero()) continue;
    const price = context.levelPrice ?? levelPrice(document.lattice, slot);
    holdings.push({ slot, price, quantity: toPlain(position) });
  }
  return holdings.sort((a, b) => a.slot - b.slot);
}

/**
 * Plans the move from a persisted grid to a new lattice.
 * @param document - the previous grid's persisted slots
 * @param lattice - the new lattice
 * @returns the plan; `working` non-empty means the change cannot happen yet
 */
export function planGridChange(document: SlotSetDocument, lattice: GridLattice): GridChangePlan {
  const working = storedContexts(document)
    .filter(([, context]) => context.order !== null && context.order !== undefined)
    .map(([slot]) => slot)
    .sort((a, b) => a - b);
  const carried = holdingsOf(document).map((holding) => {
    const into = targetLevel(lattice, holding);
    return { ...holding, into, intoPrice: levelPrice(lattice, into) };
  });
  return { working, carried, generationFloor: generationFloor(document) };
}

/** Long: the highest level at or below the entry; short: the lowest at or above. Both positive. */
function targetLevel(lattice: GridLattice, holding: Holding): number {
  const anchor = dec(lattice.anchorPrice);
  const interval = dec(lattice.interval);
  const offset = dec(holding.price).sub(anchor).div(interval);
  // The lowest level whose price is above zero
  const lowest = anchor.neg().div(interval).floor().add(1).toNumber();
  if (dec(holding.quantity).isPositive()) return Math.max(offset.floor().toNumber(), lowest);
  // A short closes one level down, which must be above zero too
  return Math.max(offset.ceil().toNumber(), lowest + 1);
}

/**
 * The persisted slots of a new grid that starts holding the carried inventory.
 * @param symbol - the symbol
 * @param lattice - the new lattice
 * @param plan - what the previous grid hands over
 * @param namespace - this engine's client order id namespace (the carried slots mint in it)
 * @returns a slot document whose slots hold the carried inventory, or null when none is carried
 */
export function carriedDocument(
  symbol: SymbolId,
  lattice: GridLattice,
  plan: GridChangePlan,
  namespace: string,
): SlotSetDocument | null {
  if (plan.carried.length === 0) return null;
  const byLevel = new Map<number, Decimal>();
  for (const holding of plan.carried) {
    byLevel.set(holding.into, (byLevel.get(holding.into) ?? ZERO).add(holding.quantity));
  }
  const slots: Record<string, ReturnType<typeof gridSlotMachine.getPersistedSnapshot>> = {};
  for (const [index, position] of byLevel) {
    if (position.isZero()) continue;
    const input = {
      namespace,
      symbol,
      slotIndex: index,
      mode: lattice.mode,
      orderQuantity: lattice.orderQuantity,
      anchorPrice: lattice.anchorPrice,
      interval: lattice.interval,
      tickSize: lattice.tickSize,
      generation: plan.generationFloor,
    };
    const base = createActor(gridSlotMachine, { input }).getSnapshot().context;
    const holding = gridSlotMachine.resolveState({
      value: 'holding',
      context: { ...base, position: toPlain(position) },
    });
    slots[String(index)] = gridSlotMachine.getPersistedSnapshot(holding);
  }
  return { format: 1, lattice, slots };
}
