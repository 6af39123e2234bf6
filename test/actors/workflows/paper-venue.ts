/**
 * @module test/actors/workflows/paper-venue
 * A hand-written venue for the order workflow tests: keeps orders by client order id, logs every
 * order call, refuses a repeated client order id with DUPLICATE_ORDER like a raw venue, fails the
 * next calls of a method with errors a test queues, or carries out a call and then loses its
 * reply (the venue did it, the caller hears a timeout).
 */
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { BatchItemError, Order, PlaceOrderRequest } from '../../../core/exchange.types.js';
import { orderFor, scriptedExchange } from '../../support/scripted-exchange.js';

type Method = 'placeOrder' | 'batchPlaceOrders' | 'getOrder' | 'cancelOrder' | 'cancelAllOrders';

export class PaperVenue {
  /** `method:subject` per call, in call order. */
  readonly calls: string[] = [];
  readonly orders = new Map<string, Order>();
  readonly #failures = new Map<Method, ExchangeError[]>();
  readonly #lostReplies = new Map<Method, number>();
  #failEverything: ExchangeError | null = null;
  #nextOrderId = 1;

  /** The next `errors.length` calls of `method` throw these errors, in order. */
  failNext(method: Method, ...errors: ExchangeError[]): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...errors]);
  }

  /** The next `count` calls of `method` take effect but their reply is lost (TIMEOUT). */
  loseNextReplies(method: Method, count = 1): void {
    this.#lostReplies.set(method, (this.#lostReplies.get(method) ?? 0) + count);
  }

  /** Every call fails with `error` until called again with null (a venue that is down). */
  failEverything(error: ExchangeError | null): void {
    this.#failEverything = error;
  }

  /** Puts an order on the book as if an earlier attempt had placed it. */
  seed(request: PlaceOrderRequest): Order {
    const order = orderFor(request, String(this.#nextOrderId++));
    this.orders.set(order.clientOrderId, order);
    return order;
  }

  /** Count of calls of `method`. */
  count(method: Method): number {
    return this.calls.filter((call) => call.startsWith(`${method}:`)).length;
  }

  exchange(): Exchange {
    return scriptedExchange({
      placeOrder: async (request) => {
        this.#enter('placeOrder', request.clientOrderId ?? '');
        return this.#reply('placeOrder', this.#place(request));
      },
      batchPlaceOrders: async (requests) => {
        this.#enter('batchPlaceOrders', requests.map((r) => r.clientOrderId).join(','));
        const orders: Order[] = [];
        const errors: BatchItemError[] = [];
        requests.forEach((request, index) => {
          try {
            orders.push(this.#place(request));
          } catch (e) {
            const error = e as ExchangeError;
            const clientOrderId = request.clientOrderId ?? '';
            errors.push({
              index,
              clientOrderId,
              message: error.message,
              code: error.code,
              reason: error.reason,
            });
          }
        });
        return this.#reply('batchPlaceOrders', { orders, errors, allSuccess: errors.length === 0 });
      },
      getOrder: async (query) => {
        this.#enter('getOrder', query.clientOrderId ?? query.orderId ?? '');
        const order = this.orders.get(query.clientOrderId ?? '');
        if (!order) throw new ExchangeError('ORDER_NOT_FOUND', 'no such order');
        return order;
      },
      cancelOrder: async (symbol, orderId) => {
        this.#enter('cancelOrder', orderId);
        const order = [...this.orders.values()].find((o) => o.orderId === orderId);
        if (!order || order.symbol !== symbol)
          throw new ExchangeError('ORDER_NOT_FOUND', 'no such order');
        if (order.status !== 'NEW') {
          throw new ExchangeError('ORDER_NOT_CANCELABLE', `order is ${order.status}`);
        }
        this.orders.set(order.clientOrderId, { ...order, status: 'CANCELED' });
      },
      cancelAllOrders: async (symbol) => {
        this.#enter('cancelAllOrders', symbol);
        for (const order of this.orders.values()) {
          if (order.symbol === symbol && order.status === 'NEW') {
            this.orders.set(order.clientOrderId, { ...order, status: 'CANCELED' });
          }
        }
      },
    });
  }

  #enter(method: Method, subject: string): void {
    this.calls.push(`${method}:${subject}`);
    if (this.#failEverything) throw this.#failEverything;
    const error = this.#failures.get(method)?.shift();
    if (error) throw error;
  }

  #reply<T>(method: Method, value: T): T {
    const lost = this.#lostReplies.get(method) ?? 0;
    if (lost === 0) return value;
    this.#lostReplies.set(method, lost - 1);
    throw new ExchangeError('TIMEOUT', `the reply to ${method} was lost after the venue acted`);
  }

  #place(request: PlaceOrderRequest): Order {
    const clientOrderId = request.clientOrderId ?? '';
    if (this.orders.has(clientOrderId)) {
      throw new ExchangeError('DUPLICATE_ORDER', `client order id ${clientOrderId} exists`);
    }
    if (request.quantity.gt(100)) {
      throw new ExchangeError('INSUFFICIENT_FUNDS', 'quantity above the paper balance');
    }
    return this.seed(request);
  }
}
