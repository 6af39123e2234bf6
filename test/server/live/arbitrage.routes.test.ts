/**
 * The live server's `GET /arbitrage`: the engine's pairs for the page's panel, read at most once a
 * second however many pages poll; no pairs and the reason while the engine does not answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arbitrageRoutes, fetchEnginePairs } from '../../../server/live/routes/arbitrage.routes.js';

const PAIRS = { pairs: [{ pair: 'btc-basis', state: 'running', actor: null }] };

function appOver(fetchPairs: () => Promise<unknown>) {
  return arbitrageRoutes({ fetchPairs });
}

describe('live server GET /arbitrage', () => {
  it('serves the engine pairs, asking the engine once for pages polling together', async () => {
    let asked = 0;
    const app = appOver(() => {
      asked++;
      return Promise.resolve(PAIRS);
    });
    const [first, second] = await Promise.all([app.request('/'), app.request('/')]);
    assert.deepEqual(await first?.json(), PAIRS);
    assert.deepEqual(await second?.json(), PAIRS);
    assert.equal(first?.headers.get('cache-control'), 'no-store');
    assert.equal(asked, 1);
  });

  it('answers no pairs and the reason while the engine does not answer', async () => {
    let fail = true;
    const app = appOver(() =>
      fail ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(PAIRS),
    );
    const down = await app.request('/');
    assert.equal(down.status, 200);
    assert.deepEqual(await down.json(), {
      pairs: [],
      engine: "the market-maker's admin API does not answer: connect ECONNREFUSED",
    });
    fail = false;
    // The failed answer is reused for a second at most, like a good one
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.deepEqual(await (await app.request('/')).json(), PAIRS);
  });

  it('reports an engine that is not listening', async () => {
    await assert.rejects(fetchEnginePairs('http://127.0.0.1:1'), /fetch failed|ECONNREFUSED/);
  });
});
