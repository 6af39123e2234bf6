/**
 * @module test/machines/grid-slot.model
 * Model-based tests for gridSlotMachine. The machine is the model; `xstate/graph` walks it over
 * a bounded event model and every path is replayed on the system under test: a live actor that
 * is persisted to JSON and restarted after every step, wired to a paper venue. The venue keeps
 * its own books (live orders, ids used, inventory from the fills it reported, the run of refusals)
 * and checks on every step that the slot never has two live orders, never reuses a client order
 * id, only places after the previous order is dead (cancel-then-place), never places in reaction
 * to a venue report (a refusal is never retried from inside the slot, so no retry can bypass the
 * actor's cooldown), counts consecutive refusals exactly, keeps long inventory ≥ 0, opens nothing
 * while risk is paused, closes exactly the inventory it holds, and prices a close off the market
 * it was told so it never crosses a market that has passed the exit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createActor,
  type Actor,
  type Snapshot as XStateSnapshot,
  type SnapshotFrom,
} from 'xstate';
import { createTestModel } from 'xstate/graph';

import { parseClientOrderId, symbolTag } from '../../machines/client-order-id.js';
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import { closePrice, levelPrice } from '../../machines/grid-lattice.js';
import {
  gridSlotMachine,
  POST_ONLY_REJECT_REASON,
  type GridSlotCommand,
  type GridSlotEvent,
  type GridSlotInput,
} from '../../machines/grid-slot.machine.js';
import type { SymbolId } from '../../core/types.js';

type Snapshot = SnapshotFrom<typeof gridSlotMachine>;
type Path = { state: Snapshot; steps: { event: GridSlotEvent | { type: string } }[] };

// Level 0 is 100; a market of 110 opens it long, 90 opens it short (neutral only). Quantities
// of whole units keep the partial-fill model finite: cumulative fills step by 1 up to 2.
const LONG: GridSlotInput = {
  namespace: 'K7Q2',
  symbol: 'BTCUSDT' as SymbolId,
  slotIndex: 0,
  mode: 'long',
  anchorPrice: '100',
  interval: '10',
  tickSize: '1',
  orderQuantity: '2',
};
const NEUTRAL: GridSlotInput = { ...LONG, mode: 'neutral' };
const OPEN_LONG: GridSlotEvent = { type: 'slot.open', marketPrice: '110' };
const OPEN_SHORT: GridSlotEvent = { type: 'slot.open', marketPrice: '90' };
// Long exits at 110 and short exits at 90: one market has passed each exit, the other not
const CLOSES: GridSlotEvent[] = [
  { type: 'slot.close', marketPrice: '120' },
  { type: 'slot.close', marketPrice: '80' },
];
// The risk layer's flatten: a close priced through the market by the actor, taking liquidity
const FLATTEN: GridSlotEvent = { type: 'slot.flatten', limitPrice: '95' };
// Three placements cover open, close and one more open or reprice
const PLACEMENTS_PER_PATH = 3;

/** Venue reports for the order the model is working, with payloads taken from its context. */
function reportsFor(snapshot: Snapshot): GridSlotEvent[] {
  const order = snapshot.context.order;
  if (!order) return [];
  const clientOrderId = order.clientOrderId;
  const next = dec(order.filledQuantity).add(1);
  const partial: GridSlotEvent[] = next.lt(order.quantity)
    ? [
        { type: 'order.partiallyFilled', clientOrderId, filledQuantity: toPlain(next) },
        { type: 'order.canceled', clientOrderId, filledQuantity: toPlain(next) },
      ]
    : [];
  return [
    { type: 'order.accepted', clientOrderId },
    { type: 'order.filled', clientOrderId },
    { type: 'order.canceled', clientOrderId },
    { type: 'order.expired', clientOrderId },
    { type: 'order.rejected', clientOrderId, reason: POST_ONLY_REJECT_REASON },
    { type: 'order.rejected', clientOrderId, reason: 'INSUFFICIENT_FUNDS' },
    { type: 'order.cancelRejected', clientOrderId, reason: 'UNKNOWN_ORDER' },
    ...partial,
  ];
}

function eventModel(opens: GridSlotEvent[], closes: GridSlotEvent[] = CLOSES) {
  return (snapshot: Snapshot): GridSlotEvent[] => [
    ...opens,
    ...closes,
    FLATTEN,
    { type: 'slot.cancel' },
    { type: 'risk.pause' },
    { type: 'risk.resume' },
    ...reportsFor(snapshot),
  ];
}

const EVENT_TYPES = [
  'slot.open',
  'slot.close',
  'slot.flatten',
  'slot.cancel',
  'risk.pause',
  'risk.resume',
  'order.accepted',
  'order.partiallyFilled',
  'order.filled',
  'order.canceled',
  'order.expired',
  'order.rejected',
  'order.cancelRejected',
] as const satisfies readonly GridSlotEvent['type'][];

const TERMINAL = new Set(['order.filled', 'order.canceled', 'order.expired', 'order.rejected']);

type Submit = Extract<GridSlotCommand, { type: 'command.submitOrder' }>;

/** The venue's side of the story, kept independently of the slot's context. */
class PaperVenue {
  readonly used = new Set<string>();
  readonly live = new Map<string, Submit>();
  readonly cancelRequested = new Set<string>();
  readonly pending: GridSlotCommand[] = [];
  private readonly filled = new Map<string, Decimal>();
  position = ZERO;
  /** Consecutive placements the venue did not keep. */
  refusals = 0;
  paused = false;

  private readonly input: GridSlotInput;
  constructor(input: GridSlotInput) {
    this.input = input;
  }

  /** Applies what the venue itself did before the slot hears of it. */
  deliver(event: GridSlotEvent): void {
    if (event.type === 'risk.pause' || event.type === 'risk.resume') {
      this.paused = event.type === 'risk.pause';
    }
    if (!('clientOrderId' in event)) return;
    const order = this.live.get(event.clientOrderId);
    assert.ok(order, `report for ${event.clientOrderId}, which is not live`);
    const seen = this.filled.get(order.clientOrderId) ?? ZERO;
    const reported =
      event.type === 'order.filled'
        ? dec(order.quantity)
        : 'filledQuantity' in event && event.filledQuantity !== undefined
          ? dec(event.filledQuantity)
          : seen;
    if (reported.gt(seen)) {
      const delta = reported.sub(seen);
      this.position = this.position.add(order.side === 'BUY' ? delta : delta.neg());
      this.filled.set(order.clientOrderId, reported);
    }
    const unfilledExpiry = event.type === 'order.expired' && reported.isZero();
    if (event.type === 'order.rejected' || unfilledExpiry) this.refusals++;
    else this.refusals = 0;
    if (TERMINAL.has(event.type)) this.live.delete(order.clientOrderId);
  }

  /** Checks every command the slot emitted in reaction to `cause`, in order. */
  settle(cause: GridSlotEvent | null): void {
    for (const command of this.pending.splice(0)) {
      if (command.type === 'command.cancelOrder') this.checkCancel(command.clientOrderId, cause);
      else this.checkSubmit(command, cause);
    }
  }

  private checkCancel(id: string, cause: GridSlotEvent | null): void {
    const order = this.live.get(id);
    assert.ok(order, `cancel for ${id}, which is not live`);
    // Risk may pull entries; only the owner may pull a closing order
    const allowed = order.reduceOnly ? ['slot.cancel'] : ['slot.cancel', 'risk.pause'];
    assert.ok(allowed.includes(cause?.type ?? ''), `cancel of ${id} on ${cause?.type}`);
    this.cancelRequested.add(id);
  }

  private checkSubmit(command: Submit, cause: GridSlotEvent | null): void {
    const { clientOrderId: id, side } = command;
    const { slotIndex: k } = this.input;
    assert.ok(!this.used.has(id), `client order id ${id} reused`);
    assert.deepEqual([...this.live.keys()], [], `placed ${id} while another order is live`);
    assert.deepEqual(parseClientOrderId(id), {
      namespace: this.input.namespace,
      symbolTag: symbolTag(this.input.symbol),
      slotIndex: k,
      side,
      generation: this.used.size + 1,
    });
    // Every order is a maker but a flatten's close
    assert.equal(command.postOnly, cause?.type !== 'slot.flatten');
    if (command.reduceOnly && cause?.type === 'slot.flatten') {
      assert.equal(command.price, cause.limitPrice);
    } else if (command.reduceOnly) {
      assert.ok(cause?.type === 'slot.close', `close ${id} placed on ${cause?.type}`);
      const entry = side === 'SELL' ? 'BUY' : 'SELL';
      assert.equal(command.price, closePrice(this.input, k, entry, cause.marketPrice));
      // A post-only close never crosses the market it was priced from
      const market = dec(cause.marketPrice);
      assert.ok(side === 'SELL' ? dec(command.price).gt(market) : dec(command.price).lt(market));
    } else {
      assert.equal(cause?.type, 'slot.open');
      assert.equal(command.price, levelPrice(this.input, k));
    }
    if (command.reduceOnly) {
      assert.equal(command.quantity, toPlain(this.position.abs()), 'close != held inventory');
      assert.equal(side, this.position.gt(0) ? 'SELL' : 'BUY');
    } else {
      assert.equal(this.paused, false, `opening order ${id} placed while risk paused`);
      assert.ok(this.position.isZero(), `opening order ${id} placed while holding`);
      assert.equal(command.quantity, this.input.orderQuantity);
      if (this.input.mode === 'long') assert.equal(side, 'BUY');
    }
    this.used.add(id);
    this.live.set(id, command);
  }
}

/** A live slot that is persisted and restarted from JSON after every step. */
function systemUnderTest(input: GridSlotInput) {
  const venue = new PaperVenue(input);
  const boot = (snapshot?: XStateSnapshot<unknown>): Actor<typeof gridSlotMachine> => {
    const actor = createActor(gridSlotMachine, { input, ...(snapshot ? { snapshot } : {}) });
    actor.on('*', (command) => venue.pending.push(command));
    return actor.start();
  };
  let actor = boot();

  const step = ({ event }: { event: { type: string } }) => {
    const e = event as GridSlotEvent; // the executor map is keyed by type only
    venue.deliver(e);
    actor.send(e);
    venue.settle(e);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    const persisted = JSON.parse(json) as XStateSnapshot<unknown>;
    actor.stop();
    actor = boot(persisted);
    venue.settle(null); // a restart must not emit anything

    const { position, order } = actor.getSnapshot().context;
    assert.ok(dec(position).eq(venue.position), `slot holds ${position}, venue ${venue.position}`);
    assert.ok(
      dec(position).abs().lte(input.orderQuantity),
      `inventory ${position} exceeds one order`,
    );
    if (input.mode === 'long') assert.ok(!dec(position).isNegative(), `long inventory ${position}`);
    assert.equal(actor.getSnapshot().context.refusals, venue.refusals, 'refusals miscounted');
    assert.deepEqual([...venue.live.keys()], order ? [order.clientOrderId] : []);
    for (const [id, live] of venue.live) {
      if (venue.paused && !live.reduceOnly) {
        assert.ok(venue.cancelRequested.has(id), `entry ${id} left working while paused`);
      }
    }
  };

  const sameAsModel = (expected: Snapshot): void => {
    const snapshot = actor.getSnapshot();
    assert.deepEqual(snapshot.value, expected.value);
    assert.deepEqual(snapshot.context, JSON.parse(JSON.stringify(expected.context)));
  };
  const idle = (expected: Snapshot): void => {
    sameAsModel(expected);
    assert.equal(actor.getSnapshot().context.order, null);
  };
  const canceling = (expected: Snapshot): void => {
    sameAsModel(expected);
    const order = actor.getSnapshot().context.order;
    assert.ok(order && venue.cancelRequested.has(order.clientOrderId), 'no cancel was sent');
  };

  return {
    events: Object.fromEntries(EVENT_TYPES.map((type) => [type, step])),
    states: {
      free: (s: Snapshot) => {
        idle(s);
        assert.ok(dec(s.context.position).isZero());
      },
      holding: (s: Snapshot) => {
        idle(s);
        assert.ok(!dec(s.context.position).isZero());
      },
      'opening.pending': sameAsModel,
      'opening.resting': sameAsModel,
      'opening.canceling': canceling,
      'closing.pending': sameAsModel,
      'closing.resting': sameAsModel,
      'closing.canceling': canceling,
    },
    stop: () => actor.stop(),
  };
}

function describeEvent(event: GridSlotEvent | { type: string }): string {
  const e = event as Partial<Record<string, string>> & { type: string };
  if (e.marketPrice) return `${e.type}@${e.marketPrice}`;
  if (e.limitPrice) return `${e.type}@${e.limitPrice}`;
  if (e.reason) return `${e.type}(${e.reason})`;
  if (e.filledQuantity) return `${e.type}(${e.filledQuantity})`;
  return e.type;
}

function stateName(snapshot: Snapshot): string {
  const value = snapshot.value;
  return typeof value === 'string' ? value : Object.entries(value).flat().join('.');
}

function nameOf(path: Path): string {
  const events = path.steps.slice(1).map((s) => describeEvent(s.event));
  return `${events.join(' > ')} => ${stateName(path.state)}`;
}

const ATOMIC_STATES = [
  'free',
  'opening.pending',
  'opening.resting',
  'opening.canceling',
  'holding',
  'closing.pending',
  'closing.resting',
  'closing.canceling',
];

// Value and context only: one vertex per state however it was reached, which keeps simple paths
// finite (the default key also names the incoming edge)
const plainKey = (s: Snapshot) => JSON.stringify({ value: s.value, context: s.context });
const byGeneration = (s: Snapshot) => s.context.generation >= PLACEMENTS_PER_PATH;
const roundTrip = (s: Snapshot) => s.matches('free') && s.context.generation > 0;
// Pause/resume toggles and cancel-rejected loops multiply simple paths without new behaviour;
// the shortest paths still take every one of those edges
const quietEvents = new Set(['risk.pause', 'risk.resume', 'order.cancelRejected']);

const cases = [
  { mode: 'long', input: LONG, opens: [OPEN_LONG], roundTripOpens: [OPEN_LONG] },
  // Neutral longs behave as in long mode, so its round trips only walk the short side
  { mode: 'neutral', input: NEUTRAL, opens: [OPEN_LONG, OPEN_SHORT], roundTripOpens: [OPEN_SHORT] },
] as const;

for (const c of cases) {
  const model = createTestModel(gridSlotMachine, {
    input: c.input,
    events: eventModel([...c.opens]),
    filterEvents: (s, e) => s.can(e),
    // The default state key names the incoming edge, so shortest paths take every edge
    // Generation grows with every placement, so the walk is bounded instead of context dropped
    stopWhen: byGeneration,
  });
  const shortest = model.getShortestPaths();
  const roundTrips = createTestModel(gridSlotMachine, {
    input: c.input,
    // One market per close keeps simple paths few; the shortest paths take both
    events: eventModel([...c.roundTripOpens], CLOSES.slice(1)),
    filterEvents: (s, e) => !quietEvents.has(e.type) && s.can(e),
    serializeState: plainKey,
    stopWhen: byGeneration,
  }).getSimplePaths({ toState: roundTrip });

  describe(`gridSlotMachine model (${c.mode}): shortest paths`, () => {
    it('reaches every state and takes every event', () => {
      const steps = shortest.flatMap((p) => p.steps);
      const reached = new Set(steps.map((s) => stateName(s.state)));
      for (const state of ATOMIC_STATES) assert.ok(reached.has(state), `unreached: ${state}`);
      const types = new Set<string>(steps.map((s) => s.event.type));
      for (const type of EVENT_TYPES) assert.ok(types.has(type), `never sent: ${type}`);
    });

    for (const path of shortest) {
      it(nameOf(path), async () => {
        const sut = systemUnderTest(c.input);
        await path.test(sut);
        sut.stop();
      });
    }
  });

  describe(`gridSlotMachine model (${c.mode}): simple round trips`, () => {
    for (const path of roundTrips) {
      it(nameOf(path), async () => {
        const sut = systemUnderTest(c.input);
        await path.test(sut);
        sut.stop();
      });
    }
  });
}
