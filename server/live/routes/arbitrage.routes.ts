/**
 * @module server/live/routes/arbitrage.routes
 * `GET /arbitrage`: the market-maker's arbitrage pairs for the page's panel (both legs, funding
 * countdown, APR, funding received, net PnL), read from the engine's admin API (`GET /arbitrage`)
 * at most once a second however many pages ask. A live server runs without an engine as well, so
 * while the engine does not answer the reply is no pairs and the reason (`engine`), never an
 * error the page would log: the panel just stays hidden.
 */
import { Hono } from 'hono';

import type { LiveEnv } from '../live.env.js';

/** Where the pairs come from. */
export interface ArbitrageRouteDeps {
  /** The engine's `{ pairs }` answer. */
  readonly fetchPairs: () => Promise<unknown>;
}

/** How long one engine answer is reused, ms. */
const CACHE_MS = 1_000;

/** The arbitrage sub-app; mount it with `app.route('/arbitrage', arbitrageRoutes(deps))`. */
export function arbitrageRoutes(deps: ArbitrageRouteDeps): Hono<LiveEnv> {
  let cached: { atMs: number; body: Promise<unknown> } | null = null;
  return new Hono<LiveEnv>().get('/', async (c) => {
    const now = Date.now();
    if (!cached || now - cached.atMs > CACHE_MS) cached = { atMs: now, body: deps.fetchPairs() };
    c.header('Cache-Control', 'no-store');
    try {
      return c.json((await cached.body) as Record<string, unknown>);
    } catch (e) {
      const engine = `the market-maker's admin API does not answer: ${(e as Error).message}`;
      return c.json({ pairs: [], engine });
    }
  });
}

/**
 * Reads the engine's pairs over HTTP.
 * @param adminUrl - the engine's admin API, e.g. http://127.0.0.1:8080
 * @throws {Error} when it does not answer within 2 s or answers with an error status
 */
export async function fetchEnginePairs(adminUrl: string): Promise<unknown> {
  const res = await fetch(`${adminUrl}/arbitrage`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`GET ${adminUrl}/arbitrage answered ${res.status}`);
  return res.json();
}
