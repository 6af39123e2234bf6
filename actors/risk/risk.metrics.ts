/**
 * @module actors/risk/risk.metrics
 * The risk layer's Prometheus metrics (REQ-METRICS-001/002/004, REQ-OBS-002), registered on the
 * engine's registry. Labels come from bounded sets only: breaker kinds, trading states, denial
 * and venue reasons, feeds, alert kinds and channels; `scope` and `symbol` are `global` or an
 * active symbol (the same bound as the engine's own symbol labels), never free text.
 *
 * `market_maker_breaker_open{breaker, scope}` is 1 while a breaker is open or cooling down; the
 * Prometheus alert rules rely on that name and those labels.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

import type { Decimal } from '../../core/decimal.js';
import type { ErrorReason } from '../../core/errors.js';
import type { BreakerState } from '../../machines/breaker.machine.js';
import { TRADING_STATES, type TradingState } from '../../machines/trading-state.machine.js';
import type { DenialReason } from './pre-trade.js';
import type { BreakerKind } from './risk.config.js';

/** The feeds whose age is watched. */
export const FEEDS = ['price', 'orders', 'account', 'positions', 'funding'] as const;
/** One of {@link FEEDS}. */
export type Feed = (typeof FEEDS)[number];

/** Venue operations that retry; a bounded label. */
export type RetryOperation =
  'place_order' | 'cancel_order' | 'reconcile' | 'resubscribe' | 'kline_preload' | 'alert_delivery';

/** Every risk metric. */
export interface RiskMetrics {
  readonly breakerOpen: Gauge<'breaker' | 'scope'>;
  readonly breakerTrips: Counter<'breaker' | 'scope'>;
  readonly tradingState: Gauge<'scope' | 'state'>;
  readonly denials: Counter<'symbol' | 'reason'>;
  readonly exposure: Gauge<'symbol'>;
  readonly exposureTotal: Gauge;
  readonly marginRatio: Gauge;
  readonly liquidationDistance: Gauge<'symbol'>;
  readonly drawdown: Gauge<'scope'>;
  readonly feedAge: Gauge<'feed' | 'scope'>;
  readonly refusals: Counter<'reason'>;
  readonly retries: Counter<'operation' | 'reason'>;
  readonly ordersCleaned: Counter<'symbol' | 'reason'>;
  readonly monitorTriggered: Gauge<'symbol'>;
  readonly alertsRaised: Counter<'kind' | 'outcome'>;
  readonly alertDeliveries: Counter<'channel' | 'outcome'>;
}

/**
 * Registers the risk metrics.
 * @param registry - the engine's registry (served on /metrics)
 * @returns the metrics
 */
export function createRiskMetrics(registry: Registry): RiskMetrics {
  const registers = [registry];
  return {
    breakerOpen: new Gauge({
      name: 'market_maker_breaker_open',
      help: '1 while the breaker is open or cooling down, 0 while closed',
      labelNames: ['breaker', 'scope'],
      registers,
    }),
    breakerTrips: new Counter({
      name: 'market_maker_breaker_trips_total',
      help: 'Times the breaker tripped open (by its condition or an operator)',
      labelNames: ['breaker', 'scope'],
      registers,
    }),
    tradingState: new Gauge({
      name: 'market_maker_trading_state',
      help: '1 for the trading state each scope is in (global or a symbol), 0 for the others',
      labelNames: ['scope', 'state'],
      registers,
    }),
    denials: new Counter({
      name: 'market_maker_pretrade_denials_total',
      help: 'Orders the pre-trade checks denied, by reason',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    exposure: new Gauge({
      name: 'market_maker_exposure_notional',
      help: 'Gross exposure of a symbol: |position| at mark + resting opening orders, quote units',
      labelNames: ['symbol'],
      registers,
    }),
    exposureTotal: new Gauge({
      name: 'market_maker_exposure_gross_total',
      help: 'Gross exposure across all symbols, quote units (REQ-RISK-003)',
      registers,
    }),
    marginRatio: new Gauge({
      name: 'market_maker_margin_ratio',
      help: 'Maintenance margin / margin balance of the account',
      registers,
    }),
    liquidationDistance: new Gauge({
      name: 'market_maker_liquidation_distance_ratio',
      help: 'Distance from mark to liquidation price, fraction of mark (0.1 = 10 %)',
      labelNames: ['symbol'],
      registers,
    }),
    drawdown: new Gauge({
      name: 'market_maker_drawdown_ratio',
      help: 'Drawdown of a scope (global or a symbol) from its peak equity in the drawdown window, fraction',
      labelNames: ['scope'],
      registers,
    }),
    feedAge: new Gauge({
      name: 'market_maker_risk_feed_age_ms',
      help: 'Time since the last update of a feed as the risk layer sees it, ms',
      labelNames: ['feed', 'scope'],
      registers,
    }),
    refusals: new Counter({
      name: 'market_maker_venue_refusals_total',
      help: 'Venue refusals and errors fed to the refusal-storm breaker, by venue port reason',
      labelNames: ['reason'],
      registers,
    }),
    retries: new Counter({
      name: 'market_maker_retries_total',
      help: 'Bounded retries of venue and delivery loops, by operation and reason',
      labelNames: ['operation', 'reason'],
      registers,
    }),
    ordersCleaned: new Counter({
      name: 'market_maker_orders_cleaned_total',
      help: 'Resting entries of ours the order cleaner pulled, by reason (max_age, max_distance, max_open_orders)',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    monitorTriggered: new Gauge({
      name: 'market_maker_risk_triggered',
      help: '1 while the risk monitor sees an anomaly (per watched symbol, and global)',
      labelNames: ['symbol'],
      registers,
    }),
    alertsRaised: new Counter({
      name: 'market_maker_alerts_total',
      help: 'Alerts raised per destination, by kind and outcome (queued, duplicate, suppressed)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    alertDeliveries: new Counter({
      name: 'market_maker_alert_deliveries_total',
      help: 'Alert delivery attempts by channel and outcome (sent, retry, failed, lost)',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
  };
}

/**
 * Records a breaker's state.
 * @param metrics - the risk metrics
 * @param breaker - its kind
 * @param scope - `global` or a symbol
 * @param state - its state now
 */
export function recordBreakerState(
  metrics: RiskMetrics,
  breaker: BreakerKind,
  scope: string,
  state: BreakerState,
): void {
  metrics.breakerOpen.set({ breaker, scope }, state === 'closed' ? 0 : 1);
}

/**
 * Records a scope's trading state: 1 for `state`, 0 for the others; null removes the scope.
 * @param metrics - the risk metrics
 * @param scope - `global` or a symbol
 * @param state - its state now, or null when the scope is gone
 */
export function recordTradingState(
  metrics: RiskMetrics,
  scope: string,
  state: TradingState | null,
): void {
  for (const s of TRADING_STATES) {
    if (state === null) metrics.tradingState.remove({ scope, state: s });
    else metrics.tradingState.set({ scope, state: s }, s === state ? 1 : 0);
  }
}

/**
 * Counts a pre-trade denial.
 * @param metrics - the risk metrics
 * @param symbol - the order's symbol
 * @param reason - the denial reason
 */
export function recordDenial(metrics: RiskMetrics, symbol: string, reason: DenialReason): void {
  metrics.denials.inc({ symbol, reason });
}

/**
 * Counts a venue refusal or error.
 * @param metrics - the risk metrics
 * @param reason - the venue port's reason
 */
export function recordRefusal(metrics: RiskMetrics, reason: ErrorReason): void {
  metrics.refusals.inc({ reason });
}

/**
 * A decimal as a Prometheus sample (samples are floats by nature; only here).
 * @param value - a decimal
 * @returns the nearest float
 */
export function sampleOf(value: Decimal): number {
  return value.toNumber();
}
