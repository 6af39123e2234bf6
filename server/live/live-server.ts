/**
 * @module server/live/live-server
 * Starts the live server: the market view fed by one upstream feed, the client hub, and the Hono
 * app served on Node with WebSocket upgrades. The venue is reached only through the `Exchange`
 * port: `connectRemoteExchange` in production, the simulated venue in-process in tests.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Exchange } from '../../core/exchange.port.js';
import { createLogger } from '../../core/logger.js';
import { Authenticator, ConnectionGate, ConnectionRateLimiter } from './admission.js';
import { ClientHub } from './client-hub.js';
import { createLiveApp } from './live.app.js';
import { INTERVAL_SECONDS, type LiveServerConfig } from './live.config.js';
import { createLiveMetrics, type LiveMetrics } from './live.metrics.js';
import { MarketView } from './market-view.js';
import { encodeMessage } from './messages.js';
import { UpstreamFeed } from './upstream-feed.js';

/** The page never sends; a few KiB bounds what a hostile client can make us buffer. */
const MAX_INBOUND_MESSAGE_BYTES = 4096;

/** What `startLiveServer` needs: the validated config and a way to reach the venue. */
export interface LiveServerOptions {
  readonly config: LiveServerConfig;
  /** Yields the venue port; retried with backoff until it resolves. */
  readonly connect: () => Promise<Exchange>;
  readonly logger?: Logger;
}

/** A running live server. */
export interface LiveServer {
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  /** http://host:port of the dashboard. */
  readonly url: string;
  readonly hub: ClientHub;
  readonly feed: UpstreamFeed;
  /** Its Prometheus metrics (served at `metrics.endpoint` when enabled). */
  readonly metrics: LiveMetrics;
  /**
   * Stops gracefully: upstream streams end, clients are closed with 1001, the listener closes.
   * Idempotent. Does not close the exchange (its owner does).
   */
  close(): Promise<void>;
}

/**
 * Binds the HTTP/WebSocket listener and starts feeding from the venue.
 * @throws {Error} when the port cannot be bound or the web directory has no index.html
 */
export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const { config } = options;
  const log = options.logger ?? createLogger('live-server', config.logging.level);
  const { trading, server: srv, performance: perf } = config;
  const metrics = createLiveMetrics();

  // The feed's callbacks reach the hub only after start(), so the two can reference each other
  const upstream = new UpstreamFeed({
    connect: options.connect,
    symbol: trading.symbol,
    interval: trading.interval,
    intervalSeconds: INTERVAL_SECONDS[trading.interval],
    historyLimit: trading.historical_limit,
    createView: (quoteAsset) =>
      new MarketView({
        symbol: trading.symbol,
        quoteAsset,
        historyLimit: trading.historical_limit,
        sinceMs: Date.now(),
      }),
    initialBackoffMs: config.upstream.initial_backoff_ms,
    maxBackoffMs: config.upstream.max_backoff_ms,
    onMessages: (messages) => metrics.timeBroadcast(messages.length, () => hub.broadcast(messages)),
    onSnapshot: () => hub.resnapshot(),
    logger: log,
  });
  const hub = new ClientHub({
    maxBufferedBytes: perf.client_buffer_bytes,
    pingIntervalMs: perf.ping_interval_ms,
    pongTimeoutMs: perf.pong_timeout_ms,
    writeTimeoutMs: perf.write_timeout_ms,
    snapshot: () => {
      const frames = upstream.marketView?.snapshotFrames();
      if (frames === undefined) return undefined;
      return [...frames, encodeMessage({ type: 'status', data: upstream.status() })];
    },
    logger: log,
  });

  const app = createLiveApp({
    ws: {
      hub,
      limiter: new ConnectionRateLimiter(srv.rate_limit.per_second, srv.rate_limit.burst),
      gate: new ConnectionGate(perf.max_clients),
      allowedOrigins: srv.allowed_origins,
      auth: srv.enable_auth
        ? new Authenticator({ apiKeys: srv.api_keys, jwtSecret: srv.jwt_secret })
        : undefined,
    },
    health: { clients: () => hub.size, upstream: () => upstream.status() },
    healthEndpoint: config.health.enabled ? config.health.endpoint : undefined,
    metrics: config.metrics.enabled
      ? { registry: metrics.registry, endpoint: config.metrics.endpoint }
      : undefined,
    corsOrigins: srv.enable_cors ? srv.allowed_origins : undefined,
    webDirectory: config.web.directory,
    logger: log,
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  const http = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      { fetch: app.fetch, port: srv.port, hostname: srv.host, websocket: { server: wss } },
      () => resolve(s as Server),
    ) as Server;
    s.once('error', (e) =>
      reject(new Error(`cannot listen on ${srv.host}:${srv.port}: ${e.message}`, { cause: e })),
    );
  });
  const port = (http.address() as AddressInfo).port;
  const host = srv.host.includes(':') ? `[${srv.host}]` : srv.host;
  metrics.observe({
    clients: () => hub.size,
    slowDisconnects: () => hub.slowDisconnects,
    upstream: () => upstream.status().upstream,
  });
  upstream.start();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      upstream.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      await hub.close(srv.shutdown_grace_ms);
      http.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return { port, url: `http://${host}:${port}`, hub, feed: upstream, metrics, close };
}
