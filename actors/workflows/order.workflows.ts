/**
 * @module actors/workflows/order.workflows
 * Every order side effect as a DBOS durable workflow: place, batch place, cancel, cancel all.
 *
 * Each workflow is registered at import under a fixed name (`order.place`, ...) that must never
 * change once deployed, because recovery finds pending workflows by it. Each venue call is one
 * named step (see order.steps, the single owner of venue retries and of "already placed"
 * resolution), and the workflow id is derived from the intent (`place:<client order id>`, ...),
 * so a repeated intent, whether a retry or a replay after a crash, joins the first workflow and
 * gets its result instead of reaching the venue again. A placement workflow's only commit before
 * the venue call is the one DBOS makes to start it, which also stores the intent and the actor
 * state it carries.
 *
 * Results are values, never thrown venue errors: `placed` / `canceled`, `rejected` with the
 * venue's reason (a business outcome), or `failed` when transient failures outlasted the attempts
 * (outcome unknown: look the order up before acting on it). The workflows write nothing else:
 * their results are reports for the caller's order ledger. Only wiring bugs (an unregistered
 * venue, unbound policy) make a workflow throw.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import { isErrorReason } from '../../core/errors.js';
import type { FenceStamp } from '../../core/fence.js';
import {
  INCARNATION,
  fencedOff,
  heldFence,
  onVenueCall,
  venueCallReached,
} from './order.context.js';
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
  cancelOrderStep,
  getOrderStep,
  placeOrderStep,
  type BatchPlaced,
  type VenueCall,
} from './order.steps.js';

/** How often a caller that joins a workflow running elsewhere polls for its result. */
const RESULT_POLL_MS = 100;

// -- COMMANDS --

/**
 * Places one order durably; repeating the intent returns the first call's result.
 * @param intent - the order
 * @param hooks.onVenueCall - called once when this process's run is about to call the venue, or
 *   when the placement settles without doing so (a caller that saves its own state waits for it,
 *   so its write never competes with the order's way to the venue)
 */
export async function placeOrder(
  intent: PlaceOrderIntent,
  hooks: { readonly onVenueCall?: () => void } = {},
): Promise<PlaceOrderResult> {
  if (fencedOff(intent.symbol)) {
    hooks.onVenueCall?.();
    return { ...fencedOffRefusal(intent.symbol), clientOrderId: intent.clientOrderId };
  }
  const workflowId = placeWorkflowId(intent);
  if (hooks.onVenueCall) onVenueCall(workflowId, hooks.onVenueCall);
  try {
    return await runWorkflow(placeOrderWorkflow, workflowId, {
      ...intent,
      incarnation: INCARNATION,
      ...fenceOf(heldFence(intent.symbol)),
    });
  } finally {
    venueCallReached(workflowId);
  }
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
  return runWorkflow(batchPlaceOrdersWorkflow, batchPlaceWorkflowId(intent), {
    ...intent,
    incarnation: INCARNATION,
  });
}

/** Cancels one order durably; the same (client order id, attempt) returns the first result. */
export async function cancelOrder(intent: CancelOrderIntent): Promise<CancelOrderResult> {
  if (fencedOff(intent.symbol)) {
    return { ...fencedOffRefusal(intent.symbol), clientOrderId: intent.clientOrderId };
  }
  return runWorkflow(cancelOrderWorkflow, cancelWorkflowId(intent), {
    ...intent,
    ...fenceOf(heldFence(intent.symbol)),
  });
}

/** Cancels every open order of a symbol durably, once per request id. */
export function cancelAllOrders(intent: CancelAllOrdersIntent): Promise<CancelAllOrdersResult> {
  return runWorkflow(cancelAllOrdersWorkflow, cancelAllWorkflowId(intent), intent);
}

// -- WORKFLOWS --

export const placeOrderWorkflow = DBOS.registerWorkflow(
  async (intent: PlaceOrderIntent): Promise<PlaceOrderResult> => {
    const call = await placeOrderStep(intent);
    return placementResult(intent.clientOrderId, call);
  },
  { name: 'order.place' },
);

export const batchPlaceOrdersWorkflow = DBOS.registerWorkflow(
  async (batch: BatchPlaceOrdersIntent): Promise<BatchPlaceOrdersResult> => {
    const call = await batchPlaceOrdersStep(batch.venue, batch.orders, batch.incarnation);
    const results = batch.orders.map((order) =>
      placementResult(order.clientOrderId, batchItem(order.clientOrderId, call)),
    );
    return { results };
  },
  { name: 'order.batchPlace' },
);

export const cancelOrderWorkflow = DBOS.registerWorkflow(
  async (intent: CancelOrderIntent): Promise<CancelOrderResult> => {
    const { clientOrderId } = intent;
    let venueOrderId = intent.venueOrderId ?? null;
    if (venueOrderId === null) {
      const found = await getOrderStep(intent.venue, intent.symbol, clientOrderId);
      if (!found.ok) return { ...refusal(found), clientOrderId };
      venueOrderId = found.value.venueOrderId;
    }
    const call = await cancelOrderStep(intent.venue, intent.symbol, venueOrderId, intent.useMargin);
    if (!call.ok) return { ...refusal(call), clientOrderId };
    return { outcome: 'canceled', clientOrderId };
  },
  { name: 'order.cancel' },
);

export const cancelAllOrdersWorkflow = DBOS.registerWorkflow(
  async (intent: CancelAllOrdersIntent): Promise<CancelAllOrdersResult> => {
    const call = await cancelAllOrdersStep(intent.venue, intent.symbol, intent.useMargin);
    if (!call.ok) return { ...refusal(call), symbol: intent.symbol };
    return { outcome: 'canceled', symbol: intent.symbol };
  },
  { name: 'order.cancelAll' },
);

// -- INTERNAL --

/** The refusal of a call this engine may not make: it does not own the symbol (scale-out). */
function fencedOffRefusal(symbol: string): Refusal {
  return {
    outcome: 'rejected',
    reason: 'FENCED',
    message: `this engine does not hold the lease on ${symbol}: another engine trades it`,
  };
}

function fenceOf(stamp: FenceStamp | undefined): { fence?: { owner: string; token: number } } {
  return stamp ? { fence: { owner: stamp.owner, token: stamp.token } } : {};
}

async function runWorkflow<A, R>(
  workflow: (arg: A) => Promise<R>,
  workflowID: string,
  arg: A,
): Promise<R> {
  const handle = await DBOS.startWorkflow(workflow, { workflowID })(arg);
  return handle.getResult({ pollingIntervalMs: RESULT_POLL_MS });
}

function placementResult(
  clientOrderId: PlaceOrderIntent['clientOrderId'],
  call: VenueCall<OrderAck>,
): PlaceOrderResult {
  if (call.ok) return { outcome: 'placed', clientOrderId, order: call.value };
  return { ...refusal(call), clientOrderId };
}

/** One order's share of a batch call. */
function batchItem(clientOrderId: string, call: VenueCall<BatchPlaced>): VenueCall<OrderAck> {
  if (!call.ok) return call;
  const ack = call.value.placed.find((order) => order.clientOrderId === clientOrderId);
  if (ack) return { ok: true, value: ack };
  const refused = call.value.refused.find((item) => item.clientOrderId === clientOrderId);
  if (!refused) {
    const message = 'the venue reported no outcome for this order';
    return { ok: false, reason: 'INTERNAL', message, transient: true };
  }
  const reason = isErrorReason(refused.reason) ? refused.reason : 'ORDER_REJECTED';
  return { ok: false, reason, message: refused.message, transient: refused.transient };
}

function refusal(call: Extract<VenueCall<unknown>, { ok: false }>): Refusal {
  return {
    outcome: call.transient ? 'failed' : 'rejected',
    reason: call.reason,
    message: call.message,
  };
}
