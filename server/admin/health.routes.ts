/**
 * @module server/admin/health.routes
 * `GET /health`: 200 while the engine loop is alive, with `status` "ok", or "degraded" while the
 * exchange connector does not answer its liveness probe (refused, unreachable or frozen), and
 * the connector's state; 503 once the engine is stopping. Cheap on purpose (no venue or
 * database call: the probe runs in the background), so probes can poll it often; /status has
 * the details.
 */
import { Hono } from 'hono';

import type { AdminEngine } from './admin.types.js';

/**
 * @param engine - the engine whose liveness is reported
 * @returns the sub-app, mounted at /health
 */
export function healthRoutes(engine: Pick<AdminEngine, 'health'>): Hono {
  return new Hono().get('/', (c) => {
    const health = engine.health();
    c.header('Cache-Control', 'no-store');
    return c.json(health, health.status === 'stopping' ? 503 : 200);
  });
}
