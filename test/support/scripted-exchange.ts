/**
 * @module test/support/scripted-exchange
 * A hand-written fake venue for decorator tests: each test supplies only the methods it exercises;
 * any other call fails the test loudly instead of returning a made-up value.
 */
import type { Exchange } from '../../core/exchange.port.js';
import { dec } from '../../core/decimal.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';

export function scriptedExchange(methods: Partial<Exchange>): Exchange {
  return new Proxy(methods as Exchange, {
    get(target, property) {
      if (property === 'name') return 'scripted';
      const value = (target as unknown as Record<string | symbol, unknown>)[property];
      if (value !== undefined) return value;
      return () => {
        throw new Error(`scripted exchange: unexpected call to ${String(property)}`);
      };
    },
  });
}

/** The order a venue would hold for `request`. */
export function orderFor(request: PlaceOrderRequest, orderId = '1'): Order {
  return {
    orderId,
    clientOrderId: request.clientOrderId ?? '',
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce ?? 'GTC',
    price: request.price ?? dec(0),
    quantity: request.quantity,
    executedQty: dec(0),
    avgPrice: dec(0),
    status: 'NEW',
    reduceOnly: request.reduceOnly ?? false,
    postOnly: request.postOnly ?? false,
    createdAtMs: 0,
    updateTimeMs: 0,
    trades: [],
  };
}
