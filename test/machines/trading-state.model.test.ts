/**
 * @module test/machines/trading-state.model
 * Model-based tests for tradingStateMachine. `xstate/graph` walks the machine over a bounded
 * event model (four sources with fixed levels, one of them an operator's latched halt; clears,
 * resume, flatten completion) and every path is replayed on the system under test: a live actor
 * persisted to JSON and restored after every step, wired to a paper strategy that obeys only the
 * commands it was sent. On every step the test checks, against an oracle that keeps the holds
 * its own way: the state is the strictest hold (or FLATTENING until done), nothing opens while
 * REDUCING or worse, HALTED leaves nothing of ours resting, FLATTENING asked for the close.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActor, type SnapshotFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';

import {
  closesAllowed,
  entriesAllowed,
  stricterTradingState,
  TRADING_STATES,
  tradingStateMachine,
  type HoldLevel,
  type TradingState,
  type TradingStateCommand,
  type TradingStateEvent,
} from '../../machines/trading-state.machine.js';
import { walkEventSequences } from '../support/event-walk.js';

type Snapshot = SnapshotFrom<typeof tradingStateMachine>;
type Step = { state: Snapshot; event: TradingStateEvent | { type: string } };
type Path = { state: Snapshot; steps: readonly Step[] };

const AT = 1_000;
const SOURCES: readonly { source: string; level: HoldLevel; latched: boolean }[] = [
  { source: 'breaker:latency', level: 'reduce', latched: false },
  { source: 'breaker:drawdown', level: 'halt', latched: false },
  { source: 'breaker:margin_ratio', level: 'flatten', latched: false },
  { source: 'operator', level: 'halt', latched: true },
];

const EVENTS: TradingStateEvent[] = [
  ...SOURCES.map((s): TradingStateEvent => ({
    type: 'hold.set',
    source: s.source,
    level: s.level,
    reason: `${s.source} tripped`,
    atMs: AT,
    latched: s.latched,
  })),
  ...SOURCES.map((s): TradingStateEvent => ({ type: 'hold.clear', source: s.source, atMs: AT })),
  { type: 'operator.resume', by: 'ops', atMs: AT },
  { type: 'flatten.done', atMs: AT },
];

const MODELLED = new Set(EVENTS.map((e) => JSON.stringify(e)));

const STATE_OF: Record<HoldLevel, TradingState> = {
  reduce: 'REDUCING',
  halt: 'HALTED',
  flatten: 'FLATTENING',
};

/** Holds kept independently of the machine: source → level and latch. */
class Oracle {
  readonly holds = new Map<string, { level: HoldLevel; latched: boolean }>();
  flattening = false;

  apply(event: TradingStateEvent, stateBefore: TradingState): void {
    switch (event.type) {
      case 'hold.set': {
        const prior = this.holds.get(event.source);
        const raise = !prior || RANK_OF[event.level] >= RANK_OF[prior.level];
        this.holds.set(event.source, {
          level: raise ? event.level : (prior?.level ?? event.level),
          latched: (prior?.latched ?? false) || (event.latched ?? false),
        });
        break;
      }
      case 'hold.clear':
        if (!this.holds.get(event.source)?.latched) this.holds.delete(event.source);
        break;
      case 'operator.resume':
        if (stateBefore === 'FLATTENING') break;
        for (const [source, hold] of this.holds) if (hold.latched) this.holds.delete(source);
        break;
      case 'flatten.done':
        if (stateBefore !== 'FLATTENING') break;
        for (const [source, hold] of this.holds) {
          if (hold.level === 'flatten') this.holds.set(source, { ...hold, level: 'halt' });
        }
        this.holds.set('flatten', { level: 'halt', latched: true });
        this.flattening = false;
        break;
    }
    if (this.expected() === 'FLATTENING') this.flattening = true;
  }

  expected(): TradingState {
    if (this.flattening) return 'FLATTENING';
    let state: TradingState = 'ACTIVE';
    for (const hold of this.holds.values())
      state = stricterTradingState(state, STATE_OF[hold.level]);
    return state;
  }
}

const RANK_OF: Record<HoldLevel, number> = { reduce: 0, halt: 1, flatten: 2 };

/** A strategy that does only what the trading state told it, with its own book. */
class PaperStrategy {
  entriesOpen = true;
  restingEntries = 0;
  restingCloses = 1;
  position = 1;
  closeRequested = false;
  changes: Extract<TradingStateCommand, { type: 'trading.changed' }>[] = [];

  apply(command: TradingStateCommand): void {
    switch (command.type) {
      case 'trading.changed':
        this.changes.push(command);
        break;
      case 'command.cancelOpeningOrders':
        this.entriesOpen = false;
        this.restingEntries = 0;
        break;
      case 'command.cancelAllOrders':
        this.entriesOpen = false;
        this.restingEntries = 0;
        this.restingCloses = 0;
        break;
      case 'command.closePosition':
        this.closeRequested = true;
        break;
      case 'command.resumeEntries':
        this.entriesOpen = true;
        break;
    }
  }

  /** What a grid does on every tick: open an entry when allowed, keep a close resting. */
  trade(): void {
    if (this.entriesOpen) this.restingEntries += 1;
  }

  flattened(): void {
    this.position = 0;
    this.closeRequested = false;
  }
}

function startSut() {
  const strategy = new PaperStrategy();
  const oracle = new Oracle();
  let actor = createActor(tradingStateMachine, { input: { scope: 'BTCUSDT' } });
  const wire = () => actor.on('*', (command) => strategy.apply(command as TradingStateCommand));
  wire();
  actor.start();
  strategy.trade();
  const send = (event: TradingStateEvent) => {
    const before = actor.getSnapshot().value as TradingState;
    oracle.apply(event, before);
    actor.send(event);
    if (event.type === 'flatten.done' && before === 'FLATTENING') strategy.flattened();
    // Survive a restart after every step: persist, drop the actor, restore
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    actor = createActor(tradingStateMachine, { input: { scope: 'BTCUSDT' }, snapshot: persisted });
    wire();
    actor.start();
    strategy.trade();
  };
  return { strategy, oracle, send, actor: () => actor };
}

type Sut = ReturnType<typeof startSut>;

function checkInvariants(sut: Sut, snapshot: Snapshot): void {
  const state = snapshot.value as TradingState;
  const live = sut.actor().getSnapshot();
  assert.equal(live.value, state, 'restored actor is in the model state');
  assert.equal(state, sut.oracle.expected(), 'state is the strictest hold in force');
  assert.equal(snapshot.context.state, state, 'context mirrors the state');
  assert.equal(sut.strategy.entriesOpen, entriesAllowed(state), 'entry gate follows the state');
  if (state !== 'ACTIVE') {
    assert.equal(sut.strategy.restingEntries, 0, `nothing opens while ${state}`);
  }
  if (state === 'HALTED') assert.equal(sut.strategy.restingCloses, 0, 'HALTED cancels every order');
  if (state === 'FLATTENING') {
    assert.ok(sut.strategy.closeRequested || sut.strategy.position === 0, 'close requested');
    assert.equal(closesAllowed(state), false);
  }
  const last = sut.strategy.changes.at(-1);
  if (state !== 'ACTIVE') assert.equal(last?.to, state, 'every change is announced');
}

const model = createTestModel(tradingStateMachine, {
  input: { scope: 'BTCUSDT' },
  events: () => EVENTS,
  // The model also offers each event type bare (no payload); only the modelled events count
  filterEvents: (snapshot, event) =>
    MODELLED.has(JSON.stringify(event)) && snapshot.can(event as TradingStateEvent),
});

const checks = (sut: Sut) => ({
  events: Object.fromEntries(
    [...new Set(EVENTS.map((e) => e.type))].map((type) => [
      type,
      (step: { event: { type: string } }) => sut.send(step.event as TradingStateEvent),
    ]),
  ),
  states: Object.fromEntries(
    TRADING_STATES.map((state) => [state, (snapshot: Snapshot) => checkInvariants(sut, snapshot)]),
  ),
});

const named = (path: Path) =>
  `${String(path.state.value)} <- ${path.steps
    .slice(1)
    .map((s) => {
      const e = s.event as TradingStateEvent;
      return 'source' in e ? `${e.type}(${e.source})` : e.type;
    })
    .join(' > ')}`;

describe('tradingStateMachine: model-based', () => {
  const shortest = model.getShortestPaths() as unknown as Path[];

  it('reaches every trading state', () => {
    const reached = new Set(shortest.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    for (const state of TRADING_STATES) assert.ok(reached.has(state), `unreachable: ${state}`);
  });

  for (const path of shortest) {
    it(`shortest: ${named(path)}`, async () => {
      const sut = startSut();
      await model.testPath(path as never, checks(sut) as never);
    });
  }

  it('holds every invariant on every sequence of four events', () => {
    const visited = walkEventSequences(
      tradingStateMachine,
      { scope: 'BTCUSDT' },
      () => EVENTS,
      4,
      (sequence) => {
        const sut = startSut();
        checkInvariants(sut, sut.actor().getSnapshot());
        for (const event of sequence) {
          sut.send(event);
          checkInvariants(sut, sut.actor().getSnapshot());
        }
      },
    );
    assert.ok(visited > 5_000, `visited ${visited} sequences`);
  });
});
