/**
 * @module tools/dashboards/pending-metrics
 * Metrics the risk and arbitrage dashboards chart before any process exports them: the names
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

/** Declared for funding-rate arbitrage (pairs of a spot and a perpetual leg). */
export const PENDING_ARBITRAGE = [
  'market_maker_arbitrage_pair_state',
  'market_maker_arbitrage_basis_bps',
  'market_maker_arbitrage_funding_rate',
  'market_maker_arbitrage_funding_collected_total',
  'market_maker_arbitrage_leg_imbalance',
  'market_maker_arbitrage_compensations_total',
] as const;

/** Every pending name. */
export const PENDING_METRICS: readonly string[] = [...PENDING_RISK, ...PENDING_ARBITRAGE];
