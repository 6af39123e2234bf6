/**
 * @module server/live/live.app
 * The live server's Hono app: security headers on every response, the Host allow-list (a
 * DNS-rebinding page cannot read the dashboard or its feed), a body cap, CORS from the allow-list
 * for the HTTP API, the health endpoint, the `/ws` feed and the dashboard page. Errors leave
 * through one handler as `{error}` JSON with their status, the reason repeated in
 * `X-Error-Message` (a refused WebSocket upgrade shows the client headers only).
 */
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Registry } from 'prom-client';
import { bodyCap, DEFAULT_MAX_BODY_BYTES, hostGuard, setReasonHeader } from '../http-guard.js';
import type { LiveEnv } from './live.env.js';
import { arbitrageRoutes, type ArbitrageRouteDeps } from './routes/arbitrage.routes.js';
import { dashboardRoutes } from './routes/dashboard.routes.js';
import { healthRoutes, type HealthRouteDeps } from './routes/health.routes.js';
import { metricsRoutes } from './routes/metrics.routes.js';
import { symbolsRoutes, type SymbolsRouteDeps } from './routes/symbols.routes.js';
import { wsRoutes, type WsRouteDeps } from './routes/ws.routes.js';

/** The app's collaborators and the config it honours. */
export interface LiveAppOptions {
  readonly ws: WsRouteDeps;
  readonly health: HealthRouteDeps;
  /** The symbols the page may pick from (`GET /symbols`); the route is absent without it. */
  readonly symbols?: SymbolsRouteDeps;
  /** The engine's arbitrage pairs (`GET /arbitrage`); the route is absent without it. */
  readonly arbitrage?: ArbitrageRouteDeps;
  /** Undefined when the health endpoint is disabled. */
  readonly healthEndpoint: string | undefined;
  /** The Prometheus registry and its path; undefined when metrics are disabled. */
  readonly metrics?: { readonly registry: Registry; readonly endpoint: string };
  /** Undefined when CORS is off. */
  readonly corsOrigins: readonly string[] | undefined;
  readonly webDirectory: string;
  readonly logger: Logger;
  /** Host names served besides IP addresses and localhost (`server.allowed_hosts`). */
  readonly allowedHosts?: readonly string[];
}

function refuse(c: Context, status: ContentfulStatusCode, reason: string): Response {
  setReasonHeader(c, reason);
  return c.json({ error: reason }, status);
}

/**
 * Builds the app; test it with `app.request()`, serve it with `startLiveServer`.
 * @throws {Error} when the web directory or the chart library is missing
 */
export function createLiveApp(options: LiveAppOptions): Hono<LiveEnv> {
  const app = new Hono<LiveEnv>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The chart library injects one <style> element of its own
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // The page may be pointed at another live server with ?ws=
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.use(hostGuard(options.allowedHosts ?? [], refuse, 'server.allowed_hosts'));
  // Nothing here takes a body: the cap only keeps a hostile upload from being buffered
  app.use(bodyCap(DEFAULT_MAX_BODY_BYTES, refuse));
  const origins = options.corsOrigins;
  if (origins !== undefined) {
    const any = origins.includes('*');
    app.use(
      cors({
        origin: (origin) => (any || origins.includes(origin) ? origin : null),
        allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      }),
    );
  }
  if (options.healthEndpoint !== undefined) {
    app.route(options.healthEndpoint, healthRoutes(options.health));
  }
  if (options.metrics !== undefined) {
    app.route(options.metrics.endpoint, metricsRoutes(options.metrics.registry));
  }
  app.route('/ws', wsRoutes(options.ws));
  if (options.symbols !== undefined) app.route('/symbols', symbolsRoutes(options.symbols));
  if (options.arbitrage !== undefined) app.route('/arbitrage', arbitrageRoutes(options.arbitrage));
  app.route('/', dashboardRoutes(options.webDirectory));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => {
    if (e instanceof HTTPException) {
      e.res?.headers.forEach((value, key) => c.header(key, value));
      setReasonHeader(c, e.message);
      return c.json({ error: e.message }, e.status);
    }
    options.logger.error({ err: e, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
