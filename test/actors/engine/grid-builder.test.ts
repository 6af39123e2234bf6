/**
 * A grid config that changes between two starts of a symbol (re-added with another grid after a
 * DELETE): the new grid starts clean, whatever levels the old one had, with the old inventory
 * carried over into it explicitly and every client order id still new; and grids that cannot
 * work (a level at or below zero, absurd field sizes) are refused naming the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildSlots } from '../../../actors/engine/grid-builder.js';
import { planGridChange } from '../../../actors/engine/grid-change.js';
import { SlotSet, type SlotSetDocument } from '../../../actors/engine/slot-set.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  venueFitProblems,
  type GridConfigWire,
} from '../../../actors/engine/symbol.config.js';
import { describeIssues } from '../../../core/config-file.js';
import { dec } from '../../../core/decimal.js';
import { createLogger } from '../../../core/logger.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import { createTestVenue, TEST_NAMESPACE } from './harness.js';

const SOL = 'SOLUSDT' as SymbolId;
const log = createLogger('grid-builder-test', 'silent');
const grid = (wire: GridConfigWire) => gridConfigFromWire(gridConfigSchema.parse(wire));
const THREE_BY_THREE = grid({
  levels_below: 3,
  levels_above: 3,
  interval: '10',
  order_quantity: '1',
});

/** The persisted grid of a 3/3 SOLUSDT grid around 200, after some trading and a DELETE. */
async function previousGrid(hold: boolean): Promise<SlotSetDocument> {
  const venue = createTestVenue({ symbols: ['SOLUSDT'] });
  const slots = await buildSlots(
    venue.exchange,
    SOL,
    THREE_BY_THREE,
    null,
    '200',
    log,
    TEST_NAMESPACE,
  );
  // Slot -1 bought and was canceled again twice; slot -3 once; what a DELETE leaves behind
  for (const [index, rounds] of [
    [-1, 2],
    [-3, 1],
  ] as const) {
    for (let round = 0; round < rounds; round++) {
      const [submit] = slots.send(index, { type: 'slot.open', marketPrice: '200' });
      const id = (submit as { clientOrderId: ClientOrderId }).clientOrderId;
      slots.send(index, { type: 'order.accepted', clientOrderId: id });
      if (hold && index === -1 && round === rounds - 1) {
        slots.send(index, { type: 'order.filled', clientOrderId: id });
      } else {
        slots.send(index, { type: 'slot.cancel' });
        slots.send(index, { type: 'order.canceled', clientOrderId: id, filledQuantity: '0' });
      }
    }
  }
  const document = slots.document();
  slots.stop();
  await venue.sim.close();
  return JSON.parse(JSON.stringify(document)) as SlotSetDocument;
}

describe('a changed grid config', () => {
  it('starts a clean grid on the new lattice when the old one had levels the new cannot place', async () => {
    const venue = createTestVenue({ symbols: ['SOLUSDT'] });
    const stored = await previousGrid(false);
    // Interval 70 puts the old level -3 at 200 - 210 = -10: it must not come along
    const next = grid({ levels_below: 1, levels_above: 0, interval: '70', order_quantity: '1' });
    const slots = await buildSlots(venue.exchange, SOL, next, stored, '200', log, TEST_NAMESPACE);

    assert.deepEqual(slots.indices(), [-1]);
    assert.equal(slots.lattice.interval, '70');
    assert.equal(slots.snapshot(-1)?.context.levelPrice, '130');
    // Slot -1 used generation 2 and slot -3 generation 1: the new slot goes on from 2
    const [submit] = slots.send(-1, { type: 'slot.open', marketPrice: '200' });
    assert.equal((submit as { clientOrderId: string }).clientOrderId.endsWith('g3'), true);
    slots.stop();
    await venue.sim.close();
  });

  it('carries held inventory into the new grid, visibly, and closes it above its entry', async () => {
    const venue = createTestVenue({ symbols: ['SOLUSDT'] });
    const stored = await previousGrid(true);
    const next = grid({ levels_below: 1, levels_above: 0, interval: '70', order_quantity: '1' });
    const slots = await buildSlots(venue.exchange, SOL, next, stored, '200', log, TEST_NAMESPACE);

    // Bought at 190 on the old lattice: held by the new level at or below it (130), closed at 200
    assert.deepEqual(slots.indices(), [-1]);
    assert.equal(slots.position().toFixed(), '1');
    assert.equal(slots.views()[0]?.state, 'holding');
    const [close] = slots.send(-1, { type: 'slot.close', marketPrice: '130' });
    assert.deepEqual(
      [close?.type, (close as { side: string }).side, (close as { price: string }).price],
      ['command.submitOrder', 'SELL', '200'],
    );
    assert.ok((close as { clientOrderId: string }).clientOrderId.endsWith('g3'));
    const plan = planGridChange(stored, slots.lattice);
    assert.deepEqual(plan.carried, [
      { slot: -1, price: '190', quantity: '1', into: -1, intoPrice: '130' },
    ]);
    slots.stop();
    await venue.sim.close();
  });

  it('keeps held inventory of a slot whose new level would be at or below zero on a positive level', () => {
    const stored: SlotSetDocument = {
      format: 1,
      lattice: {
        anchorPrice: '200',
        interval: '10',
        tickSize: '0.01',
        mode: 'long',
        orderQuantity: '1',
      },
      slots: {
        '-15': {
          status: 'active',
          value: 'holding',
          context: { position: '2', levelPrice: '50', generation: 4, order: null },
        },
      } as unknown as SlotSetDocument['slots'],
    };
    const lattice = { ...stored.lattice, interval: '70' };
    const plan = planGridChange(stored, lattice);
    // 50 is below level -2 (60); the lowest positive level is -2
    assert.deepEqual(
      plan.carried.map((c) => [c.into, c.intoPrice]),
      [[-2, '60']],
    );
    assert.equal(plan.generationFloor, 4);
    const slots = new SlotSet(SOL, lattice, [-1], null, TEST_NAMESPACE);
    slots.stop();
  });

  it('refuses a grid whose lowest level is at or below zero, naming the field and the fix', () => {
    const info = {
      symbol: 'SOLUSDT',
      baseAsset: 'SOL',
      quoteAsset: 'USDT',
      pricePrecision: 2,
      quantityPrecision: 0,
      tickSize: dec('0.01'),
      stepSize: dec('1'),
      minQuantity: dec('1'),
      minNotional: dec('5'),
    };
    const problems = venueFitProblems(
      grid({ levels_below: 1, levels_above: 0, interval: '300', order_quantity: '1' }),
      info,
      '200',
    );
    assert.deepEqual(problems, [
      'grid.levels_below: the lowest level would be at -100 (anchor 200 - 1 x interval 300); ' +
        'every level must be above 0: use at most 0 levels below, or a smaller interval',
    ]);
    const deep = venueFitProblems(
      grid({ levels_below: 25, levels_above: 0, interval: '10', order_quantity: '1' }),
      info,
      '200',
    );
    assert.match(deep[0] ?? '', /use at most 19 levels below/);
  });

  it('refuses absurd field sizes with the field named and without echoing the value', () => {
    const huge = '1'.repeat(5 * 1024 * 1024);
    const parsed = gridConfigSchema.safeParse({ interval: huge, order_quantity: `0.${huge}` });
    assert.equal(parsed.success, false);
    const problems = describeIssues(parsed.error!);
    assert.deepEqual(problems, [
      `interval: must be at most 40 characters (was ${huge.length} characters), e.g. "50"`,
      `order_quantity: must be at most 40 characters (was ${huge.length + 2} characters), e.g. "0.001"`,
    ]);
  });
});

describe('buildSlots: trailing window and dynamic interval', () => {
  it('builds a trailing grid around the market, not around the anchor', async () => {
    const venue = createTestVenue({ symbols: ['SOLUSDT'] });
    const trailing = grid({
      levels_below: 2,
      levels_above: 0,
      interval: '10',
      order_quantity: '1',
      anchor_price: '200',
      trailing: {},
    });
    const slots = await buildSlots(venue.exchange, SOL, trailing, null, '251', log, TEST_NAMESPACE);
    assert.deepEqual(slots.indices(), [3, 4]);
  });

  it('takes the volatility-derived interval for a new lattice, and keeps a stored one within the bounds', async () => {
    const venue = createTestVenue({ symbols: ['SOLUSDT'] });
    const dynamic = grid({
      levels_below: 2,
      levels_above: 0,
      interval: '10',
      order_quantity: '1',
      dynamic_interval: { atr_scale: '2', max_interval: '50' },
    });
    const fresh = await buildSlots(
      venue.exchange,
      SOL,
      dynamic,
      null,
      '200',
      log,
      TEST_NAMESPACE,
      dec('7.5'),
    );
    assert.equal(fresh.lattice.interval, '15');
    // Restored with a calmer ATR: the stored lattice (interval 15) still fits the config
    const restored = await buildSlots(
      venue.exchange,
      SOL,
      dynamic,
      fresh.document(),
      '200',
      log,
      TEST_NAMESPACE,
      dec('1'),
    );
    assert.equal(restored.lattice.interval, '15');
  });
});
