/**
 * @module server/admin/symbols.routes
 * The traded symbols, changed at runtime and durably:
 * - `GET /symbols`: each symbol with its state and grid config;
 * - `POST /symbols` `{ "symbol": "ETHUSDT", "grid": { "interval": "5", ... } }`: adds a symbol,
 *   or changes a flat symbol's grid (201 when added, 200 otherwise). When a previous grid of the
 *   symbol left inventory, the answer lists it as `carried_inventory`: the new grid holds and
 *   closes it;
 * - `POST /symbols` `{ "strategy": "arbitrage", "pair": "btc-basis", "legs": [...], ... }`: adds a
 *   funding-rate arbitrage pair (fields: README "Arbitrage"), or reconfigures a flat one;
 * - `DELETE /symbols/:symbol`: cancels its orders and stops trading it, once the venue lists
 *   none of them.
 * Changes of one symbol apply one at a time, in the order they arrived. Every refusal is
 * `{ error, problems: ["field: reason and fix", ...] }`: 400 for a request that is wrong, 404
 * for a symbol not traded, 409 for a change the symbol's state does not allow, 503 when the
 * venue could not be asked or did not confirm the removal (the symbol then keeps trading).
 */
import { Hono, type Context } from 'hono';
import { validator } from 'hono/validator';

import { SymbolRequestError } from '../../actors/engine/symbol-admission.js';
import {
  gridConfigFromWire,
  symbolEntrySchema,
  symbolIdSchema,
} from '../../actors/engine/symbol.config.js';
import { describeIssues } from '../../core/config-file.js';
import { ExchangeError } from '../../core/errors.js';
import type { AdminEngine, ProblemBody } from './admin.types.js';
import { pairRefusal } from './arbitrage.routes.js';

/**
 * @param engine - the engine whose symbol set is served
 * @returns the sub-app, mounted at /symbols
 */
export function symbolsRoutes(
  engine: Pick<AdminEngine, 'symbols' | 'addSymbol' | 'removeSymbol' | 'arbitrage'>,
): Hono {
  return new Hono()
    .get('/', (c) =>
      c.json(
        engine.symbols().map((s) => ({
          symbol: s.symbol,
          state: s.state,
          grid: s.grid,
        })),
      ),
    )
    .post(
      '/',
      validator('json', (body, c) => {
        if (isArbitrage(body)) return { strategy: 'arbitrage' as const, body };
        const parsed = symbolEntrySchema.safeParse(body);
        if (parsed.success) return { strategy: 'grid' as const, ...parsed.data };
        return c.json(problem('invalid symbol request', describeIssues(parsed.error)), 400);
      }),
      async (c) => {
        const request = c.req.valid('json');
        if (request.strategy === 'arbitrage') return addPair(c, engine, request.body);
        const { symbol, grid } = request;
        try {
          const { outcome, carried } = await engine.addSymbol(symbol, gridConfigFromWire(grid));
          const body = {
            symbol,
            outcome,
            ...(carried.length > 0 ? { carried_inventory: carried } : {}),
          };
          return c.json(body, outcome === 'added' ? 201 : 200);
        } catch (e) {
          const unavailable = unavailableProblems(e);
          if (unavailable) return c.json(problem('venue unavailable', unavailable), 503);
          if (!(e instanceof SymbolRequestError)) throw e;
          const status = e.kind === 'conflict' ? 409 : 400;
          return c.json(problem(`cannot trade ${symbol} with this grid`, e.problems), status);
        }
      },
    )
    .delete(
      '/:symbol',
      validator('param', (params, c) => {
        const parsed = symbolIdSchema.safeParse(params.symbol);
        if (parsed.success) return { symbol: parsed.data };
        const problems = parsed.error.issues.map((issue) => `symbol: ${issue.message}`);
        return c.json(problem('invalid symbol', problems), 400);
      }),
      async (c) => {
        const { symbol } = c.req.valid('param');
        let removed: boolean;
        try {
          removed = await engine.removeSymbol(symbol);
        } catch (e) {
          const unavailable = unavailableProblems(e);
          if (unavailable) return c.json(problem(`${symbol} was not removed`, unavailable), 503);
          throw e;
        }
        if (removed) return c.json({ symbol, removed: true });
        const listed = engine.symbols().map((s) => s.symbol);
        return c.json(
          problem(`${symbol} is not traded`, [
            `symbol: ${symbol} is not in the active set; traded now: ${listed.join(', ') || '(none)'}`,
          ]),
          404,
        );
      },
    );
}

/** A body asking for a funding-rate arbitrage pair rather than a grid. */
function isArbitrage(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { strategy?: unknown }).strategy === 'arbitrage'
  );
}

/** `POST /symbols` with `strategy: arbitrage`: adds or reconfigures a pair (201 / 200). */
async function addPair(
  c: Context,
  engine: Pick<AdminEngine, 'arbitrage'>,
  body: unknown,
): Promise<Response> {
  if (!engine.arbitrage) {
    return c.json(
      problem('invalid symbol request', ['strategy: this engine runs no arbitrage; use a grid']),
      400,
    );
  }
  const pair = (body as { pair?: unknown }).pair;
  try {
    const result = await engine.arbitrage.addPair(body);
    return c.json({ ...result, strategy: 'arbitrage' }, result.outcome === 'added' ? 201 : 200);
  } catch (e) {
    return pairRefusal(c, e, `cannot trade pair ${typeof pair === 'string' ? pair : '(unnamed)'}`);
  }
}

/** The problems of a failure that means "the venue could not be asked", else null. */
function unavailableProblems(e: unknown): readonly string[] | null {
  if (e instanceof SymbolRequestError && e.kind === 'unavailable') return e.problems;
  if (e instanceof ExchangeError && e.transient) {
    return [`connector: the venue could not be asked (${e.reason}); try again shortly`];
  }
  return null;
}

function problem(error: string, problems: readonly string[]): ProblemBody {
  return { error, problems };
}
