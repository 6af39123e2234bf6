/**
 * @module tools/dashboards/pending-metrics
 * Metrics the risk dashboard charts before any process exports them: the names
 * their layers are expected to use (not final). The dashboard test accepts exactly these as
 * "declared, pending", reports them, and fails once one is exported, so this list is pruned
 * (and the name checked) when the layer lands.
 */

/** Declared for the risk layer (breakers, trading states, exposure, margin). */
export const PENDING_RISK = [
  'market_maker_breaker_open',
  'market_maker_breaker_trips_total',
  'market_maker_trading_state',
  'market_maker_exposure_notional',
  'market_maker_drawdown_ratio',
  'market_maker_margin_ratio',
  'market_maker_liquidation_distance_ratio',
] as const;

/** Every pending name. */
export const PENDING_METRICS: readonly string[] = [...PENDING_RISK];
