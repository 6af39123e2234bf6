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
import { AsyncLocalStorage } from 'node:async_hooks';

import type { DLogger } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { LivenessStatus } from '../../core/liveness.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import type { AlertSink } from '../alerts/alert.types.js';
import { ArbitrageDesk, type SupervisedPairView } from '../arbitrage/arbitrage.desk.js';
import { pairGuardsOf } from '../arbitrage/arbitrage-section.config.js';
import { GLOBAL } from '../risk/breaker-bank.js';
import { createArbitrageMetrics, type ArbitrageMetrics } from '../arbitrage/arbitrage.metrics.js';
import { ArbitragePairsRepo } from '../store/arbitrage-pairs.repo.js';
import { createBookAnalytics } from '../book/book-analytics.js';
import type { Database } from '../store/database.js';
import { EngineInstanceRepo } from '../store/engine-instance.repo.js';
import { announcingExchange } from '../cluster/announcing.exchange.js';
import { clusterIdleLimitMs, joinCluster, type Cluster } from '../cluster/cluster.js';
import type { ClusterView } from '../cluster/lease-keeper.js';
import {
  bindOrderFence,
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
import type { ReconcileSummary } from './reconcile.js';
import type { PositionDivergence } from './symbol.messages.js';
import { timedExchange } from './timed.exchange.js';
import { createAlerting } from '../alerts/alerting.js';
import { alertSecrets } from '../alerts/alerts.config.js';
import type { PnlReport, TradingControlPort } from '../alerts/telegram-control.js';
import { ZERO, dec, toPlain, type Decimal } from '../../core/decimal.js';
import { RiskMonitorActor } from '../risk/risk-monitor.actor.js';
import { FillsRepo } from '../store/fills.repo.js';
import { RiskStatesRepo } from '../store/risk-states.repo.js';
import { EngineAlerts, type DaySummary } from './engine-alerts.js';
import { EngineRisk } from './engine-risk.js';
import { RiskControl } from './risk-control.js';
import type { CleanerPolicy } from './order-cleaner.js';

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
  /**
   * Opens the venue port of another venue name the connector serves (arbitrage legs name their
   * venues); default: only `exchange`'s own name is served.
   */
  readonly openVenue?: (name: string) => Promise<Exchange>;
  /** Where arbitrage pairs raise alerts; default: the engine's alerter. */
  readonly alerts?: AlertSink;
  /**
   * Wraps the engine's alerter so another reader hears every alert it raises (the engine gRPC
   * API's SubscribeRiskAlerts); default: none.
   */
  readonly alertTap?: (sink: AlertSink) => AlertSink;
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
  /** Funding-rate arbitrage pairs: legs, hedge ratio, funding, APR, PnL. */
  readonly arbitrage: readonly SupervisedPairView[];
  /** Scale-out: this engine, the live engines and which one owns each symbol; null alone. */
  readonly cluster: ClusterView | null;
}

/** A running engine. */
export interface Engine {
  readonly metrics: EngineMetrics;
  readonly arbitrageMetrics: ArbitrageMetrics;
  /** The funding-rate arbitrage pairs (GET /arbitrage, POST /symbols with strategy arbitrage). */
  readonly arbitrage: ArbitrageDesk;
  /** The risk layer: trading states, breakers, pre-trade checks, exposure (`report()`). */
  readonly risk: EngineRisk;
  /** The operator's controls (admin API, Telegram): holds, breakers, limits. */
  readonly control: RiskControl;
  /** This instance's client order id namespace (config, or stored in its database). */
  readonly namespace: string;
  /**
   * Subscribes to every position divergence a reconciliation finds (the risk layer's input).
   * @returns a function that unsubscribes
   */
  onPositionDivergence(listener: (divergence: PositionDivergence) => void): () => void;
  /**
   * Subscribes to every finished reconciliation run of every symbol.
   * @returns a function that unsubscribes
   */
  onReconciled(listener: (symbol: SymbolId, summary: ReconcileSummary) => void): () => void;
  /**
   * Asks a symbol's reconcile job for a run now (trigger `manual`).
   * @returns false when the symbol is not traded or was given up on
   */
  reconcile(symbol: SymbolId): boolean;
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
  const cluster: Cluster | null = config.cluster.enabled
    ? await joinCluster({ sql: db.sql, config: config.cluster, clock, log, metrics })
    : null;
  const store = engineStoreFor(db.sql, cluster?.snapshotFence);
  const fills = new FillsRepo(db.sql);
  let orchestrator: Orchestrator | null = null;
  let control: RiskControl | null = null;
  const alerting = createAlerting({
    config: config.alerts,
    sql: db.sql,
    clock,
    logger: log,
    control: lateControl(() => control),
    onRaised: (kind, outcome) => metrics.risk.alertsRaised.inc({ kind, outcome }),
    onDelivery: (channel, outcome) =>
      metrics.risk.alertDeliveries.inc({ channel: channel.split(':')[0] ?? channel, outcome }),
  });
  // Trading states, breakers and runtime limits share one table
  const riskStates = new RiskStatesRepo(db.sql);
  const alerter = deps.alertTap ? deps.alertTap(alerting.alerter) : alerting.alerter;
  const risk = await EngineRisk.open({
    config: config.risk,
    store: riskStates,
    clock,
    log,
    metrics: metrics.risk,
    alerts: alerter,
    onState: (symbol, state, reason) => orchestrator?.applyRisk(symbol, state, reason),
    onError: (e) =>
      log.error({ err: e }, 'risk state could not be saved: it may not survive a restart'),
  });
  control = await RiskControl.open({
    risk,
    limits: config.risk.limits,
    store: riskStates,
    clock,
    log,
    alerts: alerter,
    pnl: () =>
      pnlReport(fills, orchestrator?.symbols().map((s) => s.symbol) ?? [], (symbol) =>
        risk.unrealized(symbol),
      ),
  });
  const timed = timedExchange(deps.exchange, metrics, (symbol, ms) => risk.latency(symbol, ms));
  const exchange = cluster ? announcingExchange(timed, (symbol) => cluster.stamp(symbol)) : timed;
  const engineAlerts = new EngineAlerts({
    alerts: alerter,
    clock,
    log,
    venue: exchange.name,
    connectorUnreachableMs: config.alerts.connector_unreachable_ms,
    dailySummaryHour: config.alerts.daily_summary.enabled
      ? config.alerts.daily_summary.utc_hour
      : null,
    summarize: (sinceMs) =>
      daySummaries(fills, orchestrator?.symbols().map((s) => s.symbol) ?? [], sinceMs),
  });
  const { supervision } = config;
  const namespace =
    config.orders.client_id_namespace || (await new EngineInstanceRepo(db.sql).clientIdNamespace());
  const divergenceListeners = new Set<(divergence: PositionDivergence) => void>();
  const reconciledListeners = new Set<(symbol: SymbolId, summary: ReconcileSummary) => void>();
  // One book-math pool for every symbol: dynamic slippage reads its newest books
  const bookAnalytics = createBookAnalytics(config.book_math);
  orchestrator = new Orchestrator({
    exchange,
    risk,
    safety: {
      maxLeverage: config.risk.safety.max_leverage,
      maxBalanceUsePct: dec(config.risk.safety.max_balance_use_pct),
      makerFeeRate: dec(config.risk.safety.maker_fee_rate),
    },
    onSymbolTrouble: (trouble) => engineAlerts.symbolTrouble(trouble),
    ...(cluster ? { ownership: cluster.ownership } : {}),
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
      risk,
      flattenSlippagePct: config.risk.flatten_slippage_pct,
      ...(config.risk.cleaner.enabled ? { cleaner: cleanerPolicy(config.risk.cleaner) } : {}),
      onPositionDivergence: (divergence) => {
        risk.divergence(divergence);
        engineAlerts.divergence(divergence);
        for (const listener of divergenceListeners) listener(divergence);
      },
      onReconciled: (symbol, summary) => {
        for (const listener of reconciledListeners) listener(symbol, summary);
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
  const arbitrageMetrics = createArbitrageMetrics(metrics.registry);
  const detach = AsyncLocalStorage.snapshot();
  const desk = new ArbitrageDesk({
    openVenue: async (name) => {
      if (name === exchange.name) return exchange;
      if (!deps.openVenue) throw new Error(`the engine serves only venue ${exchange.name}`);
      return timedExchange(await deps.openVenue(name), metrics);
    },
    repo: new ArbitragePairsRepo(db.sql),
    clock,
    log,
    metrics: arbitrageMetrics,
    alerts: deps.alerts ?? alerter,
    policy: {
      maxFailures: supervision.max_failures,
      windowMs: supervision.window_ms,
      initialBackoffMs: supervision.initial_backoff_ms,
      maxBackoffMs: supervision.max_backoff_ms,
    },
    guards: pairGuardsOf(config.arbitrage),
    // The kill switch and global breakers hold the pairs too
    globalTrading: () => risk.controller.effectiveState(GLOBAL),
    refusePairs: cluster
      ? 'arbitrage pairs run on a single engine and this one runs with cluster.enabled: ' +
        'trade them from an engine of their own database without scale-out'
      : null,
    detach: (fn) => detach(fn),
  });
  // Before DBOS launches: a cycle it recovers needs its pair's venues registered
  await desk.restore(config.arbitrage.pairs);
  bindOrderWorkflows();
  // Before DBOS launches: workflows it recovers must meet the fence too
  if (cluster) bindOrderFence(cluster.orderFence);
  try {
    await launchDurableRuntime({
      databaseUrl: db.url,
      appName: ENGINE_APP_NAME,
      logger: dbosLogger(log),
      ...(cluster
        ? { executorId: cluster.engineId, idleInTransactionMs: clusterIdleLimitMs(config.cluster) }
        : {}),
    });
  } catch (e) {
    unbindOrderWorkflows();
    await bookAnalytics.close();
    throw e;
  }
  orchestrator.connector().onChange((status) => {
    risk.connector(status.state !== 'down');
    engineAlerts.connector(status);
  });
  orchestrator.resume();
  const owner = orchestrator;
  await cluster?.start({
    activeSymbols: async () => (await store.activeSymbols.list()).map((row) => row.symbol),
    acquired: async (symbol) => {
      if (!(await owner.adopt(symbol as SymbolId)))
        await cluster.ownership.forget(symbol as SymbolId);
    },
    dropped: (symbol, graceful) => owner.drop(symbol as SymbolId, graceful),
  });
  desk.resume();
  risk.start();
  engineAlerts.start();
  // Alerts and Telegram are for people: trading must not wait on them or fail without them
  await alerting.start().catch((e: unknown) => {
    // A grammY error quotes the Bot API URL, which holds the token
    const token = alertSecrets(config.alerts).telegramToken;
    const text = String((e as Error)?.message ?? e);
    log.error(
      { error: token ? text.replaceAll(token, '***') : text },
      'Telegram control could not start: alerts are still sent, commands are not read',
    );
  });
  const monitor = config.risk.monitor.enabled
    ? new RiskMonitorActor({
        exchange,
        clock,
        logger: log,
        config: config.risk.monitor,
        onChange: (change) => risk.controller.monitorChange(change),
        onRetry: (what) =>
          metrics.risk.retries.inc({
            operation: what === 'preload' ? 'kline_preload' : 'resubscribe',
            reason: 'transient',
          }),
      })
    : null;
  await monitor?.start();
  log.info({ symbols: orchestrator.symbols().map((s) => s.symbol), namespace }, 'engine recovered');

  let stopping: Promise<void> | null = null;
  const connector = (): ConnectorHealth => {
    const probed = running.connector().status();
    return {
      venue: exchange.name,
      reachable: probed.state !== 'down' && exchange.isReachable(),
      state: probed.state,
      sinceMs: probed.sinceMs,
      reason: probed.reason,
      latencyMs: probed.latencyMs,
    };
  };
  const running = orchestrator;
  const riskControl = control;
  return {
    metrics,
    arbitrageMetrics,
    arbitrage: desk,
    risk,
    control: riskControl,
    namespace,
    onPositionDivergence: (listener) => {
      divergenceListeners.add(listener);
      return () => divergenceListeners.delete(listener);
    },
    onReconciled: (listener) => {
      reconciledListeners.add(listener);
      return () => reconciledListeners.delete(listener);
    },
    reconcile: (symbol) => running.reconcile(symbol),
    isAlive: () => stopping === null,
    health: () => {
      const health = connector();
      const status = stopping !== null ? 'stopping' : health.reachable ? 'ok' : 'degraded';
      return { status, connector: health };
    },
    status: async () => ({
      connector: connector(),
      feeds: running.feedAges(),
      database: { ok: await store.ping(), embedded: db.embedded },
      symbols: running.symbols(),
      arbitrage: desk.pairs(),
      cluster: cluster ? await cluster.view() : null,
    }),
    symbols: () => running.symbols(),
    addSymbol: (symbol, grid) => running.addSymbol(symbol, grid),
    removeSymbol: (symbol) => running.removeSymbol(symbol),
    collectMetrics: () => running.publishMetrics(),
    stop: () => {
      stopping ??= (async () => {
        monitor?.stop();
        engineAlerts.stop();
        // Symbols first, so the other engines take them over at once
        await cluster?.stop();
        await Promise.all([running.stop(), desk.stop()]);
        await risk.stop();
        await alerting.stop();
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

/** The `risk.cleaner` config section as the actors' policy. */
function cleanerPolicy(c: EngineConfig['risk']['cleaner']): CleanerPolicy {
  return {
    intervalMs: c.interval_ms,
    maxBackoffMs: c.max_backoff_ms,
    maxAgeMs: c.max_age_ms,
    maxDistancePct: c.max_distance_pct === null ? null : dec(c.max_distance_pct),
    maxOpenOrders: c.max_open_orders_per_symbol,
    maxCancelsPerRun: c.max_cancels_per_run,
  };
}

/** A control port that answers once the engine's controls exist (Telegram starts after). */
function lateControl(get: () => RiskControl | null): TradingControlPort {
  const port = (): RiskControl => {
    const control = get();
    if (!control) throw new Error('the engine is still starting');
    return control;
  };
  return {
    status: () => port().status(),
    pnl: () => port().pnl(),
    pause: (symbol, by) => port().pause(symbol, by),
    resume: (symbol, by) => port().resume(symbol, by),
    haltAll: (by) => port().haltAll(by),
  };
}

/** Fills, realized PnL and fees of each symbol since `sinceMs` (the daily summary). */
async function daySummaries(
  fills: FillsRepo,
  symbols: readonly SymbolId[],
  sinceMs: number,
): Promise<DaySummary[]> {
  const out: DaySummary[] = [];
  for (const symbol of symbols) {
    const rows = await fills.listBySymbol(symbol, sinceMs);
    let pnl = ZERO;
    let fees = ZERO;
    for (const row of rows) {
      pnl = pnl.add(row.realizedPnl);
      fees = fees.add(row.fee);
    }
    out.push({ symbol, fills: rows.length, realizedPnl: toPlain(pnl), fees: toPlain(fees) });
  }
  return out;
}

/** Telegram's /pnl: realized PnL and fees per symbol from the fills ledger. */
async function pnlReport(
  fills: FillsRepo,
  symbols: readonly SymbolId[],
  unrealized: (symbol: string) => Decimal | null,
): Promise<PnlReport> {
  const rows = await daySummaries(fills, symbols, 0);
  return {
    quoteAsset: 'USDT',
    symbols: rows.map((r) => ({
      symbol: r.symbol,
      realized: r.realizedPnl,
      unrealized: toPlain(unrealized(r.symbol) ?? ZERO),
      fees: r.fees,
    })),
  };
}
