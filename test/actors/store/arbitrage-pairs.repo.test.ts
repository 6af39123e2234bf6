/**
 * ArbitragePairsRepo: the durable set of arbitrage pairs keeps each pair's config and state
 * across a reopen; state saves are guarded by a version so two writers cannot overwrite each
 * other silently; a re-added pair keeps its state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  ArbitragePairsRepo,
  StalePairStateError,
} from '../../../actors/store/arbitrage-pairs.repo.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

for (const kind of TEST_DATABASE_KINDS) {
  describe(`ArbitragePairsRepo (${kind})`, () => {
    let db: TestDatabase;
    let repo: ArbitragePairsRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new ArbitragePairsRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('stores a pair with no state, then saves its state version by version', async () => {
      await repo.upsert('btc-basis', { pair: 'btc-basis', quantity: '0.01' });
      assert.deepEqual(await repo.load('btc-basis'), {
        pairId: 'btc-basis',
        config: { pair: 'btc-basis', quantity: '0.01' },
        status: 'active',
        state: null,
        version: 0,
      });
      assert.equal(await repo.saveState('btc-basis', { cycle: 1 }, 0), 1);
      assert.equal(await repo.saveState('btc-basis', { cycle: 2 }, 1), 2);
      assert.deepEqual((await repo.load('btc-basis'))?.state, { cycle: 2 });
    });

    it('refuses a save that names a replaced version', async () => {
      await repo.upsert('eth-basis', {});
      await repo.saveState('eth-basis', { cycle: 1 }, 0);
      await assert.rejects(repo.saveState('eth-basis', { cycle: 9 }, 0), StalePairStateError);
      assert.deepEqual((await repo.load('eth-basis'))?.state, { cycle: 1 });
    });

    it('keeps the state of a pair re-added with a new config, and re-activates it', async () => {
      await repo.upsert('sol-basis', { quantity: '1' });
      await repo.saveState('sol-basis', { held: true }, 0);
      await repo.setStatus('sol-basis', 'failed');
      await repo.upsert('sol-basis', { quantity: '2' });
      const stored = await repo.load('sol-basis');
      assert.deepEqual(stored?.config, { quantity: '2' });
      assert.equal(stored?.status, 'active');
      assert.deepEqual(stored?.state, { held: true });
    });

    it('lists pairs in the order added and removes one', async () => {
      assert.deepEqual(
        (await repo.list()).map((p) => p.pairId),
        ['btc-basis', 'eth-basis', 'sol-basis'],
      );
      assert.equal(await repo.remove('eth-basis'), true);
      assert.equal(await repo.remove('eth-basis'), false);
      assert.equal(await repo.load('eth-basis'), null);
    });

    it('refuses a pair id the client order ids cannot carry', async () => {
      await assert.rejects(repo.upsert('BTC basis', {}));
    });
  });
}
