/**
 * @module connector/codec/orders
 * Orders on the wire: Order, Trade, OrderUpdate, PlaceOrderRequest and the per-item errors of batch
 * calls. Domain fields the contract does not carry (an order's time in force, reduce-only and
 * post-only flags, an update's creation time) decode to their defaults; a trade's maker flag
 * travels in `is_maker` (added after v1, false from original peers).
 */
import type { OrderUpdate as OrderUpdateProto } from '../../proto/gen/opensqt/market_maker/v1/events.js';
import type { BatchOrderError as BatchOrderErrorProto } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import type {
  Order as OrderProto,
  PlaceOrderRequest as PlaceOrderRequestProto,
  Trade as TradeProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { invalidArgument, reasonForCode } from '../../core/errors.js';
import type {
  BatchItemError,
  Order,
  OrderUpdate,
  PlaceOrderRequest,
  Trade,
} from '../../core/exchange.types.js';
import {
  fromProtoDecimal,
  fromProtoMs,
  fromProtoOptionalDecimal,
  fromProtoOrderId,
  fromProtoOrderStatus,
  fromProtoOrderType,
  fromProtoSide,
  fromProtoTime,
  fromProtoTimeInForce,
  toProtoDecimal,
  toProtoMs,
  toProtoOptionalDecimal,
  toProtoOrderId,
  toProtoOrderStatus,
  toProtoOrderType,
  toProtoSide,
  toProtoTime,
  toProtoTimeInForce,
} from './scalars.js';

export function toProtoTrade(trade: Trade): TradeProto {
  return {
    tradeId: trade.tradeId,
    orderId: toProtoOrderId(trade.orderId),
    symbol: trade.symbol,
    side: toProtoSide(trade.side),
    price: toProtoDecimal(trade.price),
    quantity: toProtoDecimal(trade.quantity),
    fee: toProtoDecimal(trade.fee),
    feeAsset: trade.feeAsset,
    timestamp: toProtoTime(trade.timeMs),
    realizedPnl: toProtoDecimal(trade.realizedPnl),
    isMaker: trade.isMaker,
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT when a decimal or the side is malformed */
export function fromProtoTrade(trade: TradeProto): Trade {
  return {
    tradeId: trade.tradeId,
    orderId: fromProtoOrderId(trade.orderId),
    symbol: trade.symbol,
    side: fromProtoSide(trade.side, 'trade.side'),
    price: fromProtoDecimal(trade.price, 'trade.price'),
    quantity: fromProtoDecimal(trade.quantity, 'trade.quantity'),
    fee: fromProtoDecimal(trade.fee, 'trade.fee'),
    feeAsset: trade.feeAsset,
    isMaker: trade.isMaker,
    realizedPnl: fromProtoDecimal(trade.realizedPnl, 'trade.realized_pnl'),
    timeMs: fromProtoTime(trade.timestamp),
  };
}

export function toProtoOrder(order: Order): OrderProto {
  return {
    orderId: toProtoOrderId(order.orderId),
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: toProtoSide(order.side),
    type: toProtoOrderType(order.type),
    price: toProtoDecimal(order.price),
    quantity: toProtoDecimal(order.quantity),
    executedQty: toProtoDecimal(order.executedQty),
    avgPrice: toProtoDecimal(order.avgPrice),
    status: toProtoOrderStatus(order.status),
    createdAt: toProtoTime(order.createdAtMs),
    updateTime: toProtoMs(order.updateTimeMs),
    trades: order.trades.map(toProtoTrade),
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT when a decimal or an enum is malformed */
export function fromProtoOrder(order: OrderProto): Order {
  return {
    orderId: fromProtoOrderId(order.orderId),
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: fromProtoSide(order.side),
    type: fromProtoOrderType(order.type),
    timeInForce: 'GTC',
    price: fromProtoDecimal(order.price, 'price'),
    quantity: fromProtoDecimal(order.quantity, 'quantity'),
    executedQty: fromProtoDecimal(order.executedQty, 'executed_qty'),
    avgPrice: fromProtoDecimal(order.avgPrice, 'avg_price'),
    status: fromProtoOrderStatus(order.status),
    reduceOnly: false,
    postOnly: false,
    createdAtMs: fromProtoTime(order.createdAt),
    updateTimeMs: fromProtoMs(order.updateTime),
    trades: order.trades.map(fromProtoTrade),
  };
}

export function toProtoOrderUpdate(update: OrderUpdate): OrderUpdateProto {
  const order = update.order;
  return {
    exchange: update.exchange,
    orderId: toProtoOrderId(order.orderId),
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: toProtoSide(order.side),
    type: toProtoOrderType(order.type),
    status: toProtoOrderStatus(order.status),
    price: toProtoDecimal(order.price),
    quantity: toProtoDecimal(order.quantity),
    executedQty: toProtoDecimal(order.executedQty),
    avgPrice: toProtoDecimal(order.avgPrice),
    updateTime: toProtoMs(order.updateTimeMs),
    lastTrade: update.lastTrade === undefined ? undefined : toProtoTrade(update.lastTrade),
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT when a decimal or an enum is malformed */
export function fromProtoOrderUpdate(update: OrderUpdateProto): OrderUpdate {
  const lastTrade = update.lastTrade === undefined ? undefined : fromProtoTrade(update.lastTrade);
  const order: Order = {
    orderId: fromProtoOrderId(update.orderId),
    clientOrderId: update.clientOrderId,
    symbol: update.symbol,
    side: fromProtoSide(update.side),
    type: fromProtoOrderType(update.type),
    timeInForce: 'GTC',
    price: fromProtoDecimal(update.price, 'price'),
    quantity: fromProtoDecimal(update.quantity, 'quantity'),
    executedQty: fromProtoDecimal(update.executedQty, 'executed_qty'),
    avgPrice: fromProtoDecimal(update.avgPrice, 'avg_price'),
    status: fromProtoOrderStatus(update.status),
    reduceOnly: false,
    postOnly: false,
    createdAtMs: 0,
    updateTimeMs: fromProtoMs(update.updateTime),
    trades: [],
  };
  return { exchange: update.exchange, order, lastTrade };
}

export function toProtoPlaceOrderRequest(request: PlaceOrderRequest): PlaceOrderRequestProto {
  return {
    symbol: request.symbol,
    side: toProtoSide(request.side),
    type: toProtoOrderType(request.type),
    timeInForce: toProtoTimeInForce(request.timeInForce),
    quantity: toProtoDecimal(request.quantity),
    price: toProtoOptionalDecimal(request.price),
    reduceOnly: request.reduceOnly ?? false,
    postOnly: request.postOnly ?? false,
    clientOrderId: request.clientOrderId ?? '',
    useMargin: request.useMargin ?? false,
  };
}

/**
 * Decodes a placement as the caller sent it. Only the encoding is checked here; market rules
 * (positive quantity, tick size, minimum notional) are the venue's, so they fail the same way
 * in-process and over the wire.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `side`, `type`, `time_in_force`, `quantity`
 *   or `price`
 */
export function fromProtoPlaceOrderRequest(request: PlaceOrderRequestProto): PlaceOrderRequest {
  const side = fromProtoSide(request.side);
  const type = fromProtoOrderType(request.type);
  const quantity = fromProtoOptionalDecimal(request.quantity, 'quantity');
  if (quantity === undefined) {
    throw invalidArgument('quantity', 'is required: a positive decimal string such as "0.001"');
  }
  // Absent optionals are set to undefined rather than left out: one object shape, no spreads
  return {
    symbol: request.symbol,
    side,
    type,
    timeInForce: fromProtoTimeInForce(request.timeInForce),
    quantity,
    price: fromProtoOptionalDecimal(request.price, 'price'),
    reduceOnly: request.reduceOnly,
    postOnly: request.postOnly,
    clientOrderId: request.clientOrderId === '' ? undefined : request.clientOrderId,
    useMargin: request.useMargin,
  };
}

export function toProtoBatchError(error: BatchItemError): BatchOrderErrorProto {
  return {
    index: error.index,
    clientOrderId: error.clientOrderId,
    errorMessage: error.message,
    code: error.code,
  };
}

/** The wire has no reason field, so the reason is the one the status code stands for. */
export function fromProtoBatchError(error: BatchOrderErrorProto): BatchItemError {
  return {
    index: error.index,
    clientOrderId: error.clientOrderId,
    message: error.errorMessage,
    code: error.code,
    reason: reasonForCode(error.code),
  };
}
