/**
 * @module server/live/routes/health.routes
 * The health endpoint: `{status, clients, time, upstream, exchange, message, outages}`. The process
 * answers 200 while it serves; `status` is "ok" while the venue feed is live and "degraded"
 * otherwise (a connector that is down, refuses us, or stopped answering its liveness probe), with
 * the reason in `message`, so a monitor sees a connector outage without mistaking it for a dead
 * dashboard.
 */
import { Hono } from 'hono';
import type { LiveEnv } from '../live.env.js';
import { toUnixSeconds, type StatusData } from '../messages.js';

/** The health endpoint's JSON body. */
export interface HealthBody {
  readonly status: 'ok' | 'degraded';
  /** Connected dashboard clients. */
  readonly clients: number;
  /** UNIX seconds. */
  readonly time: number;
  readonly upstream: StatusData['upstream'];
  readonly exchange: string;
  /** Why the upstream is not live; empty while it is. */
  readonly message: string;
  /** Times the upstream went from live to failing since the server started. */
  readonly outages: number;
}

/** Where the health endpoint reads its numbers. */
export interface HealthRouteDeps {
  readonly clients: () => number;
  readonly upstream: () => StatusData;
  readonly outages?: () => number;
}

/** The health sub-app; mount it at the configured endpoint. */
export function healthRoutes(deps: HealthRouteDeps): Hono<LiveEnv> {
  return new Hono<LiveEnv>().get('/', (c) => {
    const upstream = deps.upstream();
    const body: HealthBody = {
      status: upstream.upstream === 'live' ? 'ok' : 'degraded',
      clients: deps.clients(),
      time: toUnixSeconds(Date.now()),
      upstream: upstream.upstream,
      exchange: upstream.exchange,
      message: upstream.message,
      outages: deps.outages?.() ?? 0,
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });
}
