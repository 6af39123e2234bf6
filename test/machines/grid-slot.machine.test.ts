/**
 * @module test/machines/grid-slot.machine
 * Example-based tests for gridSlotMachine: one concrete event sequence per behaviour, covering
 * each defect of the original grid (see original-facts §11 items 5, 9, 10, 13, 15), the
 * real-world races between cancels, acks and fills, and refusals that never turn into an
 * immediate retry (the refusal storm: a crossing close placed again and again).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, initialTransition, transition } from 'xstate';

import {
  gridSlotInputError,
  gridSlotMachine,
  POST_ONLY_REJECT_REASON,
  type GridSlotCommand,
  type GridSlotEvent,
  type GridSlotInput,
  type SubmitOrderCommand,
} from '../../machines/grid-slot.machine.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';

// Level -1 sits at 59900; with the market at 60000 it opens long and closes at 60000
const LONG: GridSlotInput = {
  namespace: 'K7Q2',
  symbol: 'BTCUSDT' as SymbolId,
  slotIndex: -1,
  mode: 'long',
  anchorPrice: '60000',
  interval: '100',
  tickSize: '0.1',
  orderQuantity: '0.002',
};
// Level 1 sits at 60100; with the market at 60000 it opens short and closes at 60000
const SHORT: GridSlotInput = { ...LONG, slotIndex: 1, mode: 'neutral' };
const MARKET = '60000';
// Under the long exit (60000) and over the short one: closes rest at the lattice exit
const CLOSE_LONG: GridSlotEvent = { type: 'slot.close', marketPrice: '59950' };
const CLOSE_SHORT: GridSlotEvent = { type: 'slot.close', marketPrice: '60050' };

function startSlot(input: GridSlotInput = LONG) {
  const commands: GridSlotCommand[] = [];
  const actor = createActor(gridSlotMachine, { input });
  actor.on('*', (command) => commands.push(command));
  actor.start();
  const snapshot = () => actor.getSnapshot();
  return {
    actor,
    commands,
    snapshot,
    send: (...events: GridSlotEvent[]) => events.forEach((e) => actor.send(e)),
    id: (): ClientOrderId => {
      const order = snapshot().context.order;
      assert.ok(order, 'slot has no working order');
      return order.clientOrderId;
    },
    submits: () =>
      commands.filter((c): c is SubmitOrderCommand => c.type === 'command.submitOrder'),
  };
}

/** A slot holding `filled` of an opening order that has been canceled. */
function holdingAfterPartial(input: GridSlotInput, filled: string) {
  const slot = startSlot(input);
  slot.send({ type: 'slot.open', marketPrice: MARKET });
  const id = slot.id();
  slot.send(
    { type: 'order.accepted', clientOrderId: id },
    { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: filled },
    { type: 'slot.cancel' },
    { type: 'order.canceled', clientOrderId: id },
  );
  return slot;
}

describe('gridSlotMachine: opening', () => {
  it('opens long with a post-only buy at the level price for orderQuantity base units', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });

    assert.ok(slot.snapshot().matches({ opening: 'pending' }));
    assert.deepEqual(slot.commands, [
      {
        type: 'command.submitOrder',
        clientOrderId: slot.id(),
        symbol: 'BTCUSDT',
        slotIndex: -1,
        side: 'BUY',
        price: '59900',
        quantity: '0.002',
        postOnly: true,
        reduceOnly: false,
      },
    ]);
  });

  it('never opens with a sell in long mode', () => {
    const slot = startSlot({ ...LONG, slotIndex: 1 });
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    assert.equal(slot.snapshot().value, 'free');
    assert.deepEqual(slot.commands, []);
  });

  it('does not quote a level within the buffer of the market', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: '59905' });
    assert.equal(slot.snapshot().value, 'free');
  });

  it('rests on the venue ack and holds after the fill', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.accepted', clientOrderId: id });
    assert.ok(slot.snapshot().matches({ opening: 'resting' }));

    slot.send({ type: 'order.filled', clientOrderId: id });
    assert.equal(slot.snapshot().value, 'holding');
    assert.equal(slot.snapshot().context.position, '0.002');
    assert.equal(slot.snapshot().context.order, null);
  });
});

describe('gridSlotMachine: closing', () => {
  it('closes with a reduce-only sell one level up for exactly the held quantity', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({ type: 'order.filled', clientOrderId: slot.id() }, CLOSE_LONG);
    const close = slot.submits()[1];
    assert.ok(close);
    assert.equal(close.side, 'SELL');
    assert.equal(close.price, '60000');
    assert.equal(close.quantity, '0.002');
    assert.equal(close.reduceOnly, true);

    slot.send({ type: 'order.filled', clientOrderId: close.clientOrderId });
    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.snapshot().context.position, '0');
  });

  it('mints a new client order id for every placement of a round trip', () => {
    const slot = startSlot();
    for (let trip = 0; trip < 2; trip++) {
      slot.send({ type: 'slot.open', marketPrice: MARKET });
      slot.send({ type: 'order.filled', clientOrderId: slot.id() }, CLOSE_LONG);
      slot.send({ type: 'order.filled', clientOrderId: slot.id() });
    }
    const ids = slot.submits().map((c) => c.clientOrderId);
    assert.equal(ids.length, 4);
    assert.equal(new Set(ids).size, 4);
    assert.equal(slot.snapshot().context.generation, 4);
  });
});

describe('gridSlotMachine: partial fills move inventory', () => {
  it('grows inventory with each partial fill of the opening order', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.0005' });
    assert.equal(slot.snapshot().context.position, '0.0005');
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.0015' });
    assert.equal(slot.snapshot().context.position, '0.0015');
    slot.send({ type: 'order.filled', clientOrderId: id });
    assert.equal(slot.snapshot().context.position, '0.002');
  });

  it('ignores a duplicate or smaller cumulative fill', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.001' });
    assert.equal(
      slot
        .snapshot()
        .can({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.001' }),
      false,
    );
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.0005' });
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.003' });
    assert.equal(slot.snapshot().context.position, '0.001');
  });

  it('holds the filled part of a canceled buy and closes exactly that', () => {
    const slot = holdingAfterPartial(LONG, '0.0005');
    assert.equal(slot.snapshot().value, 'holding');
    assert.equal(slot.snapshot().context.position, '0.0005');

    slot.send(CLOSE_LONG);
    const close = slot.submits().at(-1);
    assert.equal(close?.quantity, '0.0005');
    assert.equal(close?.reduceOnly, true);
  });

  it('applies a fill that only the cancel ack reports', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send(
      { type: 'slot.cancel' },
      { type: 'order.canceled', clientOrderId: id, filledQuantity: '0.0007' },
    );
    assert.equal(slot.snapshot().value, 'holding');
    assert.equal(slot.snapshot().context.position, '0.0007');
  });

  it('takes a fill that overtakes the ack as acceptance', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({ type: 'order.partiallyFilled', clientOrderId: slot.id(), filledQuantity: '0.001' });
    assert.ok(slot.snapshot().matches({ opening: 'resting' }));
  });
});

describe('gridSlotMachine: cancel races', () => {
  it('lets a fill overtake the cancel ack', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.accepted', clientOrderId: id }, { type: 'slot.cancel' });
    assert.ok(slot.snapshot().matches({ opening: 'canceling' }));
    assert.deepEqual(slot.commands.at(-1), {
      type: 'command.cancelOrder',
      clientOrderId: id,
      symbol: 'BTCUSDT',
      slotIndex: -1,
    });

    slot.send({ type: 'order.filled', clientOrderId: id });
    assert.equal(slot.snapshot().value, 'holding');
    // The late cancel ack is for an order the slot no longer works
    assert.equal(slot.snapshot().can({ type: 'order.canceled', clientOrderId: id }), false);
  });

  it('frees the slot when an unfilled buy is canceled', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({ type: 'slot.cancel' }, { type: 'order.canceled', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().value, 'free');
  });

  it('returns to resting when the venue rejects the cancel', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send(
      { type: 'slot.cancel' },
      { type: 'order.cancelRejected', clientOrderId: id, reason: 'UNKNOWN_ORDER' },
    );
    assert.ok(slot.snapshot().matches({ opening: 'resting' }));
  });

  it('ignores reports for an order it is not working', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const foreign = 'web_12345' as ClientOrderId;
    slot.send({ type: 'order.filled', clientOrderId: foreign });
    assert.ok(slot.snapshot().matches({ opening: 'pending' }));
    assert.equal(slot.snapshot().can({ type: 'order.filled', clientOrderId: foreign }), false);
  });

  it('ignores a late partial fill for an order it already settled', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'slot.cancel' }, { type: 'order.canceled', clientOrderId: id });
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.001' });
    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.snapshot().context.position, '0');
  });
});

describe('gridSlotMachine: rejected and expired orders', () => {
  it('frees the slot when the opening order is rejected', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({ type: 'order.rejected', clientOrderId: slot.id(), reason: 'INSUFFICIENT_FUNDS' });
    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.snapshot().context.lastRejectReason, 'INSUFFICIENT_FUNDS');
  });

  it('frees the slot when an unfilled opening order expires', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send(
      { type: 'order.accepted', clientOrderId: id },
      { type: 'order.expired', clientOrderId: id },
    );
    assert.equal(slot.snapshot().value, 'free');
  });

  it('holds what filled before the opening order expired', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send(
      { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.001' },
      { type: 'order.expired', clientOrderId: id },
    );
    assert.equal(slot.snapshot().value, 'holding');
    assert.equal(slot.snapshot().context.position, '0.001');
  });

  it('returns to holding when the closing order is rejected or expires', () => {
    for (const type of ['order.rejected', 'order.expired'] as const) {
      const slot = holdingAfterPartial(LONG, '0.001');
      slot.send(CLOSE_LONG);
      slot.send({ type, clientOrderId: slot.id(), reason: 'REDUCE_ONLY_REJECTED' });
      assert.equal(slot.snapshot().value, 'holding', type);
      assert.equal(slot.snapshot().context.position, '0.001', type);
    }
  });
});

describe('gridSlotMachine: refusals', () => {
  it('settles a refused entry without placing again and counts the refusal', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({
      type: 'order.rejected',
      clientOrderId: slot.id(),
      reason: POST_ONLY_REJECT_REASON,
    });

    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.submits().length, 1);
    assert.equal(slot.snapshot().context.refusals, 1);
    assert.equal(slot.snapshot().context.lastRejectReason, POST_ONLY_REJECT_REASON);
  });

  it('returns a refused close to holding without placing again, however often it is refused', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    for (let i = 1; i <= 3; i++) {
      slot.send(CLOSE_LONG);
      slot.send({
        type: 'order.rejected',
        clientOrderId: slot.id(),
        reason: POST_ONLY_REJECT_REASON,
      });
      assert.equal(slot.snapshot().value, 'holding');
      assert.equal(slot.snapshot().context.refusals, i);
    }
    // One placement per slot.close: the actor's cooldown, not the slot, paces them
    assert.equal(slot.submits().filter((c) => c.reduceOnly).length, 3);
  });

  it('clears the count once the venue takes an order', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    slot.send({ type: 'order.rejected', clientOrderId: slot.id(), reason: 'INSUFFICIENT_FUNDS' });
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    assert.equal(slot.snapshot().context.refusals, 1);
    slot.send({ type: 'order.accepted', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().context.refusals, 0);
  });

  it('counts an order the venue expired at once without a fill as a refusal', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    slot.send(CLOSE_LONG);
    slot.send({ type: 'order.expired', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().value, 'holding');
    assert.equal(slot.snapshot().context.refusals, 1);
  });

  it('closes one tick over a market that has passed the exit, so the close rests as a maker', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    slot.send({ type: 'slot.close', marketPrice: '60500' });
    assert.equal(slot.submits().at(-1)?.price, '60500.1');
    slot.send({
      type: 'order.rejected',
      clientOrderId: slot.id(),
      reason: POST_ONLY_REJECT_REASON,
    });
    // Priced from the market it is told, never one tick from its last attempt
    slot.send({ type: 'slot.close', marketPrice: '60800' });
    assert.equal(slot.submits().at(-1)?.price, '60800.1');
  });

  it('closes a short one tick under a market that has fallen past the exit', () => {
    const slot = holdingAfterPartial(SHORT, '0.001');
    slot.send({ type: 'slot.close', marketPrice: '59000' });
    const close = slot.submits().at(-1);
    assert.deepEqual([close?.side, close?.price], ['BUY', '58999.9']);
  });
});

describe('gridSlotMachine: flatten', () => {
  it('closes what it holds with a reduce-only limit that may take liquidity, and settles flat on its fill', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    slot.send({ type: 'slot.flatten', limitPrice: '59300' });
    const close = slot.submits().at(-1);
    assert.deepEqual(
      [close?.side, close?.price, close?.quantity, close?.postOnly, close?.reduceOnly],
      ['SELL', '59300', '0.001', false, true],
    );
    slot.send({ type: 'order.filled', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.snapshot().context.position, '0');
    // The next close of the slot is a maker again
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    assert.equal(slot.submits().at(-1)?.postOnly, true);
  });

  it('ignores a flatten while it holds nothing', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.flatten', limitPrice: '59300' });
    assert.equal(slot.snapshot().value, 'free');
    assert.deepEqual(slot.commands, []);
  });
});

describe('gridSlotMachine: risk pause', () => {
  it('ignores opens while entries are paused and resumes them', () => {
    const slot = startSlot();
    slot.send({ type: 'risk.pause' }, { type: 'slot.open', marketPrice: MARKET });
    assert.equal(slot.snapshot().value, 'free');
    slot.send({ type: 'risk.resume' }, { type: 'slot.open', marketPrice: MARKET });
    assert.ok(slot.snapshot().matches({ opening: 'pending' }));
  });

  it('cancels a working entry when risk pauses, acked or not', () => {
    for (const acked of [false, true]) {
      const slot = startSlot();
      slot.send({ type: 'slot.open', marketPrice: MARKET });
      const id = slot.id();
      if (acked) slot.send({ type: 'order.accepted', clientOrderId: id });
      slot.send({ type: 'risk.pause' });
      assert.ok(slot.snapshot().matches({ opening: 'canceling' }));
      assert.equal(slot.commands.at(-1)?.type, 'command.cancelOrder');
    }
  });

  it('leaves a closing order working when risk pauses', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    slot.send(CLOSE_LONG, { type: 'risk.pause' });
    assert.ok(slot.snapshot().matches({ closing: 'pending' }));
    assert.equal(slot.commands.at(-1)?.type, 'command.submitOrder');
  });

  it('settles a rejected entry while paused without placing anything', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    // The pause's cancel is refused, so the entry is back to resting while paused
    slot.send(
      { type: 'risk.pause' },
      { type: 'order.cancelRejected', clientOrderId: id, reason: 'UNKNOWN_ORDER' },
      { type: 'order.rejected', clientOrderId: id, reason: POST_ONLY_REJECT_REASON },
    );
    assert.equal(slot.snapshot().value, 'free');
    assert.equal(slot.submits().length, 1);
  });

  it('still closes while paused, priced off the market', () => {
    const slot = holdingAfterPartial(LONG, '0.001');
    slot.send({ type: 'risk.pause' }, { type: 'slot.close', marketPrice: '60200' });
    assert.ok(slot.snapshot().matches({ closing: 'pending' }));
    const close = slot.submits().at(-1);
    assert.deepEqual([close?.reduceOnly, close?.price], [true, '60200.1']);
    slot.send({ type: 'order.filled', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().value, 'free');
  });
});

describe('gridSlotMachine: neutral mode tracks short inventory', () => {
  it('opens short, tracks negative inventory and closes with a reduce-only buy', () => {
    const slot = startSlot(SHORT);
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.0005' });
    assert.equal(slot.snapshot().context.position, '-0.0005');
    slot.send({ type: 'order.filled', clientOrderId: id }, CLOSE_SHORT);
    assert.equal(slot.snapshot().context.position, '-0.002');

    const close = slot.submits().at(-1);
    assert.equal(close?.side, 'BUY');
    assert.equal(close?.price, '60000');
    assert.equal(close?.quantity, '0.002');
    assert.equal(close?.reduceOnly, true);
    slot.send({
      type: 'order.partiallyFilled',
      clientOrderId: slot.id(),
      filledQuantity: '0.0015',
    });
    assert.equal(slot.snapshot().context.position, '-0.0005');
    slot.send({ type: 'order.filled', clientOrderId: slot.id() });
    assert.equal(slot.snapshot().value, 'free');
  });
});

describe('gridSlotMachine: input and persistence', () => {
  it('explains an invalid input and leaves an actor built from it in error', () => {
    const bad = { ...LONG, slotIndex: -600 };
    assert.match(gridSlotInputError(bad) ?? '', /level price must be positive/);
    assert.match(gridSlotInputError({ ...LONG, orderQuantity: '1e-3' }) ?? '', /orderQuantity/);
    assert.match(gridSlotInputError({ ...LONG, interval: '0.05' }) ?? '', /multiple of tickSize/);
    assert.match(gridSlotInputError({ ...LONG, namespace: 'k7' }) ?? '', /namespace must be 4/);
    assert.equal(gridSlotInputError(LONG), null);
    assert.equal(createActor(gridSlotMachine, { input: bad }).getSnapshot().status, 'error');
  });

  it('restores a JSON-persisted snapshot mid-order without resubmitting', () => {
    const slot = startSlot();
    slot.send({ type: 'slot.open', marketPrice: MARKET });
    const id = slot.id();
    slot.send({ type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.001' });
    const json = JSON.stringify(slot.actor.getPersistedSnapshot());
    slot.actor.stop();

    const commands: GridSlotCommand[] = [];
    const restored = createActor(gridSlotMachine, { input: LONG, snapshot: JSON.parse(json) });
    restored.on('*', (c) => commands.push(c));
    restored.start();
    assert.deepEqual(restored.getSnapshot().context, slot.snapshot().context);
    restored.send({ type: 'order.filled', clientOrderId: id });
    assert.equal(restored.getSnapshot().value, 'holding');
    assert.equal(restored.getSnapshot().context.position, '0.002');
    assert.deepEqual(commands, []);
  });

  it('replays to the same commands from the same snapshot', () => {
    const [start] = initialTransition(gridSlotMachine, LONG);
    const open: GridSlotEvent = { type: 'slot.open', marketPrice: MARKET };
    const [a, actionsA] = transition(gridSlotMachine, start, open);
    const [b, actionsB] = transition(gridSlotMachine, start, open);
    assert.deepEqual(a.context, b.context);
    assert.deepEqual(
      actionsA.map((x) => x.params),
      actionsB.map((x) => x.params),
    );
    assert.equal(a.context.order?.clientOrderId, 'oqK7Q2RCCbm1g1');
  });
});
