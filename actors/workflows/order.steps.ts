/**
 * @module actors/workflows/order.steps
 * The named steps of the order workflows: one per venue call (`venue.*`) and one per order-index
 * write or read (`index.*`). DBOS checkpoints each step's return value, so a workflow resumed
 * after a crash skips the steps that finished and re-runs only the one that was in flight.
 *
 * Venue steps never throw venue errors: they retry transient ones per the bound policy, then
 * return the outcome as a value (`VenueCall`). DBOS would otherwise record the thrown error
 * through serialize-error, and the replayed error would no longer be an `ExchangeError`.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import { toExchangeError, type ErrorReason } from '../../core/errors.js';
import { orderMismatch } from '../../connector/resilient.exchange.js';
import { withRetry } from '../../core/retry.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import { dec, toPlain } from '../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';
import type { IndexedOrder, IndexedOrderStatus } from '../store/order-index.repo.js';
import { orderIndex, orderRetryPolicy, orderVenue } from './order.context.js';
import type { BatchOrder, OrderAck, PlaceOrderIntent } from './order.messages.js';

/** A venue call's outcome: its value, or the venue's reason and whether it was transient. */
export type VenueCall<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: ErrorReason;
      readonly message: string;
      readonly transient: boolean;
    };

/** A per-item failure of a batch placement. */
export interface BatchItemRefusal {
  readonly clientOrderId: string;
  readonly reason: string;
  readonly message: string;
}

/** A batch placement's placed orders and refused items, as JSON. */
export interface BatchPlaced {
  readonly placed: readonly OrderAck[];
  readonly refused: readonly BatchItemRefusal[];
}

// -- VENUE STEPS --

/**
 * Step `venue.placeOrder`. Records the order as SUBMITTED in the index before the venue call. When
 * the step runs again (a retry after a timeout, or after a crash: the first run may have reached
 * the venue without DBOS recording it), the order is looked up by client order id first and the
 * one found is returned instead of placing a second order.
 */
export function placeOrderStep(
  intent: PlaceOrderIntent,
  entry: IndexedOrder,
): Promise<VenueCall<OrderAck>> {
  return venueStep('venue.placeOrder', intent.venue, async (venue) => {
    const attempts = await orderIndex().startPlacement(entry);
    if (attempts > 1) {
      const placed = await findOrder(venue, intent.symbol, intent.clientOrderId);
      if (placed !== null) return toAck(placed);
    }
    return toAck(await venue.placeOrder(toRequest(intent)));
  });
}

/** The venue's order for our client order id, or null when the venue has none. */
async function findOrder(
  venue: Exchange,
  symbol: SymbolId,
  clientOrderId: ClientOrderId,
): Promise<Order | null> {
  try {
    return await venue.getOrder({ symbol, clientOrderId });
  } catch (e) {
    if (toExchangeError(e).reason === 'ORDER_NOT_FOUND') return null;
    throw e;
  }
}

/**
 * Step `venue.getOrder`: the venue's order for our client order id, and when `intent` is given,
 * how that order differs from it (null when it is the same order).
 */
export function getOrderStep(
  venueName: string,
  symbol: SymbolId,
  clientOrderId: ClientOrderId,
  intent?: PlaceOrderIntent,
): Promise<VenueCall<{ ack: OrderAck; mismatch: string | null }>> {
  return venueStep('venue.getOrder', venueName, async (venue) => {
    const order = await venue.getOrder({ symbol, clientOrderId });
    return { ack: toAck(order), mismatch: intent ? orderMismatch(toRequest(intent), order) : null };
  });
}

/** Step `venue.cancelOrder`. */
export function cancelOrderStep(
  venueName: string,
  symbol: SymbolId,
  venueOrderId: string,
  useMargin?: boolean,
): Promise<VenueCall<null>> {
  return venueStep('venue.cancelOrder', venueName, async (venue) => {
    await venue.cancelOrder(symbol, venueOrderId, useMargin);
    return null;
  });
}

/** Step `venue.cancelAllOrders`. */
export function cancelAllOrdersStep(
  venueName: string,
  symbol: SymbolId,
  useMargin?: boolean,
): Promise<VenueCall<null>> {
  return venueStep('venue.cancelAllOrders', venueName, async (venue) => {
    await venue.cancelAllOrders(symbol, useMargin);
    return null;
  });
}

/** Step `venue.batchPlaceOrders`. */
export function batchPlaceOrdersStep(
  venueName: string,
  orders: readonly BatchOrder[],
): Promise<VenueCall<BatchPlaced>> {
  return venueStep('venue.batchPlaceOrders', venueName, async (venue) => {
    const result = await venue.batchPlaceOrders(
      orders.map((order) => toRequest({ ...order, venue: venueName })),
    );
    return {
      placed: result.orders.map(toAck),
      refused: result.errors.map((e) => ({
        clientOrderId: e.clientOrderId,
        reason: e.reason,
        message: e.message,
      })),
    };
  });
}

// -- INDEX STEPS --

/** Step `index.upsert`: records each order (moving its status forward only). */
export function upsertOrdersStep(orders: readonly IndexedOrder[]): Promise<null> {
  return DBOS.runStep(
    async () => {
      for (const order of orders) await orderIndex().upsert(order);
      return null;
    },
    { name: 'index.upsert' },
  );
}

/** Step `index.lookup`: the index entry of our client order id, or null. */
export function lookupOrderStep(clientOrderId: ClientOrderId): Promise<IndexedOrder | null> {
  return DBOS.runStep(() => orderIndex().byClientOrderId(clientOrderId), {
    name: 'index.lookup',
  });
}

/** Step `index.setStatus`. */
export function setOrderStatusStep(
  clientOrderId: ClientOrderId,
  status: IndexedOrderStatus,
  venueOrderId: string,
): Promise<null> {
  return DBOS.runStep(
    async () => {
      await orderIndex().setStatus(clientOrderId, status, venueOrderId);
      return null;
    },
    { name: 'index.setStatus' },
  );
}

/** Step `index.cancelOpenOrders`: how many open entries of the symbol it marked canceled. */
export function cancelOpenOrdersStep(venueName: string, symbol: SymbolId): Promise<number> {
  return DBOS.runStep(() => orderIndex().cancelOpenOrders(venueName, symbol), {
    name: 'index.cancelOpenOrders',
  });
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
        return { ok: true, value: await withRetry(orderRetryPolicy(), () => call(venue)) };
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

/** The port request for an intent (decimal strings become Decimals here, at the venue edge). */
function toRequest(intent: PlaceOrderIntent): PlaceOrderRequest {
  return {
    symbol: intent.symbol,
    side: intent.side,
    type: intent.type,
    quantity: dec(intent.quantity),
    clientOrderId: intent.clientOrderId,
    ...(intent.price === undefined ? {} : { price: dec(intent.price) }),
    ...(intent.timeInForce === undefined ? {} : { timeInForce: intent.timeInForce }),
    ...(intent.postOnly === undefined ? {} : { postOnly: intent.postOnly }),
    ...(intent.reduceOnly === undefined ? {} : { reduceOnly: intent.reduceOnly }),
    ...(intent.useMargin === undefined ? {} : { useMargin: intent.useMargin }),
  };
}

function toAck(order: Order): OrderAck {
  return {
    venueOrderId: order.orderId,
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    price: toPlain(order.price),
    quantity: toPlain(order.quantity),
    executedQty: toPlain(order.executedQty),
  };
}
