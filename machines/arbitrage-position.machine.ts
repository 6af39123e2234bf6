/**
 * @module arbitrage-position.machine
 * The position of one funding-rate arbitrage pair: two legs (spot/perp on one venue or two, or two
 * perps on two venues) that must always be hedged against each other.
 *
 * Life of a position: flat → entering (first leg, then the second leg sized from the first leg's
 * EXECUTED quantity) → hedged → exiting (the hedge leg first, reduce-only on a perp, then the
 * other leg by what the first actually closed) → flat. A second leg that fails or fills short is
 * compensated by reducing the first leg by the executed imbalance; a partial reduce is an exit to
 * a smaller size; an emergency exit flattens from any state once the order in flight settles.
 * Whenever the legs differ by more than the hedge tolerance the machine is repairing: it places
 * orders that reduce the larger leg by the imbalance until the pair is hedged, and after
 * `maxRepairAttempts` orders in a row (or an order that executed nothing) it raises a critical
 * alert and waits for `arb.retry` (the actor's backoff timer or an operator). It never rests in
 * an unhedged state.
 *
 * Consumes `arb.*` intents from the pair actor and `order.*` venue reports (cumulative executed
 * quantities, never deltas, so duplicate or reordered reports cannot count a fill twice). Emits
 * `command.placeOrder` (one order at a time: at most one entry or exit in flight per pair,
 * REQ-ARB-005) and `command.alert`. Pure: no I/O, clock, randomness, timers or invoke; the context
 * is plain JSON so `getPersistedSnapshot()` survives JSON.stringify.
 */
import { assertEvent, assign, emit, setup } from 'xstate';

import { dec, floorToStep, toPlain } from '../core/decimal.js';
import {
  applyExecution,
  closePlan,
  exitFirstLeg,
  freshExecution,
  hedgePlan,
  isBalanced,
  isFlat,
  repairPlan,
  type LegOrderPlan,
  type Legs,
  type WorkingLegOrder,
} from './arbitrage-legs.js';
import { arbitrageOrderIdFor, type LegOrderPurpose } from './arbitrage-order-id.js';
import {
  needsMargin,
  otherLeg,
  type LegKey,
  type LegMarket,
  type PairLeg,
} from './arbitrage-pair.js';
import {
  arbitrageInputError,
  contextFromInput,
  type ArbitrageAlertCommand,
  type ArbitrageAlertReason,
  type ArbitrageControlEvent,
  type ArbitragePositionCommand,
  type ArbitragePositionContext,
  type ArbitragePositionEvent,
  type ArbitragePositionInput,
  type ArbitrageVenueEvent,
  type PlaceLegOrderCommand,
} from './arbitrage-position.types.js';

export { arbitrageInputError };
export type {
  ArbitrageAlertCommand,
  ArbitrageAlertReason,
  ArbitrageControlEvent,
  ArbitragePositionCommand,
  ArbitragePositionContext,
  ArbitragePositionEvent,
  ArbitragePositionInput,
  ArbitrageVenueEvent,
  PlaceLegOrderCommand,
};
export type { LegKey, LegMarket, PairLeg, WorkingLegOrder };

const TERMINAL = ['order.filled', 'order.canceled', 'order.expired'] as const;

function working(context: ArbitragePositionContext): WorkingLegOrder {
  if (!context.order) throw new Error(`pair ${context.pairId} has no working order`);
  return context.order;
}

function reportOf(context: ArbitragePositionContext, event: ArbitragePositionEvent) {
  const order = context.order;
  if (!order || !('clientOrderId' in event) || event.clientOrderId !== order.clientOrderId) {
    return null;
  }
  if (!('filledQuantity' in event))
    return { filledQuantity: order.filledQuantity, feeBase: order.feeBase };
  return freshExecution(order, event.filledQuantity, event.feeBase);
}

/** Assigns the next working order from a plan, minting its id with the next generation. */
function orderFrom(
  context: ArbitragePositionContext,
  purpose: LegOrderPurpose,
  plan: LegOrderPlan,
) {
  const generation = context.generation + 1;
  const leg = context.legs[plan.leg];
  const order: WorkingLegOrder = {
    clientOrderId: arbitrageOrderIdFor(
      context.pairId,
      plan.leg,
      purpose,
      context.fundingTimeMs,
      generation,
    ),
    leg: plan.leg,
    purpose,
    side: plan.side,
    quantity: plan.quantity,
    filledQuantity: '0',
    feeBase: '0',
    reduceOnly: plan.reduces && leg.market === 'perp',
    useMargin: leg.useMargin,
  };
  return { generation, order };
}

function planFor(context: ArbitragePositionContext, purpose: LegOrderPurpose): LegOrderPlan | null {
  const { legs, firstLeg } = context;
  switch (purpose) {
    case 'open':
      return null;
    case 'hedge':
      return hedgePlan(legs, otherLeg(firstLeg));
    case 'close':
      return closePlan(legs, exitFirstLeg(firstLeg), context.targetSize ?? '0');
    default:
      return repairPlan(legs);
  }
}

const positionSetup = setup({
  types: {
    input: {} as ArbitragePositionInput,
    context: {} as ArbitragePositionContext,
    events: {} as ArbitragePositionEvent,
    emitted: {} as ArbitragePositionCommand,
  },
  guards: {
    canEnter: ({ context, event }) => {
      assertEvent(event, 'arb.enter');
      if (event.long !== 'a' && event.long !== 'b') return false;
      if (!/^\d+(\.\d+)?$/.test(event.quantity)) return false;
      const step = dec(context.legs[context.firstLeg].stepSize);
      return floorToStep(dec(event.quantity), step).gt(context.hedgeTolerance);
    },
    canReduce: ({ event }) => {
      assertEvent(event, 'arb.reduce');
      return /^\d+(\.\d+)?$/.test(event.quantity) && dec(event.quantity).gt(0);
    },
    isWorkingReport: ({ context, event }) => reportOf(context, event) !== null,
    isFreshFill: ({ context, event }) => {
      const report = reportOf(context, event);
      return report !== null && dec(report.filledQuantity).gt(working(context).filledQuantity);
    },
    isFlat: ({ context }) => isFlat(context.legs, context.hedgeTolerance),
    isBalanced: ({ context }) => isBalanced(context.legs, context.hedgeTolerance),
    isUnbalanced: ({ context }) => !isBalanced(context.legs, context.hedgeTolerance),
    isEmergency: ({ context }) => context.emergency,
    canHedge: ({ context }) => planFor(context, 'hedge') !== null,
    canRepair: ({ context }) => planFor(context, 'repair') !== null,
    canContinueRepair: ({ context }) =>
      !isBalanced(context.legs, context.hedgeTolerance) &&
      context.lastProgress &&
      context.repairAttempts < context.maxRepairAttempts &&
      planFor(context, 'repair') !== null,
    hasTarget: ({ context }) => context.targetSize !== null,
    canClose: ({ context }) => context.targetSize !== null && planFor(context, 'close') !== null,
    madeNoProgress: ({ context }) => !context.lastProgress,
  },
  actions: {
    beginEntry: assign(({ context, event }) => {
      assertEvent(event, 'arb.enter');
      const legs = { ...context.legs };
      for (const key of ['a', 'b'] as const) {
        legs[key] = { ...legs[key], useMargin: needsMargin(legs[key].market, key === event.long) };
      }
      const first = context.firstLeg;
      const step = dec(legs[first].stepSize);
      const plan: LegOrderPlan = {
        leg: first,
        side: event.long === first ? 'BUY' : 'SELL',
        quantity: toPlain(floorToStep(dec(event.quantity), step)),
        reduces: false,
      };
      const next = { ...context, legs, fundingTimeMs: event.nextFundingTimeMs };
      return {
        ...orderFrom(next, 'open', plan),
        legs,
        longLeg: event.long,
        fundingTimeMs: event.nextFundingTimeMs,
        enteredAtMs: event.atMs,
        targetSize: null,
        emergency: false,
        repairAttempts: 0,
        lastProgress: true,
        lastRejectReason: null,
      };
    }),
    plan: assign(({ context }, params: { purpose: LegOrderPurpose }) => {
      const plan = planFor(context, params.purpose);
      if (!plan) throw new Error(`pair ${context.pairId}: nothing to ${params.purpose}`);
      const repairs = params.purpose !== 'hedge' && params.purpose !== 'close';
      return {
        ...orderFrom(context, params.purpose, plan),
        repairAttempts: repairs ? context.repairAttempts + 1 : context.repairAttempts,
      };
    }),
    placeOrder: emit(({ context }): PlaceLegOrderCommand => {
      const order = working(context);
      const leg = context.legs[order.leg];
      return {
        type: 'command.placeOrder',
        pairId: context.pairId,
        leg: order.leg,
        venue: leg.venue,
        market: leg.market,
        symbol: leg.symbol,
        clientOrderId: order.clientOrderId,
        purpose: order.purpose,
        side: order.side,
        quantity: order.quantity,
        orderType: 'MARKET',
        reduceOnly: order.reduceOnly,
        useMargin: order.useMargin,
      };
    }),
    applyFill: assign(({ context, event }) => {
      const report = reportOf(context, event);
      if (!report) return {};
      return applyExecution(context.legs, working(context), report.filledQuantity, report.feeBase);
    }),
    settleOrder: assign(({ context, event }) => ({
      order: null,
      lastProgress: dec(working(context).filledQuantity).gt(0),
      lastRejectReason: event.type === 'order.rejected' ? event.reason : context.lastRejectReason,
    })),
    resetRepairs: assign({ repairAttempts: 0, lastProgress: true }),
    targetFlat: assign(({ context, event }) => ({
      targetSize: '0',
      fundingTimeMs:
        event.type === 'arb.exit' && event.nextFundingTimeMs !== undefined
          ? event.nextFundingTimeMs
          : context.fundingTimeMs,
    })),
    targetReduce: assign(({ context, event }) => {
      assertEvent(event, 'arb.reduce');
      const held = dec(context.legs[exitFirstLeg(context.firstLeg)].position).abs();
      const remaining = held.sub(event.quantity);
      const flat = remaining.lte(context.hedgeTolerance);
      return { targetSize: flat ? '0' : toPlain(remaining) };
    }),
    declareEmergency: assign({ emergency: true, targetSize: '0' }),
    clearTarget: assign({ targetSize: null }),
    reconcile: assign(({ context, event }) => {
      assertEvent(event, 'arb.reconciled');
      const legs: Legs = {
        a: { ...context.legs.a, position: toPlain(dec(event.positions.a)) },
        b: { ...context.legs.b, position: toPlain(dec(event.positions.b)) },
      };
      return { legs, repairAttempts: 0, lastProgress: true };
    }),
    endCycle: assign({
      longLeg: null,
      targetSize: null,
      emergency: false,
      enteredAtMs: null,
      repairAttempts: 0,
      lastProgress: true,
    }),
    alert: emit(
      (
        { context },
        params: { severity: 'warning' | 'critical'; reason: ArbitrageAlertReason },
      ) => ({
        type: 'command.alert' as const,
        pairId: context.pairId,
        severity: params.severity,
        reason: params.reason,
        detail: `a=${context.legs.a.position} b=${context.legs.b.position} last reject: ${context.lastRejectReason ?? 'none'}`,
      }),
    ),
  },
});

/** Venue reports of the one working order; terminal ones settle it and move to `next`. */
function workingOn(next: string) {
  const settle = {
    guard: 'isWorkingReport',
    target: next,
    actions: ['applyFill', 'settleOrder'],
  } as const;
  return {
    'order.accepted': { guard: 'isWorkingReport' },
    'order.partiallyFilled': { guard: 'isFreshFill', actions: 'applyFill' },
    ...Object.fromEntries(TERMINAL.map((type) => [type, settle])),
    'order.rejected': { guard: 'isWorkingReport', target: next, actions: 'settleOrder' },
  } as const;
}

const place = (purpose: LegOrderPurpose) =>
  [{ type: 'plan', params: { purpose } }, 'placeOrder'] as const;
const stalled = {
  type: 'alert',
  params: { severity: 'critical', reason: 'REPAIR_STALLED' },
} as const;

/** The position machine of one pair; create one actor per pair with an {@link ArbitragePositionInput}. */
export const arbitragePositionMachine = positionSetup.createMachine({
  id: 'arbitragePosition',
  context: ({ input }) => contextFromInput(input),
  initial: 'flat',
  on: {
    // While an order is in flight an exit or emergency takes effect once it settles
    'arb.emergencyExit': { actions: 'declareEmergency' },
    'arb.exit': { actions: 'targetFlat' },
  },
  states: {
    flat: {
      on: {
        'arb.enter': {
          guard: 'canEnter',
          target: 'entering.opening',
          actions: ['beginEntry', 'placeOrder'],
        },
        'arb.emergencyExit': {},
        'arb.exit': {},
        'arb.reconciled': { target: 'routing', actions: 'reconcile' },
      },
    },
    entering: {
      initial: 'opening',
      states: {
        opening: { on: workingOn('#arbitragePosition.entering.afterOpen') },
        afterOpen: {
          always: [
            // Nothing (or dust) executed: the entry did not happen
            { guard: 'isFlat', target: '#arbitragePosition.flat', actions: 'endCycle' },
            { guard: 'isEmergency', target: 'compensating', actions: place('unwind') },
            { guard: 'canHedge', target: 'hedging', actions: place('hedge') },
            { target: 'compensating', actions: place('unwind') },
          ],
        },
        hedging: { on: workingOn('#arbitragePosition.entering.afterHedge') },
        afterHedge: {
          always: [
            { guard: 'isBalanced', target: '#arbitragePosition.routing' },
            {
              guard: 'canRepair',
              target: 'compensating',
              actions: [
                ...place('unwind'),
                { type: 'alert', params: { severity: 'warning', reason: 'ENTRY_COMPENSATING' } },
              ],
            },
            { target: '#arbitragePosition.repairing.waiting', actions: stalled },
          ],
        },
        compensating: { on: workingOn('#arbitragePosition.routing') },
      },
    },
    // Transient: where a pair with no order in flight belongs
    routing: {
      always: [
        { guard: 'canContinueRepair', target: 'repairing.working', actions: place('repair') },
        { guard: 'isUnbalanced', target: 'repairing.waiting', actions: stalled },
        { guard: 'isFlat', target: 'flat', actions: 'endCycle' },
        {
          guard: 'canClose',
          target: 'exiting.closing',
          actions: ['resetRepairs', ...place('close')],
        },
        { guard: 'hasTarget', target: 'hedged', actions: ['clearTarget', 'resetRepairs'] },
        { target: 'hedged', actions: 'resetRepairs' },
      ],
    },
    hedged: {
      on: {
        'arb.exit': { target: 'routing', actions: 'targetFlat' },
        'arb.reduce': { guard: 'canReduce', target: 'routing', actions: 'targetReduce' },
        'arb.emergencyExit': { target: 'routing', actions: 'declareEmergency' },
        'arb.retry': { guard: 'hasTarget', target: 'routing' },
        'arb.reconciled': { target: 'routing', actions: 'reconcile' },
      },
    },
    exiting: {
      initial: 'closing',
      states: {
        closing: { on: workingOn('#arbitragePosition.exiting.afterClose') },
        afterClose: {
          always: [
            { guard: 'isUnbalanced', target: 'matching', actions: place('match') },
            // The close executed nothing: still hedged, the exit stays wanted for arb.retry
            {
              guard: 'madeNoProgress',
              target: '#arbitragePosition.hedged',
              actions: { type: 'alert', params: { severity: 'warning', reason: 'EXIT_FAILED' } },
            },
            { target: '#arbitragePosition.routing' },
          ],
        },
        matching: { on: workingOn('#arbitragePosition.routing') },
      },
    },
    repairing: {
      initial: 'working',
      states: {
        working: { on: workingOn('#arbitragePosition.routing') },
        waiting: {
          on: {
            'arb.retry': { target: '#arbitragePosition.routing', actions: 'resetRepairs' },
            'arb.emergencyExit': {
              target: '#arbitragePosition.routing',
              actions: ['declareEmergency', 'resetRepairs'],
            },
            'arb.reconciled': { target: '#arbitragePosition.routing', actions: 'reconcile' },
          },
        },
      },
    },
  },
});
