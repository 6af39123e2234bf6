/**
 * @module server/admin/risk.routes
 * The risk layer's admin endpoints (kill switch and controls). Every change is durable, logged
 * and alerted by the engine's controls; bodies are optional JSON objects (`{}` or none) whose
 * optional `by` (who asks, default "admin") and `reason` end up in the log and the alert.
 * - `GET /risk`: trading states with their holds, breakers with reason and since, the limits in
 *   force, exposure per symbol and total, margin ratio, drawdowns;
 * - `PUT /risk/limits` `{ "max_gross_exposure": "100000", "order_rate": { ... } }`: changes
 *   pre-trade limits (the `risk.limits` config keys; `null` switches one off);
 * - `POST /risk/breakers/{name}/trip|reset` `{ "scope": "BTCUSDT" }` (default `global`): a reset
 *   while the breaker's condition holds is refused with 409 and the reason;
 * - `POST /symbols/{symbol}/pause|resume`: pause entries of one symbol (REDUCING), or lift the
 *   operator's holds on it;
 * - `POST /halt`, `POST /flatten`, `POST /resume`: every symbol at once (kill switch; flatten
 *   closes positions, then halts; resume lifts the operator's global holds once not flattening).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';

import type { OperatorResult } from '../../actors/risk/risk-controller.js';
import { symbolIdSchema } from '../../actors/engine/symbol.config.js';
import { describeIssues } from '../../core/config-file.js';
import type { AdminEngine, ProblemBody } from './admin.types.js';

const actionBody = z
  .object({
    /** Who asks (logged and alerted). */
    by: z.string().min(1).max(64, 'must be at most 64 characters').optional(),
    reason: z.string().min(1).max(200, 'must be at most 200 characters').optional(),
    /** `global` or a traded symbol, for breakers. */
    scope: z
      .union([z.literal('global'), symbolIdSchema], {
        error: 'must be "global" or a traded symbol such as "BTCUSDT"',
      })
      .optional(),
  })
  .strict();

/**
 * @param engine - the engine whose risk layer is served
 * @returns the sub-app, mounted at the root
 */
export function riskRoutes(engine: Pick<AdminEngine, 'risk' | 'control'>): Hono {
  const { risk, control } = engine;
  const off = (c: Context) =>
    c.json<ProblemBody>(
      { error: 'risk layer not running', problems: ['risk: this engine runs without it'] },
      503,
    );
  const answer = (c: Context, result: OperatorResult, done: Record<string, unknown>) =>
    result.ok
      ? c.json({ ok: true, ...done })
      : c.json<ProblemBody>({ error: 'refused', problems: [result.reason] }, 409);
  const symbolAction = (action: 'pause' | 'resume') => async (c: Context) => {
    if (!control) return off(c);
    const symbol = symbolIdSchema.safeParse(c.req.param('symbol'));
    if (!symbol.success) {
      return c.json<ProblemBody>(
        {
          error: 'invalid symbol',
          problems: symbol.error.issues.map((i) => `symbol: ${i.message}`),
        },
        400,
      );
    }
    const body = await readBody(c);
    if (!body.ok) return body.response;
    const by = body.data.by ?? 'admin';
    const result =
      action === 'pause'
        ? await control.hold(symbol.data, 'reduce', by)
        : await control.resumeScope(symbol.data, by);
    return answer(c, result, { symbol: symbol.data, action });
  };
  const globalAction = (action: 'halt' | 'flatten' | 'resume') => async (c: Context) => {
    if (!control) return off(c);
    const body = await readBody(c);
    if (!body.ok) return body.response;
    const by = body.data.by ?? 'admin';
    const result =
      action === 'resume'
        ? await control.resumeScope('global', by)
        : await control.hold('global', action, by);
    return answer(c, result, { scope: 'global', action });
  };
  const breakerAction = (action: 'trip' | 'reset') => async (c: Context) => {
    if (!control) return off(c);
    const body = await readBody(c);
    if (!body.ok) return body.response;
    const name = c.req.param('name') ?? '';
    const scope = body.data.scope ?? 'global';
    const by = body.data.by ?? 'admin';
    const result =
      action === 'trip'
        ? await control.trip(name, scope, by, body.data.reason ?? `tripped by ${by}`)
        : await control.reset(name, scope, by);
    return answer(c, result, { breaker: name, scope, action });
  };
  return new Hono()
    .get('/risk', (c) => (risk ? c.json(risk.report()) : off(c)))
    .put('/risk/limits', async (c) => {
      if (!control) return off(c);
      let patch: unknown;
      try {
        patch = await c.req.json();
      } catch {
        return c.json<ProblemBody>(
          { error: 'invalid request', problems: ['body: send a JSON object of risk.limits keys'] },
          400,
        );
      }
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        return c.json<ProblemBody>(
          {
            error: 'invalid limits',
            problems: ['body: must be a JSON object of risk.limits keys'],
          },
          400,
        );
      }
      const result = await control.setLimits(patch as Record<string, unknown>, 'admin');
      if (!result.ok)
        return c.json<ProblemBody>({ error: 'invalid limits', problems: result.problems }, 400);
      return c.json({ ok: true, limits: result.limits });
    })
    .post('/risk/breakers/:name/trip', breakerAction('trip'))
    .post('/risk/breakers/:name/reset', breakerAction('reset'))
    .post('/symbols/:symbol/pause', symbolAction('pause'))
    .post('/symbols/:symbol/resume', symbolAction('resume'))
    .post('/halt', globalAction('halt'))
    .post('/flatten', globalAction('flatten'))
    .post('/resume', globalAction('resume'));
}

type Body = z.output<typeof actionBody>;

/** The optional action body: none, or a JSON object of {@link actionBody}. */
async function readBody(
  c: Context,
): Promise<{ ok: true; data: Body } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, data: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const problems = ['body: not valid JSON; send {} or an object with by, reason, scope'];
    return {
      ok: false,
      response: c.json<ProblemBody>({ error: 'invalid request', problems }, 400),
    };
  }
  const parsed = actionBody.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const problems = describeIssues(parsed.error);
  return { ok: false, response: c.json<ProblemBody>({ error: 'invalid request', problems }, 400) };
}
