/**
 * @module actors/engine/order-gateway
 * How a symbol actor reaches the venue for side effects: every placement and cancel is a DBOS
 * durable workflow whose id derives from the intent, so repeating an intent (a retry, or a
 * restarted actor re-sending what its persisted slots say is in flight) joins the first
 * workflow and gets its result instead of reaching the venue twice. A placement carries the
 * placing slot's snapshot in its input; recovery reads those back from here.
 */
import { carriedSnapshots } from '../workflows/carried-snapshots.js';
import type {
  CancelOrderIntent,
  CancelOrderResult,
  PlaceOrderIntent,
  PlaceOrderResult,
} from '../workflows/order.messages.js';
import { cancelOrder, placeOrder } from '../workflows/order.workflows.js';

/** The side-effect port of a symbol actor: one call per slot command. */
export interface OrderGateway {
  /**
   * Places one order; resolves to the workflow's result, never throws a venue error.
   * @param hooks.onVenueCall - called once when the placement is about to reach the venue (or
   *   settled without reaching it)
   */
  place(
    intent: PlaceOrderIntent,
    hooks?: { readonly onVenueCall?: () => void },
  ): Promise<PlaceOrderResult>;
  /** Cancels one order by client order id; resolves to the workflow's result. */
  cancel(intent: CancelOrderIntent): Promise<CancelOrderResult>;
  /** What the newest `limit` placements of ids starting with `idPrefix` carried, newest first. */
  carried(idPrefix: string, limit: number): Promise<unknown[]>;
}

/** The gateway over the durable order workflows; DBOS must be launched before the first call. */
export const durableOrderGateway: OrderGateway = {
  place: placeOrder,
  cancel: cancelOrder,
  carried: carriedSnapshots,
};
