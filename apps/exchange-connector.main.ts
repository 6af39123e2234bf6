/**
 * @module apps/exchange-connector.main
 * The exchange-connector process:
 * `exchange-connector [--config F] [--host H] [--port N] [--metrics-host H] [--metrics-port N]`.
 * Serves ExchangeService and grpc.health.v1 for the configured venues (the simulated venue when
 * no config file exists), /metrics and /health over HTTP, and shuts down gracefully on
 * SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { collectDefaultMetrics } from 'prom-client';
import { createConnectorMetrics } from '../connector/connector.metrics.js';
import { instrumentVenue } from '../connector/instrumented.exchange.js';
import { startMetricsServer, type MetricsServer } from '../connector/metrics.server.js';
import { createCcxtVenues } from '../connector/venues/ccxt/index.js';
import { WallClock } from '../core/clock.js';
import { ConfigError, loadConfigFile, loadDotEnv } from '../core/config-file.js';
import { connectorConfigSchema } from '../connector/connector.config.js';
import { startConnectorServer } from '../connector/connector.server.js';
import type { Exchange } from '../core/exchange.port.js';
import { createLogger } from '../core/logger.js';
import { withResilience } from '../connector/resilient.exchange.js';
import { openPersistentSimVenue, SimStateError } from '../connector/venues/sim/index.js';
import { redactText } from '../core/redact.js';

const DEFAULT_CONFIG = 'configs/exchange_connector.yaml';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'metrics-host': { type: 'string' },
      'metrics-port': { type: 'string' },
    },
  });
  loadDotEnv();
  const log = createLogger('exchange-connector');
  const config = loadConfigFile(connectorConfigSchema, values.config ?? DEFAULT_CONFIG, {
    required: values.config !== undefined,
  });
  const port = values.port === undefined ? config.server.port : parsePort(values.port);
  const metricsPort =
    values['metrics-port'] === undefined
      ? config.metrics.port
      : parsePort(values['metrics-port'], '--metrics-port');
  const metrics = createConnectorMetrics();
  collectDefaultMetrics({ register: metrics.registry });

  const venues = new Map<string, Exchange>();
  // Each venue's own shutdown: the simulator saves its state, ccxt venues close their sockets
  const closers: (() => Promise<void>)[] = [];
  if (config.simulator.enabled) {
    const sim = openPersistentSimVenue(
      config.simulator.options,
      new WallClock(),
      config.simulator.state_file,
      config.simulator.save_interval_ms,
      log,
    );
    closers.push(sim.close);
    // "sim", "sim-spot" and any extra perp venue under simulator.options.perpVenues
    for (const name of sim.venue.exchangeNames()) {
      venues.set(name, withResilience(instrumentVenue(sim.venue.exchangeNamed(name), metrics)));
    }
  }
  const taken = Object.keys(config.venues).filter((name) => venues.has(name));
  if (taken.length > 0) {
    throw new ConfigError(
      values.config ?? DEFAULT_CONFIG,
      taken.map((name) => `venues.${name}: the simulator already serves a venue named ${name}`),
    );
  }
  // ccxt itself is imported only inside createCcxtVenues, and only when a venue is configured
  for (const [name, venue] of await createCcxtVenues(config.venues, log)) {
    venues.set(name, withResilience(instrumentVenue(venue, metrics)));
    closers.push(() => venue.close());
  }
  if (!venues.has(config.default_venue)) {
    throw new ConfigError(values.config ?? DEFAULT_CONFIG, [
      `default_venue: "${config.default_venue}" is not a configured venue; use one of ${[...venues.keys()].join(', ') || '(none: enable simulator)'}`,
    ]);
  }

  const server = await startConnectorServer({
    venues,
    defaultVenue: config.default_venue,
    host: values.host ?? config.server.host,
    port,
    apiKeys: config.server.api_keys,
    logger: log,
    metrics,
  });
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.enabled) {
    const fallback = venues.get(config.default_venue) as Exchange;
    metricsServer = await startMetricsServer({
      registry: metrics.registry,
      healthy: () => fallback.isReachable(),
      host: values['metrics-host'] ?? config.metrics.host,
      port: metricsPort,
    });
  }
  log.info(
    {
      address: server.address,
      metrics: metricsServer?.url,
      venues: [...venues.keys()],
      auth: config.server.api_keys.length > 0,
    },
    `exchange-connector listening on ${server.address}`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight calls');
    void server
      .shutdown(config.server.shutdown_grace_ms)
      .then(() => metricsServer?.close())
      .then(() => Promise.all(closers.map((close) => close())))
      .then(() => {
        log.info('exchange-connector stopped');
        process.exit(0);
      });
  };
  // ccxt has background paths that can reject with nobody awaiting; log them, never crash trading
  process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(flag, [`${flag}: must be an integer 0-65535, was "${text}"`]);
  }
  return port;
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof SimStateError) {
    console.error(redactText(e.message));
  } else {
    console.error(
      `exchange-connector failed to start: ${redactText(String((e as Error)?.message ?? e))}`,
    );
  }
  process.exit(1);
});
