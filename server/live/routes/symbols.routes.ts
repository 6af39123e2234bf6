/**
 * @module server/live/routes/symbols.routes
 * `GET /symbols`: what the page's symbol picker offers, `{default, symbols}`, the configured
 * symbol first. The list is the connector's (GetSymbols, cached for a minute); while the
 * connector is unreachable the answer is 503 with the reason, and the page keeps its symbol.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { LiveEnv } from '../live.env.js';

/** The list of symbols, and the one shown when a page names none. */
export interface SymbolsRouteDeps {
  readonly list: () => Promise<readonly string[]>;
  readonly defaultSymbol: string;
}

/** The JSON body of `GET /symbols`. */
export interface SymbolsBody {
  readonly default: string;
  readonly symbols: readonly string[];
}

/** The symbols sub-app; mount it with `app.route('/symbols', symbolsRoutes(deps))`. */
export function symbolsRoutes(deps: SymbolsRouteDeps): Hono<LiveEnv> {
  return new Hono<LiveEnv>().get('/', async (c) => {
    let symbols: readonly string[];
    try {
      symbols = await deps.list();
    } catch (e) {
      throw new HTTPException(503, {
        message: `the exchange connector cannot list symbols now: ${(e as Error).message}`,
      });
    }
    const body: SymbolsBody = { default: deps.defaultSymbol, symbols };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });
}
