/**
 * @module actors/engine/venue-events
 * Converters at the edge between the venue and the slot machines: an order as the venue reports
 * it (stream update, `getOrder`, a workflow's ack) becomes the `order.*` event the machine
 * understands; a venue refusal keeps the port's reason (core/errors, one list). Quantities stay
 * decimal strings; the machine compares cumulative fills, so repeating a report is harmless.
 */
import type { Order } from '../../core/exchange.types.js';
import { toPlain } from '../../core/decimal.js';
import type { GridSlotVenueEvent } from '../../machines/grid-slot.machine.js';
import type { ClientOrderId, OrderStatus } from '../../core/types.js';
import type { OrderAck, PlaceOrderResult } from '../workflows/order.messages.js';

/** The fields of an order that decide its machine event. */
export interface OrderFacts {
  readonly clientOrderId: string;
  readonly status: OrderStatus;
  /** Cumulative executed quantity, base units, decimal string. */
  readonly executedQty: string;
}

/**
 * The facts of an order the venue port returned.
 * @param order - from the order stream or `getOrder`
 * @returns its id, status and cumulative fill as strings
 */
export function factsOfOrder(order: Order): OrderFacts {
  return {
    clientOrderId: order.clientOrderId,
    status: order.status,
    executedQty: toPlain(order.executedQty),
  };
}

/**
 * The facts of an order a placement workflow acknowledged.
 * @param ack - the workflow's view of the order
 * @returns its id, status and cumulative fill
 */
export function factsOfAck(ack: OrderAck): OrderFacts {
  return { clientOrderId: ack.clientOrderId, status: ack.status, executedQty: ack.executedQty };
}

/**
 * The machine event for an order's current state.
 * @param facts - the order's id, status and cumulative fill
 * @returns the `order.*` event naming the order by our client order id
 */
export function eventForOrder(facts: OrderFacts): GridSlotVenueEvent {
  const clientOrderId = facts.clientOrderId as ClientOrderId;
  const filledQuantity = facts.executedQty;
  switch (facts.status) {
    case 'NEW':
      return { type: 'order.accepted', clientOrderId };
    case 'PARTIALLY_FILLED':
      return { type: 'order.partiallyFilled', clientOrderId, filledQuantity };
    case 'FILLED':
      return { type: 'order.filled', clientOrderId };
    case 'CANCELED':
      return { type: 'order.canceled', clientOrderId, filledQuantity };
    case 'EXPIRED':
      return { type: 'order.expired', clientOrderId, filledQuantity };
    case 'REJECTED':
      return { type: 'order.rejected', clientOrderId, reason: 'ORDER_REJECTED' };
  }
}

/**
 * The machine event for a placement workflow's result, or null when the outcome is unknown
 * (transient failures outlasted the retries) and the order must be looked up on the venue.
 * @param result - the workflow's result
 * @returns the event, or null for `failed`
 */
export function eventForPlacement(result: PlaceOrderResult): GridSlotVenueEvent | null {
  if (result.outcome === 'placed') return eventForOrder(factsOfAck(result.order));
  if (result.outcome === 'failed') return null;
  return { type: 'order.rejected', clientOrderId: result.clientOrderId, reason: result.reason };
}

/** True for the statuses of an order still resting on the venue. */
export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}
