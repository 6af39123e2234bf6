/**
 * @module actors/workflows/order.steps
 * The named steps of the order workflows, one per venue call (`venue.*`). DBOS checkpoints each
 * step's return value, so a workflow resumed after a crash skips the steps that finished and
 * re-runs only the one that was in flight.
 *
 * These steps are the single owner of retries toward a venue and of "already placed" resolution
 * (README, Architecture; how, in venue-attempts): at most 3 venue attempts per intent, a lookup by
 * client order id before every retry and on DUPLICATE_ORDER. A placement's first run in the
 * process that started it (order.context `claimFirstRun`) alone places without looking up first.
 * The connector retries none of these calls.
 *
 * Venue steps never throw venue errors: they return the outcome as a value (`VenueCall`), since
 * DBOS would otherwise record the thrown error through serialize-error and the replayed error
 * would no longer be an `ExchangeError`.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import { toExchangeError, type ErrorReason } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';
import {
  claimFirstRun,
  fencedCall,
  orderVenue,
  releaseFirstRun,
  venueCallReached,
} from './order.context.js';
import type { BatchOrder, OrderAck, PlaceOrderIntent } from './order.messages.js';
import { placeBatch, placeOnce, toAck, withAttempts, type BatchPlaced } from './venue-attempts.js';

export type { BatchItemRefusal, BatchPlaced } from './venue-attempts.js';

/** A venue call's outcome: its value, or the venue's reason and whether it was transient. */
export type VenueCall<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: ErrorReason;
      readonly message: string;
      readonly transient: boolean;
    };

// -- VENUE STEPS --

/** Step `venue.placeOrder`: places the intent, owning its retries and "already placed". */
export async function placeOrderStep(intent: PlaceOrderIntent): Promise<VenueCall<OrderAck>> {
  const workflowId = DBOS.workflowID ?? intent.clientOrderId;
  const call = await venueStep('venue.placeOrder', intent.venue, async (venue) => {
    const firstRun = claimFirstRun(workflowId, intent.incarnation);
    venueCallReached(workflowId);
    return toAck(await placeOnce(venue, intent, firstRun));
  });
  releaseFirstRun(workflowId);
  return call;
}

/** Step `venue.batchPlaceOrders`: one venue call per attempt for the orders still unresolved. */
export async function batchPlaceOrdersStep(
  venueName: string,
  orders: readonly BatchOrder[],
  incarnation: string | undefined,
): Promise<VenueCall<BatchPlaced>> {
  const workflowId = DBOS.workflowID ?? orders.map((o) => o.clientOrderId).join(',');
  const call = await venueStep('venue.batchPlaceOrders', venueName, async (venue) => {
    const firstRun = claimFirstRun(workflowId, incarnation);
    const intents = orders.map((order) => ({ ...order, venue: venueName }));
    return placeBatch(venue, intents, firstRun);
  });
  releaseFirstRun(workflowId);
  return call;
}

/**
 * Step `venue.getOrder`: the venue's order for our client order id (ORDER_NOT_FOUND when none).
 */
export function getOrderStep(
  venueName: string,
  symbol: SymbolId,
  clientOrderId: ClientOrderId,
): Promise<VenueCall<OrderAck>> {
  return venueStep('venue.getOrder', venueName, (venue) =>
    withAttempts(async () => toAck(await venue.getOrder({ symbol, clientOrderId }))),
  );
}

/** Step `venue.cancelOrder`. */
export function cancelOrderStep(
  venueName: string,
  symbol: SymbolId,
  venueOrderId: string,
  useMargin?: boolean,
): Promise<VenueCall<null>> {
  return venueStep('venue.cancelOrder', venueName, (venue) =>
    withAttempts(async () => {
      await fencedCall(symbol, () => venue.cancelOrder(symbol, venueOrderId, useMargin));
      return null;
    }),
  );
}

/** Step `venue.cancelAllOrders`. */
export function cancelAllOrdersStep(
  venueName: string,
  symbol: SymbolId,
  useMargin?: boolean,
): Promise<VenueCall<null>> {
  return venueStep('venue.cancelAllOrders', venueName, (venue) =>
    withAttempts(async () => {
      await fencedCall(symbol, () => venue.cancelAllOrders(symbol, useMargin));
      return null;
    }),
  );
}

// -- INTERNAL --

function venueStep<T>(
  name: string,
  venueName: string,
  call: (venue: Exchange) => Promise<T>,
): Promise<VenueCall<T>> {
  return DBOS.runStep(
    async (): Promise<VenueCall<T>> => {
      const venue = orderVenue(venueName);
      try {
        return { ok: true, value: await call(venue) };
      } catch (e) {
        const error = toExchangeError(e);
        return {
          ok: false,
          reason: error.reason,
          message: error.message,
          transient: error.transient,
        };
      }
    },
    { name },
  );
}
