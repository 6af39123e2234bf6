// The simulated venue: a deterministic exchange in miniature (spot + USDT perps, matching, accounts,
// funding, candles, streams, fault switches), the default venue for dev, tests and benchmarks.
/**
 * @module connector/venues/sim
 * Public API:
 * - `createSimulatedVenue(config?, clock?)` builds a `SimulatedVenue` and starts its timers on
 *   `clock` (default WallClock; pass a VirtualClock for deterministic tests).
 * - `venue.exchange('futures')` → `Exchange` named "sim" (USDT perpetuals);
 *   `venue.exchange('spot')` → `Exchange` named "sim-spot". Both share clock and prices.
 * - Extra perpetual venues (config `perpVenues.<name>`: own funding interval, basis over the
 *   shared spot price, fees, account): `venue.exchangeNames()` lists every venue,
 *   `venue.exchangeNamed(name)` gives its `Exchange`.
 * - `venue.faults` (venue-wide) and `venue.faultsOf(name)` (one market, one arbitrage leg):
 *   `latencyMs`, `rateLimitNextCalls(n)`, `rejectNextPlacements(n)`,
 *   `partialFillNextPlacements(n, fraction)`, `setUnreachable(bool)`, `dropStreams()`, `restart()`.
 * - Scenario control: `venue.step()` (one price step), `venue.setSpotPrice(symbol, price)`,
 *   `venue.setPerpBasis(symbol, bps)` (the "sim" perp's premium, which funding follows),
 *   `venue.spotBalances(margin?)`, `venue.close()`.
 * - Config keys (all optional, see `simVenueConfigSchema` for units and defaults): seed, symbols,
 *   startPrices, tickIntervalMs, price.*, book.*, fees.{futures,spot}.{makerBps,takerBps},
 *   futures.*, spot.* (with margin interest: borrowInterestPerDay, defaultBorrowInterestPerDay),
 *   funding.*, klineHistoryMinutes, maxOpenOrdersPerSymbol, retainClosedOrders, perpVenues.
 * - Durable state: `venue.saveState()` → `SimVenueState` (plain JSON, decimals as strings,
 *   `version: 1`); `createSimulatedVenue(config, clock, { state })` resumes it (validated; throws
 *   `SimStateError` naming the bad key, or when the state lists other symbols).
 *   `loadSimVenueStateFile(path)` (undefined when absent) and `saveSimVenueStateFile(path, state)`
 *   (atomic: `path.tmp` then rename) keep it on disk across restarts.
 */
export { createSimulatedVenue, SimulatedVenue, type SimVenueOptions } from './sim-venue.js';
export {
  parseSimVenueState,
  SIM_STATE_VERSION,
  SimStateError,
  simVenueStateSchema,
  type SimVenueState,
} from './sim-state.js';
export { loadSimVenueStateFile, saveSimVenueStateFile } from './sim-state-file.js';
export { openPersistentSimVenue, type PersistentSimVenue } from './persistent-venue.js';
export {
  parseSimVenueConfig,
  simVenueConfigSchema,
  type SimVenueConfig,
  type SimVenueConfigInput,
} from './sim-config.js';
export { SimFaults } from './sim-faults.js';
export { MARKET_CATALOG, symbolInfoFor, type CatalogEntry } from './sim-markets.js';
export { KLINE_INTERVALS } from './kline-series.js';
export type { SpotBalance } from './spot-ledger.js';
export { perpVenueSchema, type PerpVenueConfig } from './sim-venues.config.js';
