// @module actors/arbitrage: the parts of funding-rate arbitrage that live in the engine process:
// the pair config schema, the funding/price feed monitor of the legs, and the arbitrage metrics.
// The position machine and the decision functions are pure and live in machines/arbitrage-*.
export * from './arbitrage.config.js';
export * from './arbitrage.metrics.js';
export * from './funding-interval.js';
export * from './funding-monitor.js';
export * from './leg-orders.js';
export * from './pair-decision.js';
