/**
 * The admin API's risk routes through `app.request()`, over the engine's real risk layer
 * (EngineRisk and RiskControl on an in-memory store): GET /risk, the kill switch, symbol pause
 * and resume, breaker trip and reset (a refused reset answers 409 with the reason), runtime
 * limits, and bad requests answered 400 naming the field.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { EngineRisk } from '../../../actors/engine/engine-risk.js';
import { createEngineMetrics } from '../../../actors/engine/engine.metrics.js';
import { RiskControl } from '../../../actors/engine/risk-control.js';
import { gridConfigFromWire, gridConfigSchema } from '../../../actors/engine/symbol.config.js';
import type { RiskStateStore } from '../../../actors/risk/risk-persistence.js';
import { riskConfigSchema } from '../../../actors/risk/risk.config.js';
import type { RiskState, RiskStateKey } from '../../../actors/store/risk-states.repo.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { createLogger } from '../../../core/logger.js';
import { createAdminApp } from '../../../server/admin/admin.app.js';
import type { AdminEngine, ProblemBody } from '../../../server/admin/admin.types.js';

/** Stores snapshots in a map, with the versions the repo would give them. */
class MemoryStore implements RiskStateStore {
  readonly rows = new Map<string, RiskState>();

  save(key: RiskStateKey, snapshot: unknown, expectedVersion: number): Promise<number> {
    const k = `${key.scope}|${key.machine}`;
    const version = (this.rows.get(k)?.version ?? 0) + 1;
    assert.equal(expectedVersion, version - 1, `stale save of ${k}`);
    this.rows.set(k, { ...key, snapshot, version, updatedAt: new Date(0) });
    return Promise.resolve(version);
  }

  loadAll(): Promise<RiskState[]> {
    return Promise.resolve([...this.rows.values()]);
  }
}

const log = createLogger('risk-routes-test', 'silent');
const GRID = gridConfigFromWire(
  gridConfigSchema.parse({
    levels_below: 2,
    levels_above: 0,
    interval: '100',
    order_quantity: '0.001',
    anchor_price: '100000',
  }),
);

async function setup(store = new MemoryStore()) {
  const clock = new VirtualClock();
  const metrics = createEngineMetrics();
  const config = riskConfigSchema.parse({});
  const states: [string, string][] = [];
  const risk = await EngineRisk.open({
    config,
    store,
    clock,
    log,
    metrics: metrics.risk,
    onState: (symbol, state) => states.push([symbol, state]),
    onError: (e) => {
      throw e;
    },
  });
  risk.addSymbol('BTCUSDT', GRID, dec('100000'));
  const control = await RiskControl.open({
    risk,
    limits: config.limits,
    store,
    clock,
    log,
    pnl: () => Promise.resolve({ quoteAsset: 'USDT', symbols: [] }),
  });
  const engine = { risk, control } as unknown as AdminEngine;
  const app = createAdminApp(engine, log);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', host: 'localhost' },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { risk, control, states, call, store };
}

describe('admin risk routes', () => {
  let t: Awaited<ReturnType<typeof setup>>;

  beforeEach(async () => {
    t = await setup();
  });

  it('reports trading states, breakers, limits and exposure on GET /risk', async () => {
    const { status, body } = await t.call('GET', '/risk');
    assert.equal(status, 200);
    const trading = body.trading as { scope: string; state: string }[];
    assert.deepEqual(
      trading.map((s) => [s.scope, s.state]),
      [
        ['global', 'ACTIVE'],
        ['BTCUSDT', 'ACTIVE'],
      ],
    );
    assert.ok((body.breakers as { breaker: string }[]).some((b) => b.breaker === 'drawdown'));
    assert.equal((body.limits as { maxGrossExposure: string }).maxGrossExposure, '200000');
    assert.equal((body.exposure as { grossTotal: string }).grossTotal, '0');
  });

  it('halts, flattens and resumes everything, with no body or an empty one', async () => {
    assert.equal((await t.call('POST', '/halt')).status, 200);
    assert.deepEqual(t.states.at(-1), ['BTCUSDT', 'HALTED']);
    assert.equal((await t.call('POST', '/resume', {})).status, 200);
    assert.deepEqual(t.states.at(-1), ['BTCUSDT', 'ACTIVE']);
    assert.equal((await t.call('POST', '/flatten', { by: 'ops' })).status, 200);
    assert.deepEqual(t.states.at(-1), ['BTCUSDT', 'FLATTENING']);
    // Resume is refused while flattening, with the reason
    const refused = await t.call('POST', '/resume');
    assert.equal(refused.status, 409);
    assert.match((refused.body as unknown as ProblemBody).problems[0] ?? '', /flattening/);
    // The halt is stored: a new risk layer over the same store starts halted
    const again = await setup(t.store);
    assert.equal(again.risk.state('BTCUSDT'), 'FLATTENING');
  });

  it('pauses and resumes one symbol', async () => {
    assert.equal((await t.call('POST', '/symbols/BTCUSDT/pause')).status, 200);
    assert.equal(t.risk.state('BTCUSDT'), 'REDUCING');
    assert.equal((await t.call('POST', '/symbols/BTCUSDT/resume')).status, 200);
    assert.equal(t.risk.state('BTCUSDT'), 'ACTIVE');
    const unknown = await t.call('POST', '/symbols/ETHUSDT/pause');
    assert.equal(unknown.status, 409);
    const bad = await t.call('POST', '/symbols/btc-usdt/pause');
    assert.equal(bad.status, 400);
    assert.match((bad.body as unknown as ProblemBody).problems[0] ?? '', /^symbol: /);
  });

  it('trips and resets a breaker, and refuses an unknown breaker or scope with the reason', async () => {
    const trip = await t.call('POST', '/risk/breakers/loss_streak/trip', {
      scope: 'BTCUSDT',
      reason: 'manual test',
    });
    assert.equal(trip.status, 200);
    assert.equal(t.risk.state('BTCUSDT'), 'REDUCING');
    const reset = await t.call('POST', '/risk/breakers/loss_streak/reset', { scope: 'BTCUSDT' });
    assert.equal(reset.status, 200);
    assert.equal(t.risk.state('BTCUSDT'), 'ACTIVE');
    const unknown = await t.call('POST', '/risk/breakers/moon_phase/trip');
    assert.equal(unknown.status, 409);
    assert.match(
      (unknown.body as unknown as ProblemBody).problems[0] ?? '',
      /unknown breaker moon_phase/,
    );
    const wrongScope = await t.call('POST', '/risk/breakers/loss_streak/trip', {});
    assert.equal(wrongScope.status, 409);
    assert.match(
      (wrongScope.body as unknown as ProblemBody).problems[0] ?? '',
      /not enabled for global/,
    );
  });

  it('answers bad bodies with 400 naming the field', async () => {
    const extra = await t.call('POST', '/halt', { by: 'ops', force: true });
    assert.equal(extra.status, 400);
    assert.match((extra.body as unknown as ProblemBody).problems[0] ?? '', /force|Unrecognized/);
    const notJson = await t.call('POST', '/halt', '{nope');
    assert.equal(notJson.status, 400);
    assert.match((notJson.body as unknown as ProblemBody).problems[0] ?? '', /^body: /);
    const scope = await t.call('POST', '/risk/breakers/drawdown/trip', { scope: 'btc' });
    assert.equal(scope.status, 400);
    assert.match((scope.body as unknown as ProblemBody).problems[0] ?? '', /^scope: /);
  });

  it('changes limits at runtime, durably, and refuses a bad one naming the field', async () => {
    const bad = await t.call('PUT', '/risk/limits', { order_rate: { global_per_second: 0 } });
    assert.equal(bad.status, 400);
    assert.match(
      (bad.body as unknown as ProblemBody).problems[0] ?? '',
      /^order_rate\.global_per_second: /,
    );
    const ok = await t.call('PUT', '/risk/limits', {
      max_gross_exposure: '5000',
      price_band_pct: null,
    });
    assert.equal(ok.status, 200);
    assert.equal(t.risk.checker.limits.maxGrossExposure?.toFixed(), '5000');
    assert.equal(t.risk.checker.limits.priceBandPct, null);
    const again = await setup(t.store);
    assert.equal(again.risk.checker.limits.maxGrossExposure?.toFixed(), '5000');
  });
});
