/**
 * @module breaker.machine
 * One circuit breaker (a kind, in one scope): closed → open(reason, since) → cooling → closed.
 *
 * The owner feeds it the verdict of its evaluator (`breaker.observe`: does the condition hold now?)
 * and the passing of time (`clock.tick`). A holding condition trips it open. When the condition is
 * gone and automatic reset is allowed, it cools down for `cooldownMs`; a condition that comes back
 * while cooling trips it again, and a cool-down that completes closes it. Automatic reset is
 * allowed only where a cooldown is configured, for a breaker an evaluator tripped (not an
 * operator), and while it has tripped fewer than `maxAutoResetsPerDay` times that UTC day; after
 * that only an operator's `breaker.reset` closes it. No reset, automatic or manual, ever happens
 * while the condition still holds: a manual reset then is refused with `breaker.resetRefused`.
 *
 * Pure: time arrives in events (`atMs`, epoch ms UTC); notices leave through `emit`
 * (`breaker.opened`, `breaker.cooling`, `breaker.closed`, `breaker.resetRefused`). The owner turns
 * them into trading-state holds and alerts. The context is plain JSON, so snapshots persist.
 */
import { assign, emit, setup } from 'xstate';

/** The three states of a breaker. */
export const BREAKER_STATES = ['closed', 'open', 'cooling'] as const;
/** One of {@link BREAKER_STATES}. */
export type BreakerState = (typeof BREAKER_STATES)[number];

const DAY_MS = 86_400_000;

/** Which breaker, where, and its reset policy. */
export interface BreakerInput {
  /** The breaker's kind: `drawdown`, `latency`, `stale_price`, ... */
  readonly name: string;
  /** `global`, or the symbol it guards. */
  readonly scope: string;
  /** Quiet time after the condition clears before an automatic reset; null: manual reset only. */
  readonly cooldownMs: number | null;
  /** Trips in one UTC day after which only a manual reset closes the breaker. */
  readonly maxAutoResetsPerDay: number;
}

/** Breaker context: plain JSON. */
export interface BreakerContext {
  readonly name: string;
  readonly scope: string;
  readonly cooldownMs: number | null;
  readonly maxAutoResetsPerDay: number;
  /** Why it is open (the evaluator's words, or the operator's); null while closed. */
  readonly reason: string | null;
  /** Epoch ms it opened; null while closed. */
  readonly sinceMs: number | null;
  /** Epoch ms the cool-down began; null unless cooling. */
  readonly coolingSinceMs: number | null;
  /** The evaluator's last verdict. */
  readonly conditionHolds: boolean;
  /** Whether the current opening may end in an automatic reset. */
  readonly autoReset: boolean;
  /** UTC day (epoch ms / 86,400,000, floored) the trips below were counted in. */
  readonly tripDay: number;
  readonly tripsToday: number;
  /** The newest time any event carried; time never runs backwards in here. */
  readonly lastAtMs: number;
}

/** What a breaker consumes. */
export type BreakerEvent =
  | {
      readonly type: 'breaker.observe';
      readonly atMs: number;
      readonly holds: boolean;
      /** Why it holds, e.g. "drawdown 12.5% ≥ 10% of peak 10000 within 1h". */
      readonly reason: string;
    }
  | { readonly type: 'clock.tick'; readonly atMs: number }
  | {
      readonly type: 'breaker.trip';
      readonly atMs: number;
      readonly by: string;
      readonly reason: string;
    }
  | { readonly type: 'breaker.reset'; readonly atMs: number; readonly by: string }
  | {
      readonly type: 'breaker.configure';
      readonly atMs: number;
      readonly cooldownMs: number | null;
      readonly maxAutoResetsPerDay: number;
    };

interface Notice {
  readonly name: string;
  readonly scope: string;
  readonly atMs: number;
}

/** What a breaker tells its owner. */
export type BreakerNotice =
  | (Notice & {
      readonly type: 'breaker.opened';
      readonly reason: string;
      readonly sinceMs: number;
      /** Trips so far this UTC day, this one included. */
      readonly tripsToday: number;
      readonly autoReset: boolean;
      /** `evaluator`, or the operator who tripped it. */
      readonly by: string;
    })
  | (Notice & { readonly type: 'breaker.cooling'; readonly untilMs: number })
  | (Notice & {
      readonly type: 'breaker.closed';
      readonly how: 'auto' | 'manual';
      readonly by: string;
      /** How long it was open, ms. */
      readonly openMs: number;
    })
  | (Notice & {
      readonly type: 'breaker.resetRefused';
      readonly reason: string;
      readonly by: string;
    });

/**
 * Checks a breaker's policy.
 * @param input - the breaker to check
 * @returns the reason it is invalid, or null when valid
 */
export function breakerInputError(input: BreakerInput): string | null {
  if (typeof input.name !== 'string' || input.name === '') return 'name must be non-empty';
  if (typeof input.scope !== 'string' || input.scope === '') return 'scope must be non-empty';
  if (
    input.cooldownMs !== null &&
    !(Number.isSafeInteger(input.cooldownMs) && input.cooldownMs >= 0)
  ) {
    return `cooldownMs must be a non-negative integer or null, was ${input.cooldownMs}`;
  }
  if (!Number.isSafeInteger(input.maxAutoResetsPerDay) || input.maxAutoResetsPerDay < 0) {
    return `maxAutoResetsPerDay must be a non-negative integer, was ${input.maxAutoResetsPerDay}`;
  }
  return null;
}

const dayOf = (atMs: number): number => Math.floor(atMs / DAY_MS);

/** Trips counted today after one more trip at `atMs`. */
function tripsAfterTrip(context: BreakerContext, atMs: number): number {
  return dayOf(atMs) === context.tripDay ? context.tripsToday + 1 : 1;
}

function atOf(context: BreakerContext, event: BreakerEvent): number {
  return Math.max(context.lastAtMs, event.atMs);
}

function cooledDown(context: BreakerContext, atMs: number): boolean {
  return (
    context.cooldownMs !== null &&
    context.coolingSinceMs !== null &&
    atMs - context.coolingSinceMs >= context.cooldownMs
  );
}

const breakerSetup = setup({
  types: {
    input: {} as BreakerInput,
    context: {} as BreakerContext,
    events: {} as BreakerEvent,
    emitted: {} as BreakerNotice,
  },
  guards: {
    conditionHolds: ({ event }) => event.type === 'breaker.observe' && event.holds,
    conditionClearAndAutoReset: ({ context, event }) =>
      event.type === 'breaker.observe' && !event.holds && context.autoReset,
    cooledDown: ({ context, event }) => cooledDown(context, atOf(context, event)),
    conditionClear: ({ context }) => !context.conditionHolds,
  },
  actions: {
    observe: assign(({ context, event }) => ({
      lastAtMs: atOf(context, event),
      conditionHolds: event.type === 'breaker.observe' ? event.holds : context.conditionHolds,
    })),
    tick: assign(({ context, event }) => ({ lastAtMs: atOf(context, event) })),
    trip: assign(({ context, event }) => {
      const atMs = atOf(context, event);
      const manual = event.type === 'breaker.trip';
      const tripsToday = tripsAfterTrip(context, atMs);
      return {
        reason: 'reason' in event ? event.reason : 'tripped',
        sinceMs: atMs,
        coolingSinceMs: null,
        conditionHolds: event.type === 'breaker.observe' ? event.holds : context.conditionHolds,
        autoReset:
          !manual && context.cooldownMs !== null && tripsToday < context.maxAutoResetsPerDay,
        tripDay: dayOf(atMs),
        tripsToday,
        lastAtMs: atMs,
      };
    }),
    // An operator's trip of a breaker already open makes it stay open until an operator resets it
    latchManual: assign(({ context, event }) => ({
      autoReset: false,
      lastAtMs: atOf(context, event),
    })),
    announceOpened: emit(({ context, event }) => ({
      type: 'breaker.opened' as const,
      name: context.name,
      scope: context.scope,
      atMs: context.lastAtMs,
      reason: context.reason ?? '',
      sinceMs: context.sinceMs ?? context.lastAtMs,
      tripsToday: context.tripsToday,
      autoReset: context.autoReset,
      by: event.type === 'breaker.trip' ? event.by : 'evaluator',
    })),
    startCooling: assign(({ context, event }) => ({
      coolingSinceMs: atOf(context, event),
      conditionHolds: false,
      lastAtMs: atOf(context, event),
    })),
    announceCooling: emit(({ context }) => ({
      type: 'breaker.cooling' as const,
      name: context.name,
      scope: context.scope,
      atMs: context.lastAtMs,
      untilMs: (context.coolingSinceMs ?? context.lastAtMs) + (context.cooldownMs ?? 0),
    })),
    announceClosed: emit(({ context, event }) => ({
      type: 'breaker.closed' as const,
      name: context.name,
      scope: context.scope,
      atMs: atOf(context, event),
      how: event.type === 'breaker.reset' ? ('manual' as const) : ('auto' as const),
      by: event.type === 'breaker.reset' ? event.by : 'cooldown',
      openMs: atOf(context, event) - (context.sinceMs ?? atOf(context, event)),
    })),
    close: assign(({ context, event }) => ({
      reason: null,
      sinceMs: null,
      coolingSinceMs: null,
      autoReset: false,
      lastAtMs: atOf(context, event),
    })),
    refuseReset: emit(({ context, event }) => ({
      type: 'breaker.resetRefused' as const,
      name: context.name,
      scope: context.scope,
      atMs: atOf(context, event),
      reason: `the condition still holds: ${context.reason ?? 'unknown'}`,
      by: event.type === 'breaker.reset' ? event.by : 'unknown',
    })),
    configure: assign(({ context, event }) => {
      if (event.type !== 'breaker.configure') return {};
      return {
        cooldownMs: event.cooldownMs,
        maxAutoResetsPerDay: event.maxAutoResetsPerDay,
        // A policy without a cooldown takes effect at once; a new cooldown applies to new trips
        autoReset: context.autoReset && event.cooldownMs !== null,
        lastAtMs: atOf(context, event),
      };
    }),
  },
});

/** One circuit breaker. Start it with its {@link BreakerInput}. */
export const breakerMachine = breakerSetup.createMachine({
  id: 'breaker',
  context: ({ input }) => {
    const error = breakerInputError(input);
    if (error) throw new Error(`breaker ${String(input.name)}/${String(input.scope)}: ${error}`);
    return {
      name: input.name,
      scope: input.scope,
      cooldownMs: input.cooldownMs,
      maxAutoResetsPerDay: input.maxAutoResetsPerDay,
      reason: null,
      sinceMs: null,
      coolingSinceMs: null,
      conditionHolds: false,
      autoReset: false,
      tripDay: 0,
      tripsToday: 0,
      lastAtMs: 0,
    };
  },
  initial: 'closed',
  on: { 'breaker.configure': { actions: 'configure' } },
  states: {
    closed: {
      on: {
        'breaker.observe': [
          { guard: 'conditionHolds', target: 'open', actions: ['trip', 'announceOpened'] },
          { actions: 'observe' },
        ],
        'clock.tick': { actions: 'tick' },
        'breaker.trip': { target: 'open', actions: ['trip', 'announceOpened'] },
      },
    },
    open: {
      on: {
        'breaker.observe': [
          {
            guard: 'conditionClearAndAutoReset',
            target: 'cooling',
            actions: ['startCooling', 'announceCooling'],
          },
          { actions: 'observe' },
        ],
        'clock.tick': { actions: 'tick' },
        'breaker.trip': { actions: 'latchManual' },
        'breaker.reset': [
          { guard: 'conditionClear', target: 'closed', actions: ['announceClosed', 'close'] },
          { actions: 'refuseReset' },
        ],
      },
    },
    cooling: {
      on: {
        'breaker.observe': [
          { guard: 'conditionHolds', target: 'open', actions: ['trip', 'announceOpened'] },
          { guard: 'cooledDown', target: 'closed', actions: ['announceClosed', 'close'] },
          { actions: 'observe' },
        ],
        'clock.tick': [
          { guard: 'cooledDown', target: 'closed', actions: ['announceClosed', 'close'] },
          { actions: 'tick' },
        ],
        'breaker.trip': { target: 'open', actions: ['trip', 'announceOpened'] },
        // Cooling means the condition is gone, so an operator may close it early
        'breaker.reset': { target: 'closed', actions: ['announceClosed', 'close'] },
      },
    },
  },
});
