/**
 * @module actors/engine/venue-events
 * Converters at the edges of the order ledger: what the venue says about an order (a stream
 * update, `getOrder`, a placement workflow's ack or refusal) becomes an `OrderReport` for the
 * ledger, and the order as the ledger then holds it becomes the one `order.*` event its slot
 * machine understands. Quantities stay decimal strings and are cumulative, so repeating a
 * report is harmless.
 */
import { toPlain } from '../../core/decimal.js';
import type { Order, Trade } from '../../core/exchange.types.js';
import type { ClientOrderId, OrderStatus } from '../../core/types.js';
import type { GridSlotVenueEvent } from '../../machines/grid-slot.machine.js';
import type {
  LedgerOrder,
  OrderDetails,
  OrderReport,
  ReportSource,
} from '../orders/order-ledger.types.js';
import { isTerminal, type LedgerTrigger } from '../orders/order-status.table.js';
import type { PlaceOrderResult } from '../workflows/order.messages.js';

/**
 * The ledger report of an order as the venue returned it.
 * @param order - from the order stream or `getOrder`
 * @param source - where it came from
 * @param options.trades - the trades to record (default: the order's own)
 * @param options.slotIndex - the slot the order belongs to, for an order the ledger never held
 * @param options.trigger - a trigger other than the order's status (CANCEL_REJECTED)
 */
export function reportOfOrder(
  order: Order,
  source: ReportSource,
  options: {
    readonly trades?: readonly Trade[];
    readonly slotIndex?: number | null;
    readonly trigger?: LedgerTrigger;
  } = {},
): OrderReport {
  return {
    clientOrderId: order.clientOrderId as ClientOrderId,
    trigger: options.trigger ?? order.status,
    source,
    venueOrderId: order.orderId,
    filledQuantity: toPlain(order.executedQty),
    ...(order.executedQty.gt(0) ? { avgPrice: toPlain(order.avgPrice) } : {}),
    trades: options.trades ?? order.trades,
    details: detailsOf(order, options.slotIndex ?? null),
  };
}

/**
 * The ledger report of a placement workflow's result, or null when its outcome is unknown
 * (transient failures outlasted the attempts) and the order must be looked up on the venue.
 */
export function reportOfPlacement(result: PlaceOrderResult): OrderReport | null {
  if (result.outcome !== 'placed') {
    if (result.outcome === 'failed') return null;
    const { clientOrderId, reason } = result;
    return { clientOrderId, trigger: 'REJECTED', source: 'placement', reason };
  }
  const ack = result.order;
  return {
    clientOrderId: result.clientOrderId,
    trigger: ack.status,
    source: 'placement',
    venueOrderId: ack.venueOrderId,
    filledQuantity: ack.executedQty,
    ...(ack.executedQty !== '0' ? { avgPrice: ack.avgPrice } : {}),
  };
}

/** What the ledger must know of a venue order it never held. */
export function detailsOf(order: Order, slotIndex: number | null): OrderDetails {
  return {
    side: order.side,
    price: order.type === 'MARKET' ? null : toPlain(order.price),
    quantity: toPlain(order.quantity),
    reduceOnly: order.reduceOnly,
    slotIndex,
  };
}

/**
 * The slot event for an order as the ledger holds it, or null when the order's status means
 * nothing to a slot (sent and unanswered, or a cancel on its way).
 * @param order - the ledger's order after a report
 * @param trigger - what the report said; a refused cancel is told to the slot as such
 */
export function slotEventFor(
  order: LedgerOrder,
  trigger: LedgerTrigger,
): GridSlotVenueEvent | null {
  const { clientOrderId, filledQuantity } = order;
  if (trigger === 'CANCEL_REJECTED' && !isTerminal(order.status)) {
    return { type: 'order.cancelRejected', clientOrderId, reason: 'STILL_OPEN' };
  }
  switch (order.status) {
    case 'SUBMITTED':
      return null;
    case 'PENDING_CANCEL':
      // A fill while our cancel is out still moves the slot's inventory
      return filledQuantity === '0'
        ? null
        : { type: 'order.partiallyFilled', clientOrderId, filledQuantity };
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
      return {
        type: 'order.rejected',
        clientOrderId,
        reason: order.rejectReason ?? 'ORDER_REJECTED',
      };
  }
}

/** True for the statuses of an order still resting on the venue. */
export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}
