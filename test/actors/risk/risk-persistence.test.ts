/**
 * RiskPersistence against the real store: coalesced versioned saves, and what scale-out needs
 * of them: a machine saved meanwhile by another engine is taken over (its version adopted, ours
 * written once more, said through onStale) instead of failing every later save; two writers that
 * keep racing are an error; a symbol taken over reads its stored state again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RiskPersistence } from '../../../actors/risk/risk-persistence.js';
import { RiskStatesRepo } from '../../../actors/store/risk-states.repo.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const key = { scope: 'BTCUSDT', machine: 'breaker:drawdown' };

for (const kind of TEST_DATABASE_KINDS) {
  describe(`RiskPersistence (${kind})`, () => {
    let db: TestDatabase;
    let repo: RiskStatesRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new RiskStatesRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('takes over a machine another engine saved since it loaded, once, and says so', async () => {
      const errors: Error[] = [];
      const stale: (number | null)[] = [];
      const ours = new RiskPersistence(
        repo,
        (e) => errors.push(e),
        (_k, v) => stale.push(v),
      );
      await ours.load();
      // The former owner saved twice after we loaded
      await repo.save(key, { value: 'theirs-1' }, 0);
      await repo.save(key, { value: 'theirs-2' }, 1);

      ours.save(key, { value: 'ours-1' });
      await ours.flush();
      ours.save(key, { value: 'ours-2' });
      await ours.flush();

      assert.deepEqual(errors, []);
      assert.deepEqual(stale, [2]);
      const stored = await repo.load(key);
      assert.deepEqual([stored?.snapshot, stored?.version], [{ value: 'ours-2' }, 4]);
    });

    it('reports two writers racing on every save as an error, without a storm of retries', async () => {
      const raced = { scope: 'global', machine: 'trading' };
      const errors: Error[] = [];
      let saves = 0;
      const racing = {
        loadAll: () => repo.loadAll(),
        save: async (k: typeof raced, snapshot: unknown, version: number) => {
          saves += 1;
          // Another engine writes just before each of ours
          const current = (await repo.load(k))?.version ?? 0;
          await repo.save(k, { value: `other-${saves}` }, current);
          return repo.save(k, snapshot, version);
        },
      };
      const ours = new RiskPersistence(
        racing,
        (e) => errors.push(e),
        () => undefined,
      );
      await ours.load();

      ours.save(raced, { value: 'ours' });
      await ours.flush();

      assert.equal(saves, 2, 'one save and one retry, no more');
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /expected at version/);
    });

    it('reads a scope again after a takeover, so the machines restore the latest state', async () => {
      const ours = new RiskPersistence(repo, () => undefined);
      await ours.load();
      const before = ours.stored(key);
      const version = (await repo.load(key))?.version ?? 0;
      await repo.save(key, { value: 'saved-by-the-former-owner' }, version);

      await ours.reload('BTCUSDT');

      assert.deepEqual(before, { value: 'ours-2' });
      assert.deepEqual(ours.stored(key), { value: 'saved-by-the-former-owner' });
    });
  });
}
