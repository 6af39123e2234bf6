/**
 * @module actors/engine/engine
 * The market-maker engine assembled: the orchestrator over the venue and the store, the durable
 * order workflows, the metrics. `startEngine` runs recovery in the fixed order (resolve this
 * instance's client order id namespace → load active symbols → restore each actor from its last
 * snapshot → launch DBOS, which resumes pending workflows → each symbol takes a newer snapshot a
 * placement carried, loads its order ledger, reconciles with the venue → trade); `stop` reverses
 * it without losing
 * state (stop trading → let workflows settle and persist snapshots → shut DBOS down). Opening and
 * closing the database and the connector belong to the caller.
 */
import type { DLogger } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { LivenessStatus } from '../../core/liveness.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import { createBookAnalytics } from '../book/book-analytics.js';
import type { Database } from '../store/database.js';
import { EngineInstanceRepo } from '../store/engine-instance.repo.js';
import {
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../workflows/order.context.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../workflows/runtime.js';
import type { EngineConfig } from './engine.config.js';
import { createEngineMetrics, type EngineMetrics } from './engine.metrics.js';
import { engineStoreFor } from './engine.store.js';
import { durableOrderGateway } from './order-gateway.js';
import {
  Orchestrator,
  type AddSymbolResult,
  type SupervisedSymbolView,
} from './orchestrator.actor.js';
import type { Feed } from './stream-router.js';
import { gridConfigFromWire, type GridConfig } from './symbol.config.js';
import type { PositionDivergence } from './symbol.messages.js';
import { timedExchange } from './timed.exchange.js';

/** DBOS application name: scopes this engine's workflows in the database. Never change it. */
export const ENGINE_APP_NAME = 'opensqt-market-maker';

/** What the engine is started on; the caller opens and closes each. */
export interface EngineDeps {
  readonly config: EngineConfig;
  /** The venue port (RemoteExchange in production); the engine opens one stream of each kind. */
  readonly exchange: Exchange;
  /** The migrated database. */
  readonly db: Database;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default: a fresh registry. */
  readonly metrics?: EngineMetrics;
}

/** The exchange connector as the engine's liveness probe last found it. */
export interface ConnectorHealth {
  readonly venue: string;
  /** False from the first refused or unanswered probe until one is answered again. */
  readonly reachable: boolean;
  readonly state: LivenessStatus['state'];
  /** When the current state began, epoch ms. */
  readonly sinceMs: number;
  /** Why it is down; null while it answers. */
  readonly reason: string | null;
  /** Round trip of the last answered probe, ms. */
  readonly latencyMs: number | null;
}

/** /health: alive or stopping, and degraded while the connector does not answer. */
export interface EngineHealth {
  readonly status: 'ok' | 'degraded' | 'stopping';
  readonly connector: ConnectorHealth;
}

/** The engine as a whole, as /status reports it. */
export interface EngineStatus {
  readonly connector: ConnectorHealth;
  /** Milliseconds since each venue stream's last update; null before the first. */
  readonly feeds: Readonly<Record<Feed, number | null>>;
  readonly database: { readonly ok: boolean; readonly embedded: boolean };
  readonly symbols: readonly SupervisedSymbolView[];
}

/** A running engine. */
export interface Engine {
  readonly metrics: EngineMetrics;
  /** This instance's client order id namespace (config, or stored in its database). */
  readonly namespace: string;
  /**
   * Subscribes to every position divergence a reconciliation finds (the risk layer's input).
   * @returns a function that unsubscribes
   */
  onPositionDivergence(listener: (divergence: PositionDivergence) => void): () => void;
  /** True from start until `stop` begins. */
  isAlive(): boolean;
  /** Liveness and the connector's state; cheap (no I/O), for /health. */
  health(): EngineHealth;
  status(): Promise<EngineStatus>;
  symbols(): SupervisedSymbolView[];
  addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolResult>;
  removeSymbol(symbol: SymbolId): Promise<boolean>;
  /** Refreshes the read-on-demand gauges; call before rendering /metrics. */
  collectMetrics(): void;
  /** Stops trading, settles and persists, shuts DBOS down. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Recovers and starts the engine; resolves once every symbol was handed to its actor (each
 * trades as soon as it has reconciled).
 * @throws {Error} when the store or DBOS cannot start
 */
export async function startEngine(deps: EngineDeps): Promise<Engine> {
  const { config, db, clock, log } = deps;
  const metrics = deps.metrics ?? createEngineMetrics();
  const exchange = timedExchange(deps.exchange, metrics);
  const store = engineStoreFor(db.sql);
  const { supervision } = config;
  const namespace =
    config.orders.client_id_namespace || (await new EngineInstanceRepo(db.sql).clientIdNamespace());
  const divergenceListeners = new Set<(divergence: PositionDivergence) => void>();
  // One book-math pool for every symbol: dynamic slippage reads its newest books
  const bookAnalytics = createBookAnalytics(config.book_math);
  const orchestrator = new Orchestrator({
    exchange,
    orders: durableOrderGateway,
    store,
    clock,
    log,
    metrics,
    entriesPaused: config.risk.entries_paused,
    stopGraceMs: config.shutdown.workflow_grace_ms,
    probe: {
      intervalMs: config.connector.probe_interval_ms,
      timeoutMs: config.connector.probe_timeout_ms,
    },
    policy: {
      maxFailures: supervision.max_failures,
      windowMs: supervision.window_ms,
      initialBackoffMs: supervision.initial_backoff_ms,
      maxBackoffMs: supervision.max_backoff_ms,
    },
    symbolPolicy: {
      namespace,
      refusalBackoffInitialMs: config.orders.refusal_backoff_initial_ms,
      refusalBackoffMaxMs: config.orders.refusal_backoff_max_ms,
      reconcileIntervalMs: config.reconcile.interval_ms,
      positionTolerancePct: config.reconcile.position_tolerance_pct,
      onPositionDivergence: (divergence) => {
        for (const listener of divergenceListeners) listener(divergence);
      },
      bookAnalytics,
    },
  });

  const seed = config.symbols.map((s) => ({ symbol: s.symbol, grid: gridConfigFromWire(s.grid) }));
  await orchestrator.restore(seed).catch(async (e: unknown) => {
    await bookAnalytics.close();
    throw e;
  });
  registerOrderVenue(exchange);
  bindOrderWorkflows();
  try {
    await launchDurableRuntime({
      databaseUrl: db.url,
      appName: ENGINE_APP_NAME,
      logger: dbosLogger(log),
    });
  } catch (e) {
    unbindOrderWorkflows();
    await bookAnalytics.close();
    throw e;
  }
  orchestrator.resume();
  log.info({ symbols: orchestrator.symbols().map((s) => s.symbol), namespace }, 'engine recovered');

  let stopping: Promise<void> | null = null;
  const connector = (): ConnectorHealth => {
    const probed = orchestrator.connector().status();
    return {
      venue: exchange.name,
      reachable: probed.state !== 'down' && exchange.isReachable(),
      state: probed.state,
      sinceMs: probed.sinceMs,
      reason: probed.reason,
      latencyMs: probed.latencyMs,
    };
  };
  return {
    metrics,
    namespace,
    onPositionDivergence: (listener) => {
      divergenceListeners.add(listener);
      return () => divergenceListeners.delete(listener);
    },
    isAlive: () => stopping === null,
    health: () => {
      const health = connector();
      const status = stopping !== null ? 'stopping' : health.reachable ? 'ok' : 'degraded';
      return { status, connector: health };
    },
    status: async () => ({
      connector: connector(),
      feeds: orchestrator.feedAges(),
      database: { ok: await store.ping(), embedded: db.embedded },
      symbols: orchestrator.symbols(),
    }),
    symbols: () => orchestrator.symbols(),
    addSymbol: (symbol, grid) => orchestrator.addSymbol(symbol, grid),
    removeSymbol: (symbol) => orchestrator.removeSymbol(symbol),
    collectMetrics: () => orchestrator.publishMetrics(),
    stop: () => {
      stopping ??= (async () => {
        await orchestrator.stop();
        await bookAnalytics.close();
        await shutdownDurableRuntime({
          workflowCompletionTimeoutMs: config.shutdown.workflow_grace_ms,
        });
        unbindOrderWorkflows();
        log.info('engine stopped: snapshots persisted, workflows settled');
      })();
      return stopping;
    },
  };
}

/** DBOS's logs through the engine's pino logger, tagged so they can be filtered. */
function dbosLogger(log: Logger): DLogger {
  const child = log.child({ source: 'dbos' });
  const text = (entry: unknown) => (typeof entry === 'string' ? entry : JSON.stringify(entry));
  return {
    info: (entry, metadata) => child.info({ ...metadata }, text(entry)),
    debug: (entry, metadata) => child.debug({ ...metadata }, text(entry)),
    warn: (entry, metadata) => child.warn({ ...metadata }, text(entry)),
    error: (entry, metadata) =>
      entry instanceof Error
        ? child.error({ ...metadata, err: entry }, entry.message)
        : child.error({ ...metadata }, text(entry)),
  };
}
