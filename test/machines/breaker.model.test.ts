/**
 * @module test/machines/breaker.model
 * Model-based tests for breakerMachine. The event model: the evaluator's verdict (holds / clear),
 * the passing of time (one step = half the cooldown), an operator's trip and reset. Time in each
 * event is the snapshot's last time plus one step, so every path is a timeline. Paths from
 * `xstate/graph` (shortest, to every state) and every sequence of six events are replayed on a
 * live actor that is persisted and restored after each step, with an owner that keeps its own
 * books from the notices only. Checked on every step: a reset (automatic or manual) never happens
 * while the last verdict says the condition holds; an automatic reset comes only after a full
 * cool-down, never for an operator's trip, never after the daily trip allowance; the owner holds
 * trading exactly while the breaker is not closed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, type SnapshotFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';

import {
  BREAKER_STATES,
  breakerMachine,
  type BreakerEvent,
  type BreakerInput,
  type BreakerNotice,
} from '../../machines/breaker.machine.js';
import { walkEventSequences } from '../support/event-walk.js';

type Snapshot = SnapshotFrom<typeof breakerMachine>;
type Path = { state: Snapshot; steps: readonly { state: Snapshot; event: { type: string } }[] };

const STEP_MS = 1_000;
const START_MS = Date.UTC(2026, 0, 1, 6);
const INPUT: BreakerInput = {
  name: 'drawdown',
  scope: 'BTCUSDT',
  cooldownMs: 2 * STEP_MS,
  maxAutoResetsPerDay: 2,
};

function eventsAt(snapshot: Snapshot): BreakerEvent[] {
  const atMs = Math.max(snapshot.context.lastAtMs, START_MS) + STEP_MS;
  return [
    { type: 'breaker.observe', atMs, holds: true, reason: 'drawdown 12% ≥ 10%' },
    { type: 'breaker.observe', atMs, holds: false, reason: 'drawdown 2%' },
    { type: 'clock.tick', atMs },
    { type: 'breaker.trip', atMs, by: 'ops', reason: 'manual trip' },
    { type: 'breaker.reset', atMs, by: 'ops' },
  ];
}

/** The owner of the breaker: what it knows comes from the notices and its own evaluator. */
class Owner {
  conditionHolds = false;
  holding = false;
  manualTrip = false;
  trips: number[] = [];
  coolingSince: number | null = null;
  resetsRefused = 0;
  lastClosed: Extract<BreakerNotice, { type: 'breaker.closed' }> | null = null;

  before(event: BreakerEvent): void {
    if (event.type === 'breaker.observe') this.conditionHolds = event.holds;
  }

  apply(notice: BreakerNotice): void {
    switch (notice.type) {
      case 'breaker.opened':
        this.holding = true;
        this.trips.push(notice.atMs);
        this.manualTrip = notice.by !== 'evaluator';
        this.coolingSince = null;
        assert.ok(this.manualTrip || this.conditionHolds, 'opens only on a holding condition');
        break;
      case 'breaker.cooling':
        assert.equal(this.conditionHolds, false, 'cools only once the condition is gone');
        assert.equal(this.manualTrip, false, 'an operator trip never cools by itself');
        this.coolingSince = notice.atMs;
        break;
      case 'breaker.closed':
        assert.equal(this.conditionHolds, false, 'never resets while the condition holds');
        if (notice.how === 'auto') {
          assert.ok(this.coolingSince !== null, 'auto reset only after cooling');
          assert.ok(notice.atMs - this.coolingSince >= (INPUT.cooldownMs ?? Infinity));
          assert.equal(this.manualTrip, false, 'an operator trip is reset by an operator');
          assert.ok(this.trips.length < INPUT.maxAutoResetsPerDay, 'daily allowance respected');
        }
        this.holding = false;
        this.lastClosed = notice;
        this.coolingSince = null;
        break;
      case 'breaker.resetRefused':
        assert.equal(
          this.conditionHolds,
          true,
          'a reset is refused only while the condition holds',
        );
        this.resetsRefused += 1;
        break;
    }
  }
}

function startSut() {
  const owner = new Owner();
  let actor = createActor(breakerMachine, { input: INPUT });
  const wire = () => actor.on('*', (notice) => owner.apply(notice as BreakerNotice));
  wire();
  actor.start();
  const send = (event: BreakerEvent) => {
    owner.before(event);
    actor.send(event);
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    actor = createActor(breakerMachine, { input: INPUT, snapshot: persisted });
    wire();
    actor.start();
  };
  return { owner, send, actor: () => actor };
}

type Sut = ReturnType<typeof startSut>;

function checkInvariants(sut: Sut, snapshot: Snapshot): void {
  const live = sut.actor().getSnapshot();
  assert.equal(live.value, snapshot.value, 'restored actor is in the model state');
  assert.equal(sut.owner.holding, snapshot.value !== 'closed', 'owner holds while not closed');
  if (snapshot.value === 'closed') {
    assert.equal(snapshot.context.reason, null);
    assert.equal(snapshot.context.sinceMs, null);
  } else {
    assert.ok(snapshot.context.reason, 'an open breaker has a reason');
    assert.ok(snapshot.context.sinceMs !== null, 'an open breaker has a since');
  }
  if (snapshot.value === 'cooling') assert.equal(snapshot.context.conditionHolds, false);
}

const model = createTestModel(breakerMachine, {
  input: INPUT,
  events: eventsAt,
  // The model also offers each event type bare (no payload); only the modelled events count
  filterEvents: (snapshot, event) =>
    eventsAt(snapshot).some((e) => JSON.stringify(e) === JSON.stringify(event)) &&
    snapshot.can(event as BreakerEvent),
  stopWhen: (snapshot) => snapshot.context.lastAtMs > START_MS + 7 * STEP_MS,
});

const checks = (sut: Sut) => ({
  events: Object.fromEntries(
    ['breaker.observe', 'clock.tick', 'breaker.trip', 'breaker.reset'].map((type) => [
      type,
      (step: { event: { type: string } }) => sut.send(step.event as BreakerEvent),
    ]),
  ),
  states: Object.fromEntries(
    BREAKER_STATES.map((state) => [state, (snapshot: Snapshot) => checkInvariants(sut, snapshot)]),
  ),
});

const named = (path: Path) =>
  `${String(path.state.value)} <- ${path.steps
    .slice(1)
    .map((s) => {
      const e = s.event as BreakerEvent;
      return e.type === 'breaker.observe' ? (e.holds ? 'holds' : 'clear') : e.type.split('.')[1];
    })
    .join(' > ')}`;

describe('breakerMachine: model-based', () => {
  const shortest = model.getShortestPaths() as unknown as Path[];

  it('reaches every breaker state, and an automatic and a manual reset', () => {
    const reached = new Set(shortest.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    for (const state of BREAKER_STATES) assert.ok(reached.has(state), `unreachable: ${state}`);
  });

  for (const path of shortest) {
    it(`shortest: ${named(path)}`, async () => {
      const sut = startSut();
      await model.testPath(path as never, checks(sut) as never);
    });
  }

  it('holds every invariant on every sequence of six events', () => {
    const seen = { auto: 0, manual: 0, refused: 0, manualOnly: 0 };
    const visited = walkEventSequences(breakerMachine, INPUT, eventsAt, 6, (sequence) => {
      const sut = startSut();
      for (const event of sequence) {
        sut.send(event);
        checkInvariants(sut, sut.actor().getSnapshot());
      }
      const closed = sut.owner.lastClosed;
      if (closed?.how === 'auto') seen.auto += 1;
      if (closed?.how === 'manual') seen.manual += 1;
      seen.refused += sut.owner.resetsRefused > 0 ? 1 : 0;
      const context = sut.actor().getSnapshot().context;
      if (context.tripsToday >= INPUT.maxAutoResetsPerDay && !context.autoReset) {
        seen.manualOnly += 1;
      }
    });
    assert.ok(visited > 1_000, `visited ${visited}`);
    for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `never saw ${what}`);
  });
});

describe('breakerMachine: examples', () => {
  const start = () => {
    const notices: BreakerNotice[] = [];
    const actor = createActor(breakerMachine, { input: INPUT });
    actor.on('*', (n) => notices.push(n as BreakerNotice));
    actor.start();
    return { actor, notices };
  };

  it('opens with the reason and time of the trip', () => {
    const { actor, notices } = start();
    actor.send({
      type: 'breaker.observe',
      atMs: START_MS,
      holds: true,
      reason: 'p99 1800 ms > 1500 ms',
    });
    const { context, value } = actor.getSnapshot();
    assert.equal(value, 'open');
    assert.equal(context.reason, 'p99 1800 ms > 1500 ms');
    assert.equal(context.sinceMs, START_MS);
    assert.deepEqual(
      notices.map((n) => n.type),
      ['breaker.opened'],
    );
  });

  it('resets itself after a quiet cool-down and counts trips per UTC day', () => {
    const { actor } = start();
    const day2 = START_MS + 86_400_000;
    actor.send({ type: 'breaker.observe', atMs: START_MS, holds: true, reason: 'x' });
    actor.send({ type: 'breaker.observe', atMs: START_MS + 10, holds: false, reason: 'ok' });
    actor.send({ type: 'clock.tick', atMs: START_MS + 10 + 2 * STEP_MS });
    assert.equal(actor.getSnapshot().value, 'closed');
    actor.send({ type: 'breaker.observe', atMs: day2, holds: true, reason: 'x' });
    assert.equal(actor.getSnapshot().context.tripsToday, 1, 'a new day starts a new count');
    assert.equal(actor.getSnapshot().context.autoReset, true);
  });

  it('needs an operator after the daily allowance of trips', () => {
    const { actor, notices } = start();
    let t = START_MS;
    for (let trip = 0; trip < INPUT.maxAutoResetsPerDay; trip++) {
      actor.send({ type: 'breaker.observe', atMs: (t += 1), holds: true, reason: 'x' });
      actor.send({ type: 'breaker.observe', atMs: (t += 1), holds: false, reason: 'ok' });
      actor.send({ type: 'clock.tick', atMs: (t += 10 * STEP_MS) });
    }
    assert.equal(actor.getSnapshot().value, 'open', 'second trip of the day stays open');
    assert.equal(actor.getSnapshot().context.autoReset, false);
    actor.send({ type: 'breaker.reset', atMs: (t += 1), by: 'ops' });
    assert.equal(actor.getSnapshot().value, 'closed');
    assert.deepEqual(notices.at(-1), {
      type: 'breaker.closed',
      name: 'drawdown',
      scope: 'BTCUSDT',
      atMs: t,
      how: 'manual',
      by: 'ops',
      openMs: t - (START_MS + 10 * STEP_MS + 3),
    });
  });

  it('refuses a manual reset while the condition holds, naming it', () => {
    const { actor, notices } = start();
    actor.send({
      type: 'breaker.observe',
      atMs: START_MS,
      holds: true,
      reason: 'margin 0.91 ≥ 0.8',
    });
    actor.send({ type: 'breaker.reset', atMs: START_MS + 1, by: 'ops' });
    assert.equal(actor.getSnapshot().value, 'open');
    const refused = notices.at(-1);
    assert.equal(refused?.type, 'breaker.resetRefused');
    assert.match(refused?.type === 'breaker.resetRefused' ? refused.reason : '', /margin 0.91/);
  });

  it('never resets by itself without a cooldown', () => {
    const input = { ...INPUT, cooldownMs: null };
    const actor = createActor(breakerMachine, { input }).start();
    actor.send({ type: 'breaker.observe', atMs: START_MS, holds: true, reason: 'x' });
    actor.send({ type: 'breaker.observe', atMs: START_MS + 1, holds: false, reason: 'ok' });
    actor.send({ type: 'clock.tick', atMs: START_MS + 86_400_000 });
    assert.equal(actor.getSnapshot().value, 'open');
  });

  it('takes a new policy at runtime: dropping the cooldown stops the next auto reset', () => {
    const { actor } = start();
    actor.send({ type: 'breaker.observe', atMs: START_MS, holds: true, reason: 'x' });
    actor.send({
      type: 'breaker.configure',
      atMs: START_MS + 1,
      cooldownMs: null,
      maxAutoResetsPerDay: 3,
    });
    actor.send({ type: 'breaker.observe', atMs: START_MS + 2, holds: false, reason: 'ok' });
    assert.equal(actor.getSnapshot().value, 'open');
  });

  it('refuses an input that makes no sense, naming the field', () => {
    const actor = createActor(breakerMachine, { input: { ...INPUT, maxAutoResetsPerDay: -1 } });
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    assert.equal(actor.getSnapshot().status, 'error');
    assert.match(String(errors[0]), /maxAutoResetsPerDay must be a non-negative integer/);
  });
});
