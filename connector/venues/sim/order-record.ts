/**
 * @module connector/venues/sim/order-record
 * The simulated venue's mutable order, and the immutable `Order` snapshots it hands out. Only the
 * venue mutates a record; callers always get a frozen copy, as they would from a real venue.
 */
import type { Decimal } from '../../../core/decimal.js';
import { ZERO } from '../../../core/decimal.js';
import type {
  Order,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
  Trade,
} from '../../../core/exchange.types.js';

/** Places of the average fill price (Binance reports avgPrice with up to 8). */
const AVG_PRICE_DECIMALS = 8;

/** One order as the venue keeps it. */
export interface OrderRecord {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price; zero for a market order. */
  readonly price: Decimal;
  /** Limit price as a tick index (the book level key); NaN for a market order. */
  readonly priceTicks: number;
  /** Ordered quantity (a reduce-only order may be clipped to the position at placement). */
  readonly quantity: Decimal;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  /** Spot only: lives on the margin account. */
  readonly useMargin: boolean;
  readonly createdAtMs: number;
  executedQty: Decimal;
  /** Sum of price x quantity over fills, quote units. */
  cumQuote: Decimal;
  status: OrderStatus;
  updateTimeMs: number;
  readonly trades: Trade[];
  /** What the ledger holds for this order: futures initial margin, spot locked asset. */
  reserved: Decimal;
}

/** Quantity still to fill. */
export function remainingOf(o: OrderRecord): Decimal {
  return o.quantity.sub(o.executedQty);
}

/** True while the order can still trade or be canceled. */
export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

/** Records a fill on the order (quantity, average price, status, trade list). */
export function applyFill(o: OrderRecord, trade: Trade): void {
  o.executedQty = o.executedQty.add(trade.quantity);
  o.cumQuote = o.cumQuote.add(trade.price.mul(trade.quantity));
  o.status = o.executedQty.gte(o.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
  o.updateTimeMs = trade.timeMs;
  o.trades.push(trade);
}

/** An immutable snapshot of the record. */
export function toOrder(o: OrderRecord): Order {
  const avgPrice = o.executedQty.isZero()
    ? ZERO
    : o.cumQuote.div(o.executedQty).toDecimalPlaces(AVG_PRICE_DECIMALS);
  return Object.freeze({
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price,
    quantity: o.quantity,
    executedQty: o.executedQty,
    avgPrice,
    status: o.status,
    reduceOnly: o.reduceOnly,
    postOnly: o.postOnly,
    createdAtMs: o.createdAtMs,
    updateTimeMs: o.updateTimeMs,
    trades: Object.freeze(o.trades.slice()) as readonly Trade[],
  });
}

/** Builds a new order record in status NEW. */
export function newOrderRecord(fields: {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderRecord['type'];
  timeInForce: OrderRecord['timeInForce'];
  price: Decimal;
  priceTicks: number;
  quantity: Decimal;
  reduceOnly: boolean;
  postOnly: boolean;
  useMargin: boolean;
  nowMs: number;
}): OrderRecord {
  return {
    orderId: fields.orderId,
    clientOrderId: fields.clientOrderId,
    symbol: fields.symbol,
    side: fields.side,
    type: fields.type,
    timeInForce: fields.timeInForce,
    price: fields.price,
    priceTicks: fields.priceTicks,
    quantity: fields.quantity,
    reduceOnly: fields.reduceOnly,
    postOnly: fields.postOnly,
    useMargin: fields.useMargin,
    createdAtMs: fields.nowMs,
    executedQty: ZERO,
    cumQuote: ZERO,
    status: 'NEW',
    updateTimeMs: fields.nowMs,
    trades: [],
    reserved: ZERO,
  };
}
