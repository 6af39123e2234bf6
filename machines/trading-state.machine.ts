/**
 * @module trading-state.machine
 * The trading state of one scope (a symbol, or the whole engine): ACTIVE → REDUCING (no new
 * entries; closes continue) → HALTED (every resting order of ours cancelled, nothing new) →
 * FLATTENING (reduce-only close of the position, then HALTED).
 *
 * The state is derived from *holds*: each source that wants trading restricted (a breaker, the
 * risk monitor, an operator, the kill switch) places one hold with a level. The state is the
 * strictest level held. A source lifts its own hold when its condition is gone (a breaker that
 * reset, a monitor that recovered); a *latched* hold (operator actions, a finished flatten) only
 * goes with an operator resume, so nothing an operator stopped restarts by itself. A flatten, once
 * started, runs to `flatten.done` whatever else happens, and leaves the scope HALTED (latched).
 *
 * Pure: time arrives in events (`atMs`, epoch ms). Commands for the owner leave through `emit`:
 * `command.cancelOpeningOrders` (entering REDUCING), `command.cancelAllOrders` (entering HALTED or
 * FLATTENING), `command.closePosition` (entering FLATTENING), `command.resumeEntries` (back to
 * ACTIVE), and `trading.changed` with the reason on every change of state.
 */
import { assign, enqueueActions, setup } from 'xstate';

/** The four trading states, least to most restrictive. */
export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED', 'FLATTENING'] as const;
/** One of {@link TRADING_STATES}. */
export type TradingState = (typeof TRADING_STATES)[number];

/** How far a hold restricts trading; `flatten` also closes the position. */
export type HoldLevel = 'reduce' | 'halt' | 'flatten';

/** The state each hold level puts its scope in. */
const STATE_OF_LEVEL = { reduce: 'REDUCING', halt: 'HALTED', flatten: 'FLATTENING' } as const;

/** One restriction placed by one source. Plain JSON so the snapshot persists. */
export interface Hold {
  /** Who placed it: `breaker:drawdown`, `monitor`, `operator`, `flatten`, ... (one per source). */
  readonly source: string;
  readonly level: HoldLevel;
  /** Why, in words an operator reads in /risk and alerts. */
  readonly reason: string;
  /** Epoch ms the hold was placed (kept when the same source raises its level). */
  readonly sinceMs: number;
  /** A latched hold is lifted only by `operator.resume`. */
  readonly latched: boolean;
}

/** Where the machine runs. */
export interface TradingStateInput {
  /** `global`, or the symbol this state governs. */
  readonly scope: string;
}

/** Machine context; `state` mirrors the state value so entry actions know where they came from. */
export interface TradingStateContext {
  readonly scope: string;
  readonly holds: Readonly<Record<string, Hold>>;
  readonly state: TradingState;
  /** Epoch ms of the last change of state; 0 before the first. */
  readonly changedAtMs: number;
  /** The reason of the hold that caused the last change, or of the resume. */
  readonly reason: string;
}

/** What moves a trading state. */
export type TradingStateEvent =
  | {
      readonly type: 'hold.set';
      readonly source: string;
      readonly level: HoldLevel;
      readonly reason: string;
      readonly atMs: number;
      /** Default false; operator actions pass true. */
      readonly latched?: boolean;
    }
  | { readonly type: 'hold.clear'; readonly source: string; readonly atMs: number }
  | { readonly type: 'operator.resume'; readonly by: string; readonly atMs: number }
  /** The owner closed the position (reduce-only) and nothing of ours rests on the venue. */
  | { readonly type: 'flatten.done'; readonly atMs: number };

/** What a trading state asks its owner to do, and the notice of each change. */
export type TradingStateCommand =
  | {
      readonly type: 'trading.changed';
      readonly scope: string;
      readonly from: TradingState;
      readonly to: TradingState;
      readonly reason: string;
      readonly atMs: number;
    }
  | { readonly type: 'command.cancelOpeningOrders'; readonly scope: string }
  | { readonly type: 'command.cancelAllOrders'; readonly scope: string }
  | { readonly type: 'command.closePosition'; readonly scope: string }
  | { readonly type: 'command.resumeEntries'; readonly scope: string };

const RANK: Readonly<Record<TradingState, number>> = {
  ACTIVE: 0,
  REDUCING: 1,
  HALTED: 2,
  FLATTENING: 3,
};

/**
 * The stricter of two trading states: a symbol obeys the global state as well as its own.
 * @param a - one state
 * @param b - another
 * @returns the more restrictive
 */
export function stricterTradingState(a: TradingState, b: TradingState): TradingState {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Whether a state lets a strategy open new positions (place an order that grows exposure).
 * @param state - a trading state
 * @returns true only in ACTIVE
 */
export function entriesAllowed(state: TradingState): boolean {
  return state === 'ACTIVE';
}

/**
 * Whether a state lets a strategy place a reduce-only close of its own accord. In FLATTENING the
 * owner's flatten closes the position; strategies place nothing.
 * @param state - a trading state
 * @returns true in ACTIVE and REDUCING
 */
export function closesAllowed(state: TradingState): boolean {
  return state === 'ACTIVE' || state === 'REDUCING';
}

/**
 * The state a set of holds puts a scope in (ignoring a flatten already under way).
 * @param holds - the holds in force
 * @returns ACTIVE when there are none, else the strictest level's state
 */
export function stateOfHolds(holds: Readonly<Record<string, Hold>>): TradingState {
  let state: TradingState = 'ACTIVE';
  for (const hold of Object.values(holds)) {
    state = stricterTradingState(state, STATE_OF_LEVEL[hold.level]);
  }
  return state;
}

const LEVEL_RANK: Readonly<Record<HoldLevel, number>> = { reduce: 0, halt: 1, flatten: 2 };

/** The holds after an event, before any flatten rule. */
function holdsAfter(context: TradingStateContext, event: TradingStateEvent): Record<string, Hold> {
  const holds = { ...context.holds };
  switch (event.type) {
    case 'hold.set': {
      const prior = holds[event.source];
      // A source only ever raises its own hold; lowering takes a clear and a new set
      const level =
        prior && LEVEL_RANK[prior.level] > LEVEL_RANK[event.level] ? prior.level : event.level;
      holds[event.source] = {
        source: event.source,
        level,
        reason: event.reason,
        sinceMs: prior?.sinceMs ?? event.atMs,
        latched: (prior?.latched ?? false) || (event.latched ?? false),
      };
      return holds;
    }
    case 'hold.clear':
      if (holds[event.source]?.latched) return holds;
      delete holds[event.source];
      return holds;
    case 'operator.resume':
      for (const [source, hold] of Object.entries(holds)) if (hold.latched) delete holds[source];
      return holds;
    case 'flatten.done': {
      // Sources that asked for a flatten got it; what remains of them is a halt
      for (const [source, hold] of Object.entries(holds)) {
        if (hold.level === 'flatten') holds[source] = { ...hold, level: 'halt' };
      }
      holds.flatten = {
        source: 'flatten',
        level: 'halt',
        reason: 'position flattened; resume to trade again',
        sinceMs: event.atMs,
        latched: true,
      };
      return holds;
    }
  }
}

function reasonOf(event: TradingStateEvent, holds: Readonly<Record<string, Hold>>): string {
  switch (event.type) {
    case 'hold.set':
      return `${event.source}: ${event.reason}`;
    case 'hold.clear':
      return `${event.source} cleared`;
    case 'operator.resume':
      return `resumed by ${event.by}`;
    case 'flatten.done':
      return holds.flatten?.reason ?? 'position flattened';
  }
}

type OwnerCommand = Exclude<TradingStateCommand, { type: 'trading.changed' }>['type'];

/** What entering each state asks of the owner. */
const COMMANDS_ON_ENTRY: Readonly<Record<TradingState, readonly OwnerCommand[]>> = {
  ACTIVE: ['command.resumeEntries'],
  REDUCING: ['command.cancelOpeningOrders'],
  HALTED: ['command.cancelAllOrders'],
  FLATTENING: ['command.cancelAllOrders', 'command.closePosition'],
};

const tradingSetup = setup({
  types: {
    input: {} as TradingStateInput,
    context: {} as TradingStateContext,
    events: {} as TradingStateEvent,
    emitted: {} as TradingStateCommand,
  },
  guards: {
    leadsTo: ({ context, event }, params: { state: TradingState }) =>
      stateOfHolds(holdsAfter(context, event)) === params.state,
  },
  actions: {
    applyEvent: assign(({ context, event }) => {
      const holds = holdsAfter(context, event);
      return { holds, reason: reasonOf(event, holds), changedAtMs: event.atMs };
    }),
    // A change of holds that leaves the state as it was keeps the time of the last change
    applyHolds: assign(({ context, event }) => ({ holds: holdsAfter(context, event) })),
    /** On entering a state: announce the change and send the commands it implies. */
    enter: enqueueActions(({ context, enqueue }, params: { to: TradingState }) => {
      const { scope } = context;
      // A restored or initial state is no change; there is nothing to announce or undo
      if (context.state === params.to) return;
      enqueue.emit({
        type: 'trading.changed',
        scope,
        from: context.state,
        to: params.to,
        reason: context.reason,
        atMs: context.changedAtMs,
      });
      for (const type of COMMANDS_ON_ENTRY[params.to]) enqueue.emit({ type, scope });
      enqueue.assign({ state: params.to });
    }),
  },
});

/** The transitions a change of holds takes from a settled state: to the state the holds imply. */
function routes(self: TradingState) {
  return TRADING_STATES.map((to) =>
    to === self
      ? ({ guard: { type: 'leadsTo', params: { state: to } }, actions: 'applyHolds' } as const)
      : ({
          guard: { type: 'leadsTo', params: { state: to } },
          target: `#tradingState.${to}`,
          actions: 'applyEvent',
        } as const),
  );
}

const enter = (to: TradingState) => ({ type: 'enter', params: { to } }) as const;

/** A per-symbol or global trading state. Start it with `input: { scope }`. */
export const tradingStateMachine = tradingSetup.createMachine({
  id: 'tradingState',
  context: ({ input }) => ({
    scope: input.scope,
    holds: {},
    state: 'ACTIVE',
    changedAtMs: 0,
    reason: 'started',
  }),
  initial: 'ACTIVE',
  states: {
    ACTIVE: {
      entry: enter('ACTIVE'),
      on: { 'hold.set': routes('ACTIVE'), 'hold.clear': routes('ACTIVE') },
    },
    REDUCING: {
      entry: enter('REDUCING'),
      on: {
        'hold.set': routes('REDUCING'),
        'hold.clear': routes('REDUCING'),
        'operator.resume': routes('REDUCING'),
      },
    },
    HALTED: {
      entry: enter('HALTED'),
      on: {
        'hold.set': routes('HALTED'),
        'hold.clear': routes('HALTED'),
        'operator.resume': routes('HALTED'),
      },
    },
    FLATTENING: {
      entry: enter('FLATTENING'),
      on: {
        // A flatten under way finishes whatever else changes; only its completion ends it
        'hold.set': { actions: 'applyHolds' },
        'hold.clear': { actions: 'applyHolds' },
        'flatten.done': { target: 'HALTED', actions: 'applyEvent' },
      },
    },
  },
});
