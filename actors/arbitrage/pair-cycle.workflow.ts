/**
 * @module actors/arbitrage/pair-cycle.workflow
 * One cycle of an arbitrage pair (an entry, an exit, a reduce, a repair, a compensation) as a
 * DBOS durable workflow. The workflow runs the pure position machine from the snapshot the pair
 * held when the cycle began, sends it the cycle's intent, and places every leg order the machine
 * emits, one venue step per call, feeding each execution back until the machine rests (flat,
 * hedged, or waiting for a retry). The machine is deterministic, so a workflow replayed after a
 * crash mints the same client order ids (pair, leg, purpose, next funding time, generation: see
 * machines/arbitrage-order-id) and the steps it already finished return their checkpointed
 * executions instead of reaching the venue again; the step that was in flight looks its order up
 * by client order id before placing (REQ-ARB-003).
 *
 * One workflow per pair in flight (REQ-ARB-005): cycles run on one queue partitioned by pair with
 * one workflow per partition, and the workflow id names the cycle (`arb-cycle:<pair>:<n>`), so a
 * pair actor restarted mid-cycle joins the cycle already running, or takes its recorded result,
 * instead of starting another.
 *
 * Registered at import under names that must never change once deployed.
 */
import { DBOS, type WorkflowQueue } from '@dbos-inc/dbos-sdk';
import { createActor, type Snapshot } from 'xstate';

import type { LegKey } from '../../machines/arbitrage-pair.js';
import {
  arbitragePositionMachine,
  type ArbitrageAlertCommand,
  type ArbitrageControlEvent,
  type ArbitragePositionContext,
  type ArbitragePositionInput,
  type PlaceLegOrderCommand,
} from '../../machines/arbitrage-position.machine.js';
import { cancelLegStep, lookUpLegStep, placeLegStep, type LegAssets } from './arbitrage.steps.js';
import {
  isSettled,
  legOrderRefOf,
  machineEventOf,
  type LegExecution,
  type LegOrderRef,
} from './leg-execution.js';

/** Queue of pair cycles, partitioned by pair. Never rename: pending cycles live on it. */
export const PAIR_CYCLE_QUEUE = 'arbitrage-cycles';

/** Lookups of a leg order that has not settled yet, before it is cancelled. */
const SETTLE_LOOKUPS = 5;
/** First wait before a lookup, ms (doubles per lookup). */
const SETTLE_FIRST_WAIT_MS = 100;
/** How often a caller polls for a cycle's result, ms. */
const POLL_MS = 50;

/** What a cycle starts from. Plain JSON: DBOS stores it and replays from it. */
export interface PairCycleInput {
  readonly pairId: string;
  /** The cycle's number: the pair's last finished cycle + 1. */
  readonly cycle: number;
  /** The machine's input (for a pair without a snapshot yet). */
  readonly machineInput: ArbitragePositionInput;
  /** The machine's persisted snapshot when the cycle began; null for a new pair. */
  readonly snapshot: unknown;
  /** The intent; null resumes the order a previous cycle left unresolved. */
  readonly event: ArbitrageControlEvent | null;
  readonly assets: Readonly<Record<LegKey, LegAssets>>;
  /** The starting process's incarnation (see actors/workflows/order.context). */
  readonly incarnation: string;
}

/** What a cycle did. */
export interface PairCycleResult {
  readonly cycle: number;
  /** The machine's persisted snapshot when the cycle ended. */
  readonly snapshot: unknown;
  /** Every leg order of the cycle, as the venue last reported it, in order. */
  readonly executions: readonly LegExecution[];
  readonly alerts: readonly ArbitrageAlertCommand[];
  /** A leg order's fate could not be learned; the next cycle (event null) resumes it. */
  readonly unresolved: boolean;
}

let queue: Promise<WorkflowQueue> | null = null;

/** The workflow id of a pair's cycle. */
export function pairCycleWorkflowId(pairId: string, cycle: number): string {
  return `arb-cycle:${pairId}:${cycle}`;
}

export const pairCycleWorkflow = DBOS.registerWorkflow(
  async (input: PairCycleInput): Promise<PairCycleResult> => {
    const actor = createActor(arbitragePositionMachine, {
      input: input.machineInput,
      ...(input.snapshot === null ? {} : { snapshot: input.snapshot as Snapshot<unknown> }),
    });
    const orders: PlaceLegOrderCommand[] = [];
    const alerts: ArbitrageAlertCommand[] = [];
    actor.on('command.placeOrder', (command) => orders.push(command));
    actor.on('command.alert', (alert) => alerts.push(alert));
    actor.start();
    let fresh = true;
    if (input.event !== null) actor.send(input.event);
    else {
      const pending = workingCommand(actor.getSnapshot().context);
      if (pending) orders.push(pending);
      fresh = false;
    }
    const executions: LegExecution[] = [];
    let unresolved = false;
    while (orders.length > 0) {
      const command = orders.shift() as PlaceLegOrderCommand;
      const execution = await executeLeg(
        legOrderRefOf(command),
        input.assets[command.leg],
        fresh ? input.incarnation : '',
      );
      fresh = true;
      executions.push(execution);
      const event = machineEventOf(execution);
      if (event === null) {
        unresolved = true;
        break;
      }
      actor.send(event);
    }
    const snapshot = actor.getPersistedSnapshot();
    actor.stop();
    return { cycle: input.cycle, snapshot, executions, alerts, unresolved };
  },
  { name: 'arbitrage.cycle' },
);

/**
 * Runs a cycle behind any other cycle of the same pair and waits for its result. A cycle of that
 * number that exists already (started before a crash) is joined, not started again.
 */
export async function runPairCycle(input: PairCycleInput): Promise<PairCycleResult> {
  await cycleQueue();
  const handle = await DBOS.startWorkflow(pairCycleWorkflow, {
    workflowID: pairCycleWorkflowId(input.pairId, input.cycle),
    queueName: PAIR_CYCLE_QUEUE,
    enqueueOptions: { queuePartitionKey: input.pairId },
  })(input);
  return handle.getResult({ pollingIntervalMs: POLL_MS });
}

/**
 * The result of a pair's cycle that a previous process started, waiting for it to finish.
 * @returns null when no such cycle was ever started
 */
export async function startedPairCycle(
  pairId: string,
  cycle: number,
): Promise<PairCycleResult | null> {
  const id = pairCycleWorkflowId(pairId, cycle);
  // A cycle a crash left enqueued runs only once this process serves the queue again
  await cycleQueue();
  if ((await DBOS.getWorkflowStatus(id)) === null) return null;
  return DBOS.retrieveWorkflow<PairCycleResult>(id).getResult({ pollingIntervalMs: POLL_MS });
}

function cycleQueue(): Promise<WorkflowQueue> {
  queue ??= DBOS.registerQueue(PAIR_CYCLE_QUEUE, {
    partitionConcurrency: 1,
    minPollingIntervalMs: POLL_MS,
    onConflict: 'always_update',
  });
  return queue;
}

/** Forgets the queue registration (a new DBOS launch registers it again). */
export function resetPairCycleQueue(): void {
  queue = null;
}

/**
 * Places one leg order and waits, boundedly, for it to settle: an order the venue could not
 * place or answer for is asked about again (lookup first, then placed if the venue has none);
 * an order still resting after the lookups is cancelled and read once more.
 * @param incarnation - '' when the order may exist already (the step then looks it up first)
 */
async function executeLeg(
  ref: LegOrderRef,
  assets: LegAssets,
  incarnation: string,
): Promise<LegExecution> {
  let execution = await placeLegStep(ref, assets, incarnation);
  for (let i = 0; i < SETTLE_LOOKUPS && !isSettled(execution); i++) {
    await DBOS.sleepms(SETTLE_FIRST_WAIT_MS * 2 ** i);
    DBOS.logger.warn(
      `arbitrage order ${ref.clientOrderId} on ${ref.venue} is ${execution.status}: asking again (${i + 1}/${SETTLE_LOOKUPS})`,
    );
    execution =
      execution.status === 'UNKNOWN'
        ? await placeLegStep(ref, assets, '')
        : await lookUpLegStep(ref, assets);
  }
  if (!isSettled(execution) && execution.venueOrderId !== null) {
    await cancelLegStep(ref, execution.venueOrderId);
    execution = await lookUpLegStep(ref, assets);
  }
  return execution;
}

/** The command of the order a snapshot still works on (a cycle left it unresolved). */
function workingCommand(context: ArbitragePositionContext): PlaceLegOrderCommand | null {
  const order = context.order;
  if (!order) return null;
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
}
