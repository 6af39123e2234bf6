/**
 * @module connector/venues/sim/place-order
 * Placement on the simulated venue, in the order a real venue decides: request shape, market
 * filters, duplicate client id, open-order limit, reduce-only, matching plan, post-only, funds;
 * then the order is accepted (NEW), trades what it can as taker (resting orders and synthetic
 * depth by price-time priority) and the rest rests (GTC, GTX) or expires (IOC, FOK, MARKET).
 * `useMargin` only means something on spot (the margin account); the perp market ignores it.
 */
import { Decimal, floorToStep } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import { validateOrderForMarket, validateOrderShape } from '../../order-validation.js';
import type { Order, PlaceOrderRequest, TimeInForce } from '../../../core/exchange.types.js';
import { planTaker, plannedQuantity, type PlannedFill } from './matching-engine.js';
import {
  isOpenStatus,
  newOrderRecord,
  remainingOf,
  toOrder,
  type OrderRecord,
} from './order-record.js';
import type { SimMarket } from './sim-market.js';
import type { TradingCore } from './trading-core.js';

/**
 * Places an order.
 * @param fillFraction the fault switch's cap: at most this fraction of the quantity trades on
 *   arrival (rounded down to the step); the rest rests or expires as the order type says
 * @returns the order as it stands after matching
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field, UNKNOWN_SYMBOL, DUPLICATE_ORDER,
 *   ORDER_REJECTED (open-order limit), REDUCE_ONLY_REJECTED, POST_ONLY_WOULD_CROSS,
 *   INSUFFICIENT_FUNDS
 */
export function placeOrder(
  core: TradingCore,
  request: PlaceOrderRequest,
  fillFraction?: Decimal,
): Order {
  validateOrderShape(request);
  const market = core.market(request.symbol);
  validateOrderForMarket(request, market.info, market.mid.price);
  const { kind, ledger, ids, clock } = core.deps;
  const useMargin = kind === 'spot' && request.useMargin === true;
  const requestedId = request.clientOrderId ?? '';
  if (requestedId !== '' && core.seenClientIds.has(requestedId)) {
    throw new ExchangeError(
      'DUPLICATE_ORDER',
      `client order id ${requestedId} was already used on ${core.deps.exchangeName}`,
      { field: 'client_order_id' },
    );
  }
  const openCount = useMargin ? market.openCount.margin : market.openCount.cash;
  const maxOpen = core.deps.maxOpenOrdersPerSymbol;
  if (request.type === 'LIMIT' && maxOpen > 0 && openCount >= maxOpen) {
    throw new ExchangeError(
      'ORDER_REJECTED',
      `${request.symbol} already has ${openCount} open orders, the maximum (config maxOpenOrdersPerSymbol)`,
    );
  }
  const postOnly = request.postOnly === true || request.timeInForce === 'GTX';
  const timeInForce: TimeInForce =
    request.type === 'MARKET' ? 'GTC' : postOnly ? 'GTX' : (request.timeInForce ?? 'GTC');
  const isBuy = request.side === 'BUY';
  const quantity = ledger.admitQuantity(
    request.symbol,
    request.side,
    request.quantity,
    request.reduceOnly === true,
  );
  const price = request.type === 'LIMIT' ? (request.price as Decimal) : new Decimal(0);
  const priceTicks =
    request.type === 'LIMIT' ? price.div(market.info.tickSize).toNumber() : Number.NaN;
  const limitTicks = request.type === 'LIMIT' ? priceTicks : isBuy ? Infinity : -Infinity;
  const takerQuantity =
    fillFraction === undefined
      ? quantity
      : floorToStep(quantity.mul(fillFraction), market.info.stepSize);
  const plan = planTaker(market, request.side, limitTicks, takerQuantity, (m, q) =>
    ledger.fillable(m, q),
  );
  if (postOnly && plan.length > 0) {
    throw new ExchangeError(
      'POST_ONLY_WOULD_CROSS',
      `post-only ${request.side} at ${price.toFixed()} would trade against the book at ${(plan[0] as PlannedFill).price.toFixed()}`,
      { field: 'post_only' },
    );
  }
  const orderId = ids.nextOrderId();
  const order = newOrderRecord({
    orderId,
    clientOrderId: requestedId !== '' ? requestedId : generatedClientId(core, orderId),
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    timeInForce,
    price,
    priceTicks,
    quantity,
    reduceOnly: request.reduceOnly === true,
    postOnly,
    useMargin,
    nowMs: clock.now(),
  });
  ledger.reserve(order, market, plan);
  core.register(order, market);
  if (timeInForce === 'FOK' && plannedQuantity(plan).lt(quantity)) {
    core.finish(order, market, 'EXPIRED');
    return toOrder(order);
  }
  const traded = execute(core, order, market, plan);
  if (isOpenStatus(order.status)) {
    if (request.type === 'LIMIT' && (timeInForce === 'GTC' || timeInForce === 'GTX')) {
      market.book.own(order.side).add(order);
    } else {
      core.finish(order, market, 'EXPIRED');
    }
  }
  if (traded) core.afterFills(order.symbol);
  return toOrder(order);
}

/** Trades the plan: for each fill the resting order's update first, then the taker's. */
function execute(
  core: TradingCore,
  order: OrderRecord,
  market: SimMarket,
  plan: readonly PlannedFill[],
): boolean {
  const { ledger } = core.deps;
  const isBuy = order.side === 'BUY';
  let traded = false;
  for (const f of plan) {
    if (!isOpenStatus(order.status)) break;
    let q = ledger.fillable(order, Decimal.min(f.quantity, remainingOf(order)));
    if (f.maker !== undefined) {
      if (!isOpenStatus(f.maker.status)) continue;
      // A self-trade earlier in this plan may have changed what a reduce-only maker may close
      q = ledger.fillable(f.maker, Decimal.min(q, remainingOf(f.maker)));
    }
    if (q.lte(0)) continue;
    if (f.maker !== undefined) core.fill(f.maker, market, f.price, q, true);
    else market.takeSynthetic(isBuy, f.level, q);
    core.fill(order, market, f.price, q, false);
    traded = true;
  }
  return traded;
}

/** A venue-made client id for orders placed without one (never one a caller already used). */
function generatedClientId(core: TradingCore, orderId: string): string {
  let id = `sim-${orderId}`;
  for (let n = 1; core.seenClientIds.has(id); n++) id = `sim-${orderId}-${n}`;
  return id;
}
