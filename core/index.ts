// @module core: what every process shares and nothing else. Decimal money, branded ids and domain
// types, the venue port and its one error model, clock, retry, logger, config loading. Imports no other layer.
export * from './types.js';
export * from './decimal.js';
export * from './errors.js';
export * from './exchange.types.js';
export * from './exchange.port.js';
export * from './stream.js';
export * from './clock.js';
export * from './retry.js';
export * from './order-match.js';
export * from './fence.js';
