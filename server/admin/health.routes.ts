/**
 * @module server/admin/health.routes
 * `GET /health`: 200 while the engine loop is alive, 503 once it is stopping. Cheap on purpose
 * (no venue or database call), so probes can poll it often; /status has the details.
 */
import { Hono } from 'hono';

import type { AdminEngine } from './admin.types.js';

/**
 * @param engine - the engine whose liveness is reported
 * @returns the sub-app, mounted at /health
 */
export function healthRoutes(engine: Pick<AdminEngine, 'isAlive'>): Hono {
  return new Hono().get('/', (c) =>
    engine.isAlive() ? c.json({ status: 'ok' }) : c.json({ status: 'stopping' }, 503),
  );
}
