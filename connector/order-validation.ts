/**
 * @module connector/order-validation
 * Venue-independent checks of a placement against the market's rules. Every adapter runs them
 * before touching the venue, so a bad request fails the same way everywhere, naming the field.
 */
import { Decimal, isMultipleOf, toPlain } from '../core/decimal.js';
import { ExchangeError, invalidArgument, quoteInput } from '../core/errors.js';
import type { PlaceOrderRequest, SymbolInfo } from '../core/exchange.types.js';
import { requireSymbol } from './request-validation.js';

const SIDES = new Set(['BUY', 'SELL']);
const TYPES = new Set(['LIMIT', 'MARKET']);
const TIME_IN_FORCES = new Set(['GTC', 'IOC', 'FOK', 'GTX']);
/** Venue-safe client order ids: the strictest common subset of our five venues. */
const CLIENT_ORDER_ID = /^[A-Za-z0-9_-]{1,36}$/;

/**
 * Checks the fields that need no market data.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the first bad field
 */
export function validateOrderShape(request: PlaceOrderRequest): void {
  requireSymbol(request.symbol);
  if (!SIDES.has(request.side)) {
    throw invalidArgument('side', `must be BUY or SELL, was ${String(request.side)}`);
  }
  if (!TYPES.has(request.type)) {
    throw invalidArgument('type', `must be LIMIT or MARKET, was ${String(request.type)}`);
  }
  if (request.timeInForce !== undefined && !TIME_IN_FORCES.has(request.timeInForce)) {
    throw invalidArgument(
      'time_in_force',
      `must be GTC, IOC, FOK or GTX, was ${request.timeInForce}`,
    );
  }
  if (!(request.quantity instanceof Decimal) || !request.quantity.isFinite()) {
    throw invalidArgument('quantity', 'is required: a positive decimal string such as "0.001"');
  }
  if (request.quantity.lte(0)) {
    throw invalidArgument('quantity', `must be positive, was ${toPlain(request.quantity)}`);
  }
  if (request.type === 'LIMIT') {
    if (request.price === undefined || !request.price.isFinite()) {
      throw invalidArgument('price', 'is required for a LIMIT order');
    }
    if (request.price.lte(0)) {
      throw invalidArgument('price', `must be positive, was ${toPlain(request.price)}`);
    }
  }
  if (request.type === 'MARKET' && (request.postOnly === true || request.timeInForce === 'GTX')) {
    throw invalidArgument('post_only', 'a MARKET order cannot be post-only; use a LIMIT order');
  }
  if (request.clientOrderId !== undefined && request.clientOrderId !== '') {
    if (!CLIENT_ORDER_ID.test(request.clientOrderId)) {
      throw invalidArgument(
        'client_order_id',
        `must be 1-36 characters of A-Z a-z 0-9 _ -, was ${quoteInput(request.clientOrderId)}`,
      );
    }
  }
}

/**
 * Checks price and quantity against the market's tick size, step size and minimums.
 * @param referencePrice price used for the notional of a market order
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field and the nearest valid value
 */
export function validateOrderForMarket(
  request: PlaceOrderRequest,
  info: SymbolInfo,
  referencePrice: Decimal,
): void {
  const { quantity, price } = request;
  if (!isMultipleOf(quantity, info.stepSize)) {
    throw invalidArgument(
      'quantity',
      `${toPlain(quantity)} is not a multiple of the step size ${toPlain(info.stepSize)} for ${info.symbol}`,
    );
  }
  if (quantity.lt(info.minQuantity)) {
    throw invalidArgument(
      'quantity',
      `${toPlain(quantity)} is below the minimum ${toPlain(info.minQuantity)} for ${info.symbol}`,
    );
  }
  if (price !== undefined && request.type === 'LIMIT' && !isMultipleOf(price, info.tickSize)) {
    throw invalidArgument(
      'price',
      `${toPlain(price)} is not a multiple of the tick size ${toPlain(info.tickSize)} for ${info.symbol}`,
    );
  }
  const notional = quantity.mul(request.type === 'LIMIT' && price ? price : referencePrice);
  if (notional.lt(info.minNotional) && request.reduceOnly !== true) {
    throw new ExchangeError(
      'INVALID_ARGUMENT',
      `quantity: notional ${toPlain(notional)} is below the minimum ${toPlain(info.minNotional)} for ${info.symbol}; raise quantity or price`,
      { field: 'quantity' },
    );
  }
}
