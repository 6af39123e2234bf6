/**
 * @module actors/engine/symbol-change.workflow
 * Every change to the traded symbol set (add, reconfigure, re-activate, remove) is a DBOS durable
 * workflow on one partitioned queue whose partition key is the symbol, with one workflow running
 * per partition: changes of one symbol run one after the other, in arrival order, across every
 * engine sharing the database, while changes of different symbols run side by side
 * (REQ-ORCH-002). A change interrupted by a crash is recovered by the next launch and runs again;
 * each change is idempotent (add upserts, remove of an absent symbol is a no-op).
 *
 * The workflow is registered at import under a name that must never change. Its single step
 * reaches the engine through `bindSymbolChanges` (a recovered workflow runs from its stored input
 * alone, so it cannot close over the caller's objects). Outcomes are values, never thrown
 * errors, so a refusal keeps its kind and its problems across the database.
 */
import { randomUUID } from 'node:crypto';

import { DBOS, type WorkflowQueue } from '@dbos-inc/dbos-sdk';

import type { ClientOrderId, SymbolId } from '../../core/types.js';
import { CLIENT_ORDER_ID_PREFIX, symbolTag } from '../../machines/client-order-id.js';
import { placeWorkflowId } from '../workflows/order.messages.js';
import type { GridConfigWire } from './symbol.config.js';

/** Queue of symbol changes; partitioned by symbol. Never rename: pending changes live on it. */
export const SYMBOL_CHANGE_QUEUE = 'symbol-changes';

/** How often the queue is polled and a caller polls for its change's outcome, ms. */
const POLL_MS = 50;

/** A change to the traded set. */
export type SymbolChange =
  | { readonly kind: 'add'; readonly symbol: SymbolId; readonly grid: GridConfigWire }
  | { readonly kind: 'remove'; readonly symbol: SymbolId };

/** How a change ended. */
export type SymbolChangeOutcome =
  | { readonly ok: true; readonly outcome: string; readonly detail?: unknown }
  | {
      readonly ok: false;
      /** invalid: the request is wrong; conflict: the symbol's state forbids it; unavailable:
       *  the venue could not be asked or did not confirm. */
      readonly kind: 'invalid' | 'conflict' | 'unavailable';
      readonly problems: readonly string[];
    };

/** What applies a change: the orchestrator. */
export type SymbolChangeHandler = (change: SymbolChange) => Promise<SymbolChangeOutcome>;

let handler: SymbolChangeHandler | null = null;
let queue: Promise<WorkflowQueue> | null = null;
let queueName = SYMBOL_CHANGE_QUEUE;

/**
 * The queue of the engine `engineId` under scale-out: only the engine that took the request runs
 * it (the one owning the symbol, or refusing naming the owner), never another that dequeued it.
 */
export function symbolChangeQueueOf(engineId: string | null): string {
  return engineId === null ? SYMBOL_CHANGE_QUEUE : `${SYMBOL_CHANGE_QUEUE}:${engineId}`;
}

/** Makes `apply` the engine that runs symbol changes; bind before DBOS launches. */
export function bindSymbolChanges(
  apply: SymbolChangeHandler,
  engineId: string | null = null,
): void {
  handler = apply;
  queueName = symbolChangeQueueOf(engineId);
  // A new binding may come with a new DBOS launch, whose database has no queue yet
  queue = null;
}

/** Forgets the binding (engine stopped), only if `apply` is still the bound handler. */
export function unbindSymbolChanges(apply: SymbolChangeHandler): void {
  if (handler === apply) handler = null;
  queue = null;
}

export const symbolChangeWorkflow = DBOS.registerWorkflow(
  async (change: SymbolChange): Promise<SymbolChangeOutcome> =>
    DBOS.runStep(() => bound()(change), { name: `symbol.${change.kind}` }),
  { name: 'symbol.change' },
);

/**
 * Queues a change behind every earlier change of the same symbol and waits for its outcome.
 * DBOS must be launched.
 * @param change - the change
 * @returns its outcome
 * @throws {Error} when no engine is bound (a wiring bug)
 */
export async function runSymbolChange(change: SymbolChange): Promise<SymbolChangeOutcome> {
  bound();
  queue ??= DBOS.registerQueue(queueName, {
    partitionConcurrency: 1,
    minPollingIntervalMs: POLL_MS,
    onConflict: 'always_update',
  });
  await queue;
  const handle = await DBOS.startWorkflow(symbolChangeWorkflow, {
    workflowID: `symbol-change:${change.symbol}:${randomUUID()}`,
    queueName,
    enqueueOptions: { queuePartitionKey: change.symbol },
  })(change);
  return handle.getResult({ pollingIntervalMs: POLL_MS });
}

/**
 * Waits until no placement workflow of `symbol` is pending or queued (a removal must not
 * confirm an empty venue while an order is still on its way there), or the time is up.
 * @param symbol - the symbol being removed
 * @param timeoutMs - how long to wait
 * @returns placements still in flight when it stopped waiting; 0 when none
 */
export async function placementsInFlight(symbol: SymbolId, timeoutMs: number): Promise<number> {
  const ours = `${CLIENT_ORDER_ID_PREFIX}${symbolTag(symbol)}` as ClientOrderId;
  const query = {
    workflow_id_prefix: placeWorkflowId({ clientOrderId: ours }),
    status: ['PENDING', 'ENQUEUED'] as ('PENDING' | 'ENQUEUED')[],
    // Workflows of another build are never recovered by this one
    applicationVersion: DBOS.applicationVersion,
    limit: 100,
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = (await DBOS.listWorkflows(query)).length;
    if (pending === 0 || Date.now() >= deadline) return pending;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 2));
  }
}

function bound(): SymbolChangeHandler {
  if (!handler) throw new Error('symbol changes are not bound: call bindSymbolChanges() first');
  return handler;
}
