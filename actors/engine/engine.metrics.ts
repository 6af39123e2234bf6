/**
 * @module actors/engine/engine.metrics
 * The engine's Prometheus metrics (REQ-OBS-001 names), on a registry of their own so tests and
 * several engines in one process never share counters. Labels are low-cardinality only: symbol,
 * side, order type, venue operation and the venue's fixed error reasons, never raw error text.
 * Prometheus samples are floats by nature, so decimals are converted here and nowhere else.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Decimal } from '../../core/decimal.js';
import { createRiskMetrics, type RiskMetrics } from '../risk/risk.metrics.js';

/** Lifecycle of a supervised symbol, as /status and the symbol_state gauge report it. */
export const SYMBOL_STATES = [
  'starting',
  'reconciling',
  'trading',
  'restarting',
  /** Stopped by a connector outage; resumes by itself once the connector answers. */
  'waiting',
  'failed',
] as const;
/** One of {@link SYMBOL_STATES}. */
export type SymbolState = (typeof SYMBOL_STATES)[number];

/** Every metric the engine exports, on its own registry. */
export interface EngineMetrics {
  readonly registry: Registry;
  readonly ordersPlaced: Counter<'symbol' | 'side' | 'type'>;
  readonly ordersFilled: Counter<'symbol' | 'side'>;
  readonly orderRejections: Counter<'symbol' | 'reason'>;
  readonly orderReports: Counter<'symbol' | 'source' | 'outcome'>;
  readonly orderIllegalTransitions: Counter<'symbol' | 'from' | 'to'>;
  readonly orderLookupFailures: Counter<'symbol' | 'reason'>;
  readonly reconcileRuns: Counter<'symbol' | 'trigger' | 'outcome'>;
  readonly positionDivergence: Gauge<'symbol'>;
  readonly divergencePaused: Gauge<'symbol'>;
  readonly ordersActive: Gauge<'symbol'>;
  readonly positionSize: Gauge<'symbol'>;
  readonly pnlRealized: Gauge<'symbol'>;
  readonly pnlUnrealized: Gauge<'symbol'>;
  readonly volume: Counter<'symbol'>;
  readonly exchangeLatency: Histogram<'exchange' | 'operation'>;
  readonly symbolState: Gauge<'symbol' | 'state'>;
  readonly symbolRestarts: Counter<'symbol'>;
  readonly feedAge: Gauge<'feed'>;
  readonly connectorUp: Gauge;
  readonly connectorOutages: Counter;
  readonly symbolOutageWaits: Counter<'symbol'>;
  readonly unmanagedOrders: Gauge<'symbol'>;
  /** Scale-out: leases acquired, lost, released, and cluster scans that failed. */
  readonly clusterEvents: Counter<'event'>;
  /** Scale-out: symbols this engine holds the lease of. */
  readonly clusterSymbolsOwned: Gauge;
  /** The risk layer's metrics, on the same registry (actors/risk/risk.metrics). */
  readonly risk: RiskMetrics;
}

/**
 * Creates the metrics on a fresh registry.
 * @returns the metrics; serve `registry.metrics()` on /metrics
 */
export function createEngineMetrics(): EngineMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    risk: createRiskMetrics(registry),
    ordersPlaced: new Counter({
      name: 'market_maker_orders_placed_total',
      help: 'Orders the venue accepted',
      labelNames: ['symbol', 'side', 'type'],
      registers,
    }),
    ordersFilled: new Counter({
      name: 'market_maker_orders_filled_total',
      help: 'Orders filled completely',
      labelNames: ['symbol', 'side'],
      registers,
    }),
    orderRejections: new Counter({
      name: 'market_maker_order_rejections_total',
      help: 'Placements the venue refused (or expired unfilled at once), by the venue port reason',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    orderReports: new Counter({
      name: 'market_maker_order_reports_total',
      help: 'Reports about our orders the order ledger judged, by source and outcome',
      labelNames: ['symbol', 'source', 'outcome'],
      registers,
    }),
    orderIllegalTransitions: new Counter({
      name: 'market_maker_order_illegal_transitions_total',
      help: 'Order reports that contradicted the ledger (not applied), by status and report',
      labelNames: ['symbol', 'from', 'to'],
      registers,
    }),
    orderLookupFailures: new Counter({
      name: 'market_maker_order_lookup_failures_total',
      help: 'Lookups of an order on the venue that failed and were rescheduled with backoff',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    reconcileRuns: new Counter({
      name: 'market_maker_reconcile_runs_total',
      help: 'Reconciliations with the venue, by trigger (start, stream, timer, confirm) and outcome',
      labelNames: ['symbol', 'trigger', 'outcome'],
      registers,
    }),
    positionDivergence: new Gauge({
      name: 'market_maker_position_divergence',
      help: 'Venue position minus grid inventory at the last reconciliation, base units',
      labelNames: ['symbol'],
      registers,
    }),
    divergencePaused: new Gauge({
      name: 'market_maker_position_divergence_paused',
      help: '1 while a large position divergence keeps the symbol from opening new positions',
      labelNames: ['symbol'],
      registers,
    }),
    ordersActive: new Gauge({
      name: 'market_maker_orders_active',
      help: 'Orders the grid slots are working',
      labelNames: ['symbol'],
      registers,
    }),
    positionSize: new Gauge({
      name: 'market_maker_position_size',
      help: 'Net inventory of the grid slots, base units',
      labelNames: ['symbol'],
      registers,
    }),
    // A gauge, not a counter: realized PnL goes down on losing trades, which a counter cannot
    pnlRealized: new Gauge({
      name: 'market_maker_pnl_realized_total',
      help: 'Cumulative realized PnL the venue reported on our fills, quote units',
      labelNames: ['symbol'],
      registers,
    }),
    pnlUnrealized: new Gauge({
      name: 'market_maker_pnl_unrealized',
      help: 'Unrealized PnL of the venue position, quote units',
      labelNames: ['symbol'],
      registers,
    }),
    volume: new Counter({
      name: 'market_maker_volume_total',
      help: 'Traded notional of our fills, quote units',
      labelNames: ['symbol'],
      registers,
    }),
    exchangeLatency: new Histogram({
      name: 'market_maker_latency_exchange_ms',
      help: 'Latency of venue calls, milliseconds',
      labelNames: ['exchange', 'operation'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    symbolState: new Gauge({
      name: 'market_maker_symbol_state',
      help: '1 for the state each symbol is in, 0 for the others',
      labelNames: ['symbol', 'state'],
      registers,
    }),
    symbolRestarts: new Counter({
      name: 'market_maker_symbol_restarts_total',
      help: 'Restarts of a symbol actor after a failure',
      labelNames: ['symbol'],
      registers,
    }),
    feedAge: new Gauge({
      name: 'market_maker_feed_age_ms',
      help: 'Time since the last update of each venue stream, milliseconds',
      labelNames: ['feed'],
      registers,
    }),
    connectorUp: new Gauge({
      name: 'market_maker_connector_up',
      help: '1 while the exchange connector answers its liveness probe, 0 while it does not',
      registers,
    }),
    connectorOutages: new Counter({
      name: 'market_maker_connector_outages_total',
      help: 'Times the exchange connector stopped answering (refused, unreachable or frozen)',
      registers,
    }),
    symbolOutageWaits: new Counter({
      name: 'market_maker_symbol_outage_waits_total',
      help: 'Symbol actor failures caused by a connector outage (not counted toward failed)',
      labelNames: ['symbol'],
      registers,
    }),
    unmanagedOrders: new Gauge({
      name: 'market_maker_unmanaged_orders',
      help: 'Our orders still open on the venue for a symbol nobody manages (failed, not cleaned)',
      labelNames: ['symbol'],
      registers,
    }),
    clusterEvents: new Counter({
      name: 'market_maker_cluster_lease_events_total',
      help: 'Scale-out: symbol leases acquired, lost or released, and lease renewals or scans that failed',
      labelNames: ['event'],
      registers,
    }),
    clusterSymbolsOwned: new Gauge({
      name: 'market_maker_cluster_symbols_owned',
      help: 'Scale-out: symbols whose lease this engine holds (0 for one engine alone)',
      registers,
    }),
  };
}

/**
 * Drops the per-symbol gauges of a symbol that is no longer traded, so a removed symbol does
 * not keep reporting the orders and position it had.
 * @param metrics - the engine metrics
 * @param symbol - the removed symbol
 */
export function clearSymbolGauges(metrics: EngineMetrics, symbol: string): void {
  const labels = { symbol };
  metrics.ordersActive.remove(labels);
  metrics.positionSize.remove(labels);
  metrics.pnlUnrealized.remove(labels);
  metrics.unmanagedOrders.remove(labels);
  setSymbolState(metrics, symbol, null);
}

/**
 * Sets the state gauge of a symbol: 1 for `state`, 0 for every other state.
 * @param metrics - the engine metrics
 * @param symbol - the symbol
 * @param state - its state now, or null when the symbol was removed
 */
export function setSymbolState(
  metrics: EngineMetrics,
  symbol: string,
  state: SymbolState | null,
): void {
  for (const s of SYMBOL_STATES) {
    if (state === null) metrics.symbolState.remove({ symbol, state: s });
    else metrics.symbolState.set({ symbol, state: s }, s === state ? 1 : 0);
  }
}

/**
 * A decimal as a Prometheus sample value.
 * @param value - any decimal
 * @returns the nearest float
 */
export function sample(value: Decimal): number {
  return value.toNumber();
}
