/**
 * @module server/admin/metrics.routes
 * `GET /metrics`: the engine's Prometheus metrics (REQ-OBS-001) in the text exposition format.
 */
import { Hono } from 'hono';

import type { AdminEngine } from './admin.types.js';

/**
 * @param engine - the engine whose registry is served
 * @returns the sub-app, mounted at /metrics
 */
export function metricsRoutes(engine: Pick<AdminEngine, 'collectMetrics' | 'metrics'>): Hono {
  return new Hono().get('/', async (c) => {
    engine.collectMetrics();
    const { registry } = engine.metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
