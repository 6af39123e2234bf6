import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../core/clock.js';
import { dec, toPlain } from '../../../core/decimal.js';
import type { SymbolId } from '../../../core/types.js';
import { trailingWindow } from '../../../machines/grid-window.js';
import {
  quoteGrid,
  SLIPPAGE_SKIP_REASON,
  type BookLimiter,
  type EntrySkip,
} from '../../../actors/engine/grid-quoter.js';
import { RefusalCooldown } from '../../../actors/engine/refusal-cooldown.js';
import { SlotSet, type GridLattice } from '../../../actors/engine/slot-set.js';
import { PaperGrid } from './paper-grid.js';

const BTC = 'BTCUSDT' as SymbolId;
const NS = 'T3ST';
const lattice: GridLattice = {
  anchorPrice: '100000',
  interval: '100',
  tickSize: '0.1',
  mode: 'long',
  orderQuantity: '0.001',
};
const size = { levelsBelow: 3, levelsAbove: 0, mode: 'long' as const };
const unbounded = { maxDriftLevels: null, lowerPrice: null, upperPrice: null };
const cooldown = () => new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, new VirtualClock());

/** A trailing grid on the paper venue; `at` moves the market, settles and quotes until quiet. */
function trailingGrid() {
  const slots = new SlotSet(BTC, lattice, [], null, NS);
  const venue = new PaperGrid(slots);
  const cool = cooldown();
  const at = (price: string) => {
    const window = trailingWindow(lattice, price, size, unbounded);
    for (let round = 0; round < 10; round++) {
      const settled = venue.apply(venue.settle(price));
      const quoted = quoteGrid(slots, price, cool, { window });
      venue.apply([...settled, ...quoted]);
      if (quoted.length === 0 && settled.length === 0 && !hasPendingCancel(venue)) return;
    }
    throw new Error('the grid did not settle in 10 rounds');
  };
  return { slots, venue, at };
}

function hasPendingCancel(venue: PaperGrid): boolean {
  return [...venue.live.values()].some((o) => o.canceling);
}

describe('quoteGrid with a trailing window', () => {
  it('keeps three buys under the market as the price trends down', () => {
    const { slots, venue, at } = trailingGrid();
    at('100000');
    assert.deepEqual(venue.orders(), ['BUY 99700', 'BUY 99800', 'BUY 99900']);
    at('99450');
    // Three buys filled on the way down; their closes rest one interval up each
    assert.deepEqual(venue.orders(), [
      'BUY 99200',
      'BUY 99300',
      'BUY 99400',
      'SELL 100000',
      'SELL 99800',
      'SELL 99900',
    ]);
    assert.equal(toPlain(venue.position), '0.003');
    assert.equal(toPlain(slots.position()), '0.003');
  });

  it('pulls the buys the window left behind when the price rises, and bids near it again', () => {
    const { slots, venue, at } = trailingGrid();
    at('100000');
    at('100260');
    // The buy one level beyond the window stays (slack); the two further down were pulled
    assert.deepEqual(venue.orders(), ['BUY 100000', 'BUY 100100', 'BUY 100200', 'BUY 99900']);
    assert.deepEqual(venue.fills, []);
    assert.deepEqual(slots.indices(), [-1, 0, 1, 2]);
    assert.equal(venue.placed.size, 6);
  });

  it('keeps an entry one level beyond the window so a wobble does not churn orders', () => {
    const { venue, at } = trailingGrid();
    at('100040');
    at('100060');
    assert.deepEqual(venue.orders(), ['BUY 100000', 'BUY 99700', 'BUY 99800', 'BUY 99900']);
    at('100040');
    at('100060');
    at('100040');
    assert.equal(venue.placed.size, 4, 'no cancel and re-place while the price wobbles');
  });

  it('keeps every close wherever the window goes', () => {
    const { slots, venue, at } = trailingGrid();
    at('100000');
    at('99850');
    at('101000');
    // The close at 100000 filled on the way up; buys follow the price up
    assert.deepEqual(venue.orders(), ['BUY 100700', 'BUY 100800', 'BUY 100900']);
    assert.equal(toPlain(venue.position), '0');
    assert.deepEqual(venue.fills, ['BUY 99900', 'SELL 100000']);
    assert.equal(toPlain(slots.position()), '0');
  });

  it('never mints an id twice for a level it dropped and spawned again', () => {
    const { venue, at } = trailingGrid();
    // Up (the buys left behind are pulled), down through the new buys, up through their closes
    for (const price of ['100000', '100400', '100000', '100500', '100000']) at(price);
    const ids = [...venue.placed];
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      venue.orders().filter((o) => o.startsWith('BUY')),
      ['BUY 99700', 'BUY 99800', 'BUY 99900'],
    );
  });

  it('persists the generation floor of the dropped slots and restores from it', () => {
    const { slots, at } = trailingGrid();
    at('100000');
    at('100400');
    const document = slots.document();
    assert.ok((document.generationFloor ?? 0) >= 1);
    const restored = new SlotSet(BTC, lattice, [], document, NS);
    const venue = new PaperGrid(restored);
    for (const view of restored.views()) {
      const order = view.order!;
      venue.live.set(order.clientOrderId, {
        type: 'command.submitOrder',
        clientOrderId: order.clientOrderId,
        symbol: BTC,
        slotIndex: view.index,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        postOnly: true,
        reduceOnly: false,
        canceling: false,
      });
    }
    const window = trailingWindow(lattice, '100000', size, unbounded);
    venue.apply(quoteGrid(restored, '100000', cooldown(), { window }));
    // The new window's buys are placed while the old ones' cancels are on their way
    for (const buy of ['BUY 99700', 'BUY 99800', 'BUY 99900']) {
      assert.ok(venue.orders().includes(buy), `${buy} in ${venue.orders().join()}`);
    }
    for (const id of venue.placed) {
      assert.ok(!/g1$/.test(id), `a respawned level minted its first generation again: ${id}`);
    }
  });
});

describe('quoteGrid while a new lattice drains', () => {
  it('pulls every entry and opens none', () => {
    const slots = new SlotSet(BTC, lattice, [-2, -1], null, NS);
    const venue = new PaperGrid(slots);
    venue.apply(quoteGrid(slots, '100000', cooldown()));
    assert.equal(venue.live.size, 2);
    const commands = quoteGrid(slots, '100000', cooldown(), { draining: true });
    assert.deepEqual(
      commands.map((c) => c.type),
      ['command.cancelOrder', 'command.cancelOrder'],
    );
    venue.apply(commands);
    venue.settle('100000');
    assert.equal(venue.live.size, 0);
    assert.deepEqual(quoteGrid(slots, '100000', cooldown(), { draining: true }), []);
    assert.ok(slots.isIdle());
  });
});

/** A book whose touch is fixed: best bid and best ask, one tick of 0.1. */
function bookAt(bestBid: string, bestAsk: string, maxSlippageBps: number): BookLimiter {
  return {
    maxSlippageBps,
    nonCrossing: (side, price) =>
      side === 'BUY'
        ? toPlain(dec(price).gte(bestAsk) ? dec(bestAsk).sub('0.1') : dec(price))
        : toPlain(dec(price).lte(bestBid) ? dec(bestBid).add('0.1') : dec(price)),
  };
}

describe('quoteGrid with an order book (dynamic slippage)', () => {
  it('places an entry the book would cross at the best non-crossing price within the bound', () => {
    const slots = new SlotSet(BTC, lattice, [-1], null, NS);
    const venue = new PaperGrid(slots);
    // The last trade says 100000; the book has already fallen through the 99900 level
    const book = bookAt('99890', '99899.5', 1);
    venue.apply(quoteGrid(slots, '100000', cooldown(), { book }));
    assert.deepEqual(venue.orders(), ['BUY 99899.4']);
    assert.equal(slots.snapshot(-1)?.context.order?.price, '99899.4');
  });

  it('skips an entry the book crosses by more than the bound, with the reason', () => {
    const slots = new SlotSet(BTC, lattice, [-1, -2], null, NS);
    const skips: (EntrySkip | null)[] = [];
    const book = bookAt('99850', '99860', 1);
    const commands = quoteGrid(slots, '100000', cooldown(), {
      book,
      onSkip: (_, skip) => skips.push(skip),
    });
    assert.deepEqual(
      commands.map((c) => [c.type, c.slotIndex]),
      [['command.submitOrder', -2]],
    );
    assert.deepEqual(skips, [
      null,
      {
        index: -1,
        side: 'BUY',
        levelPrice: '99900',
        bookPrice: '99859.9',
        slippageBps: '4.01',
        reason: SLIPPAGE_SKIP_REASON,
      },
    ]);
    assert.equal(slots.snapshot(-1)?.value, 'free');
  });

  it('moves a close past the touch and never skips it', () => {
    const slots = new SlotSet(BTC, lattice, [-1], null, NS);
    const venue = new PaperGrid(slots);
    venue.apply(quoteGrid(slots, '100000', cooldown()));
    venue.settle('99850');
    const book = bookAt('100020', '100030', 0);
    venue.apply(quoteGrid(slots, '99850', cooldown(), { book }));
    assert.deepEqual(venue.orders(), ['SELL 100020.1']);
  });
});
