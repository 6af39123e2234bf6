/**
 * @module test/e2e/support/venue-calls
 * Every order-changing call the venue behind the connector receives, with the lease it came
 * under. The connector runs an admitted fenced call at the venue under its stamp
 * (`currentFence()`), so a decorator of the venue port can tell which engine placed or cancelled
 * what, at which fencing token: the scale-out suites attribute every order to its engine this way.
 */
import type { Exchange } from '../../../core/exchange.port.js';
import type { PlaceOrderRequest } from '../../../core/exchange.types.js';
import { currentFence } from '../../../core/fence.js';
import type { Placement } from './engine-process.js';

/** The venue port methods that change orders. */
const CHANGING = new Set([
  'placeOrder',
  'batchPlaceOrders',
  'cancelOrder',
  'batchCancelOrders',
  'cancelAllOrders',
]);

/** One order-changing call as the venue received it. */
export interface VenueCall {
  readonly method: string;
  readonly symbol: string;
  /** The placement's client order id; empty for a cancel. */
  readonly clientOrderId: string;
  readonly side: string;
  readonly price: string;
  /** The engine whose lease the call came under; null for an unstamped call. */
  readonly owner: string | null;
  readonly token: number | null;
  /** Wall clock when the venue received it, ms. */
  readonly atMs: number;
  readonly accepted: boolean;
}

/**
 * Wraps the venue port so every order-changing call is appended to `calls` once the venue
 * answered (accepted or refused).
 */
export function recordingCalls(calls: VenueCall[]) {
  return (venue: Exchange): Exchange =>
    new Proxy(venue, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = String(property);
        if (!CHANGING.has(method)) return value.bind(target);
        return async (...args: unknown[]): Promise<unknown> => {
          const lease = currentFence();
          const atMs = Date.now();
          const first = args[0];
          const place = method === 'placeOrder' ? (first as PlaceOrderRequest) : undefined;
          const symbol =
            method === 'batchPlaceOrders'
              ? ((first as readonly PlaceOrderRequest[])[0]?.symbol ?? '')
              : (place?.symbol ?? String(first));
          const record = (accepted: boolean) =>
            calls.push({
              method,
              symbol,
              clientOrderId: place?.clientOrderId ?? '',
              side: place?.side ?? '',
              price: place?.price?.toFixed() ?? '',
              owner: lease?.owner ?? null,
              token: lease?.token ?? null,
              atMs,
              accepted,
            });
          try {
            const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            record(true);
            return result;
          } catch (e) {
            record(false);
            throw e;
          }
        };
      },
    });
}

/** The placements among `calls`, in the fixture's shape, optionally of one symbol. */
export function placementsOf(calls: readonly VenueCall[], symbol?: string): Placement[] {
  return calls
    .filter((c) => c.method === 'placeOrder' && (symbol === undefined || c.symbol === symbol))
    .map((c) => ({
      clientOrderId: c.clientOrderId,
      side: c.side,
      price: c.price,
      accepted: c.accepted,
    }));
}
