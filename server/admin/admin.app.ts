/**
 * @module server/admin/admin.app
 * The engine's admin API (Hono): /health, /status, /symbols, /arbitrage, /metrics, /risk and the
 * kill switch (/halt, /flatten, /resume), one route file per
 * resource. Before any route: the Host must name this server (DNS-rebinding protection), bodies
 * are capped (413) and must be declared JSON (415). One error path: a malformed request becomes
 * a 400 problem body naming the body, any other failure a logged 500 whose body never carries
 * internals. Every refusal is `{ error, problems }` and repeats its reason in `X-Error-Message`.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';

import type { AdminEngine, ProblemBody } from './admin.types.js';
import { arbitrageRoutes } from './arbitrage.routes.js';
import { healthRoutes } from './health.routes.js';
import { metricsRoutes } from './metrics.routes.js';
import { statusRoutes } from './status.routes.js';
import { riskRoutes } from './risk.routes.js';
import { symbolsRoutes } from './symbols.routes.js';
import {
  bodyCap,
  DEFAULT_MAX_BODY_BYTES,
  hostGuard,
  requireJson,
  setReasonHeader,
} from '../http-guard.js';

/** The admin API's edge rules; every field optional. */
export interface AdminAppOptions {
  /** Host names served besides IP literals and localhost (`admin.allowed_hosts`). */
  readonly allowedHosts?: readonly string[];
  /** Largest request body, bytes; default 64 KiB (`admin.max_body_bytes`). */
  readonly maxBodyBytes?: number;
}

const TITLES: Partial<Record<ContentfulStatusCode, string>> = {
  403: 'host not allowed',
  413: 'request too large',
  415: 'unsupported media type',
};

function refuse(c: Context, status: ContentfulStatusCode, reason: string): Response {
  setReasonHeader(c, reason);
  const body: ProblemBody = { error: TITLES[status] ?? 'refused', problems: [reason] };
  return c.json(body, status);
}

/**
 * Builds the admin app over an engine.
 * @param engine - the engine the routes query and command
 * @param log - where unexpected failures are logged
 * @param options - Host allow-list and body cap
 * @returns the app; serve `app.fetch`, or test it with `app.request()`
 */
export function createAdminApp(engine: AdminEngine, log: Logger, options: AdminAppOptions = {}) {
  const app = new Hono()
    .use(hostGuard(options.allowedHosts ?? [], refuse, 'admin.allowed_hosts'))
    .use(bodyCap(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, refuse, 'admin.max_body_bytes'))
    .use(requireJson(refuse))
    .route('/health', healthRoutes(engine))
    .route('/status', statusRoutes(engine))
    .route('/', riskRoutes(engine))
    .route('/symbols', symbolsRoutes(engine))
    .route('/arbitrage', arbitrageRoutes(engine))
    .route('/metrics', metricsRoutes(engine));
  app.notFound((c) =>
    c.json<ProblemBody>(
      {
        error: 'not found',
        problems: [
          `path: ${c.req.path} is not served; use /health, /status, /symbols, /arbitrage, /risk or /metrics`,
        ],
      },
      404,
    ),
  );
  app.onError((e, c) => {
    if (e instanceof HTTPException && e.status < 500) {
      // Hono's own request checks (JSON syntax, content type) all concern the body
      const reason = `body: ${e.message}; send a JSON object`;
      setReasonHeader(c, reason);
      return c.json<ProblemBody>({ error: 'invalid request', problems: [reason] }, e.status);
    }
    log.error({ err: e, method: c.req.method, path: c.req.path }, 'admin request failed');
    return c.json<ProblemBody>({ error: 'internal error', problems: [] }, 500);
  });
  return app;
}

/** The admin app's type, for a typed `hc` client. */
export type AdminApp = ReturnType<typeof createAdminApp>;
