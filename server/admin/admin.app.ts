/**
 * @module server/admin/admin.app
 * The engine's admin API (Hono): /health, /status, /symbols, /metrics, one route file per
 * resource. One error path: a malformed request becomes a 400 problem body naming the body, any
 * other failure a logged 500 whose body never carries internals.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';

import type { AdminEngine, ProblemBody } from './admin.types.js';
import { healthRoutes } from './health.routes.js';
import { metricsRoutes } from './metrics.routes.js';
import { statusRoutes } from './status.routes.js';
import { symbolsRoutes } from './symbols.routes.js';

/**
 * Builds the admin app over an engine.
 * @param engine - the engine the routes query and command
 * @param log - where unexpected failures are logged
 * @returns the app; serve `app.fetch`, or test it with `app.request()`
 */
export function createAdminApp(engine: AdminEngine, log: Logger) {
  const app = new Hono()
    .route('/health', healthRoutes(engine))
    .route('/status', statusRoutes(engine))
    .route('/symbols', symbolsRoutes(engine))
    .route('/metrics', metricsRoutes(engine));
  app.notFound((c) =>
    c.json<ProblemBody>(
      {
        error: 'not found',
        problems: [`path: ${c.req.path} is not served; use /health, /status, /symbols or /metrics`],
      },
      404,
    ),
  );
  app.onError((e, c) => {
    if (e instanceof HTTPException && e.status < 500) {
      // Hono's own request checks (JSON syntax, content type) all concern the body
      return c.json<ProblemBody>(
        { error: 'invalid request', problems: [`body: ${e.message}; send a JSON object`] },
        e.status,
      );
    }
    log.error({ err: e, method: c.req.method, path: c.req.path }, 'admin request failed');
    return c.json<ProblemBody>({ error: 'internal error', problems: [] }, 500);
  });
  return app;
}

/** The admin app's type, for a typed `hc` client. */
export type AdminApp = ReturnType<typeof createAdminApp>;
