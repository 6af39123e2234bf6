/**
 * @module test/machines/arbitrage-position.machine
 * Example-based tests for arbitragePositionMachine: one concrete event sequence per behaviour,
 * covering both funding directions, cross-venue and two-perp pairs, compensation and exits sized
 * from executed quantities (original-facts §5/§11: exits from requested quantities, one-legged
 * exits without compensation, colliding `_0` ids), partial reduce, emergency exit and repairs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, type Snapshot as XStateSnapshot } from 'xstate';

import {
  arbitrageInputError,
  arbitragePositionMachine,
  type ArbitragePositionCommand,
  type ArbitragePositionEvent,
  type ArbitragePositionInput,
  type PlaceLegOrderCommand,
} from '../../machines/arbitrage-position.machine.js';
import { parseArbitrageOrderId } from '../../machines/arbitrage-order-id.js';
import type { ClientOrderId } from '../../core/types.js';

const FUNDING = Date.UTC(2026, 0, 1, 8);
// Spot on one venue, perp on the same or another: spot steps are finer than perp steps
const SPOT_PERP: ArbitragePositionInput = {
  pairId: 'btc-basis',
  firstLeg: 'a',
  hedgeTolerance: '0.001',
  legs: {
    a: { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT', stepSize: '0.00001' },
    b: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '0.001' },
  },
};
const PERP_PERP: ArbitragePositionInput = {
  pairId: 'btc-x',
  firstLeg: 'a',
  hedgeTolerance: '0.001',
  legs: {
    a: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '0.001' },
    b: { venue: 'sim-perp2', market: 'perp', symbol: 'BTCUSDT', stepSize: '0.001' },
  },
};
const enter = (long: 'a' | 'b', quantity = '0.5'): ArbitragePositionEvent => ({
  type: 'arb.enter',
  long,
  quantity,
  nextFundingTimeMs: FUNDING,
  atMs: FUNDING - 3_600_000,
});

function startPair(input: ArbitragePositionInput = SPOT_PERP) {
  const commands: ArbitragePositionCommand[] = [];
  let actor = createActor(arbitragePositionMachine, { input });
  actor.on('*', (c) => commands.push(c));
  actor.start();
  const snapshot = () => actor.getSnapshot();
  const order = () => {
    const o = snapshot().context.order;
    assert.ok(o, `no working order in ${JSON.stringify(snapshot().value)}`);
    return o;
  };
  const send = (...events: ArbitragePositionEvent[]) => events.forEach((e) => actor.send(e));
  return {
    commands,
    snapshot,
    send,
    order,
    /** The working order reports `filled` executed (cumulative) and ends as `type`. */
    settle(
      filled: string,
      type: 'order.filled' | 'order.expired' | 'order.canceled' = 'order.filled',
      feeBase?: string,
    ) {
      const clientOrderId = order().clientOrderId;
      send({ type, clientOrderId, filledQuantity: filled, ...(feeBase ? { feeBase } : {}) });
    },
    fill(feeBase?: string) {
      this.settle(order().quantity, 'order.filled', feeBase);
    },
    reject(reason = 'INSUFFICIENT_FUNDS') {
      send({ type: 'order.rejected', clientOrderId: order().clientOrderId, reason });
    },
    places: () =>
      commands.filter((c): c is PlaceLegOrderCommand => c.type === 'command.placeOrder'),
    alerts: () => commands.filter((c) => c.type === 'command.alert').map((c) => c.reason),
    positions: () => [snapshot().context.legs.a.position, snapshot().context.legs.b.position],
    restart() {
      const persisted = JSON.parse(
        JSON.stringify(actor.getPersistedSnapshot()),
      ) as XStateSnapshot<unknown>;
      actor.stop();
      actor = createActor(arbitragePositionMachine, { input, snapshot: persisted });
      actor.on('*', (c) => commands.push(c));
      actor.start();
    },
  };
}

const brief = (c: PlaceLegOrderCommand) =>
  [c.purpose, c.leg, c.side, c.quantity, c.reduceOnly, c.useMargin] as const;

describe('arbitragePositionMachine: entry', () => {
  it('enters positive funding long spot on cash, then shorts the perp for what spot executed', () => {
    const pair = startPair();
    pair.send(enter('a'));
    const first = pair.places()[0];
    assert.ok(first);
    assert.deepEqual(first, {
      type: 'command.placeOrder',
      pairId: 'btc-basis',
      leg: 'a',
      venue: 'sim-spot',
      market: 'spot',
      symbol: 'BTCUSDT',
      clientOrderId: first.clientOrderId,
      purpose: 'open',
      side: 'BUY',
      quantity: '0.5',
      orderType: 'MARKET',
      reduceOnly: false,
      useMargin: false,
    });
    assert.ok(pair.snapshot().matches({ entering: 'opening' }));

    // The spot buy fills 0.4 of 0.5 and the venue keeps its fee in BTC
    pair.settle('0.4', 'order.expired', '0.0004');
    assert.deepEqual(brief(pair.places()[1] as PlaceLegOrderCommand), [
      'hedge',
      'b',
      'SELL',
      '0.399',
      false,
      false,
    ]);
    pair.fill();
    assert.ok(pair.snapshot().matches('hedged'));
    assert.deepEqual(pair.positions(), ['0.3996', '-0.399']);
    assert.deepEqual(pair.alerts(), []);
  });

  it('enters negative funding short spot on margin, then longs the perp', () => {
    const pair = startPair();
    pair.send(enter('b', '0.3'));
    pair.fill();
    pair.fill();
    assert.deepEqual(pair.places().map(brief), [
      ['open', 'a', 'SELL', '0.3', false, true],
      ['hedge', 'b', 'BUY', '0.3', false, false],
    ]);
    assert.ok(pair.snapshot().matches('hedged'));
    assert.equal(pair.snapshot().context.longLeg, 'b');
  });

  it('opens a two-perp pair on two venues with no margin and the second leg first when asked', () => {
    const pair = startPair({ ...PERP_PERP, firstLeg: 'b' });
    pair.send(enter('a', '1'));
    pair.fill();
    pair.fill();
    assert.deepEqual(
      pair.places().map((c) => [c.venue, ...brief(c)]),
      [
        ['sim-perp2', 'open', 'b', 'SELL', '1', false, false],
        ['sim', 'hedge', 'a', 'BUY', '1', false, false],
      ],
    );
  });

  it('goes back to flat without a second leg when the first executes nothing', () => {
    const pair = startPair();
    pair.send(enter('a'));
    pair.reject();
    assert.ok(pair.snapshot().matches('flat'));
    assert.equal(pair.places().length, 1);
    assert.equal(pair.snapshot().context.lastRejectReason, 'INSUFFICIENT_FUNDS');
  });

  it('compensates a rejected second leg by unwinding exactly what the first executed', () => {
    const pair = startPair();
    pair.send(enter('a', '0.5'));
    pair.settle('0.31234', 'order.expired');
    pair.reject();
    const unwind = pair.places()[2] as PlaceLegOrderCommand;
    assert.deepEqual(brief(unwind), ['unwind', 'a', 'SELL', '0.31234', false, false]);
    assert.deepEqual(pair.alerts(), ['ENTRY_COMPENSATING']);
    pair.fill();
    assert.ok(pair.snapshot().matches('flat'));
    assert.deepEqual(pair.positions(), ['0', '0']);
  });

  it('compensates a margin short by buying back on the margin account', () => {
    const pair = startPair();
    pair.send(enter('b', '0.2'));
    pair.fill();
    pair.reject();
    assert.deepEqual(brief(pair.places()[2] as PlaceLegOrderCommand), [
      'unwind',
      'a',
      'BUY',
      '0.2',
      false,
      true,
    ]);
  });

  it('trims the first leg to a second leg that filled short and stays hedged at that size', () => {
    const pair = startPair(PERP_PERP);
    pair.send(enter('a', '1'));
    pair.fill();
    pair.settle('0.6', 'order.expired');
    assert.deepEqual(brief(pair.places()[2] as PlaceLegOrderCommand), [
      'unwind',
      'a',
      'SELL',
      '0.4',
      true,
      false,
    ]);
    pair.fill();
    assert.ok(pair.snapshot().matches('hedged'));
    assert.deepEqual(pair.positions(), ['0.6', '-0.6']);
  });

  it('puts the next funding time and a fresh generation into every id', () => {
    const pair = startPair();
    pair.send(enter('a'));
    pair.fill();
    pair.fill();
    const ids = pair.places().map((c) => parseArbitrageOrderId(c.clientOrderId));
    assert.deepEqual(
      ids.map((p) => [p?.fundingMinuteMs, p?.generation, p?.purpose]),
      [
        [FUNDING, 1, 'open'],
        [FUNDING, 2, 'hedge'],
      ],
    );
  });
});

describe('arbitragePositionMachine: exit and reduce', () => {
  function hedged(input = SPOT_PERP, long: 'a' | 'b' = 'a', quantity = '0.5') {
    const pair = startPair(input);
    pair.send(enter(long, quantity));
    pair.fill();
    pair.fill();
    assert.ok(pair.snapshot().matches('hedged'));
    return pair;
  }

  it('closes the perp reduce-only for what it holds, then the spot for what the perp closed', () => {
    const pair = hedged();
    pair.send({ type: 'arb.exit', nextFundingTimeMs: FUNDING + 28_800_000 });
    assert.deepEqual(brief(pair.places()[2] as PlaceLegOrderCommand), [
      'close',
      'b',
      'BUY',
      '0.5',
      true,
      false,
    ]);
    pair.settle('0.3', 'order.expired');
    assert.deepEqual(brief(pair.places()[3] as PlaceLegOrderCommand), [
      'match',
      'a',
      'SELL',
      '0.3',
      false,
      false,
    ]);
    pair.fill();
    // Still wanted out: the rest of the perp, then the rest of the spot
    assert.deepEqual(brief(pair.places()[4] as PlaceLegOrderCommand), [
      'close',
      'b',
      'BUY',
      '0.2',
      true,
      false,
    ]);
    pair.fill();
    pair.fill();
    assert.ok(pair.snapshot().matches('flat'));
    assert.deepEqual(pair.positions(), ['0', '0']);
    const stamp = parseArbitrageOrderId(pair.places()[2]?.clientOrderId ?? '')?.fundingMinuteMs;
    assert.equal(stamp, FUNDING + 28_800_000);
  });

  it('buys back a margin short on the margin account on exit', () => {
    const pair = hedged(SPOT_PERP, 'b', '0.3');
    pair.send({ type: 'arb.exit' });
    pair.fill();
    assert.deepEqual(pair.places().slice(2).map(brief), [
      ['close', 'b', 'SELL', '0.3', true, false],
      ['match', 'a', 'BUY', '0.3', false, true],
    ]);
  });

  it('stays hedged with the exit still wanted when the close executes nothing, and retries with a new id', () => {
    const pair = hedged();
    pair.send({ type: 'arb.exit' });
    pair.reject('RATE_LIMITED');
    assert.ok(pair.snapshot().matches('hedged'));
    assert.equal(pair.snapshot().context.targetSize, '0');
    assert.deepEqual(pair.alerts(), ['EXIT_FAILED']);
    pair.send({ type: 'arb.retry' });
    const [failed, retried] = pair.places().slice(2);
    assert.ok(failed && retried);
    assert.deepEqual(brief(retried), brief(failed));
    assert.notEqual(retried.clientOrderId, failed.clientOrderId);
  });

  it('reduces both legs by the requested part, the second by what the first executed', () => {
    const pair = hedged(PERP_PERP, 'a', '1');
    pair.send({ type: 'arb.reduce', quantity: '0.4' });
    pair.fill();
    pair.fill();
    assert.deepEqual(pair.places().slice(2).map(brief), [
      ['close', 'b', 'BUY', '0.4', true, false],
      ['match', 'a', 'SELL', '0.4', true, false],
    ]);
    assert.ok(pair.snapshot().matches('hedged'));
    assert.deepEqual(pair.positions(), ['0.6', '-0.6']);
    assert.equal(pair.snapshot().context.targetSize, null);
  });

  it('treats a reduce that leaves less than the tolerance as a full exit', () => {
    const pair = hedged(PERP_PERP, 'a', '1');
    pair.send({ type: 'arb.reduce', quantity: '0.9995' });
    pair.fill();
    pair.fill();
    assert.ok(pair.snapshot().matches('flat'));
  });
});

describe('arbitragePositionMachine: emergency exit', () => {
  it('flattens after the hedge leg in flight settles', () => {
    const pair = startPair();
    pair.send(enter('a'));
    pair.fill();
    pair.send({ type: 'arb.emergencyExit', reason: 'LIQUIDATION_DISTANCE' });
    pair.fill();
    pair.fill();
    pair.fill();
    assert.deepEqual(
      pair
        .places()
        .slice(2)
        .map((c) => c.purpose),
      ['close', 'match'],
    );
    assert.ok(pair.snapshot().matches('flat'));
    assert.equal(pair.snapshot().context.emergency, false);
  });

  it('unwinds the first leg instead of hedging when declared during the first leg', () => {
    const pair = startPair();
    pair.send(enter('a'), { type: 'arb.emergencyExit', reason: 'FEED_STALE' });
    pair.fill();
    assert.deepEqual(brief(pair.places()[1] as PlaceLegOrderCommand), [
      'unwind',
      'a',
      'SELL',
      '0.5',
      false,
      false,
    ]);
    pair.fill();
    assert.ok(pair.snapshot().matches('flat'));
  });

  it('mints a new id for every emergency exit, never a shared `_0` id', () => {
    const pair = startPair(PERP_PERP);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      pair.send(enter('a', '1'));
      pair.fill();
      pair.fill();
      pair.send({ type: 'arb.emergencyExit', reason: 'MARGIN' });
      ids.push(pair.order().clientOrderId);
      pair.fill();
      pair.fill();
    }
    assert.equal(new Set(ids).size, 2);
  });
});

describe('arbitragePositionMachine: repairs', () => {
  it('waits with a critical alert when a compensation executes nothing, and retries on arb.retry', () => {
    const pair = startPair();
    pair.send(enter('a'));
    pair.fill();
    pair.reject();
    pair.reject('EXCHANGE_UNAVAILABLE');
    assert.ok(pair.snapshot().matches({ repairing: 'waiting' }));
    assert.deepEqual(pair.alerts(), ['ENTRY_COMPENSATING', 'REPAIR_STALLED']);
    assert.equal(pair.snapshot().context.order, null);

    pair.send({ type: 'arb.retry' });
    assert.deepEqual(brief(pair.order() as never as PlaceLegOrderCommand).slice(1, 4), [
      'a',
      'SELL',
      '0.5',
    ]);
    pair.fill();
    assert.ok(pair.snapshot().matches('flat'));
  });

  it('stops after maxRepairAttempts partial repairs in a row', () => {
    const pair = startPair({ ...PERP_PERP, maxRepairAttempts: 2 });
    pair.send(enter('a', '1'));
    pair.fill();
    pair.reject();
    pair.settle('0.1', 'order.expired');
    pair.settle('0.1', 'order.expired');
    assert.ok(pair.snapshot().matches({ repairing: 'waiting' }));
    assert.deepEqual(
      pair
        .places()
        .slice(2)
        .map((c) => [c.purpose, c.quantity]),
      [
        ['unwind', '1'],
        ['repair', '0.9'],
      ],
    );
  });

  it('repairs a hedge leg that reconciliation found gone (liquidated)', () => {
    const pair = startPair(PERP_PERP);
    pair.send(enter('a', '1'));
    pair.fill();
    pair.fill();
    pair.send({ type: 'arb.reconciled', positions: { a: '1', b: '0' } });
    assert.deepEqual(brief(pair.places()[2] as PlaceLegOrderCommand), [
      'repair',
      'a',
      'SELL',
      '1',
      true,
      false,
    ]);
  });

  it('ignores reports about other orders and stale cumulative figures', () => {
    const pair = startPair();
    pair.send(enter('a'));
    const id = pair.order().clientOrderId;
    pair.send(
      { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.3' },
      { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.2' },
      {
        type: 'order.filled',
        clientOrderId: 'osaOTHERao0hjb1c1' as ClientOrderId,
        filledQuantity: '1',
      },
      { type: 'order.filled', clientOrderId: id, filledQuantity: '0.6' },
    );
    assert.ok(pair.snapshot().matches({ entering: 'opening' }));
    assert.deepEqual(pair.positions(), ['0.3', '0']);
  });

  it('resumes from a persisted snapshot mid-entry without emitting anything', () => {
    const pair = startPair();
    pair.send(enter('a'));
    pair.fill();
    const before = pair.commands.length;
    pair.restart();
    assert.equal(pair.commands.length, before);
    pair.fill();
    assert.ok(pair.snapshot().matches('hedged'));
  });
});

describe('arbitrageInputError', () => {
  it('names the field at fault', () => {
    const cases: [Partial<ArbitragePositionInput>, RegExp][] = [
      [{ pairId: 'BTC basis' }, /^pairId/],
      [{ firstLeg: 'c' as never }, /^firstLeg/],
      [{ hedgeTolerance: '0.0001' }, /hedgeTolerance 0.0001 is below the larger step size 0.001/],
      [{ hedgeTolerance: '1e-3' }, /^hedgeTolerance must be a positive decimal/],
      [{ maxRepairAttempts: 0 }, /^maxRepairAttempts/],
      [
        { legs: { ...SPOT_PERP.legs, b: { ...SPOT_PERP.legs.b, market: 'spot' } } },
        /at least one leg must be a perp/,
      ],
      [
        { legs: { ...SPOT_PERP.legs, a: { ...SPOT_PERP.legs.a, stepSize: '0' } } },
        /^legs.a.stepSize/,
      ],
    ];
    for (const [patch, reason] of cases) {
      assert.match(arbitrageInputError({ ...SPOT_PERP, ...patch }) ?? '', reason);
    }
    assert.equal(arbitrageInputError(SPOT_PERP), null);
  });

  it('does not enter a size the first leg cannot trade', () => {
    const pair = startPair();
    pair.send(enter('a', '0.0005'), enter('a', '1e-1'));
    assert.ok(pair.snapshot().matches('flat'));
    assert.equal(pair.places().length, 0);
  });
});
