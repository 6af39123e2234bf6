/**
 * Recovery of the state placements carried: a slot whose placement started but whose save was
 * lost comes back from the placement's workflow input, slot by slot, only where its generation is
 * newer than the saved one, and only for placements of the same grid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergeCarriedSlots } from '../../../actors/engine/carried-slots.js';
import type { GridLattice, SlotSetDocument } from '../../../actors/engine/slot-set.js';

const LATTICE: GridLattice = {
  anchorPrice: '100000',
  interval: '100',
  tickSize: '0.1',
  mode: 'long',
  orderQuantity: '0.001',
};

const slot = (generation: number, value = 'free') =>
  ({ status: 'active', value, context: { generation } }) as never;

function doc(slots: Record<string, number>, lattice = LATTICE): SlotSetDocument {
  return {
    format: 1,
    lattice,
    slots: Object.fromEntries(Object.entries(slots).map(([k, g]) => [k, slot(g)])),
  };
}

const generations = (d: SlotSetDocument | null) =>
  Object.fromEntries(
    Object.entries(d?.slots ?? {}).map(([k, s]) => [
      k,
      (s as unknown as { context: { generation: number } }).context.generation,
    ]),
  );

describe('mergeCarriedSlots', () => {
  it('takes a carried slot whose generation is newer than the saved one, and only that', () => {
    const saved = doc({ '-1': 3, '-2': 5, '-3': 1 });
    const { document, taken } = mergeCarriedSlots(saved, [
      doc({ '-1': 4 }),
      doc({ '-2': 5 }),
      doc({ '-3': 0 }),
      doc({ '-1': 2 }),
    ]);
    assert.deepEqual(taken, [-1]);
    assert.deepEqual(generations(document), { '-1': 4, '-2': 5, '-3': 1 });
  });

  it('keeps the saved document as it is when nothing carried is newer', () => {
    const saved = doc({ '-1': 3 });
    const merged = mergeCarriedSlots(saved, [doc({ '-1': 3 }), 'garbage', null]);
    assert.equal(merged.document, saved);
    assert.deepEqual(merged.taken, []);
  });

  it('builds the grid from the carried slots when the first save never happened', () => {
    const { document, taken } = mergeCarriedSlots(null, [doc({ '-1': 1 }), doc({ '-2': 1 })]);
    assert.deepEqual(taken, [-2, -1]);
    assert.deepEqual(document?.lattice, LATTICE);
    assert.deepEqual(generations(document), { '-1': 1, '-2': 1 });
  });

  it('ignores placements of an earlier grid whose lattice has changed since', () => {
    const saved = doc({ '-1': 3 });
    const earlier = doc({ '-1': 9 }, { ...LATTICE, anchorPrice: '90000' });
    assert.deepEqual(mergeCarriedSlots(saved, [earlier]).taken, []);
  });

  it('ignores a carried slot a trailing window dropped since, and keeps the floor', () => {
    // Slot -5 placed (generation 4), then was dropped (floor 4); slot 2 was spawned after the
    // drop and placed (generation 5) before the save that holds it was lost
    const saved = { ...doc({ '-1': 6 }), generationFloor: 4 };
    const { document, taken } = mergeCarriedSlots(saved, [doc({ '2': 5 }), doc({ '-5': 4 })]);
    assert.deepEqual(taken, [2]);
    assert.deepEqual(generations(document), { '-1': 6, '2': 5 });
    assert.equal(document?.generationFloor, 4);
  });
});
