/**
 * @module server/live/routes/ws.routes
 * `GET /ws`: the dashboard feed. Admission runs in order, cheapest refusal first: not a WebSocket
 * upgrade → 426; over the per-IP connection rate → 429; foreign browser origin → 403; auth on
 * and no valid credential → 401; a `?symbol=` the server cannot show → 400/404/503; client cap
 * reached → 503. An admitted socket is handed to its symbol's hub (the configured symbol's
 * without `?symbol=`), which sends it the snapshot and then every broadcast; the page never
 * sends anything.
 */
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { WebSocket } from 'ws';
import type { Authenticator, ConnectionGate, ConnectionRateLimiter } from '../admission.js';
import { credentialOf, isOriginAllowed } from '../admission.js';
import type { ClientHub } from '../client-hub.js';
import { quote } from '../../http-guard.js';
import { peerAddress, type LiveEnv } from '../live.env.js';

/** A symbol the server cannot show, as an HTTP status and a message naming the fix. */
export interface HubRefusal {
  readonly status: 400 | 404 | 503;
  readonly message: string;
}

/** The hub admitted sockets go to, and the admission rules. */
export interface WsRouteDeps {
  /** The hub of the configured symbol's pages. */
  readonly hub: ClientHub;
  /**
   * The hub of the pages of `?symbol=` (the configured symbol's when absent), or why that symbol
   * cannot be served; without it every page gets `hub`.
   */
  readonly hubFor?: (symbol: string | undefined) => ClientHub | HubRefusal;
  readonly limiter: ConnectionRateLimiter;
  readonly gate: ConnectionGate;
  readonly allowedOrigins: readonly string[];
  /** Undefined when auth is off. */
  readonly auth: Authenticator | undefined;
}

/** The `/ws` sub-app; mount it with `app.route('/ws', wsRoutes(deps))`. */
export function wsRoutes(deps: WsRouteDeps): Hono<LiveEnv> {
  const requireUpgrade = createMiddleware<LiveEnv>(async (c, next) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new HTTPException(426, { message: '/ws speaks WebSocket only; connect with ws://' });
    }
    await next();
  });

  const rateLimit = createMiddleware<LiveEnv>(async (c, next) => {
    const address = peerAddress(c.env);
    if (!deps.limiter.tryTake(address)) {
      throw new HTTPException(429, {
        message: `too many connections from ${address}; slow down and retry`,
        res: new Response(null, { headers: { 'Retry-After': '1' } }),
      });
    }
    await next();
  });

  const checkOrigin = createMiddleware<LiveEnv>(async (c, next) => {
    const origin = c.req.header('origin');
    if (!isOriginAllowed(origin, c.req.header('host'), deps.allowedOrigins)) {
      const shown = quote(origin ?? '');
      throw new HTTPException(403, {
        message: `origin ${shown} is not in allowed_origins; add it to server.allowed_origins`,
      });
    }
    await next();
  });

  const authenticate = createMiddleware<LiveEnv>(async (c, next) => {
    if (deps.auth !== undefined) {
      const credential = credentialOf((name) => c.req.header(name), c.req.query('token'));
      if (!(await deps.auth.accepts(credential))) {
        throw new HTTPException(401, {
          message: 'a valid API key or JWT is required (Authorization: Bearer, or ?token=)',
          res: new Response(null, { headers: { 'WWW-Authenticate': 'Bearer' } }),
        });
      }
    }
    await next();
  });

  const reserveSlot = createMiddleware<LiveEnv>(async (c, next) => {
    const release = deps.gate.tryAdmit();
    if (release === undefined) {
      throw new HTTPException(503, {
        message: `server busy: ${deps.gate.max} dashboard clients connected`,
      });
    }
    // The slot is held for as long as the connection's socket lives, handshake included
    const socket = c.env?.incoming?.socket;
    if (socket === undefined || socket.destroyed) release();
    else socket.once('close', release);
    await next();
  });

  const hubOf = (symbol: string | undefined): ClientHub | HubRefusal =>
    deps.hubFor === undefined ? deps.hub : deps.hubFor(symbol);

  const checkSymbol = createMiddleware<LiveEnv>(async (c, next) => {
    const hub = hubOf(c.req.query('symbol'));
    if (!('add' in hub)) throw new HTTPException(hub.status, { message: hub.message });
    await next();
  });

  const app = new Hono<LiveEnv>();
  app.get(
    '/',
    requireUpgrade,
    rateLimit,
    checkOrigin,
    authenticate,
    checkSymbol,
    reserveSlot,
    upgradeWebSocket((c) => {
      const address = peerAddress(c.env);
      const symbol = c.req.query('symbol');
      return {
        onOpen: (_event, ws) => {
          const hub = hubOf(symbol);
          if ('add' in hub) hub.add(ws.raw as WebSocket, address);
          else ws.close(1011, hub.message);
        },
      };
    }),
  );
  return app;
}
