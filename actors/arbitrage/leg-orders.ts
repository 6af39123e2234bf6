/**
 * @module actors/arbitrage/leg-orders
 * The two adapters between the arbitrage position machine and the venue port: a
 * `command.placeOrder` becomes a `PlaceOrderRequest`, and what the venue says about the order
 * (the placement's answer, a stream update, a `getOrder` lookup, a refusal) becomes the machine's
 * `order.*` event with CUMULATIVE executed quantity and base-asset fee. A workflow step places
 * the request and feeds the event back; nothing else is needed to wire the machine to a venue.
 */
import { dec, toPlain, ZERO } from '../../core/decimal.js';
import type { ExchangeError } from '../../core/errors.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import type { ClientOrderId } from '../../core/types.js';
import type {
  ArbitrageVenueEvent,
  PlaceLegOrderCommand,
} from '../../machines/arbitrage-position.machine.js';

/**
 * The venue request for one leg order. Market orders: both legs must execute now, and the
 * machine sizes everything after from what they executed.
 */
export function legOrderRequest(command: PlaceLegOrderCommand): PlaceOrderRequest {
  return {
    symbol: command.symbol,
    side: command.side,
    type: command.orderType,
    quantity: dec(command.quantity),
    clientOrderId: command.clientOrderId,
    ...(command.reduceOnly ? { reduceOnly: true } : {}),
    ...(command.useMargin ? { useMargin: true } : {}),
  };
}

/**
 * The machine event for what the venue reports about one of the pair's orders.
 * @param order - the order as the venue reports it (placement answer, update or lookup)
 * @param baseAsset - the leg's base asset: fees charged in it reduce what the leg holds
 * @returns the event; `order.accepted` while nothing executed on a live order
 */
export function legOrderReport(order: Order, baseAsset: string): ArbitrageVenueEvent {
  const clientOrderId = order.clientOrderId as ClientOrderId;
  const filledQuantity = toPlain(order.executedQty);
  const feeBase = toPlain(
    order.trades.filter((t) => t.feeAsset === baseAsset).reduce((sum, t) => sum.add(t.fee), ZERO),
  );
  const fills = { clientOrderId, filledQuantity, feeBase };
  switch (order.status) {
    case 'NEW':
      return { type: 'order.accepted', clientOrderId };
    case 'PARTIALLY_FILLED':
      return { type: 'order.partiallyFilled', ...fills };
    case 'FILLED':
      return { type: 'order.filled', ...fills };
    case 'CANCELED':
      return { type: 'order.canceled', ...fills };
    case 'EXPIRED':
      return { type: 'order.expired', ...fills };
    case 'REJECTED':
      return { type: 'order.rejected', clientOrderId, reason: 'ORDER_REJECTED' };
  }
}

/**
 * The machine event for a placement the venue refused. Transient failures (network, timeout,
 * rate limit, venue unavailable) are not a refusal: the order may exist, so the caller retries
 * or looks it up by client order id instead of reporting anything.
 * @returns `order.rejected` with the venue port's reason, or null for a transient failure
 */
export function legOrderRefusal(
  clientOrderId: ClientOrderId,
  error: ExchangeError,
): ArbitrageVenueEvent | null {
  if (error.transient || error.reason === 'DUPLICATE_ORDER') return null;
  return { type: 'order.rejected', clientOrderId, reason: error.reason };
}
