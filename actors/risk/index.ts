/**
 * @module actors/risk
 * The risk layer: breakers and trading states (RiskController), pre-trade checks, the kline risk
 * monitor, the safety checker, their config and metrics.
 */
export * from './risk.config.js';
export * from './risk.metrics.js';
export * from './risk-controller.js';
export * from './risk-persistence.js';
export * from './risk-alerts.js';
export * from './breaker-bank.js';
export * from './window-evaluators.js';
export * from './state-evaluators.js';
export * from './pre-trade.js';
export * from './order-rate.js';
export * from './exposure-book.js';
export * from './kline-monitor.js';
export * from './risk-monitor.actor.js';
export * from './safety-checker.js';
