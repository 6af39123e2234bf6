/**
 * @module tools/dashboards/pending-metrics
 * Metrics the risk and arbitrage dashboards chart before any process exports them: the names
 * their layers are expected to use (not final). The dashboard test accepts exactly these as
 * "declared, pending", reports them, and fails once one is exported, so this list is pruned
 * (and the name checked) when the layer lands.
 */

/** Declared for the risk layer: none left (every risk metric is exported by the engine). */
export const PENDING_RISK = [] as const;

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
