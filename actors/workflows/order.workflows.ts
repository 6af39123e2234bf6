/**
 * @module actors/workflows/order.workflows
 * Every order side effect as a DBOS durable workflow: place, batch place, cancel, cancel all.
 *
 * Each workflow is registered at import under a fixed name (`order.place`, ...) that must never
 * change once deployed, because recovery finds pending workflows by it. Each venue call is one
 * named step (see order.steps), and the workflow id is derived from the intent (`place:<client
 * order id>`, ...), so a repeated intent, whether a retry or a replay after a crash, joins the
 * first workflow and gets its result instead of reaching the venue again.
 *
 * Results are values, never thrown venue errors: `placed` / `canceled`, `rejected` with the
 * venue's reason (a business outcome the slot machine handles), or `failed` when transient
 * failures outlasted the retries (outcome unknown: reconcile first). Each workflow also records
 * what it learned in the order index. Only wiring bugs (an unregistered venue, unbound index)
 * make a workflow throw.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import { ExchangeError, isErrorReason } from '../../core/errors.js';
import type { IndexedOrder, IndexedOrderStatus } from '../store/order-index.repo.js';
import {
  batchPlaceWorkflowId,
  cancelAllWorkflowId,
  cancelWorkflowId,
  placeWorkflowId,
  type BatchPlaceOrdersIntent,
  type BatchPlaceOrdersResult,
  type CancelAllOrdersIntent,
  type CancelAllOrdersResult,
  type CancelOrderIntent,
  type CancelOrderResult,
  type OrderAck,
  type PlaceOrderIntent,
  type PlaceOrderResult,
  type Refusal,
} from './order.messages.js';
import {
  batchPlaceOrdersStep,
  cancelAllOrdersStep,
  cancelOpenOrdersStep,
  cancelOrderStep,
  getOrderStep,
  lookupOrderStep,
  placeOrderStep,
  setOrderStatusStep,
  upsertOrdersStep,
  type BatchPlaced,
  type VenueCall,
} from './order.steps.js';

/** How often a caller that joins a workflow running elsewhere polls for its result. */
const RESULT_POLL_MS = 100;

// -- COMMANDS --

/** Places one order durably; repeating the intent returns the first call's result. */
export function placeOrder(intent: PlaceOrderIntent): Promise<PlaceOrderResult> {
  return runWorkflow(placeOrderWorkflow, placeWorkflowId(intent), intent);
}

/**
 * Places a batch durably, one result per order in intent order.
 * @throws {Error} when two orders of the batch share a client order id
 */
export async function batchPlaceOrders(
  intent: BatchPlaceOrdersIntent,
): Promise<BatchPlaceOrdersResult> {
  if (intent.orders.length === 0) return { results: [] };
  const ids = new Set(intent.orders.map((order) => order.clientOrderId));
  if (ids.size !== intent.orders.length) {
    throw new Error('a batch must not repeat a client order id');
  }
  return runWorkflow(batchPlaceOrdersWorkflow, batchPlaceWorkflowId(intent), intent);
}

/** Cancels one order durably; the same (client order id, attempt) returns the first result. */
export function cancelOrder(intent: CancelOrderIntent): Promise<CancelOrderResult> {
  return runWorkflow(cancelOrderWorkflow, cancelWorkflowId(intent), intent);
}

/** Cancels every open order of a symbol durably, once per request id. */
export function cancelAllOrders(intent: CancelAllOrdersIntent): Promise<CancelAllOrdersResult> {
  return runWorkflow(cancelAllOrdersWorkflow, cancelAllWorkflowId(intent), intent);
}

// -- WORKFLOWS --

export const placeOrderWorkflow = DBOS.registerWorkflow(
  async (intent: PlaceOrderIntent): Promise<PlaceOrderResult> => {
    const call = await placeOrderStep(intent, indexEntry(intent, 'SUBMITTED'));
    const result = await placementResult(intent, call);
    await upsertOrdersStep(recordable(intent, result));
    return result;
  },
  { name: 'order.place' },
);

export const batchPlaceOrdersWorkflow = DBOS.registerWorkflow(
  async (batch: BatchPlaceOrdersIntent): Promise<BatchPlaceOrdersResult> => {
    const intents = batch.orders.map((order) => ({ ...order, venue: batch.venue }));
    await upsertOrdersStep(intents.map((intent) => indexEntry(intent, 'SUBMITTED')));
    const call = await batchPlaceOrdersStep(batch.venue, batch.orders);
    const results: PlaceOrderResult[] = [];
    for (const intent of intents) {
      results.push(await placementResult(intent, batchItem(intent, call)));
    }
    await upsertOrdersStep(intents.flatMap((intent, i) => recordable(intent, results[i])));
    return { results };
  },
  { name: 'order.batchPlace' },
);

export const cancelOrderWorkflow = DBOS.registerWorkflow(
  async (intent: CancelOrderIntent): Promise<CancelOrderResult> => {
    const { clientOrderId } = intent;
    let venueOrderId = (await lookupOrderStep(clientOrderId))?.venueOrderId ?? null;
    if (venueOrderId === null) {
      const found = await getOrderStep(intent.venue, intent.symbol, clientOrderId);
      if (!found.ok) return { ...refusal(found), clientOrderId };
      venueOrderId = found.value.ack.venueOrderId;
    }
    const call = await cancelOrderStep(intent.venue, intent.symbol, venueOrderId, intent.useMargin);
    if (!call.ok) return { ...refusal(call), clientOrderId };
    await setOrderStatusStep(clientOrderId, 'CANCELED', venueOrderId);
    return { outcome: 'canceled', clientOrderId };
  },
  { name: 'order.cancel' },
);

export const cancelAllOrdersWorkflow = DBOS.registerWorkflow(
  async (intent: CancelAllOrdersIntent): Promise<CancelAllOrdersResult> => {
    const call = await cancelAllOrdersStep(intent.venue, intent.symbol, intent.useMargin);
    if (!call.ok) return { ...refusal(call), symbol: intent.symbol };
    const indexedCanceled = await cancelOpenOrdersStep(intent.venue, intent.symbol);
    return { outcome: 'canceled', symbol: intent.symbol, indexedCanceled };
  },
  { name: 'order.cancelAll' },
);

// -- INTERNAL --

async function runWorkflow<A, R>(
  workflow: (arg: A) => Promise<R>,
  workflowID: string,
  arg: A,
): Promise<R> {
  const handle = await DBOS.startWorkflow(workflow, { workflowID })(arg);
  return handle.getResult({ pollingIntervalMs: RESULT_POLL_MS });
}

/**
 * Turns a placement call into a result. A duplicate client order id means an earlier attempt
 * (before a crash, or a retry the venue did receive) already placed it: verify that the venue's
 * order is the one we asked for, and adopt it.
 */
async function placementResult(
  intent: PlaceOrderIntent,
  call: VenueCall<OrderAck>,
): Promise<PlaceOrderResult> {
  const { clientOrderId } = intent;
  if (call.ok) return { outcome: 'placed', clientOrderId, order: call.value };
  if (call.reason !== 'DUPLICATE_ORDER') return { ...refusal(call), clientOrderId };
  const found = await getOrderStep(intent.venue, intent.symbol, clientOrderId, intent);
  if (!found.ok) return { ...refusal(found), clientOrderId };
  if (found.value.mismatch !== null) {
    const { mismatch } = found.value;
    const message = `client order id ${clientOrderId} names a different order: ${mismatch}`;
    return { outcome: 'rejected', reason: 'DUPLICATE_ORDER', message, clientOrderId };
  }
  return { outcome: 'placed', clientOrderId, order: found.value.ack };
}

/** One order's share of a batch call. */
function batchItem(intent: PlaceOrderIntent, call: VenueCall<BatchPlaced>): VenueCall<OrderAck> {
  if (!call.ok) return call;
  const ack = call.value.placed.find((order) => order.clientOrderId === intent.clientOrderId);
  if (ack) return { ok: true, value: ack };
  const refused = call.value.refused.find((item) => item.clientOrderId === intent.clientOrderId);
  if (!refused) {
    const message = 'the venue reported no outcome for this order';
    return { ok: false, reason: 'INTERNAL', message, transient: true };
  }
  const reason = isErrorReason(refused.reason) ? refused.reason : 'ORDER_REJECTED';
  const { transient } = new ExchangeError(reason, refused.message);
  return { ok: false, reason, message: refused.message, transient };
}

function refusal(call: Extract<VenueCall<unknown>, { ok: false }>): Refusal {
  return {
    outcome: call.transient ? 'failed' : 'rejected',
    reason: call.reason,
    message: call.message,
  };
}

/** What the index learns from a result; a failed placement stays SUBMITTED until reconciled. */
function recordable(
  intent: PlaceOrderIntent,
  result: PlaceOrderResult | undefined,
): IndexedOrder[] {
  if (result?.outcome === 'placed') {
    return [indexEntry(intent, result.order.status, result.order.venueOrderId)];
  }
  if (result?.outcome === 'rejected') return [indexEntry(intent, 'REJECTED')];
  return [];
}

function indexEntry(
  intent: PlaceOrderIntent,
  status: IndexedOrderStatus,
  venueOrderId: string | null = null,
): IndexedOrder {
  return {
    clientOrderId: intent.clientOrderId,
    venue: intent.venue,
    symbol: intent.symbol,
    venueOrderId,
    side: intent.side,
    price: intent.price ?? null,
    quantity: intent.quantity,
    slotIndex: intent.slotIndex ?? null,
    status,
  };
}
