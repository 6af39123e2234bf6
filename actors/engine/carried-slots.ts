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
import type { Snapshot } from 'xstate';

import type { GridLattice, SlotSetDocument } from './slot-set.js';

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
  const taken = new Set<number>();
  for (const document of documents) {
    // A placement of an earlier grid (the lattice changed since) is no part of this one
    if (!sameLattice(document.lattice, lattice)) continue;
    for (const [index, snapshot] of Object.entries(document.slots)) {
      if (generationOf(snapshot) > generationOf(slots[index])) {
        slots[index] = snapshot;
        taken.add(Number(index));
      }
    }
  }
  if (taken.size === 0) return { document: saved, taken: [] };
  return { document: { format: 1, lattice, slots }, taken: [...taken].sort((a, b) => a - b) };
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
