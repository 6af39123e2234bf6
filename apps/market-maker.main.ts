/**
 * @module apps/market-maker.main
 * The market-maker process: `market-maker [--config configs/market_maker.yaml]`. Opens the
 * database (embedded unless `database.url` / DATABASE_URL names a PostgreSQL) and migrates it,
 * connects to the exchange connector, recovers and starts the engine, serves the admin API, then
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
import { redactText } from '../core/redact.js';

const log = createLogger('market-maker');

/** What is open, closed in reverse order of opening. */
const opened: { db?: Database; exchange?: RemoteExchange; engine?: Engine; admin?: AdminServer } =
  {};
/** Connections to the other venues arbitrage legs name, by venue name. */
const venues = new Map<string, Promise<RemoteExchange>>();
let stopping: Promise<void> | null = null;

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadEngineConfig(parseEngineArgs(process.argv.slice(2)));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const { database, connector, admin } = config;
  const db = await openDatabase({
    url: database.url === '' ? null : database.url,
    dataDir: database.embedded_dir,
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
  opened.engine = await startEngine({
    config,
    exchange,
    db,
    clock: new WallClock(),
    log,
    openVenue,
  });
  // Process metrics (memory, handles, fds, event-loop lag) belong to the process, not the engine
  collectDefaultMetrics({ register: opened.engine.metrics.registry });
  const app = createAdminApp(opened.engine, log, {
    allowedHosts: admin.allowed_hosts,
    maxBodyBytes: admin.max_body_bytes,
  });
  opened.admin = await startAdminServer({ fetch: app.fetch, host: admin.host, port: admin.port });
  const symbols = opened.engine.symbols().map((s) => s.symbol);
  log.info(
    { admin: opened.admin.url, connector: connector.address, venue: exchange.name, symbols },
    `market-maker ready: admin ${opened.admin.url}, trading ${symbols.join(', ') || 'nothing yet'}`,
  );
}

/** Stops everything that is open, in order; exits 0 when all of it closed cleanly. */
function stop(reason: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    log.info({ reason }, 'market-maker stopping');
    let exitCode = code;
    const { engine, admin, exchange, db } = opened;
    const steps: [string, (() => Promise<void>) | undefined][] = [
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
