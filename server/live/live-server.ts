/**
 * @module server/live/live-server
 * Starts the live server: one feed per symbol shown (market view, order book, fill history and
 * the hub of its pages; the configured symbol from start, others on demand), and the Hono app
 * served on Node with WebSocket upgrades. The venue is reached only through the `Exchange`
 * port: `connectRemoteExchange` in production, the simulated venue in-process in tests.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Exchange } from '../../core/exchange.port.js';
import { createLogger } from '../../core/logger.js';
import { ERROR_MESSAGE_HEADER } from '../http-guard.js';
import { Authenticator, ConnectionGate, ConnectionRateLimiter } from './admission.js';
import type { ClientHub } from './client-hub.js';
import { createLiveApp } from './live.app.js';
import { fetchEnginePairs } from './routes/arbitrage.routes.js';
import type { LiveServerConfig } from './live.config.js';
import { createLiveMetrics, type LiveMetrics } from './live.metrics.js';
import { SymbolFeed } from './symbol-feed.js';
import { SymbolFeeds } from './symbol-feeds.js';
import type { UpstreamFeed } from './upstream-feed.js';

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
  /** Pages of the configured symbol. */
  readonly hub: ClientHub;
  /** The configured symbol's venue feed. */
  readonly feed: UpstreamFeed;
  /** Every symbol served, the configured one started at once, others when a page asks. */
  readonly symbols: SymbolFeeds;
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
  const { server: srv, performance: perf } = config;
  const metrics = createLiveMetrics();

  // Every symbol's feed, sharing one venue connection; the configured symbol starts once bound
  const feeds = new SymbolFeeds({ config, connect: options.connect, logger: log, metrics });
  const clients = (): number => feeds.running().reduce((n, feed) => n + feed.pages, 0);

  const app = createLiveApp({
    ws: {
      get hub() {
        return feeds.startDefault().hub;
      },
      // A page that names its symbol speaks the extended contract (depth, fills); one that does
      // not is an original page and gets the configured symbol's original messages only
      hubFor: (symbol) => {
        if (symbol === undefined) return feeds.startDefault().hub;
        const feed = feeds.feedFor(symbol);
        return feed instanceof SymbolFeed ? feed.pageHub : feed;
      },
      limiter: new ConnectionRateLimiter(srv.rate_limit.per_second, srv.rate_limit.burst),
      gate: new ConnectionGate(perf.max_clients),
      allowedOrigins: srv.allowed_origins,
      auth: srv.enable_auth
        ? new Authenticator({ apiKeys: srv.api_keys, jwtSecret: srv.jwt_secret })
        : undefined,
    },
    health: {
      clients,
      upstream: () => main.upstream.status(),
      outages: () => main.upstream.outages,
    },
    symbols: { list: () => feeds.symbols(), defaultSymbol: feeds.defaultSymbol },
    ...(config.engine.admin_url === ''
      ? {}
      : { arbitrage: { fetchPairs: () => fetchEnginePairs(config.engine.admin_url) } }),
    healthEndpoint: config.health.enabled ? config.health.endpoint : undefined,
    metrics: config.metrics.enabled
      ? { registry: metrics.registry, endpoint: config.metrics.endpoint }
      : undefined,
    corsOrigins: srv.enable_cors ? srv.allowed_origins : undefined,
    webDirectory: config.web.directory,
    logger: log,
    allowedHosts: srv.allowed_hosts,
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
    refuseOtherUpgrades(s);
    s.once('error', (e) =>
      reject(new Error(`cannot listen on ${srv.host}:${srv.port}: ${e.message}`, { cause: e })),
    );
  });
  const port = (http.address() as AddressInfo).port;
  const host = srv.host.includes(':') ? `[${srv.host}]` : srv.host;
  const main = feeds.startDefault();
  metrics.observe({
    clients,
    slowDisconnects: () => feeds.running().reduce((n, feed) => n + feed.slowDisconnects, 0),
    upstream: () => main.upstream.status().upstream,
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      await feeds.close(srv.shutdown_grace_ms);
      http.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return {
    port,
    url: `http://${host}:${port}`,
    hub: main.hub,
    feed: main.upstream,
    symbols: feeds,
    metrics,
    close,
  };
}

/**
 * Answers an upgrade to anything but WebSocket (`Upgrade: h2c`, ...) with 426 and closes it. The
 * WebSocket adapter ignores such a request, and Node hands the socket to the upgrade listeners
 * only, so without this it would stay open, unanswered, for as long as the client likes. A
 * WebSocket upgrade with a malformed Host gets 400 here (the adapter would answer 500). The
 * adapter's own listener stays the only one (it answers WebSocket refusals only while it is).
 */
function refuseOtherUpgrades(server: Server): void {
  const [websocket] = server.listeners('upgrade') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (request.headers.upgrade?.toLowerCase() !== 'websocket' || !websocket) {
      return refuseUpgrade(
        socket,
        '426 Upgrade Required',
        'upgrade: only WebSocket upgrades are served, on /ws',
      );
    }
    // The adapter answers a Host it cannot build a URL from with a 500; it is the client's error
    if (!AUTHORITY.test(request.headers.host ?? '')) {
      return refuseUpgrade(socket, '400 Bad Request', 'host: must be host[:port]');
    }
    websocket.call(server, request, socket, head);
  });
}

/** A Host header value: a name or IPv4 address, or a bracketed IPv6 address, and a port. */
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nUpgrade: websocket\r\n` +
      `${ERROR_MESSAGE_HEADER}: ${reason}\r\nContent-Length: 0\r\n\r\n`,
  );
}
