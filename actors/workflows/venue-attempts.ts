/**
 * @module actors/workflows/venue-attempts
 * How one intent reaches a venue, for the order workflow steps that own it: at most `attempts`
 * (3) tries end to end, backing off between them; before every try but a first run's first, and
 * on DUPLICATE_ORDER, the order is looked up by client order id and, when found, compared with
 * the intent (the same order is adopted, a different one refused); a lookup that fails ends its
 * try without placing, because not knowing whether the order exists is no reason to send it
 * again. Batches resolve their orders one by one the same way before a batch is sent again.
 */
import { dec, toPlain } from '../../core/decimal.js';
import { ExchangeError, isErrorReason, toExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import { orderMismatch } from '../../core/order-match.js';
import { backoffMs } from '../../core/retry.js';
import { fencedCall, orderRetryPolicy } from './order.context.js';
import type { OrderAck, PlaceOrderIntent } from './order.messages.js';

/** A per-item failure of a batch placement. */
export interface BatchItemRefusal {
  readonly clientOrderId: string;
  readonly reason: string;
  readonly message: string;
  readonly transient: boolean;
}

/** A batch placement's placed orders and refused items, as JSON. */
export interface BatchPlaced {
  readonly placed: readonly OrderAck[];
  readonly refused: readonly BatchItemRefusal[];
}

/**
 * Up to `attempts` tries at one intent. Every try but a first run's first looks the client order
 * id up before placing; DUPLICATE_ORDER is resolved by a lookup too.
 * @throws {ExchangeError} the last transient failure, or the first final one
 */
export async function placeOnce(venue: Exchange, intent: PlaceOrderIntent, firstRun: boolean) {
  const request = toRequest(intent);
  return withAttempts(async (attempt) => {
    if (attempt > 1 || !firstRun) {
      const found = await findOrder(venue, intent);
      if (found) return adopted(request, found);
    }
    try {
      return await fencedCall(intent.symbol, () => venue.placeOrder(request));
    } catch (e) {
      if (toExchangeError(e).reason !== 'DUPLICATE_ORDER') throw e;
      const found = await findOrder(venue, intent);
      if (!found) throw e;
      return adopted(request, found);
    }
  });
}

export async function placeBatch(
  venue: Exchange,
  intents: readonly PlaceOrderIntent[],
  firstRun: boolean,
): Promise<BatchPlaced> {
  const placed = new Map<string, OrderAck>();
  const refused = new Map<string, BatchItemRefusal>();
  const policy = orderRetryPolicy();
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) await policy.sleep(backoffMs(policy, attempt - 1));
    const open = intents.filter((i) => !placed.has(i.clientOrderId) && !final(refused, i));
    if (open.length === 0) break;
    const unresolved =
      attempt > 1 || !firstRun ? await lookUpEach(venue, open, placed, refused) : open;
    // Every lookup failed or found its order: nothing to send on this attempt
    if (unresolved.length === 0) continue;
    let result;
    try {
      result = await fencedEach(unresolved, () =>
        venue.batchPlaceOrders(unresolved.map(toRequest)),
      );
    } catch (e) {
      const error = toExchangeError(e);
      for (const intent of unresolved) refused.set(intent.clientOrderId, refusalOf(intent, error));
      if (!error.transient) break;
      continue;
    }
    for (const order of result.orders) placed.set(order.clientOrderId, toAck(order));
    for (const item of result.errors) {
      const intent = unresolved[item.index];
      if (!intent) continue;
      const reason = isErrorReason(item.reason) ? item.reason : 'ORDER_REJECTED';
      const error = new ExchangeError(reason, item.message);
      refused.set(intent.clientOrderId, refusalOf(intent, error));
      if (reason === 'DUPLICATE_ORDER') await lookUpEach(venue, [intent], placed, refused);
    }
  }
  for (const id of placed.keys()) refused.delete(id);
  return { placed: [...placed.values()], refused: [...refused.values()] };
}

/** Runs `call` fenced on each symbol the intents name (a batch names one, as a rule). */
function fencedEach<T>(intents: readonly PlaceOrderIntent[], call: () => Promise<T>): Promise<T> {
  const symbols = [...new Set(intents.map((i) => i.symbol))];
  return symbols.reduceRight<() => Promise<T>>(
    (inner, symbol) => () => fencedCall(symbol, inner),
    call,
  )();
}

/**
 * Looks each intent up by client order id: found ones are resolved (adopted, or refused when the
 * venue's order differs), a failed lookup leaves the intent unsent for this attempt.
 * @returns the intents the venue has no order for
 */
async function lookUpEach(
  venue: Exchange,
  intents: readonly PlaceOrderIntent[],
  placed: Map<string, OrderAck>,
  refused: Map<string, BatchItemRefusal>,
): Promise<PlaceOrderIntent[]> {
  const missing: PlaceOrderIntent[] = [];
  for (const intent of intents) {
    try {
      const found = await findOrder(venue, intent);
      if (found === null) missing.push(intent);
      else placed.set(intent.clientOrderId, toAck(adopted(toRequest(intent), found)));
    } catch (e) {
      const error = toExchangeError(e);
      refused.set(intent.clientOrderId, refusalOf(intent, error));
      placed.delete(intent.clientOrderId);
    }
  }
  return missing;
}

function final(refused: ReadonlyMap<string, BatchItemRefusal>, intent: PlaceOrderIntent) {
  const refusal = refused.get(intent.clientOrderId);
  return refusal !== undefined && !refusal.transient;
}

function refusalOf(intent: PlaceOrderIntent, error: ExchangeError): BatchItemRefusal {
  return {
    clientOrderId: intent.clientOrderId,
    reason: error.reason,
    message: error.message,
    transient: error.transient,
  };
}

/** The venue's order for the intent's client order id, or null when the venue has none. */
async function findOrder(venue: Exchange, intent: PlaceOrderIntent): Promise<Order | null> {
  try {
    const { symbol, clientOrderId, useMargin } = intent;
    return await venue.getOrder({ symbol, clientOrderId, useMargin });
  } catch (e) {
    if (toExchangeError(e).reason === 'ORDER_NOT_FOUND') return null;
    throw e;
  }
}

/**
 * The venue's order under our client order id, when it is the order we asked for.
 * @throws {ExchangeError} DUPLICATE_ORDER (final) when the id names a different order
 */
function adopted(request: PlaceOrderRequest, existing: Order): Order {
  const mismatch = orderMismatch(request, existing);
  if (mismatch === null) return existing;
  throw new ExchangeError(
    'DUPLICATE_ORDER',
    `client order id ${request.clientOrderId} names a different order: ${mismatch}`,
    { field: 'client_order_id' },
  );
}

/**
 * Runs `fn` up to the policy's attempts, backing off between them, retrying transient failures.
 * @throws {ExchangeError} the last transient failure, or the first final one
 */
export async function withAttempts<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
  const policy = orderRetryPolicy();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const error = toExchangeError(e);
      if (!error.transient || attempt >= policy.attempts) throw error;
      await policy.sleep(backoffMs(policy, attempt));
    }
  }
}

/** The port request for an intent (decimal strings become Decimals here, at the venue edge). */
export function toRequest(intent: PlaceOrderIntent): PlaceOrderRequest {
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

export function toAck(order: Order): OrderAck {
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
    avgPrice: toPlain(order.avgPrice),
  };
}
