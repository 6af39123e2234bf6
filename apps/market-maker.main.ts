/**
 * @module apps/market-maker.main
 * The market-maker process: `market-maker [--config configs/market_maker.yaml]`. Opens the
 * database (embedded unless `database.url` / DATABASE_URL names a PostgreSQL) and migrates it,
 * connects to the exchange connector, recovers and starts the engine, serves the admin API, then
 * serves the engine gRPC API (RiskService, PositionService, PortfolioService; `rpc.*`), then
 * logs a line whose message starts with `market-maker ready`. SIGTERM or SIGINT stops it in
 * order (stop trading, let workflows settle, persist snapshots, shut DBOS down, close the
 * database), so starting it again resumes the same grid.
 */
import { collectDefaultMetrics } from 'prom-client';
import { WallClock } from '../core/clock.js';
import { ConfigError, loadDotEnv } from '../core/config-file.js';
import { connectRemoteExchange, type RemoteExchange } from '../connector/exchange.client.js';
import { createLogger } from '../core/logger.js';
import { createAdminApp } from '../server/admin/admin.app.js';
import { startAdminServer, type AdminServer } from '../server/admin/admin.server.js';
import { openDatabase, type Database } from '../actors/store/database.js';
import { loadEngineConfig, parseEngineArgs } from '../actors/engine/engine.config.js';
import { startEngine, type Engine } from '../actors/engine/engine.js';
import { clusterIdleLimitMs } from '../actors/cluster/cluster.js';
import { redactText } from '../core/redact.js';
import type { AlertSink } from '../actors/alerts/alert.types.js';
import { AlertFeed } from '../server/rpc/alert-feed.js';
import { fundingScan } from '../server/rpc/funding-scan.js';
import { bindEngineRpc, riskControlPort } from '../server/rpc/rpc.adapters.js';
import { startEngineRpcServer, type EngineRpcServer } from '../server/rpc/rpc.server.js';

const log = createLogger('market-maker');

/** What is open, closed in reverse order of opening. */
const opened: {
  db?: Database;
  exchange?: RemoteExchange;
  engine?: Engine;
  admin?: AdminServer;
  rpc?: EngineRpcServer;
  detachRpc?: () => void;
} = {};
/** Connections to the other venues arbitrage legs name, by venue name. */
const venues = new Map<string, Promise<RemoteExchange>>();
let stopping: Promise<void> | null = null;

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadEngineConfig(parseEngineArgs(process.argv.slice(2)));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const { database, connector, admin, rpc } = config;
  const db = await openDatabase({
    url: database.url === '' ? null : database.url,
    dataDir: database.embedded_dir,
    ...(config.cluster.enabled ? { idleInTransactionMs: clusterIdleLimitMs(config.cluster) } : {}),
  });
  opened.db = db;
  log.info({ embedded: db.embedded }, 'database open and migrated');
  opened.exchange = await connectRemoteExchange(connector.address, {
    ...(connector.api_key === '' ? {} : { apiKey: connector.api_key }),
    ...(connector.venue === '' ? {} : { exchange: connector.venue }),
    connectAttempts: connector.connect_attempts,
  });
  const exchange = opened.exchange;
  if (stopping) return;
  // Arbitrage legs name their venues: one connection per venue, selected with x-exchange
  const openVenue = (name: string): Promise<RemoteExchange> => {
    let venue = venues.get(name);
    if (!venue) {
      venue = connectRemoteExchange(connector.address, {
        ...(connector.api_key === '' ? {} : { apiKey: connector.api_key }),
        exchange: name,
        connectAttempts: connector.connect_attempts,
      });
      venues.set(name, venue);
      venue.catch(() => venues.delete(name));
    }
    return venue;
  };
  const clock = new WallClock();
  // Every alert the engine raises also reaches SubscribeRiskAlerts of the engine gRPC API
  const alertFeed = rpc.enabled
    ? new AlertFeed(clock, log.child({ component: 'engine-rpc' }))
    : null;
  opened.engine = await startEngine({
    config,
    exchange,
    db,
    clock,
    log,
    openVenue,
    ...(alertFeed ? { alertTap: (sink: AlertSink) => alertFeed.tee(sink) } : {}),
  });
  // Process metrics (memory, handles, fds, event-loop lag) belong to the process, not the engine
  collectDefaultMetrics({ register: opened.engine.metrics.registry });
  const app = createAdminApp(opened.engine, log, {
    allowedHosts: admin.allowed_hosts,
    maxBodyBytes: admin.max_body_bytes,
  });
  opened.admin = await startAdminServer({ fetch: app.fetch, host: admin.host, port: admin.port });
  if (rpc.enabled) {
    const { engine } = opened;
    const { deps, detach } = bindEngineRpc({
      engine,
      controller: riskControlPort(engine.risk.controller),
      checker: engine.risk.checker,
      funding: fundingScan(engine.arbitrage.fundingMonitor, () => engine.arbitrage.pairConfigs()),
      ...(alertFeed ? { alerts: alertFeed } : {}),
      exchange,
      sql: db.sql,
      risk: config.risk,
      clock,
      log: log.child({ component: 'engine-rpc' }),
    });
    opened.detachRpc = detach;
    opened.rpc = await startEngineRpcServer(deps, {
      host: rpc.host,
      port: rpc.port,
      manualBreaker: rpc.manual_breaker,
      positionPollMs: rpc.position_poll_ms,
      registry: opened.engine.metrics.registry,
    });
  }
  const symbols = opened.engine.symbols().map((s) => s.symbol);
  const grpc = opened.rpc ? `, gRPC ${opened.rpc.address}` : '';
  log.info(
    {
      admin: opened.admin.url,
      rpc: opened.rpc?.address ?? null,
      connector: connector.address,
      venue: exchange.name,
      symbols,
    },
    `market-maker ready: admin ${opened.admin.url}${grpc}, trading ${symbols.join(', ') || 'nothing yet'}`,
  );
}

/** Stops everything that is open, in order; exits 0 when all of it closed cleanly. */
function stop(reason: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    log.info({ reason }, 'market-maker stopping');
    let exitCode = code;
    const { engine, admin, exchange, db, rpc } = opened;
    const steps: [string, (() => Promise<void>) | undefined][] = [
      // Clients see UNAVAILABLE "engine shutting down" before trading stops
      ['engine gRPC API', rpc && (() => rpc.shutdown(2_000))],
      ['engine gRPC alert feed', opened.detachRpc && (async () => opened.detachRpc?.())],
      ['engine', engine?.stop],
      ['admin API', admin?.close],
      ['connector client', exchange && (() => exchange.close())],
      ['venue clients', () => closeVenues()],
      ['database', db?.close],
    ];
    for (const [name, close] of steps) {
      try {
        await close?.();
      } catch (e) {
        exitCode = 1;
        log.error({ err: e }, `could not close the ${name} cleanly`);
      }
    }
    log.info({ exitCode }, 'market-maker stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

async function closeVenues(): Promise<void> {
  const settled = await Promise.allSettled(venues.values());
  await Promise.all(
    settled.flatMap((venue) => (venue.status === 'fulfilled' ? [venue.value.close()] : [])),
  );
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(redactText(e.message));
  else log.error({ err: e }, `market-maker failed to start: ${(e as Error).message ?? e}`);
  void stop('start failed', 1);
});
