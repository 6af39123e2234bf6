/**
 * @module server/admin/admin.types
 * What the admin API needs from the engine: the narrow surface its routes call, so the routes
 * are tested with `app.request()` against any implementation and never touch actors directly.
 */
import type { Registry } from 'prom-client';

import type { EngineStatus } from '../../actors/engine/engine.js';
import type {
  AddSymbolOutcome,
  SupervisedSymbolView,
} from '../../actors/engine/orchestrator.actor.js';
import type { GridConfig } from '../../actors/engine/symbol.config.js';
import type { SymbolId } from '../../core/types.js';

/** The engine as the admin routes see it. */
export interface AdminEngine {
  /** True while the engine loop runs (from start until stop begins). */
  isAlive(): boolean;
  status(): Promise<EngineStatus>;
  symbols(): SupervisedSymbolView[];
  /**
   * @throws {SymbolRequestError} `invalid` (a field is wrong for the venue) or `conflict`
   */
  addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolOutcome>;
  /** @returns false when the symbol was not traded */
  removeSymbol(symbol: SymbolId): Promise<boolean>;
  /** Refreshes the gauges that are read on demand, before a scrape. */
  collectMetrics(): void;
  readonly metrics: { readonly registry: Registry };
}

/** The body of every error response: what went wrong, and one "field: reason" per problem. */
export interface ProblemBody {
  readonly error: string;
  readonly problems: readonly string[];
}
