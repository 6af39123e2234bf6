/**
 * @module server/admin/arbitrage.routes
 * Funding-rate arbitrage pairs (pairs are added with `POST /symbols` and `strategy: arbitrage`):
 * - `GET /arbitrage`: every pair with its supervision state and, while its actor runs, both legs
 *   (position, price, funding rate, next funding time, interval, feed health), hedge ratio,
 *   spread and APR, the last decision, funding received, fees and net PnL;
 * - `DELETE /arbitrage/:pair`: stops trading a flat pair (409 while it holds a position);
 * - `POST /arbitrage/:pair/resume`: lifts a pair's latched halt (the leg-imbalance guard, or a
 *   finished liquidation exit) once an operator has looked at its legs.
 * Refusals are `{ error, problems }`: 404 unknown pair, 409 state forbids it, 503 venue unasked.
 */
import { Hono, type Context } from 'hono';

import { PairRequestError } from '../../actors/arbitrage/arbitrage.desk.js';
import type { AdminEngine, ArbitrageAdmin, ProblemBody } from './admin.types.js';

const PAIR_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * @param engine - the engine whose pairs are served
 * @returns the sub-app, mounted at /arbitrage
 */
export function arbitrageRoutes(engine: Pick<AdminEngine, 'arbitrage'>): Hono {
  const desk = (c: Context): ArbitrageAdmin | Response =>
    engine.arbitrage ??
    c.json(problem('arbitrage is not available', ['arbitrage: this engine runs no pairs']), 404);
  return new Hono()
    .get('/', (c) => {
      const pairs = desk(c);
      return pairs instanceof Response ? pairs : c.json({ pairs: pairs.pairs() });
    })
    .delete('/:pair', async (c) => {
      const pairs = desk(c);
      if (pairs instanceof Response) return pairs;
      const pair = c.req.param('pair');
      const invalid = pairIdProblem(c, pair);
      if (invalid) return invalid;
      try {
        if (await pairs.removePair(pair)) return c.json({ pair, removed: true });
        return c.json(problem(`${pair} is not traded`, notTraded(pairs, pair)), 404);
      } catch (e) {
        return pairRefusal(c, e, `${pair} was not removed`);
      }
    })
    .post('/:pair/resume', async (c) => {
      const pairs = desk(c);
      if (pairs instanceof Response) return pairs;
      const pair = c.req.param('pair');
      const invalid = pairIdProblem(c, pair);
      if (invalid) return invalid;
      try {
        await pairs.resumePair(pair, 'admin API');
        return c.json({ pair, resumed: true });
      } catch (e) {
        return pairRefusal(c, e, `${pair} was not resumed`);
      }
    });
}

/**
 * The answer for a refused pair change.
 * @throws the error itself when it is not a refusal (a 500)
 */
export function pairRefusal(c: Context, e: unknown, title: string): Response {
  if (!(e instanceof PairRequestError)) throw e;
  const status = { invalid: 400, not_found: 404, conflict: 409, unavailable: 503 } as const;
  return c.json(problem(title, e.problems), status[e.kind]);
}

function pairIdProblem(c: Context, pair: string): Response | null {
  if (PAIR_ID.test(pair)) return null;
  return c.json(
    problem('invalid pair', [`pair: must be 1-32 of [a-z0-9-] such as "btc-basis", was "${pair}"`]),
    400,
  );
}

function notTraded(pairs: ArbitrageAdmin, pair: string): string[] {
  const listed = pairs.pairs().map((p) => p.pair);
  return [`pair: ${pair} is not traded; traded now: ${listed.join(', ') || '(none)'}`];
}

function problem(error: string, problems: readonly string[]): ProblemBody {
  return { error, problems };
}
