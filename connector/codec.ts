/**
 * @module connector/codec
 * Domain ⇄ protobuf converters for the ExchangeService wire contract, the only place where
 * generated types meet domain types (`toProto*` / `fromProto*`). Decimals travel as plain strings,
 * venue order ids as int64, times as int64 epoch ms or google.protobuf.Timestamp per field.
 */
export * from './codec/scalars.js';
export * from './codec/orders.js';
export * from './codec/account.js';
export * from './codec/market.js';
export * from './codec/book.js';
