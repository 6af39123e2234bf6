/**
 * @module connector/venues/ccxt/ccxt-orders
 * Placing, querying and cancelling orders on a ccxt venue. Requests are checked with the shared
 * order validation before anything is sent; a placement that fails after it may have reached the
 * venue is resolved by looking the order up by client id, because no venue reports a duplicate
 * client id in a way ccxt unifies. Cancels that find nothing tell "already done" from "unknown".
 */
import type { Order as CcxtOrder } from 'ccxt';
import { toPlain } from '../../../core/decimal.js';
import { ExchangeError, invalidArgument } from '../../../core/errors.js';
import { validateOrderForMarket, validateOrderShape } from '../../order-validation.js';
import { orderMismatch } from '../../../core/order-match.js';
import type { GetOrderQuery, Order, PlaceOrderRequest } from '../../../core/exchange.types.js';
import type { MarketRef } from './markets.js';
import { latestPrice } from './ccxt-market-data.js';
import type { VenueContext } from './venue-context.js';

/** The ccxt createOrder arguments of one validated request. */
export interface CcxtOrderArgs {
  readonly symbol: string;
  readonly type: 'limit' | 'market';
  readonly side: 'buy' | 'sell';
  readonly amount: number;
  readonly price: number | undefined;
  readonly params: Record<string, unknown>;
}

/**
 * Validates `request` against its market.
 * @throws {ExchangeError} INVALID_ARGUMENT / UNKNOWN_SYMBOL naming the field
 */
export async function checkedMarket(ctx: VenueContext, request: PlaceOrderRequest) {
  validateOrderShape(request);
  const market = ctx.book.get(request.symbol);
  if (request.useMargin === true && ctx.kind !== 'spot') {
    throw invalidArgument('use_margin', `${ctx.name} trades futures; margin is for spot venues`);
  }
  const reference =
    request.type === 'LIMIT' && request.price ? request.price : await latestPrice(ctx, market);
  validateOrderForMarket(request, market.info, reference);
  return market;
}

/** The ccxt arguments for a validated request; amounts are already exact multiples of the step. */
export function orderArgs(
  ctx: VenueContext,
  request: PlaceOrderRequest,
  market: MarketRef,
): CcxtOrderArgs {
  const params: Record<string, unknown> = {};
  if (request.clientOrderId) {
    params.clientOrderId = `${ctx.profile.clientIdPrefix}${request.clientOrderId}`;
  }
  if (request.postOnly === true || request.timeInForce === 'GTX') params.postOnly = true;
  else if (request.timeInForce === 'IOC' || request.timeInForce === 'FOK') {
    params.timeInForce = request.timeInForce;
  }
  if (request.reduceOnly === true) params.reduceOnly = true;
  if (request.useMargin === true) Object.assign(params, ctx.profile.marginParams);
  // ccxt re-stringifies numbers with numberToString before applying precision, so a decimal
  // that is an exact multiple of the step survives the Number() round trip unchanged
  return {
    symbol: market.unified,
    type: request.type === 'MARKET' ? 'market' : 'limit',
    side: request.side === 'SELL' ? 'sell' : 'buy',
    amount: Number(toPlain(request.quantity.div(market.contractSize))),
    price: request.type === 'LIMIT' && request.price ? Number(toPlain(request.price)) : undefined,
    params,
  };
}

/**
 * A ccxt placement reply as a complete order: some venues (OKX, Bybit) answer with ids only,
 * and fills are fetched when the reply carries none.
 */
export async function completeOrder(
  ctx: VenueContext,
  order: CcxtOrder,
  market: MarketRef,
  request?: PlaceOrderRequest,
): Promise<Order> {
  let full = order;
  if (order.amount === undefined || order.status === undefined) {
    full = await ctx.ex.fetchOrder(order.id ?? '', market.unified, {
      ...ctx.profile.fetchOrderParams,
      ...ctx.marginQuery(request?.useMargin),
    });
  }
  if ((full.filled ?? 0) > 0 && (full.trades ?? []).length === 0) {
    full = { ...full, trades: await orderTrades(ctx, full.id ?? '', market) };
  }
  const result = ctx.toOrder(full, market);
  return result.clientOrderId === '' && request?.clientOrderId
    ? { ...result, clientOrderId: request.clientOrderId }
    : result;
}

/** The fills of one order, read the way the venue supports (USD-M: userTrades by orderId). */
async function orderTrades(ctx: VenueContext, orderId: string, market: MarketRef) {
  switch (ctx.profile.orderTrades) {
    case 'fetchOrderTrades':
      return ctx.ex.fetchOrderTrades(orderId, market.unified);
    case 'myTradesByOrderId':
      return ctx.ex.fetchMyTrades(market.unified, undefined, undefined, { orderId });
    case 'none':
      return [];
  }
}

/** Places one order; see the module header for how failures are resolved. */
export async function placeOrder(ctx: VenueContext, request: PlaceOrderRequest): Promise<Order> {
  ctx.requireCredentials();
  const market = await checkedMarket(ctx, request);
  const args = orderArgs(ctx, request, market);
  if (request.clientOrderId && !ctx.profile.rejectsDuplicateClientId) {
    await refuseKnownClientId(ctx, request);
  }
  try {
    const order = await ctx.privateCall(() =>
      ctx.ex.createOrder(args.symbol, args.type, args.side, args.amount, args.price, args.params),
    );
    return await completeOrder(ctx, order, market, request);
  } catch (e) {
    const error = ctx.toError(e);
    // A duplicate client id is the caller's to resolve (the engine's placement step looks it up)
    if (!request.clientOrderId || error.reason === 'DUPLICATE_ORDER') throw error;
    const existing = await findByClientId(ctx, request);
    if (existing === undefined) throw error;
    ctx.logger.warn(
      { venue: ctx.name, clientOrderId: request.clientOrderId, reason: error.reason },
      'placement failed but the order exists at the venue: returning it',
    );
    if (orderMismatch(request, existing) !== null) {
      throw new ExchangeError('DUPLICATE_ORDER', error.message, {
        field: 'client_order_id',
        venueCode: error.venueCode,
        cause: error,
      });
    }
    return existing;
  }
}

/**
 * On venues that take a repeated client id as a new order: DUPLICATE_ORDER when the id is
 * already in use (the caller looks the order up and compares it with its intent).
 * @throws {ExchangeError} DUPLICATE_ORDER, or the lookup's failure other than not-found
 */
async function refuseKnownClientId(ctx: VenueContext, request: PlaceOrderRequest): Promise<void> {
  try {
    const existing = await getOrder(ctx, {
      symbol: request.symbol,
      clientOrderId: request.clientOrderId,
      useMargin: request.useMargin,
    });
    throw new ExchangeError(
      'DUPLICATE_ORDER',
      `client_order_id: ${request.clientOrderId} is already order ${existing.orderId} at ${ctx.name}`,
      { field: 'client_order_id' },
    );
  } catch (e) {
    if (e instanceof ExchangeError && e.reason === 'ORDER_NOT_FOUND') return;
    throw e;
  }
}

/** The venue's order for the request's client id; undefined if it has none or cannot say. */
export async function findByClientId(ctx: VenueContext, request: PlaceOrderRequest) {
  try {
    return await getOrder(ctx, {
      symbol: request.symbol,
      clientOrderId: request.clientOrderId,
      useMargin: request.useMargin,
    });
  } catch {
    // Not found, or the venue is still unreachable: the original failure is what to report
    return undefined;
  }
}

/** One order by venue id or, when that is empty, by client id. */
export async function getOrder(ctx: VenueContext, query: GetOrderQuery): Promise<Order> {
  const market = ctx.book.get(query.symbol);
  const margin = ctx.marginQuery(query.useMargin);
  const extra = { ...ctx.profile.fetchOrderParams, ...margin };
  if (query.orderId) {
    const order = await ctx.privateCall(
      () => ctx.ex.fetchOrder(query.orderId as string, market.unified, extra),
      { orderField: 'order_id' },
    );
    return ctx.toOrder(order, market);
  }
  if (!query.clientOrderId) {
    throw invalidArgument('order_id', 'give order_id or client_order_id');
  }
  const byClient = ctx.profile.fetchByClientId(query.clientOrderId);
  const order = await ctx.privateCall(
    () =>
      ctx.ex.fetchOrder(byClient.id as string, market.unified, { ...byClient.params, ...extra }),
    { orderField: 'client_order_id' },
  );
  return ctx.toOrder(order, market);
}

export async function getOpenOrders(ctx: VenueContext, symbol: string, useMargin?: boolean) {
  const market = ctx.book.get(symbol);
  const orders = await ctx.privateCall(() =>
    ctx.ex.fetchOpenOrders(market.unified, undefined, undefined, ctx.marginQuery(useMargin)),
  );
  return orders.map((o) => ctx.toOrder(o, market));
}

/**
 * Cancels by venue id. The venues answer "unknown order" for finished orders too, so that
 * answer is checked: an order that exists but is done is ORDER_NOT_CANCELABLE.
 */
export async function cancelOrder(
  ctx: VenueContext,
  symbol: string,
  orderId: string,
  useMargin?: boolean,
): Promise<void> {
  const market = ctx.book.get(symbol);
  if (orderId === '') throw invalidArgument('order_id', 'is required');
  try {
    await ctx.privateCall(
      () => ctx.ex.cancelOrder(orderId, market.unified, ctx.marginQuery(useMargin)),
      { orderField: 'order_id' },
    );
  } catch (e) {
    if (!(e instanceof ExchangeError) || e.reason !== 'ORDER_NOT_FOUND') throw e;
    const order = await getOrder(ctx, { symbol, orderId, useMargin }).catch(() => undefined);
    if (order === undefined || order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') {
      throw e;
    }
    throw new ExchangeError(
      'ORDER_NOT_CANCELABLE',
      `order_id: order ${orderId} is already ${order.status}`,
      { field: 'order_id', venueCode: e.venueCode, cause: e },
    );
  }
}

/** Cancels by our client id, in the form each venue needs (Gate `t-` id, Bybit orderLinkId). */
export async function cancelOrderByClientId(
  ctx: VenueContext,
  symbol: string,
  clientOrderId: string,
  useMargin?: boolean,
): Promise<void> {
  const market = ctx.book.get(symbol);
  if (clientOrderId === '') throw invalidArgument('client_order_id', 'is required');
  const call = ctx.profile.cancelByClientId(clientOrderId);
  await ctx.privateCall(
    () =>
      ctx.ex.cancelOrder(call.id as string, market.unified, {
        ...call.params,
        ...ctx.marginQuery(useMargin),
      }),
    { orderField: 'client_order_id' },
  );
}
