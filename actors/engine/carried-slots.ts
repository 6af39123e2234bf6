/**
 * @module actors/engine/carried-slots
 * Recovery's side of the placement path's single commit. Each placement carries, in the input of
 * the workflow it starts, the snapshot of the slot that places (and the grid's lattice), so the
 * commit that starts the workflow is the only one before the venue call; the actor saves its own
 * snapshot right after. When a crash comes in between, the placing slot's newer state exists only
 * in the workflow input: this merge takes it back, slot by slot, wherever its generation (bumped
 * by every placement) is newer than the saved one. Everything else a lost save held (an ack, a
 * fill, a cancel) the venue still knows, and reconciliation brings it back.
 */
import type { Logger } from 'pino';
import type { Snapshot } from 'xstate';

import type { SymbolId } from '../../core/types.js';
import { clientOrderIdPrefix } from '../../machines/client-order-id.js';
import type { OrderGateway } from './order-gateway.js';
import type { GridLattice, SlotSetDocument } from './slot-set.js';

/** Placements read back at recovery beyond two per slot. */
const CARRIED_MARGIN = 16;

/** The merged document and the slots whose carried state was newer than the saved one. */
export interface MergedSlots {
  readonly document: SlotSetDocument | null;
  readonly taken: readonly number[];
}

/**
 * Merges carried slot states into the saved document.
 * @param saved - the actor's last saved document, or null when it never saved one
 * @param carried - what recent placements carried, newest first (unparsable entries are skipped)
 * @returns the document to restore from, and which slots came from a placement
 */
export function mergeCarriedSlots(
  saved: SlotSetDocument | null,
  carried: readonly unknown[],
): MergedSlots {
  const documents = carried.filter(isSlotDocument);
  const lattice = saved?.lattice ?? documents[0]?.lattice;
  if (!lattice) return { document: saved, taken: [] };
  const slots: Record<string, Snapshot<unknown>> = { ...(saved?.slots ?? {}) };
  // A slot a trailing window dropped after this placement is no part of the grid any more: only
  // a slot spawned after the drop (minting past the floor) can be missing from the save
  const floor = saved?.generationFloor ?? 0;
  const taken = new Set<number>();
  for (const document of documents) {
    // A placement of an earlier grid (the lattice changed since) is no part of this one
    if (!sameLattice(document.lattice, lattice)) continue;
    for (const [index, snapshot] of Object.entries(document.slots)) {
      const known = slots[index];
      if (generationOf(snapshot) > (known === undefined ? floor : generationOf(known))) {
        slots[index] = snapshot;
        taken.add(Number(index));
      }
    }
  }
  if (taken.size === 0) return { document: saved, taken: [] };
  const kept = floor > 0 ? { generationFloor: floor } : {};
  return {
    document: { format: 1, lattice, slots, ...kept },
    taken: [...taken].sort((a, b) => a - b),
  };
}

/**
 * The newest state of a symbol's grid: its last saved document with every slot whose latest
 * placement carried a newer state (the crash came between that placement's start and the save
 * that follows it).
 * @param saved - the last saved document (anything else is returned as it is, for the grid
 *   builder to reject with its own message)
 * @param slotCount - slots the grid has at most (the newest 2 × that + a margin are read back)
 * @returns the document to restore from, and whether it differs from the saved one
 */
export async function latestSlots(options: {
  readonly symbol: SymbolId;
  readonly namespace: string;
  readonly gateway: OrderGateway;
  readonly log: Logger;
  readonly saved: unknown;
  readonly slotCount: number;
}): Promise<{ readonly document: unknown; readonly changed: boolean }> {
  const { symbol, namespace, gateway, log, saved } = options;
  if (saved !== null && !isSlotDocument(saved)) return { document: saved, changed: false };
  const count = Math.max(options.slotCount, Object.keys(saved?.slots ?? {}).length);
  const prefix = clientOrderIdPrefix(namespace, symbol);
  const carried = await gateway.carried(prefix, 2 * count + CARRIED_MARGIN);
  const { document, taken } = mergeCarriedSlots(saved, carried);
  if (taken.length === 0) return { document: saved, changed: false };
  log.info(
    { symbol, slots: taken },
    'resuming slots from the state their last placement carried (the save after it was lost)',
  );
  return { document, changed: true };
}

function generationOf(snapshot: Snapshot<unknown> | undefined): number {
  const context = (snapshot as { context?: { generation?: unknown } } | undefined)?.context;
  return typeof context?.generation === 'number' ? context.generation : -1;
}

function sameLattice(a: GridLattice, b: GridLattice): boolean {
  return (
    a.anchorPrice === b.anchorPrice &&
    a.interval === b.interval &&
    a.tickSize === b.tickSize &&
    a.mode === b.mode &&
    a.orderQuantity === b.orderQuantity
  );
}

/** True when `value` has the shape of a slot document (format 1, a lattice, slots). */
export function isSlotDocument(value: unknown): value is SlotSetDocument {
  const doc = value as Partial<SlotSetDocument> | null;
  return (
    doc?.format === 1 &&
    typeof doc.lattice === 'object' &&
    doc.lattice !== null &&
    typeof doc.slots === 'object' &&
    doc.slots !== null
  );
}
