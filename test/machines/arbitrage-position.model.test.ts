/**
 * @module test/machines/arbitrage-position.model
 * Model-based tests for arbitragePositionMachine. The machine is the model; `xstate/graph` walks
 * it over a bounded event model (both directions, exit, partial reduce, emergency exit, retry,
 * reconciliation, and every venue outcome of the working order: filled, partially filled, expired
 * part-filled, canceled empty, rejected) and every path is replayed on the system under test: a
 * live actor persisted to JSON and restarted after every step, wired to a paper venue that keeps
 * its own books of both legs from the fills it reported. On every step the venue checks:
 * - at most one order in flight per pair, and no placement before the previous order is dead
 *   (REQ-ARB-005);
 * - every hedge, compensation, exit and repair quantity equals a quantity the venue's own fills
 *   imply: the second entry leg the first leg's executed quantity, a compensation what the first
 *   leg executed, a match what the close executed, a close what the leg holds (REQ-ARB-004);
 * - every order but the opening pair of an entry lowers its leg (reduce-only on a perp), a spot
 *   short goes through margin both ways, ids are fresh, parse back and carry the funding time;
 * - the pair never rests unhedged: in `flat` and `hedged` |a + b| is within tolerance, and any
 *   imbalance lives only in a state that is entering or repairing it.
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

import { dec, Decimal, floorToStep, toPlain, ZERO } from '../../core/decimal.js';
import { pairTag, parseArbitrageOrderId } from '../../machines/arbitrage-order-id.js';
import { otherLeg, type LegKey } from '../../machines/arbitrage-pair.js';
import {
  arbitragePositionMachine,
  type ArbitragePositionCommand,
  type ArbitragePositionEvent,
  type ArbitragePositionInput,
  type PlaceLegOrderCommand,
} from '../../machines/arbitrage-position.machine.js';

type Snapshot = SnapshotFrom<typeof arbitragePositionMachine>;
type Path = { state: Snapshot; steps: { event: ArbitragePositionEvent | { type: string } }[] };

const FUNDING = Date.UTC(2026, 0, 1, 16);
// Whole units keep the model finite: entries of 4, partial fills of half, tolerance one step
const SPOT_PERP: ArbitragePositionInput = {
  pairId: 'btc-basis',
  firstLeg: 'a',
  hedgeTolerance: '1',
  maxRepairAttempts: 2,
  legs: {
    a: { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT', stepSize: '1' },
    b: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '1' },
  },
};
const PERP_PERP: ArbitragePositionInput = {
  ...SPOT_PERP,
  pairId: 'btc-x',
  firstLeg: 'b',
  legs: {
    a: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '1' },
    b: { venue: 'sim-perp2', market: 'perp', symbol: 'BTCUSDT', stepSize: '1' },
  },
};
const ENTRY = '4';
// Four placements cover an entry with a compensation and one more order, or an entry and exit
const PLACEMENTS_PER_PATH = 4;

const EVENT_TYPES = [
  'arb.enter',
  'arb.exit',
  'arb.reduce',
  'arb.emergencyExit',
  'arb.retry',
  'arb.reconciled',
  'order.partiallyFilled',
  'order.filled',
  'order.canceled',
  'order.expired',
  'order.rejected',
] as const satisfies readonly ArbitragePositionEvent['type'][];

/** Venue outcomes of the working order, with cumulative figures taken from the model's context. */
function reportsFor(snapshot: Snapshot): ArbitragePositionEvent[] {
  const order = snapshot.context.order;
  if (!order) return [];
  const { clientOrderId } = order;
  const done = dec(order.filledQuantity);
  const half = floorToStep(dec(order.quantity).div(2), dec(1));
  const partial = half.gt(done) ? toPlain(half) : order.filledQuantity;
  return [
    { type: 'order.filled', clientOrderId, filledQuantity: order.quantity },
    ...(half.gt(done)
      ? [{ type: 'order.partiallyFilled' as const, clientOrderId, filledQuantity: partial }]
      : []),
    { type: 'order.expired', clientOrderId, filledQuantity: partial },
    { type: 'order.canceled', clientOrderId, filledQuantity: order.filledQuantity },
    { type: 'order.rejected', clientOrderId, reason: 'INSUFFICIENT_FUNDS' },
  ];
}

function eventModel(snapshot: Snapshot): ArbitragePositionEvent[] {
  const atMs = FUNDING - 60_000;
  const { legs, firstLeg } = snapshot.context;
  return [
    { type: 'arb.enter', long: 'a', quantity: ENTRY, nextFundingTimeMs: FUNDING, atMs },
    { type: 'arb.enter', long: 'b', quantity: ENTRY, nextFundingTimeMs: FUNDING, atMs },
    { type: 'arb.exit', nextFundingTimeMs: FUNDING + 28_800_000 },
    { type: 'arb.reduce', quantity: '2' },
    { type: 'arb.emergencyExit', reason: 'LIQUIDATION_DISTANCE' },
    { type: 'arb.retry' },
    // The hedge leg vanished on the venue (liquidated): reconciliation reports it
    {
      type: 'arb.reconciled',
      positions: {
        [firstLeg]: legs[firstLeg].position,
        [otherLeg(firstLeg)]: '0',
      } as Record<LegKey, string>,
    },
    ...reportsFor(snapshot),
  ];
}

/**
 * States where |a + b| may exceed the tolerance: an order in flight is moving a leg (partial
 * fills arrive one by one) or the pair is repairing. `flat` and `hedged` are never among them.
 */
const MAY_BE_UNHEDGED = new Set([
  'entering.opening',
  'exiting.closing',
  'entering.hedging',
  'entering.compensating',
  'exiting.matching',
  'repairing.working',
  'repairing.waiting',
]);

/** The venue's side of the story, kept independently of the machine's context. */
class PaperVenue {
  readonly used = new Set<string>();
  readonly live = new Map<string, PlaceLegOrderCommand>();
  readonly pending: ArbitragePositionCommand[] = [];
  readonly alerts: string[] = [];
  readonly position: Record<LegKey, Decimal> = { a: ZERO, b: ZERO };
  private readonly filled = new Map<string, Decimal>();
  /** Executed quantity of each finished order, by purpose, latest last. */
  private readonly executed: { purpose: string; leg: LegKey; quantity: Decimal }[] = [];
  private long: LegKey | null = null;
  private target: Decimal | null = null;
  private readonly input: ArbitragePositionInput;

  constructor(input: ArbitragePositionInput) {
    this.input = input;
  }

  get net(): Decimal {
    return this.position.a.add(this.position.b);
  }

  /** Applies what the venue itself did before the machine hears of it. */
  deliver(event: ArbitragePositionEvent): void {
    if (event.type === 'arb.reconciled') {
      this.position.a = dec(event.positions.a);
      this.position.b = dec(event.positions.b);
    }
    if (event.type === 'arb.reduce') {
      const leg = otherLeg(this.input.firstLeg);
      const keep = this.position[leg].abs().sub(event.quantity);
      this.target = keep.lte(this.input.hedgeTolerance) ? ZERO : keep;
    }
    if (event.type === 'arb.exit' || event.type === 'arb.emergencyExit') this.target = ZERO;
    if (!('clientOrderId' in event)) return;
    const order = this.live.get(event.clientOrderId);
    assert.ok(order, `report for ${event.clientOrderId}, which is not live`);
    const seen = this.filled.get(order.clientOrderId) ?? ZERO;
    const reported = 'filledQuantity' in event ? dec(event.filledQuantity) : seen;
    if (reported.gt(seen)) {
      const delta = reported.sub(seen);
      this.position[order.leg] = this.position[order.leg].add(
        order.side === 'BUY' ? delta : delta.neg(),
      );
      this.filled.set(order.clientOrderId, reported);
    }
    if (event.type !== 'order.partiallyFilled') {
      this.live.delete(order.clientOrderId);
      this.executed.push({
        purpose: order.purpose,
        leg: order.leg,
        quantity: reported.gt(seen) ? reported : seen,
      });
    }
  }

  /** Checks every command the machine emitted in reaction to `cause`, in order. */
  settle(cause: ArbitragePositionEvent | null): void {
    for (const command of this.pending.splice(0)) {
      if (command.type === 'command.alert') {
        assert.ok(cause, 'an alert on restart');
        this.alerts.push(command.reason);
      } else this.checkPlacement(command, cause);
    }
  }

  private lastExecuted(purpose: string): Decimal | undefined {
    for (let i = this.executed.length - 1; i >= 0; i--) {
      const e = this.executed[i];
      if (e?.purpose === purpose) return e.quantity;
    }
    return undefined;
  }

  private checkPlacement(c: PlaceLegOrderCommand, cause: ArbitragePositionEvent | null): void {
    assert.ok(cause, `placed ${c.clientOrderId} on a restart`);
    assert.deepEqual(
      [...this.live.keys()],
      [],
      `placed ${c.clientOrderId} while an order is in flight`,
    );
    assert.ok(!this.used.has(c.clientOrderId), `client order id ${c.clientOrderId} reused`);
    const parts = parseArbitrageOrderId(c.clientOrderId);
    assert.ok(parts, `${c.clientOrderId} does not parse`);
    assert.deepEqual(
      [parts.pairTag, parts.leg, parts.purpose, parts.generation],
      [pairTag(this.input.pairId), c.leg, c.purpose, this.used.size + 1],
    );
    assert.ok(
      [FUNDING, FUNDING + 28_800_000].includes(parts.fundingMinuteMs),
      'id lacks the funding time',
    );
    const spec = this.input.legs[c.leg];
    assert.deepEqual(
      [c.venue, c.market, c.symbol, c.orderType],
      [spec.venue, spec.market, spec.symbol, 'MARKET'],
    );
    const held = this.position[c.leg];
    const qty = dec(c.quantity);
    assert.ok(qty.gt(0), 'an empty order');
    const tolerance = this.input.hedgeTolerance;

    if (c.purpose === 'open') {
      assert.equal(cause.type, 'arb.enter');
      assert.ok(
        this.position.a.abs().lte(tolerance) && this.position.b.abs().lte(tolerance),
        'entry while not flat',
      );
      assert.equal(c.leg, this.input.firstLeg);
      assert.equal(c.quantity, ENTRY);
      this.long = cause.type === 'arb.enter' ? cause.long : null;
      this.target = null;
      assert.equal(c.side, this.long === c.leg ? 'BUY' : 'SELL');
    } else if (c.purpose === 'hedge') {
      assert.equal(c.leg, otherLeg(this.input.firstLeg));
      // Sized from what the first leg executed (plus any tolerated residue the pair held
      // before), never from what it asked for
      assert.ok(qty.eq(this.net.abs()), `hedge ${c.quantity} != net exposure ${this.net}`);
      const executed = this.lastExecuted('open') ?? ZERO;
      assert.ok(
        qty.sub(executed).abs().lte(tolerance),
        `hedge ${c.quantity} != executed ${executed}`,
      );
      assert.equal(c.side, this.net.isPositive() ? 'SELL' : 'BUY');
    } else {
      // Every other order lowers its leg by a quantity the fills imply
      assert.ok(!held.isZero(), `${c.purpose} on an empty leg`);
      assert.equal(
        c.side,
        held.isPositive() ? 'SELL' : 'BUY',
        `${c.purpose} would grow leg ${c.leg}`,
      );
      assert.ok(qty.lte(held.abs()), `${c.purpose} ${c.quantity} exceeds the ${held.abs()} held`);
      if (c.purpose === 'close') {
        assert.equal(c.leg, otherLeg(this.input.firstLeg));
        // What the leg holds beyond what an exit (0) or a reduce keeps
        const keep = this.target ?? ZERO;
        assert.ok(
          qty.eq(held.abs().sub(keep)),
          `close ${c.quantity} != held ${held.abs()} - kept ${keep}`,
        );
      } else {
        const larger: LegKey = this.position.a.abs().gte(this.position.b.abs()) ? 'a' : 'b';
        assert.equal(c.leg, larger, `${c.purpose} on the smaller leg`);
        assert.ok(this.net.abs().gt(tolerance), `${c.purpose} while hedged`);
        assert.ok(
          qty.eq(Decimal.min(this.net.abs(), held.abs())),
          `${c.purpose} ${c.quantity} != imbalance`,
        );
        if (c.purpose === 'unwind' && this.lastExecuted('hedge')?.isZero()) {
          // A failed second leg unwinds exactly the first leg's executed quantity
          assert.ok(qty.eq(this.lastExecuted('open') ?? -1), 'compensation != executed first leg');
        }
        if (c.purpose === 'match') {
          // The other leg follows what the close executed (plus any tolerated residue)
          const closed = this.lastExecuted('close') ?? ZERO;
          assert.ok(
            qty.sub(closed).abs().lte(tolerance),
            `match ${c.quantity} != closed ${closed}`,
          );
        }
      }
    }
    assert.equal(
      c.reduceOnly,
      c.market === 'perp' && c.purpose !== 'open' && c.purpose !== 'hedge',
    );
    const shortSpot = c.market === 'spot' && this.long !== null && this.long !== c.leg;
    assert.equal(c.useMargin, shortSpot, `margin flag on ${c.purpose}`);
    this.used.add(c.clientOrderId);
    this.live.set(c.clientOrderId, c);
  }
}

function stateName(snapshot: { value: unknown }): string {
  const value = snapshot.value;
  return typeof value === 'string'
    ? value
    : Object.entries(value as object)
        .flat()
        .join('.');
}

/** A live pair persisted and restarted from JSON after every step. */
function systemUnderTest(input: ArbitragePositionInput) {
  const venue = new PaperVenue(input);
  const boot = (snapshot?: XStateSnapshot<unknown>): Actor<typeof arbitragePositionMachine> => {
    const actor = createActor(arbitragePositionMachine, {
      input,
      ...(snapshot ? { snapshot } : {}),
    });
    actor.on('*', (command) => venue.pending.push(command));
    return actor.start();
  };
  let actor = boot();

  const step = ({ event }: { event: { type: string } }) => {
    const e = event as ArbitragePositionEvent; // the executor map is keyed by type only
    venue.deliver(e);
    actor.send(e);
    venue.settle(e);
    const persisted = JSON.parse(
      JSON.stringify(actor.getPersistedSnapshot()),
    ) as XStateSnapshot<unknown>;
    actor.stop();
    actor = boot(persisted);
    venue.settle(null); // a restart emits nothing

    const snapshot = actor.getSnapshot();
    const { legs, order } = snapshot.context;
    assert.ok(
      dec(legs.a.position).eq(venue.position.a),
      `leg a ${legs.a.position} != venue ${venue.position.a}`,
    );
    assert.ok(
      dec(legs.b.position).eq(venue.position.b),
      `leg b ${legs.b.position} != venue ${venue.position.b}`,
    );
    assert.deepEqual([...venue.live.keys()], order ? [order.clientOrderId] : []);
    const name = stateName(snapshot);
    if (venue.net.abs().gt(input.hedgeTolerance)) {
      assert.ok(MAY_BE_UNHEDGED.has(name), `unhedged by ${venue.net} while resting in ${name}`);
    }
  };

  const sameAsModel = (expected: Snapshot): void => {
    const snapshot = actor.getSnapshot();
    assert.deepEqual(snapshot.value, expected.value);
    assert.deepEqual(snapshot.context, JSON.parse(JSON.stringify(expected.context)));
  };
  const working = (expected: Snapshot): void => {
    sameAsModel(expected);
    assert.equal(venue.live.size, 1, 'a working state without an order in flight');
  };
  const idle = (expected: Snapshot): void => {
    sameAsModel(expected);
    assert.equal(venue.live.size, 0);
  };

  return {
    events: Object.fromEntries(EVENT_TYPES.map((type) => [type, step])),
    states: {
      flat: (s: Snapshot) => {
        idle(s);
        assert.ok(venue.position.a.abs().lte(input.hedgeTolerance), 'flat with leg a open');
        assert.ok(venue.position.b.abs().lte(input.hedgeTolerance), 'flat with leg b open');
      },
      hedged: (s: Snapshot) => {
        idle(s);
        assert.ok(venue.net.abs().lte(input.hedgeTolerance), `hedged with net ${venue.net}`);
        assert.ok(
          !venue.position.a.isZero() && !venue.position.b.isZero(),
          'hedged with a leg empty',
        );
      },
      'entering.opening': working,
      'entering.hedging': working,
      'entering.compensating': working,
      'exiting.closing': working,
      'exiting.matching': working,
      'repairing.working': working,
      'repairing.waiting': (s: Snapshot) => {
        idle(s);
        assert.ok(venue.net.abs().gt(input.hedgeTolerance), 'waiting to repair a hedged pair');
        assert.equal(venue.alerts.at(-1), 'REPAIR_STALLED');
      },
    },
    stop: () => actor.stop(),
  };
}

const ATOMIC_STATES = [
  'flat',
  'entering.opening',
  'entering.hedging',
  'entering.compensating',
  'hedged',
  'exiting.closing',
  'exiting.matching',
  'repairing.working',
  'repairing.waiting',
];

function describeEvent(event: ArbitragePositionEvent | { type: string }): string {
  const e = event as Partial<Record<string, unknown>> & { type: string };
  if (e.type === 'arb.enter') return `enter(long ${String(e.long)})`;
  if (e.type === 'arb.reconciled') return 'reconciled(hedge leg gone)';
  if (typeof e.reason === 'string') return `${e.type}(${e.reason})`;
  if (typeof e.filledQuantity === 'string') return `${e.type}(${e.filledQuantity})`;
  if (typeof e.quantity === 'string') return `${e.type}(${e.quantity})`;
  return e.type;
}

const nameOf = (path: Path) =>
  `${path.steps
    .slice(1)
    .map((s) => describeEvent(s.event))
    .join(' > ')} => ${stateName(path.state)}`;

const byGeneration = (s: Snapshot) => s.context.generation >= PLACEMENTS_PER_PATH;
const plainKey = (s: Snapshot) => JSON.stringify({ value: s.value, context: s.context });
// Round trips: entry to hedged and out again, without the control events that only add loops
const roundTripEvents = new Set([
  'arb.retry',
  'arb.reconciled',
  'arb.reduce',
  'order.partiallyFilled',
]);
const backToFlat = (s: Snapshot) => s.matches('flat') && s.context.generation > 0;

const cases = [
  { name: 'spot/perp, spot first', input: SPOT_PERP },
  { name: 'perp/perp across venues, b first', input: PERP_PERP },
];

for (const c of cases) {
  const shortest = createTestModel(arbitragePositionMachine, {
    input: c.input,
    events: eventModel,
    filterEvents: (s, e) => s.can(e),
    stopWhen: byGeneration,
  }).getShortestPaths();
  const roundTrips = createTestModel(arbitragePositionMachine, {
    input: c.input,
    events: eventModel,
    filterEvents: (s, e) => !roundTripEvents.has(e.type) && s.can(e),
    serializeState: plainKey,
    stopWhen: (s) => s.context.generation >= 3,
  }).getSimplePaths({ toState: backToFlat });

  describe(`arbitragePositionMachine model (${c.name}): shortest paths`, () => {
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

  describe(`arbitragePositionMachine model (${c.name}): simple round trips`, () => {
    it('finds round trips that end flat', () => assert.ok(roundTrips.length > 0));
    for (const path of roundTrips) {
      it(nameOf(path), async () => {
        const sut = systemUnderTest(c.input);
        await path.test(sut);
        sut.stop();
      });
    }
  });
}
