/**
 * @module core/order-match
 * Whether an order the venue already holds under our client order id is the order we asked for.
 * Used wherever "already placed" is resolved (the engine's placement step, and venue adapters that
 * find an order after a failed placement), so the comparison is the same everywhere.
 */
import { toPlain } from './decimal.js';
import type { Order, PlaceOrderRequest } from './exchange.types.js';

/**
 * Describes why `existing` is not the order `request` asked for.
 * @param request - the placement we meant
 * @param existing - the venue's order under the same client order id
 * @returns the differing fields as "field value, ...", or null when it is the same order
 */
export function orderMismatch(request: PlaceOrderRequest, existing: Order): string | null {
  const diffs: string[] = [];
  if (existing.symbol !== request.symbol) diffs.push(`symbol ${existing.symbol}`);
  if (existing.side !== request.side) diffs.push(`side ${existing.side}`);
  if (existing.type !== request.type) diffs.push(`type ${existing.type}`);
  if (!existing.quantity.eq(request.quantity)) diffs.push(`quantity ${toPlain(existing.quantity)}`);
  if (request.type === 'LIMIT' && request.price && !existing.price.eq(request.price)) {
    diffs.push(`price ${toPlain(existing.price)}`);
  }
  return diffs.length === 0 ? null : diffs.join(', ');
}
