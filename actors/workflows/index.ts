/**
 * @module actors/workflows
 * Durable workflows of the market-maker (DBOS): every order side effect, and the runtime that
 * launches them and recovers the ones a crash left pending.
 */
export {
  bindOrderWorkflows,
  INCARNATION,
  registerOrderVenue,
  unbindOrderWorkflows,
  type OrderWorkflowDeps,
} from './order.context.js';
export {
  batchPlaceWorkflowId,
  cancelAllWorkflowId,
  cancelWorkflowId,
  placeWorkflowId,
  type BatchOrder,
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
export {
  batchPlaceOrders,
  batchPlaceOrdersWorkflow,
  cancelAllOrders,
  cancelAllOrdersWorkflow,
  cancelOrder,
  cancelOrderWorkflow,
  placeOrder,
  placeOrderWorkflow,
} from './order.workflows.js';
export { carriedSnapshots } from './carried-snapshots.js';
export {
  launchDurableRuntime,
  shutdownDurableRuntime,
  type DurableRuntimeOptions,
} from './runtime.js';
