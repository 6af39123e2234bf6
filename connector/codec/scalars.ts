/**
 * @module connector/codec/scalars
 * Wire scalars of the ExchangeService contract: google.type.Decimal ⇄ decimal.js, int64 venue order
 * ids ⇄ digit strings, int64 epoch milliseconds and google.protobuf.Timestamp ⇄ epoch-ms numbers,
 * and the enums. Request decoding is strict (a bad value is INVALID_ARGUMENT naming the snake_case
 * wire field); an empty decimal means "absent", never zero, so a market order can omit its price.
 * Decimals accept exactly the google.type.Decimal grammar within core/decimal's bounds, checked
 * before any arithmetic or formatting touches the value.
 */
import type { Decimal } from '../../core/decimal.js';
import { DecimalFormatError, ZERO, parseDecimal, toPlain } from '../../core/decimal.js';
import type { Decimal as DecimalProto } from '../../proto/gen/google/type/decimal.js';
import {
  ExchangeType as ExchangeTypeProto,
  OrderSide as OrderSideProto,
  OrderStatus as OrderStatusProto,
  OrderType as OrderTypeProto,
  TimeInForce as TimeInForceProto,
} from '../../proto/gen/opensqt/market_maker/v1/types.js';
import { invalidArgument } from '../../core/errors.js';
import type {
  MarketKind,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
} from '../../core/exchange.types.js';

// -- DECIMALS --

/** A decimal as the wire carries it: a plain string such as "45000" or "0.0005". */
export function toProtoDecimal(value: Decimal): DecimalProto {
  return { value: toPlain(value) };
}

/** Like `toProtoDecimal`, but an absent value stays absent on the wire. */
export function toProtoOptionalDecimal(value: Decimal | undefined): DecimalProto | undefined {
  return value === undefined ? undefined : { value: toPlain(value) };
}

/**
 * Decodes an optional decimal: a missing message or an empty string is absent.
 * @param field snake_case wire name reported when the text is not a decimal
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field`
 */
export function fromProtoOptionalDecimal(
  value: DecimalProto | undefined,
  field: string,
): Decimal | undefined {
  const text = value?.value;
  return text === undefined || text === '' ? undefined : decodeDecimal(text, field);
}

/**
 * Decodes a decimal of a resource (order, account, candle...), where absent means zero, as every
 * producer of the original contract treated it.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field` when the text is not a decimal
 */
export function fromProtoDecimal(value: DecimalProto | undefined, field: string): Decimal {
  const text = value?.value;
  return text === undefined || text === '' ? ZERO : decodeDecimal(text, field);
}

/** The one decimal grammar and bounds (core/decimal), refusals named after the wire field. */
function decodeDecimal(text: string, field: string): Decimal {
  try {
    return parseDecimal(text);
  } catch (e) {
    if (e instanceof DecimalFormatError) throw invalidArgument(field, e.message);
    throw e;
  }
}

// -- IDS AND TIMES --

const ORDER_ID_DIGITS = /^\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;

/** Venue order id to int64; ids that are not numeric (or exceed int64) travel as 0, meaning none. */
export function toProtoOrderId(orderId: string): bigint {
  if (!ORDER_ID_DIGITS.test(orderId)) return 0n;
  const id = BigInt(orderId);
  return id > INT64_MAX ? 0n : id;
}

/** int64 order id to the domain's digit string; 0 means "no id" and decodes to "". */
export function fromProtoOrderId(orderId: bigint): string {
  return orderId === 0n ? '' : orderId.toString();
}

/** Epoch milliseconds to the wire's int64. */
export function toProtoMs(ms: number): bigint {
  return Number.isSafeInteger(ms) ? BigInt(ms) : Number.isFinite(ms) ? BigInt(Math.trunc(ms)) : 0n;
}

/** The wire's int64 epoch milliseconds to a number (exact up to year 285,616). */
export function fromProtoMs(ms: bigint): number {
  return Number(ms);
}

/** Epoch milliseconds to a google.protobuf.Timestamp (a Date in the generated code); 0 is unset. */
export function toProtoTime(ms: number): Date | undefined {
  return ms === 0 ? undefined : new Date(ms);
}

/** A google.protobuf.Timestamp to epoch milliseconds; unset is 0. */
export function fromProtoTime(time: Date | undefined): number {
  return time === undefined ? 0 : time.getTime();
}

// -- ENUMS --

const SIDE_TO_PROTO = {
  BUY: OrderSideProto.ORDER_SIDE_BUY,
  SELL: OrderSideProto.ORDER_SIDE_SELL,
} as const satisfies Record<Side, OrderSideProto>;

const TYPE_TO_PROTO = {
  LIMIT: OrderTypeProto.ORDER_TYPE_LIMIT,
  MARKET: OrderTypeProto.ORDER_TYPE_MARKET,
} as const satisfies Record<OrderType, OrderTypeProto>;

const STATUS_TO_PROTO = {
  NEW: OrderStatusProto.ORDER_STATUS_NEW,
  PARTIALLY_FILLED: OrderStatusProto.ORDER_STATUS_PARTIALLY_FILLED,
  FILLED: OrderStatusProto.ORDER_STATUS_FILLED,
  CANCELED: OrderStatusProto.ORDER_STATUS_CANCELED,
  REJECTED: OrderStatusProto.ORDER_STATUS_REJECTED,
  EXPIRED: OrderStatusProto.ORDER_STATUS_EXPIRED,
} as const satisfies Record<OrderStatus, OrderStatusProto>;

const TIF_TO_PROTO = {
  GTC: TimeInForceProto.TIME_IN_FORCE_GTC,
  IOC: TimeInForceProto.TIME_IN_FORCE_IOC,
  FOK: TimeInForceProto.TIME_IN_FORCE_FOK,
  GTX: TimeInForceProto.TIME_IN_FORCE_GTX,
} as const satisfies Record<TimeInForce, TimeInForceProto>;

// Index = wire number; wire numbers are dense from 1, so an array beats a reverse map
const SIDES: readonly (Side | undefined)[] = [undefined, 'BUY', 'SELL'];
const TYPES: readonly (OrderType | undefined)[] = [undefined, 'LIMIT', 'MARKET'];
const STATUSES: readonly (OrderStatus | undefined)[] = [
  undefined,
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
];
const TIFS: readonly (TimeInForce | undefined)[] = [undefined, 'GTC', 'IOC', 'FOK', 'GTX'];

export function toProtoSide(side: Side): OrderSideProto {
  return SIDE_TO_PROTO[side];
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` for ORDER_SIDE_UNSPECIFIED or unknown */
export function fromProtoSide(side: OrderSideProto, field = 'side'): Side {
  const value = SIDES[side];
  if (value === undefined) {
    throw invalidArgument(field, `must be ORDER_SIDE_BUY or ORDER_SIDE_SELL, was ${side}`);
  }
  return value;
}

export function toProtoOrderType(type: OrderType): OrderTypeProto {
  return TYPE_TO_PROTO[type];
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` for ORDER_TYPE_UNSPECIFIED or unknown */
export function fromProtoOrderType(type: OrderTypeProto, field = 'type'): OrderType {
  const value = TYPES[type];
  if (value === undefined) {
    throw invalidArgument(field, `must be ORDER_TYPE_LIMIT or ORDER_TYPE_MARKET, was ${type}`);
  }
  return value;
}

export function toProtoOrderStatus(status: OrderStatus): OrderStatusProto {
  return STATUS_TO_PROTO[status];
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` for ORDER_STATUS_UNSPECIFIED or unknown */
export function fromProtoOrderStatus(status: OrderStatusProto, field = 'status'): OrderStatus {
  const value = STATUSES[status];
  if (value === undefined) throw invalidArgument(field, `is not an order status, was ${status}`);
  return value;
}

/** An unset time in force stays unset on the wire (the venue's default applies). */
export function toProtoTimeInForce(tif: TimeInForce | undefined): TimeInForceProto {
  return tif === undefined ? TimeInForceProto.TIME_IN_FORCE_UNSPECIFIED : TIF_TO_PROTO[tif];
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `time_in_force` for a number outside the enum */
export function fromProtoTimeInForce(tif: TimeInForceProto): TimeInForce | undefined {
  if (tif === TimeInForceProto.TIME_IN_FORCE_UNSPECIFIED) return undefined;
  const value = TIFS[tif];
  if (value === undefined) {
    throw invalidArgument('time_in_force', `must be GTC, IOC, FOK or GTX, was ${tif}`);
  }
  return value;
}

export function toProtoExchangeType(kind: MarketKind): ExchangeTypeProto {
  return kind === 'spot'
    ? ExchangeTypeProto.EXCHANGE_TYPE_SPOT
    : ExchangeTypeProto.EXCHANGE_TYPE_FUTURES;
}

/** Unspecified decodes as futures: the original Go connector only ever reported futures. */
export function fromProtoExchangeType(type: ExchangeTypeProto): MarketKind {
  return type === ExchangeTypeProto.EXCHANGE_TYPE_SPOT ? 'spot' : 'futures';
}
