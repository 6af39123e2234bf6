/**
 * @module arbitrage-position.types
 * Input, context, events and commands of the arbitrage position machine, and input validation.
 * The context is plain JSON (strings, numbers, booleans, null) so a persisted snapshot survives
 * JSON.stringify.
 */
import { dec, Decimal, toPlain } from '../core/decimal.js';
import type { Legs, WorkingLegOrder } from './arbitrage-legs.js';
import { MAX_ARBITRAGE_GENERATION } from './arbitrage-order-id.js';
import type { LegOrderPurpose } from './arbitrage-order-id.js';
import type { LegKey, LegMarket, PairLeg } from './arbitrage-pair.js';
import type { ClientOrderId, Side } from '../core/types.js';

/** Repair orders in a row before the pair raises a critical alert and waits, when not given. */
export const DEFAULT_MAX_REPAIR_ATTEMPTS = 3;

/** Why the machine alerts: a compensation started, repairs stalled, an exit executed nothing. */
export type ArbitrageAlertReason = 'ENTRY_COMPENSATING' | 'REPAIR_STALLED' | 'EXIT_FAILED';

/** One leg as the pair is configured, with its venue's step size. */
export interface LegSpec extends PairLeg {
  /** The venue's step size for the symbol, base units (a decimal string). */
  readonly stepSize: string;
}

/** Static description of a pair. */
export interface ArbitragePositionInput {
  /** The configured pair id, e.g. "btc-basis"; its tag goes into every client order id. */
  readonly pairId: string;
  readonly legs: Readonly<Record<LegKey, LegSpec>>;
  /**
   * The leg traded first on entry; the other follows the first's executed quantity. Exits run
   * the other way round. Put the leg most likely to fill short or fail (a spot margin short that
   * needs a borrow) first, so a failure leaves nothing to compensate.
   */
  readonly firstLeg: LegKey;
  /**
   * Largest |a + b| in base units that still counts as hedged; at least the larger step size of
   * the two legs, since rounding to steps can leave that much.
   */
  readonly hedgeTolerance: string;
  /** Repair orders in a row before the pair waits for `arb.retry`; default 3. */
  readonly maxRepairAttempts?: number;
  /** Last generation already used (recovery passes the highest seen on the venue); default 0. */
  readonly generation?: number;
}

/** Pair state. */
export interface ArbitragePositionContext {
  readonly pairId: string;
  readonly firstLeg: LegKey;
  readonly hedgeTolerance: string;
  readonly maxRepairAttempts: number;
  /** Placement counter; each placement mints its id from the next value. */
  readonly generation: number;
  readonly legs: Legs;
  /** The leg held long in the current cycle; null when flat. */
  readonly longLeg: LegKey | null;
  /** Funding time of the decision behind the current orders (epoch ms), 0 if none. */
  readonly fundingTimeMs: number;
  /** When the current position was entered (epoch ms, from the decision); null when flat. */
  readonly enteredAtMs: number | null;
  /** An exit in progress: the |position| each leg should end at (base units); null when none. */
  readonly targetSize: string | null;
  readonly emergency: boolean;
  /** Repair orders placed since the pair was last hedged or retried. */
  readonly repairAttempts: number;
  /** Whether the last settled order executed anything. */
  readonly lastProgress: boolean;
  readonly order: WorkingLegOrder | null;
  readonly lastRejectReason: string | null;
}

/** Intents from the pair actor, its decision loop, its risk layer and its reconciler. */
export type ArbitrageControlEvent =
  | {
      readonly type: 'arb.enter';
      /** The leg to hold long; the other is shorted (on margin when it is spot). */
      readonly long: LegKey;
      /** Size of the first leg's order, base units; the second leg follows its fills. */
      readonly quantity: string;
      /** Next funding time the entry was decided for (epoch ms); goes into the order ids. */
      readonly nextFundingTimeMs: number;
      /** When the decision was taken (epoch ms), for the minimum holding time. */
      readonly atMs: number;
    }
  | { readonly type: 'arb.exit'; readonly nextFundingTimeMs?: number }
  | { readonly type: 'arb.reduce'; readonly quantity: string }
  | { readonly type: 'arb.emergencyExit'; readonly reason: string }
  | { readonly type: 'arb.retry' }
  | {
      /** The venue's positions of both legs (signed base), from reconciliation. */
      readonly type: 'arb.reconciled';
      readonly positions: Readonly<Record<LegKey, string>>;
    };

type Report<T extends string, Fields = unknown> = T extends string
  ? { readonly type: T; readonly clientOrderId: ClientOrderId } & Readonly<Fields>
  : never;

/**
 * Venue reports about the working order. `filledQuantity` is the order's cumulative executed
 * quantity and `feeBase` its cumulative fee in the base asset (a spot buy's fee in BTC), both
 * base units; a terminal report carries the final figures.
 */
export type ArbitrageVenueEvent =
  | Report<'order.accepted'>
  | Report<
      'order.partiallyFilled' | 'order.filled' | 'order.canceled' | 'order.expired',
      { filledQuantity: string; feeBase?: string }
    >
  | Report<'order.rejected', { reason: string }>;

/** Everything the position machine consumes. */
export type ArbitragePositionEvent = ArbitrageControlEvent | ArbitrageVenueEvent;

/** A market order on one leg, with everything the actor's workflow needs to place it as is. */
export interface PlaceLegOrderCommand {
  readonly type: 'command.placeOrder';
  readonly pairId: string;
  readonly leg: LegKey;
  readonly venue: string;
  readonly market: LegMarket;
  readonly symbol: string;
  readonly clientOrderId: ClientOrderId;
  readonly purpose: LegOrderPurpose;
  readonly side: Side;
  /** Base units. */
  readonly quantity: string;
  readonly orderType: 'MARKET';
  /** Set on every perp order that lowers the leg (compensation, exit, repair). */
  readonly reduceOnly: boolean;
  /** Spot only: the order goes to the margin account (borrow to short, repay on the buy back). */
  readonly useMargin: boolean;
}

/** Something an operator must hear about. */
export interface ArbitrageAlertCommand {
  readonly type: 'command.alert';
  readonly pairId: string;
  readonly severity: 'warning' | 'critical';
  readonly reason: ArbitrageAlertReason;
  readonly detail: string;
}

/** Everything the position machine emits. */
export type ArbitragePositionCommand = PlaceLegOrderCommand | ArbitrageAlertCommand;

const PAIR_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

function positiveDecimal(value: unknown): Decimal | null {
  if (typeof value !== 'string' || !PLAIN_DECIMAL.test(value)) return null;
  const d = dec(value);
  return d.gt(0) ? d : null;
}

/**
 * Checks an input before an actor is built from it; the context factory throws the same
 * reason, which leaves the actor in `error` status.
 * @param input - the pair to check
 * @returns the reason it is invalid (naming the field), or null when it is valid
 */
export function arbitrageInputError(input: ArbitragePositionInput): string | null {
  if (typeof input.pairId !== 'string' || !PAIR_ID.test(input.pairId)) {
    return `pairId must be 1-32 of [a-z0-9-] starting with a letter or digit, was ${String(input.pairId)}`;
  }
  if (input.firstLeg !== 'a' && input.firstLeg !== 'b') {
    return `firstLeg must be "a" or "b", was ${String(input.firstLeg)}`;
  }
  for (const key of ['a', 'b'] as const) {
    const leg = input.legs?.[key];
    if (!leg) return `legs.${key} is required`;
    if (leg.market !== 'spot' && leg.market !== 'perp') {
      return `legs.${key}.market must be "spot" or "perp", was ${String(leg.market)}`;
    }
    if (typeof leg.venue !== 'string' || leg.venue === '') return `legs.${key}.venue is required`;
    if (typeof leg.symbol !== 'string' || leg.symbol === '')
      return `legs.${key}.symbol is required`;
    if (!positiveDecimal(leg.stepSize)) {
      return `legs.${key}.stepSize must be a positive decimal string, was ${String(leg.stepSize)}`;
    }
  }
  if (input.legs.a.market === 'spot' && input.legs.b.market === 'spot') {
    return 'legs: at least one leg must be a perp; two spot legs carry no funding';
  }
  const tolerance = positiveDecimal(input.hedgeTolerance);
  if (!tolerance) {
    return `hedgeTolerance must be a positive decimal string, was ${String(input.hedgeTolerance)}`;
  }
  const step = Decimal.max(input.legs.a.stepSize, input.legs.b.stepSize);
  if (tolerance.lt(step)) {
    return `hedgeTolerance ${input.hedgeTolerance} is below the larger step size ${toPlain(step)}; rounding could never count as hedged`;
  }
  const attempts = input.maxRepairAttempts ?? DEFAULT_MAX_REPAIR_ATTEMPTS;
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100) {
    return `maxRepairAttempts must be an integer in 1..100, was ${attempts}`;
  }
  const generation = input.generation ?? 0;
  if (
    !Number.isSafeInteger(generation) ||
    generation < 0 ||
    generation >= MAX_ARBITRAGE_GENERATION
  ) {
    return `generation must be an integer in 0..${MAX_ARBITRAGE_GENERATION - 1}, was ${generation}`;
  }
  return null;
}

/**
 * The initial context of a flat pair.
 * @throws {Error} with the reason `arbitrageInputError` gives
 */
export function contextFromInput(input: ArbitragePositionInput): ArbitragePositionContext {
  const error = arbitrageInputError(input);
  if (error) throw new Error(`arbitrage pair ${String(input.pairId)}: ${error}`);
  const leg = (key: LegKey) => {
    const { venue, market, symbol, stepSize } = input.legs[key];
    return {
      venue,
      market,
      symbol,
      stepSize: toPlain(dec(stepSize)),
      position: '0',
      useMargin: false,
    };
  };
  return {
    pairId: input.pairId,
    firstLeg: input.firstLeg,
    hedgeTolerance: toPlain(dec(input.hedgeTolerance)),
    maxRepairAttempts: input.maxRepairAttempts ?? DEFAULT_MAX_REPAIR_ATTEMPTS,
    generation: input.generation ?? 0,
    legs: { a: leg('a'), b: leg('b') },
    longLeg: null,
    fundingTimeMs: 0,
    enteredAtMs: null,
    targetSize: null,
    emergency: false,
    repairAttempts: 0,
    lastProgress: true,
    order: null,
    lastRejectReason: null,
  };
}
