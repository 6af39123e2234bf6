/**
 * @module actors/engine/order-gateway
 * How a symbol actor reaches the venue for side effects: every placement and cancel is a DBOS
 * durable workflow whose id derives from the intent, so repeating an intent (a retry, or a
 * restarted actor re-sending what its persisted slots say is in flight) joins the first
 * workflow and gets its result instead of reaching the venue twice. A placement carries the
 * actor's next snapshot in its input; recovery reads the newest one back from here.
 */
import { newestCarriedSnapshot } from '../workflows/carried-snapshots.js';
import type {
  CancelOrderIntent,
  CancelOrderResult,
  CarriedSnapshot,
  PlaceOrderIntent,
  PlaceOrderResult,
} from '../workflows/order.messages.js';
import { cancelOrder, placeOrder } from '../workflows/order.workflows.js';

/** The side-effect port of a symbol actor: one call per slot command. */
export interface OrderGateway {
  /** Places one order; resolves to the workflow's result, never throws a venue error. */
  place(intent: PlaceOrderIntent): Promise<PlaceOrderResult>;
  /** Cancels one order by client order id; resolves to the workflow's result. */
  cancel(intent: CancelOrderIntent): Promise<CancelOrderResult>;
  /** The newest snapshot a placement of ids starting with `idPrefix` carried, if any. */
  newestCarried(idPrefix: string): Promise<CarriedSnapshot | null>;
}

/** The gateway over the durable order workflows; DBOS must be launched before the first call. */
export const durableOrderGateway: OrderGateway = {
  place: placeOrder,
  cancel: cancelOrder,
  newestCarried: newestCarriedSnapshot,
};
