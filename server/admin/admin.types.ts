/**
 * @module server/admin/admin.types
 * What the admin API needs from the engine: the narrow surface its routes call, so the routes
 * are tested with `app.request()` against any implementation and never touch actors directly.
 */
import type { Registry } from 'prom-client';

import type { EngineHealth, EngineStatus } from '../../actors/engine/engine.js';
import type {
  AddSymbolResult,
  SupervisedSymbolView,
} from '../../actors/engine/orchestrator.actor.js';
import type { GridConfig } from '../../actors/engine/symbol.config.js';
import type { SupervisedPairView } from '../../actors/arbitrage/arbitrage.desk.js';
import type { EngineRisk } from '../../actors/engine/engine-risk.js';
import type { RiskControl } from '../../actors/engine/risk-control.js';
import type { SymbolId } from '../../core/types.js';

/** The engine as the admin routes see it. */
export interface AdminEngine {
  /** Alive or stopping, and the connector's state (no I/O). */
  health(): EngineHealth;
  status(): Promise<EngineStatus>;
  symbols(): SupervisedSymbolView[];
  /**
   * @throws {SymbolRequestError} `invalid` (a field is wrong for the venue), `conflict`, or
   *   `unavailable` (the venue could not be asked)
   */
  addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolResult>;
  /**
   * @returns false when the symbol was not traded
   * @throws {SymbolRequestError} `unavailable` when the venue did not confirm the removal
   */
  removeSymbol(symbol: SymbolId): Promise<boolean>;
  /** Refreshes the gauges that are read on demand, before a scrape. */
  collectMetrics(): void;
  readonly metrics: { readonly registry: Registry };
  /** Funding-rate arbitrage pairs; absent in an engine without them. */
  readonly arbitrage?: ArbitrageAdmin;
  /** The risk layer's report (GET /risk); absent: the risk routes answer 503. */
  readonly risk?: Pick<EngineRisk, 'report'>;
  /** The operator's controls (pause, halt, flatten, breakers, limits). */
  readonly control?: Pick<RiskControl, 'hold' | 'resumeScope' | 'trip' | 'reset' | 'setLimits'>;
}

/** The arbitrage pairs as the admin routes see them (the engine's ArbitrageDesk). */
export interface ArbitrageAdmin {
  pairs(): SupervisedPairView[];
  /**
   * Adds a pair, reconfigures a flat one or re-activates a failed one.
   * @throws {PairRequestError} invalid, conflict or unavailable
   */
  addPair(raw: unknown): Promise<{ pair: string; outcome: 'added' | 'updated' }>;
  /** @throws {PairRequestError} conflict while the pair holds a position */
  removePair(pairId: string): Promise<boolean>;
  /** @throws {PairRequestError} not_found or conflict */
  resumePair(pairId: string, by: string): Promise<void>;
}

/** The body of every error response: what went wrong, and one "field: reason" per problem. */
export interface ProblemBody {
  readonly error: string;
  readonly problems: readonly string[];
}
