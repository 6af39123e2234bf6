/**
 * @module server/admin/status.routes
 * `GET /status`: connector reachability, the age of each venue feed in ms, database health, and
 * every symbol's supervision state with its slots. Money fields are decimal strings.
 */
import { Hono } from 'hono';

import type { AdminEngine } from './admin.types.js';

/**
 * @param engine - the engine to describe
 * @returns the sub-app, mounted at /status
 */
export function statusRoutes(engine: Pick<AdminEngine, 'status'>): Hono {
  return new Hono().get('/', async (c) => c.json(await engine.status()));
}
