/**
 * @module actors/engine/grid.metrics
 * The grid's own metrics (trailing window, lattice generations, dynamic slippage, volatility),
 * registered on the engine's registry beside the engine metrics. Kept apart from engine.metrics
 * so the grid's features add their series without touching the engine's list; created once per
 * registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the grid features, labelled by symbol (and a fixed reason or outcome). */
export interface GridMetrics {
  /** Entries the order book kept from being placed, by reason. */
  readonly entriesSkipped: Counter<'symbol' | 'reason'>;
  /** Entries placed off their level at the best non-crossing price. */
  readonly entriesRepriced: Counter<'symbol'>;
  /** Moves of a trailing window's centre. */
  readonly windowMoves: Counter<'symbol'>;
  /** Resting entries pulled because the window moved away from them. */
  readonly entriesPulled: Counter<'symbol'>;
  /** New lattice generations started by the dynamic interval. */
  readonly latticeChanges: Counter<'symbol'>;
  /** The interval of the current lattice, quote units. */
  readonly interval: Gauge<'symbol'>;
  /** Candle fetches of the dynamic interval, by outcome (ok, error). */
  readonly volatilityFetches: Counter<'symbol' | 'outcome'>;
  /** Order-book stream subscriptions of the grid, by outcome (subscribed, ended). */
  readonly bookStreams: Counter<'symbol' | 'outcome'>;
}

const byRegistry = new WeakMap<Registry, GridMetrics>();

/**
 * The grid metrics on `registry`, created at the first call.
 * @param registry - the engine's registry
 * @returns the same metrics for every call with the same registry
 */
export function gridMetricsFor(registry: Registry): GridMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: GridMetrics = {
    entriesSkipped: new Counter({
      name: 'market_maker_grid_entries_skipped_total',
      help: 'Grid entries not placed because the order book crosses their level beyond the slippage bound',
      labelNames: ['symbol', 'reason'],
      registers,
    }),
    entriesRepriced: new Counter({
      name: 'market_maker_grid_entries_repriced_total',
      help: 'Grid entries placed off their level at the best non-crossing price (dynamic slippage)',
      labelNames: ['symbol'],
      registers,
    }),
    windowMoves: new Counter({
      name: 'market_maker_grid_window_moves_total',
      help: 'Moves of a trailing grid window centre to another lattice level',
      labelNames: ['symbol'],
      registers,
    }),
    entriesPulled: new Counter({
      name: 'market_maker_grid_entries_pulled_total',
      help: 'Resting grid entries canceled because the trailing window moved away from them',
      labelNames: ['symbol'],
      registers,
    }),
    latticeChanges: new Counter({
      name: 'market_maker_grid_lattice_changes_total',
      help: 'New lattice generations started because the volatility-derived interval changed',
      labelNames: ['symbol'],
      registers,
    }),
    interval: new Gauge({
      name: 'market_maker_grid_interval',
      help: 'Interval of the current grid lattice, quote units',
      labelNames: ['symbol'],
      registers,
    }),
    volatilityFetches: new Counter({
      name: 'market_maker_grid_volatility_fetches_total',
      help: 'Candle fetches for the dynamic grid interval, by outcome',
      labelNames: ['symbol', 'outcome'],
      registers,
    }),
    bookStreams: new Counter({
      name: 'market_maker_grid_book_streams_total',
      help: 'Order-book stream subscriptions for dynamic slippage, by outcome',
      labelNames: ['symbol', 'outcome'],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
