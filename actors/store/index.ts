/**
 * @module actors/store
 * Persistence of the market-maker: the database (embedded PGlite or PostgreSQL), its migrations,
 * and one repository per table.
 */
export { openDatabase, type Database, type DatabaseOptions, type Sql } from './database.js';
export {
  DEFAULT_PGLITE_DIR,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './embedded-postgres.js';
export {
  loadMigrations,
  migrate,
  SchemaTooNewError,
  type Migration,
  type MigrationReport,
} from './migrations.js';
export { SnapshotsRepo, StaleSnapshotError, type SymbolSnapshot } from './snapshots.repo.js';
export { ActiveSymbolsRepo, type ActiveSymbol, type SymbolStatus } from './active-symbols.repo.js';
export { fillFromTrade, FillsRepo, type FillRecord, type FillTotals } from './fills.repo.js';
export { OrderIndexRepo, type IndexedOrder } from './order-index.repo.js';
export { EngineInstanceRepo } from './engine-instance.repo.js';
export {
  ArbitragePairsRepo,
  StalePairStateError,
  type PairStatus,
  type StoredPair,
} from './arbitrage-pairs.repo.js';
export {
  RiskStatesRepo,
  StaleRiskStateError,
  type RiskState,
  type RiskStateKey,
} from './risk-states.repo.js';
export {
  AlertOutboxRepo,
  type AlertSeverity,
  type EnqueueOutcome,
  type OutboxAlert,
  type OutboxCounts,
  type OutboxDraft,
  type OutboxStatus,
  type TopicRateLimit,
} from './alert-outbox.repo.js';
