/**
 * @module test/actors/engine/trailing-grid.model
 * Model-based test of the trailing grid. The model is a price path that falls, turns once and
 * rises (a pure machine walked by `xstate/graph`); every simple path is replayed on the system
 * under test: a slot set quoted by the trailing window on a paper venue that fills what the
 * market crosses and acknowledges cancels. After every step, once the grid has settled, the
 * invariants hold: no client order id twice and never two live orders on a slot (the venue
 * checks on every command), inventory equals the venue's fills, every slot that holds inventory
 * works its close, no entry rests beyond the window's keep range, and every window level the
 * market allows an entry on has one (the buys follow the price).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup, type SnapshotFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';

import { VirtualClock } from '../../../core/clock.js';
import { dec, toPlain } from '../../../core/decimal.js';
import type { SymbolId } from '../../../core/types.js';
import { entrySide, type GridMode } from '../../../machines/grid-lattice.js';
import { trailingWindow, type TrailingWindow } from '../../../machines/grid-window.js';
import { quoteGrid } from '../../../actors/engine/grid-quoter.js';
import { RefusalCooldown } from '../../../actors/engine/refusal-cooldown.js';
import { SlotSet, type GridLattice } from '../../../actors/engine/slot-set.js';
import { PaperGrid } from './paper-grid.js';

/**
 * Price moves in quote units (the interval is 100): a small one that may or may not move the
 * window, and a large one that moves it by one level or two. The path stays within ±200 (two intervals either way of the start).
 */
const SMALL = 40;
const LARGE = 130;
const BOUND = 200;

type PriceEvent =
  | { type: 'price.dip' }
  | { type: 'price.drop' }
  | { type: 'trend.turn' }
  | { type: 'price.tick' }
  | { type: 'price.jump' };

const pricePath = setup({
  types: {
    context: {} as { offset: number },
    events: {} as PriceEvent,
  },
  guards: {
    room: ({ context }, by: number) => Math.abs(context.offset + by) <= BOUND,
  },
  actions: {
    move: assign({ offset: ({ context }, by: number) => context.offset + by }),
  },
}).createMachine({
  id: 'pricePath',
  context: { offset: 0 },
  initial: 'falling',
  states: {
    falling: {
      on: {
        'price.dip': {
          guard: { type: 'room', params: -SMALL },
          actions: { type: 'move', params: -SMALL },
        },
        'price.drop': {
          guard: { type: 'room', params: -LARGE },
          actions: { type: 'move', params: -LARGE },
        },
        'trend.turn': 'rising',
      },
    },
    rising: {
      on: {
        'price.tick': {
          guard: { type: 'room', params: SMALL },
          actions: { type: 'move', params: SMALL },
        },
        'price.jump': {
          guard: { type: 'room', params: LARGE },
          actions: { type: 'move', params: LARGE },
        },
      },
    },
  },
});

type Model = SnapshotFrom<typeof pricePath>;

const priceAt = (offset: number) => toPlain(dec('100000').add(offset));

function system(mode: GridMode) {
  const lattice: GridLattice = {
    anchorPrice: '100000',
    interval: '100',
    tickSize: '0.1',
    mode,
    orderQuantity: '0.001',
  };
  const size = { levelsBelow: 3, levelsAbove: 2, mode };
  const bounds = { maxDriftLevels: null, lowerPrice: null, upperPrice: null };
  const slots = new SlotSet('BTCUSDT' as SymbolId, lattice, [], null, 'T3ST');
  const venue = new PaperGrid(slots);
  const cooldown = new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, new VirtualClock());
  let window: TrailingWindow = trailingWindow(lattice, priceAt(0), size, bounds);
  let price = priceAt(0);

  const moveTo = (next: string) => {
    price = next;
    window = trailingWindow(lattice, price, size, bounds);
    for (let round = 0; round < 10; round++) {
      const settled = venue.settle(price);
      const quoted = quoteGrid(slots, price, cooldown, { window });
      venue.apply([...settled, ...quoted]);
      const canceling = [...venue.live.values()].some((o) => o.canceling);
      if (settled.length === 0 && quoted.length === 0 && !canceling) return;
    }
    throw new Error(`the grid did not settle at ${price}`);
  };

  const check = (model: Model) => {
    assert.equal(price, priceAt(model.context.offset));
    assert.equal(toPlain(slots.position()), toPlain(venue.position), 'inventory = venue fills');
    for (const view of slots.views()) {
      const where = `slot ${view.index} at market ${price}`;
      assert.notEqual(view.state, 'holding', `${where} holds inventory without a close`);
      const entry = view.order?.role === 'open';
      if (entry) {
        assert.ok(
          view.index >= window.keepFrom && view.index <= window.keepTo,
          `${where} rests beyond the window`,
        );
      }
    }
    for (const level of window.levels) {
      if (entrySide(lattice, level, price, mode) === null) continue;
      const view = slots.views().find((v) => v.index === level);
      assert.ok(view && view.state !== 'free', `window level ${level} has no order at ${price}`);
    }
  };

  moveTo(priceAt(0));
  return {
    venue,
    check,
    /** Executes a step: the market moves to where the model's state after the event has it. */
    move: (step: { state: unknown }) => moveTo(priceAt((step.state as Model).context.offset)),
  };
}

const named = (path: { steps: { event: { type: string } }[] }) =>
  path.steps
    .slice(1)
    .map((s) => s.event.type.split('.')[1])
    .join(' ');

for (const mode of ['long', 'neutral'] as const) {
  describe(`trailing grid (${mode}): model-based over a falling then rising price`, () => {
    const model = createTestModel(pricePath);
    const paths = model.getSimplePaths();

    it('walks every fall-turn-rise path within the bounds', () => {
      assert.ok(paths.length >= 90, `only ${paths.length} paths`);
    });

    for (const path of paths) {
      it(`holds every invariant: ${named(path) || 'start'}`, async () => {
        const sut = system(mode);
        // The path's own replay: each event executed on the system, each state checked
        await path.test({
          states: { falling: sut.check, rising: sut.check },
          events: {
            'price.dip': sut.move,
            'price.drop': sut.move,
            'trend.turn': sut.move,
            'price.tick': sut.move,
            'price.jump': sut.move,
          },
        });
      });
    }
  });
}
