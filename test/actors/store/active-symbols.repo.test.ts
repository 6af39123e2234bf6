/**
 * ActiveSymbolsRepo: the durable set of traded symbols.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ActiveSymbolsRepo } from '../../../actors/store/active-symbols.repo.js';
import type { SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const btc = 'BTCUSDT' as SymbolId;
const eth = 'ETHUSDT' as SymbolId;
const grid = { interval: '100', levels: 10, orderQuantity: '0.001' };

for (const kind of TEST_DATABASE_KINDS) {
  describe(`ActiveSymbolsRepo (${kind})`, () => {
    let db: TestDatabase;
    let repo: ActiveSymbolsRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new ActiveSymbolsRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('adds, lists, updates and removes symbols', async () => {
      const added = await repo.add(btc, grid);
      await repo.add(eth, { ...grid, interval: '5' });
      assert.equal(await repo.setStatus(btc, 'failed'), true);

      const readded = await repo.add(btc, { ...grid, levels: 20 });
      const afterReadd = await repo.list<typeof grid>();
      const removed = await repo.remove(eth);
      const removedAgain = await repo.remove(eth);
      const remaining = await repo.list<typeof grid>();

      assert.deepEqual(
        afterReadd.map((s) => [s.symbol, s.status, s.config.interval, s.config.levels]),
        [
          [btc, 'active', '100', 20],
          [eth, 'active', '5', 10],
        ],
      );
      assert.equal(readded.addedAt.getTime(), added.addedAt.getTime());
      assert.ok(readded.updatedAt.getTime() >= added.updatedAt.getTime());
      assert.deepEqual([removed, removedAgain], [true, false]);
      assert.deepEqual(
        remaining.map((s) => s.symbol),
        [btc],
      );
    });

    it('reports a status change of a symbol it does not have', async () => {
      assert.equal(await repo.setStatus('DOGEUSDT' as SymbolId, 'paused'), false);
    });
  });
}
