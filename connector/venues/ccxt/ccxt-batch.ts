/**
 * @module connector/venues/ccxt/ccxt-batch
 * Batch placement and cancellation on a ccxt venue: the venue's batch endpoint in chunks of its
 * limit where it has one, one call per order where it has none (Binance spot), and cancel-all
 * emulated as open orders + batch cancel where the venue lacks it (OKX). A failing item is
 * reported at its index with its venue code; the others go through.
 */
import type { Order as CcxtOrder, OrderRequest } from 'ccxt';
import {
  ExchangeError,
  isErrorReason,
  REASON_TO_CODE,
  toExchangeError,
} from '../../../core/errors.js';
import type {
  BatchItemError,
  BatchPlaceResult,
  Order,
  PlaceOrderRequest,
} from '../../../core/exchange.types.js';
import {
  cancelOrder,
  checkedMarket,
  completeOrder,
  findByClientId,
  getOpenOrders,
  orderArgs,
  placeOrder,
} from './ccxt-orders.js';
import type { MarketRef } from './markets.js';
import type { VenueContext } from './venue-context.js';

function itemError(index: number, clientOrderId: string, e: unknown): BatchItemError {
  const error = toExchangeError(e);
  return {
    index,
    clientOrderId,
    message: error.message,
    code: REASON_TO_CODE[error.reason],
    reason: error.reason,
  };
}

/** The venue's failure in one raw batch reply item (Binance code, OKX sCode, Gate label). */
function rawItemError(ctx: VenueContext, item: unknown): ExchangeError | undefined {
  const r = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const code = r.code ?? r.sCode ?? r.retCode ?? r.label;
  const ok = code === undefined || code === 0 || code === '0' || code === 200;
  return ok && r.succeeded !== false ? undefined : ctx.toError(new Error(JSON.stringify(item)));
}

function missing(ctx: VenueContext, index: number): ExchangeError {
  return new ExchangeError(
    'INTERNAL',
    `${ctx.name}: the batch reply has no item for index ${index}`,
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Valid {
  readonly index: number;
  readonly request: PlaceOrderRequest;
  readonly market: MarketRef;
}

/** Places `requests`, one failing item not failing the others. */
export async function batchPlaceOrders(
  ctx: VenueContext,
  requests: readonly PlaceOrderRequest[],
): Promise<BatchPlaceResult> {
  ctx.requireCredentials();
  const placed = new Map<number, Order>();
  const errors: BatchItemError[] = [];
  const valid: Valid[] = [];
  for (const [index, request] of requests.entries()) {
    try {
      valid.push({ index, request, market: await checkedMarket(ctx, request) });
    } catch (e) {
      errors.push(itemError(index, request.clientOrderId ?? '', e));
    }
  }
  if (ctx.profile.maxBatch === 0) {
    for (const { index, request } of valid) {
      try {
        placed.set(index, await placeOrder(ctx, request));
      } catch (e) {
        errors.push(itemError(index, request.clientOrderId ?? '', e));
      }
    }
  } else {
    for (const chunk of chunks(valid, ctx.profile.maxBatch)) {
      await placeChunk(ctx, chunk, placed, errors);
    }
  }
  errors.sort((a, b) => a.index - b.index);
  const orders = [...placed.entries()].sort(([a], [b]) => a - b).map(([, order]) => order);
  return { orders, allSuccess: errors.length === 0, errors };
}

async function placeChunk(
  ctx: VenueContext,
  chunk: readonly Valid[],
  placed: Map<number, Order>,
  errors: BatchItemError[],
): Promise<void> {
  const orders: OrderRequest[] = chunk.map(({ request, market }) =>
    orderArgs(ctx, request, market),
  );
  let replies: CcxtOrder[];
  try {
    replies = await ctx.privateCall(() => ctx.ex.createOrders(orders));
  } catch (e) {
    await resolveFailedChunk(ctx, chunk, e, placed, errors);
    return;
  }
  const raw = ctx.hooks.rawReplyOf(replies);
  for (const [i, item] of chunk.entries()) {
    const clientOrderId = item.request.clientOrderId ?? '';
    let reply: CcxtOrder | undefined;
    let failure: ExchangeError | undefined;
    if (raw !== undefined && raw.length === chunk.length) {
      failure = rawItemError(ctx, raw[i]);
      if (failure === undefined) {
        reply = ctx.ex.parseOrder(
          raw[i] as Record<string, unknown>,
          ctx.ex.market(item.market.unified),
        );
      }
    } else {
      // ccxt did not pass the raw reply on: match by client id
      reply = clientOrderId ? replies.find((o) => o.clientOrderId === clientOrderId) : undefined;
      if (reply === undefined) failure = missing(ctx, item.index);
    }
    if (reply === undefined) {
      errors.push(itemError(item.index, clientOrderId, failure ?? missing(ctx, item.index)));
      continue;
    }
    try {
      placed.set(item.index, await completeOrder(ctx, reply, item.market, item.request));
    } catch (e) {
      errors.push(itemError(item.index, clientOrderId, ctx.toError(e)));
    }
  }
}

/** The per-item entries of the venue reply inside a ccxt error message, if they align. */
function itemsInError(e: unknown, count: number): readonly unknown[] | undefined {
  const message = e instanceof Error ? e.message : '';
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(message.slice(start)) as {
      data?: unknown;
      result?: { list?: unknown };
    };
    const items = Array.isArray(body) ? body : (body.data ?? body.result?.list);
    return Array.isArray(items) && items.length === count ? items : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A batch call that failed as a whole may still have placed some items (ccxt raises for OKX's
 * "partial operations failed"): items the venue rejected get their own error, and every other
 * item with a client id is looked up, so a placed order is never reported as failed.
 */
async function resolveFailedChunk(
  ctx: VenueContext,
  chunk: readonly Valid[],
  e: unknown,
  placed: Map<number, Order>,
  errors: BatchItemError[],
): Promise<void> {
  const error = ctx.toError(e);
  const items = itemsInError(e, chunk.length);
  for (const [i, item] of chunk.entries()) {
    const clientOrderId = item.request.clientOrderId ?? '';
    const own = items === undefined ? undefined : rawItemError(ctx, items[i]);
    const found =
      own === undefined && clientOrderId ? await findByClientId(ctx, item.request) : undefined;
    if (found !== undefined) placed.set(item.index, found);
    else errors.push(itemError(item.index, clientOrderId, own ?? error));
  }
}

/** Cancels `orderIds`; resolves to the per-item failures. */
export async function batchCancelOrders(
  ctx: VenueContext,
  symbol: string,
  orderIds: readonly string[],
  useMargin?: boolean,
): Promise<readonly BatchItemError[]> {
  const market = ctx.book.get(symbol);
  ctx.requireCredentials();
  const errors: BatchItemError[] = [];
  if (ctx.profile.maxBatch === 0) {
    for (const [index, id] of orderIds.entries()) {
      await cancelOrder(ctx, symbol, id, useMargin).catch((e: unknown) =>
        errors.push(itemError(index, '', e)),
      );
    }
    return errors;
  }
  let offset = 0;
  for (const chunk of chunks(orderIds, ctx.profile.maxBatch)) {
    const start = offset;
    offset += chunk.length;
    try {
      const replies = await ctx.privateCall(
        () => ctx.ex.cancelOrders(chunk, market.unified, ctx.marginQuery(useMargin)),
        { orderField: 'order_id' },
      );
      const raw = ctx.hooks.rawReplyOf(replies);
      for (const [i, id] of chunk.entries()) {
        const failure =
          raw !== undefined && raw.length === chunk.length
            ? rawItemError(ctx, raw[i])
            : replies.some((o) => o.id === id)
              ? undefined
              : missing(ctx, start + i);
        if (failure !== undefined) errors.push(itemError(start + i, '', failure));
      }
    } catch (e) {
      chunk.forEach((_, i) => errors.push(itemError(start + i, '', e)));
    }
  }
  return errors;
}

/** Cancels every open order of `symbol`, natively or as open orders + batch cancel. */
export async function cancelAllOrders(
  ctx: VenueContext,
  symbol: string,
  useMargin?: boolean,
): Promise<void> {
  const market = ctx.book.get(symbol);
  if (ctx.profile.nativeCancelAll) {
    await ctx.privateCall(() => ctx.ex.cancelAllOrders(market.unified, ctx.marginQuery(useMargin)));
    return;
  }
  const open = await getOpenOrders(ctx, symbol, useMargin);
  const ids = open.map((o) => o.orderId);
  const errors = await batchCancelOrders(ctx, symbol, ids, useMargin);
  // An order that finished meanwhile is what cancel-all wanted anyway
  const real = errors.filter(
    (e) => e.reason !== 'ORDER_NOT_FOUND' && e.reason !== 'ORDER_NOT_CANCELABLE',
  );
  const first = real[0];
  if (first !== undefined) {
    throw new ExchangeError(
      isErrorReason(first.reason) ? first.reason : 'INTERNAL',
      `${ctx.name}: cancel-all left ${real.length} of ${ids.length} orders open: ${first.message}`,
    );
  }
}
