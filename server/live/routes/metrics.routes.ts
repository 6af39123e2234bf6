/**
 * @module server/live/routes/metrics.routes
 * `GET /metrics`: the live-server's Prometheus metrics in the text exposition format.
 */
import { Hono } from 'hono';
import type { Registry } from 'prom-client';

import type { LiveEnv } from '../live.env.js';

/**
 * @param registry - the registry to serve
 * @returns the sub-app; mount it at the configured metrics endpoint
 */
export function metricsRoutes(registry: Registry): Hono<LiveEnv> {
  return new Hono<LiveEnv>().get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
