/**
 * @module actors/workflows/order.messages
 * What the order workflows take and return. Intents are the commands a symbol actor turns into
 * workflows; results are reports the actor's order ledger applies (the workflows never write the
 * order index themselves). Both are plain JSON, because DBOS stores a workflow's input
 * and output and replays them on recovery. Each intent also names its workflow id: a pure
 * function of the intent, so repeating an intent joins the first workflow instead of calling the
 * venue again.
 */
import { createHash } from 'node:crypto';

import type { ErrorReason } from '../../core/errors.js';
import type {
  ClientOrderId,
  OrderStatus,
  OrderType,
  Side,
  SymbolId,
  TimeInForce,
} from '../../core/types.js';

// -- INTENTS --

/** Place one order. Amounts are decimal strings. */
export interface PlaceOrderIntent {
  /** Name the venue was registered under (`registerOrderVenue`). */
  readonly venue: string;
  readonly symbol: SymbolId;
  /** Our idempotency key; one id is one order, ever. */
  readonly clientOrderId: ClientOrderId;
  readonly side: Side;
  readonly type: OrderType;
  /** Base units. */
  readonly quantity: string;
  /** Limit price in quote units; absent for market orders. */
  readonly price?: string;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  readonly useMargin?: boolean;
  /** The grid slot placing the order. */
  readonly slotIndex?: number;
  /**
   * The placing actor's state as this placement changed it (its slot's snapshot), stored with
   * the intent in the one commit that starts the workflow, so no commit precedes the venue call:
   * recovery takes it when it is newer than the actor's own last save (see
   * actors/workflows/carried-snapshots). Opaque to the workflow.
   */
  readonly carried?: unknown;
  /** Set by `placeOrder`: the starting process's incarnation (see order.context). */
  readonly incarnation?: string;
  /** Set by `placeOrder` under scale-out: the lease it was started under (see core/fence). */
  readonly fence?: IntentFence;
}

/** The lease an intent was started under: its owner and fencing token. */
export interface IntentFence {
  readonly owner: string;
  readonly token: number;
}

/** One order of a batch: a placement without the venue, which the batch names once. */
export type BatchOrder = Omit<PlaceOrderIntent, 'venue' | 'carried' | 'incarnation' | 'fence'>;

/** Place several orders in one venue call; one refused item does not fail the others. */
export interface BatchPlaceOrdersIntent {
  readonly venue: string;
  readonly orders: readonly BatchOrder[];
  /** Set by `batchPlaceOrders`: the starting process's incarnation (see order.context). */
  readonly incarnation?: string;
}

/** Cancel one order by our client order id. */
export interface CancelOrderIntent {
  readonly venue: string;
  readonly symbol: SymbolId;
  readonly clientOrderId: ClientOrderId;
  /** The venue's id of the order when the caller knows it (saves a lookup). */
  readonly venueOrderId?: string;
  /** 1 for the first cancel of this order; the actor bumps it to try again after a failure. */
  readonly attempt: number;
  readonly useMargin?: boolean;
  /** Set by `cancelOrder` under scale-out: the lease it was started under. */
  readonly fence?: IntentFence;
}

/** Cancel every open order of a symbol. */
export interface CancelAllOrdersIntent {
  readonly venue: string;
  readonly symbol: SymbolId;
  /** Business key of the request (the stop, breaker trip or admin call it comes from). */
  readonly requestId: string;
  readonly useMargin?: boolean;
}

// -- RESULTS --

/** The venue's view of an order right after a call. Amounts are decimal strings. */
export interface OrderAck {
  readonly venueOrderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly status: OrderStatus;
  readonly price: string;
  readonly quantity: string;
  readonly executedQty: string;
  /** Average execution price, quote units ("0" before any fill). */
  readonly avgPrice: string;
}

/**
 * Why a call did not succeed. `rejected`: the venue refused for good (a business outcome).
 * `failed`: transient failures outlasted the retries, so the outcome is unknown (a placement may
 * exist on the venue): the actor reconciles before it acts on it.
 */
export interface Refusal {
  readonly outcome: 'rejected' | 'failed';
  readonly reason: ErrorReason;
  readonly message: string;
}

export type PlaceOrderResult =
  | { readonly outcome: 'placed'; readonly clientOrderId: ClientOrderId; readonly order: OrderAck }
  | (Refusal & { readonly clientOrderId: ClientOrderId });

export interface BatchPlaceOrdersResult {
  /** One result per intent order, in intent order. */
  readonly results: readonly PlaceOrderResult[];
}

export type CancelOrderResult =
  | { readonly outcome: 'canceled'; readonly clientOrderId: ClientOrderId }
  | (Refusal & { readonly clientOrderId: ClientOrderId });

export type CancelAllOrdersResult =
  | { readonly outcome: 'canceled'; readonly symbol: SymbolId }
  | (Refusal & { readonly symbol: SymbolId });

// -- WORKFLOW IDS --

export function placeWorkflowId(intent: Pick<PlaceOrderIntent, 'clientOrderId'>): string {
  return `place:${intent.clientOrderId}`;
}

export function cancelWorkflowId(
  intent: Pick<CancelOrderIntent, 'clientOrderId' | 'attempt'>,
): string {
  return `cancel:${intent.clientOrderId}:${intent.attempt}`;
}

export function cancelAllWorkflowId(
  intent: Pick<CancelAllOrdersIntent, 'venue' | 'symbol' | 'requestId'>,
): string {
  return `cancel-all:${intent.venue}:${intent.symbol}:${intent.requestId}`;
}

/** Derived from the batch's client order ids, so the same batch maps to the same workflow. */
export function batchPlaceWorkflowId(intent: BatchPlaceOrdersIntent): string {
  const ids = intent.orders.map((order) => order.clientOrderId).join(',');
  return `batch-place:${createHash('sha256').update(ids).digest('hex').slice(0, 32)}`;
}
