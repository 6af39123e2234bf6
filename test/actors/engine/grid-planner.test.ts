import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { SymbolId } from '../../../core/types.js';
import { gridWindow } from '../../../actors/engine/grid-builder.js';
import { planGrid, wantedInterval } from '../../../actors/engine/grid-planner.js';
import { quoteGrid } from '../../../actors/engine/grid-quoter.js';
import { RefusalCooldown } from '../../../actors/engine/refusal-cooldown.js';
import { SlotSet, type GridLattice } from '../../../actors/engine/slot-set.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfig,
} from '../../../actors/engine/symbol.config.js';
import { PaperGrid } from './paper-grid.js';

const BTC = 'BTCUSDT' as SymbolId;
const lattice: GridLattice = {
  anchorPrice: '100000',
  interval: '100',
  tickSize: '0.1',
  mode: 'long',
  orderQuantity: '0.001',
};
const grid = (extra: Record<string, unknown>): GridConfig =>
  gridConfigFromWire(
    gridConfigSchema.parse({
      levels_below: 2,
      levels_above: 0,
      interval: '100',
      order_quantity: '0.001',
      ...extra,
    }),
  );
const dynamic = grid({ dynamic_interval: { atr_scale: '1', max_interval: '400' } });
const cooldown = () => new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, new VirtualClock());

/** A static grid of two levels on the paper venue, its buys resting. */
function restingGrid(config: GridConfig) {
  const slots = new SlotSet(BTC, lattice, gridWindow(config), null, 'T3ST');
  const venue = new PaperGrid(slots);
  venue.apply(quoteGrid(slots, '100000', cooldown()));
  return { slots, venue };
}

describe('wantedInterval', () => {
  it('asks for a new interval only when the ATR moves it by ten percent or more', () => {
    assert.equal(wantedInterval(dynamic, lattice, dec('105')), null);
    assert.equal(wantedInterval(dynamic, lattice, dec('150')), '150');
    assert.equal(wantedInterval(dynamic, lattice, dec('9000')), '400');
    assert.equal(wantedInterval(dynamic, lattice, null), null);
    assert.equal(wantedInterval(grid({}), lattice, dec('150')), null);
  });
});

describe('planGrid: dynamic interval', () => {
  it('drains a flat grid, then hands over a new lattice once it is idle', () => {
    const { slots, venue } = restingGrid(dynamic);
    const draining = planGrid(dynamic, slots, '100000', dec('250'));
    assert.deepEqual(draining, { draining: true });
    venue.apply(quoteGrid(slots, '100000', cooldown(), { draining: true }));
    venue.apply(venue.settle('100000'));
    assert.ok(slots.isIdle());
    const plan = planGrid(dynamic, slots, '100037.3', dec('250'));
    assert.deepEqual(plan.relattice, { ...lattice, anchorPrice: '100037.3', interval: '250' });
    assert.equal(plan.draining, false);
  });

  it('keeps the configured anchor for a grid that pins one', () => {
    const pinned = grid({
      anchor_price: '100000',
      dynamic_interval: { atr_scale: '1', max_interval: '400' },
    });
    const slots = new SlotSet(BTC, lattice, [], null, 'T3ST');
    assert.equal(planGrid(pinned, slots, '100037.3', dec('250')).relattice?.anchorPrice, '100000');
  });

  it('never changes the lattice under inventory: resting orders keep their prices', () => {
    const { slots, venue } = restingGrid(dynamic);
    venue.apply(venue.settle('99850'));
    venue.apply(quoteGrid(slots, '99850', cooldown()));
    assert.ok(slots.holdsInventory());
    const before = venue.orders();
    const plan = planGrid(dynamic, slots, '99850', dec('250'));
    assert.deepEqual(plan, { draining: false });
    venue.apply(quoteGrid(slots, '99850', cooldown(), { draining: plan.draining }));
    assert.deepEqual(venue.orders(), before);
  });

  it('starts the new generation after every generation the old lattice used', () => {
    const { slots, venue } = restingGrid(dynamic);
    venue.apply(quoteGrid(slots, '100000', cooldown(), { draining: true }));
    venue.apply(venue.settle('100000'));
    const plan = planGrid(dynamic, slots, '100000', dec('250'));
    slots.relattice(plan.relattice!, gridWindow(dynamic));
    venue.apply(quoteGrid(slots, '100000', cooldown()));
    assert.deepEqual(venue.orders(), ['BUY 99500', 'BUY 99750']);
    assert.equal(venue.placed.size, 4);
    assert.equal(slots.document().generationFloor, 1);
    assert.deepEqual(slots.document().lattice.interval, '250');
  });
});

describe('planGrid: trailing window and skew', () => {
  it('centres a trailing window on the price, or on the skewed centre with inventory', () => {
    const trailing = grid({ trailing: {} });
    const skewed = grid({ trailing: {}, inventory_skew: { factor: '1', max_shift_pct: '1' } });
    const slots = new SlotSet(BTC, lattice, [], null, 'T3ST');
    assert.deepEqual(planGrid(trailing, slots, '100000', null).window?.levels, [-2, -1]);
    assert.deepEqual(planGrid(skewed, slots, '100000', null).window?.levels, [-2, -1]);
    const { slots: holding, venue } = restingGrid(grid({}));
    venue.apply(venue.settle('99850'));
    // 0.001 held × factor 1 = 0.1 % under 100000: centre 99900, one level down
    assert.deepEqual(planGrid(skewed, holding, '100000', null).window?.levels, [-3, -2]);
  });

  it('gives a static grid no window to move', () => {
    const slots = new SlotSet(BTC, lattice, [-1], null, 'T3ST');
    assert.deepEqual(planGrid(grid({}), slots, '100000', null), { draining: false });
  });
});
