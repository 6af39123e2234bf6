/**
 * The admin API of arbitrage pairs through `app.request()`: `POST /symbols` with
 * `strategy: arbitrage` adds a pair (201) and names every bad field; `GET /arbitrage` lists the
 * pairs; `DELETE /arbitrage/:pair` refuses a pair holding a position (409); resume lifts a halt;
 * an engine without arbitrage says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  PairRequestError,
  type SupervisedPairView,
} from '../../../actors/arbitrage/arbitrage.desk.js';
import { parseArbitragePair } from '../../../actors/arbitrage/arbitrage.config.js';
import type { ArbitrageAdmin, ProblemBody } from '../../../server/admin/admin.types.js';
import { arbitrageRoutes } from '../../../server/admin/arbitrage.routes.js';
import { symbolsRoutes } from '../../../server/admin/symbols.routes.js';

class FakeDesk implements ArbitrageAdmin {
  readonly held = new Set<string>();
  readonly resumed: string[] = [];
  readonly stored = new Map<string, unknown>();

  pairs(): SupervisedPairView[] {
    return [...this.stored.keys()].map((pair) => ({
      pair,
      state: 'running',
      failures: 0,
      restarts: 0,
      lastError: null,
      actor: null,
    }));
  }

  async addPair(raw: unknown) {
    const parsed = parseArbitragePair(raw);
    if (!parsed.ok) throw new PairRequestError('invalid', parsed.problems);
    const pair = parsed.config.pairId;
    const outcome = this.stored.has(pair) ? ('updated' as const) : ('added' as const);
    this.stored.set(pair, raw);
    return { pair, outcome };
  }

  async removePair(pairId: string) {
    if (this.held.has(pairId))
      throw new PairRequestError('conflict', [`pair: ${pairId} holds a position`]);
    return this.stored.delete(pairId);
  }

  async resumePair(pairId: string, by: string) {
    if (!this.stored.has(pairId))
      throw new PairRequestError('not_found', [`pair: ${pairId} is not traded`]);
    this.resumed.push(`${pairId}:${by}`);
  }
}

const PAIR = {
  strategy: 'arbitrage',
  pair: 'btc-basis',
  legs: [
    { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
    { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
  ],
  quantity: '0.01',
};

function setup(withDesk = true) {
  const desk = new FakeDesk();
  const engine = {
    symbols: () => [],
    addSymbol: () => Promise.reject(new Error('grid requested')),
    removeSymbol: () => Promise.resolve(false),
    ...(withDesk ? { arbitrage: desk } : {}),
  };
  const symbols = symbolsRoutes(engine);
  const arbitrage = arbitrageRoutes(engine);
  const post = (body: unknown) =>
    symbols.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { desk, symbols, arbitrage, post };
}

describe('admin API: arbitrage pairs', () => {
  it('adds a pair with POST /symbols and strategy arbitrage, then lists it', async () => {
    const { arbitrage, post } = setup();
    const added = await post(PAIR);
    assert.equal(added.status, 201);
    assert.deepEqual(await added.json(), {
      pair: 'btc-basis',
      outcome: 'added',
      strategy: 'arbitrage',
    });
    assert.equal((await post(PAIR)).status, 200);
    const listed = (await (await arbitrage.request('/')).json()) as { pairs: SupervisedPairView[] };
    assert.deepEqual(
      listed.pairs.map((p) => p.pair),
      ['btc-basis'],
    );
  });

  it('names every bad field of a pair and the fix', async () => {
    const { post } = setup();
    const res = await post({
      ...PAIR,
      legs: [PAIR.legs[0], { venue: 'sim', market: 'future', symbol: 'btcusdt' }],
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as ProblemBody;
    assert.equal(body.error, 'cannot trade pair btc-basis');
    assert.deepEqual(body.problems, [
      'legs.1.market: must be "spot" or "perp"',
      'legs.1.symbol: must be an exchange symbol in capitals, such as "BTCUSDT"',
    ]);
    const churn = await post({ ...PAIR, thresholds: { entry_apr: '0.05', exit_apr: '0.08' } });
    assert.deepEqual(((await churn.json()) as ProblemBody).problems, [
      'thresholds.exit_apr: must be below entry_apr 0.05, or the pair would churn',
    ]);
  });

  it('refuses to remove a pair holding a position, removes a flat one', async () => {
    const { desk, arbitrage, post } = setup();
    await post(PAIR);
    desk.held.add('btc-basis');
    const refused = await arbitrage.request('/btc-basis', { method: 'DELETE' });
    assert.equal(refused.status, 409);
    assert.deepEqual(((await refused.json()) as ProblemBody).problems, [
      'pair: btc-basis holds a position',
    ]);
    desk.held.clear();
    assert.equal((await arbitrage.request('/btc-basis', { method: 'DELETE' })).status, 200);
    const missing = await arbitrage.request('/btc-basis', { method: 'DELETE' });
    assert.equal(missing.status, 404);
    const bad = await arbitrage.request('/BTC%20basis', { method: 'DELETE' });
    assert.equal(bad.status, 400);
  });

  it('resumes a halted pair on request', async () => {
    const { desk, arbitrage, post } = setup();
    await post(PAIR);
    assert.equal((await arbitrage.request('/btc-basis/resume', { method: 'POST' })).status, 200);
    assert.deepEqual(desk.resumed, ['btc-basis:admin API']);
    assert.equal((await arbitrage.request('/eth-basis/resume', { method: 'POST' })).status, 404);
  });

  it('tells a caller when the engine runs no arbitrage', async () => {
    const { arbitrage, post } = setup(false);
    const res = await post(PAIR);
    assert.equal(res.status, 400);
    assert.deepEqual(((await res.json()) as ProblemBody).problems, [
      'strategy: this engine runs no arbitrage; use a grid',
    ]);
    assert.equal((await arbitrage.request('/')).status, 404);
  });
});
