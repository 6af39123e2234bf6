/**
 * @module apps/live-server.main
 * The live-server process:
 * `live-server [--config F] [--host H] [--port N] [--connector HOST:PORT] [--symbol S]`.
 * Serves the dashboard and its WebSocket feed from the exchange connector; flags override the
 * config file (default configs/live_server.yaml, optional). Stops gracefully on SIGTERM/SIGINT.
 */
import { collectDefaultMetrics } from 'prom-client';
import { ConfigError, loadDotEnv } from '../core/config-file.js';
import { connectRemoteExchange } from '../connector/exchange.client.js';
import type { Exchange } from '../core/exchange.port.js';
import { createLogger } from '../core/logger.js';
import { resolveLiveServerConfig } from '../server/live/live.config.js';
import { startLiveServer } from '../server/live/live-server.js';
import { redactText } from '../core/redact.js';

async function main(): Promise<void> {
  loadDotEnv();
  const config = resolveLiveServerConfig(process.argv.slice(2));
  const log = createLogger('live-server', config.logging.level);
  const { address, api_key: apiKey, venue } = config.connector;
  let exchange: Exchange | undefined;
  const connect = async (): Promise<Exchange> => {
    exchange = await connectRemoteExchange(address, {
      ...(apiKey === '' ? {} : { apiKey }),
      ...(venue === '' ? {} : { exchange: venue }),
      connectAttempts: 3,
    });
    return exchange;
  };
  const server = await startLiveServer({ config, connect, logger: log });
  collectDefaultMetrics({ register: server.metrics.registry });
  log.info(
    { url: server.url, connector: address, symbol: config.trading.symbol },
    `live-server listening on ${server.url}`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: closing dashboard clients');
    void server
      .close()
      .then(() => exchange?.close())
      .then(() => {
        log.info('live-server stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(
    redactText(
      e instanceof ConfigError ? e.message : `live-server failed to start: ${(e as Error).message}`,
    ),
  );
  process.exit(1);
});
