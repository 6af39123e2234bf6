/**
 * SnapshotsRepo: JSON round trip of an actor's snapshot and optimistic versioning.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SnapshotsRepo, StaleSnapshotError } from '../../../actors/store/snapshots.repo.js';
import type { SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const snapshot = {
  slots: [
    { value: { opening: 'resting' }, context: { slotIndex: -3, levelPrice: '59400.10' } },
    { value: 'free', context: { slotIndex: 2, levelPrice: '60600.00', order: null } },
  ],
  sequence: 7,
};

for (const kind of TEST_DATABASE_KINDS) {
  describe(`SnapshotsRepo (${kind})`, () => {
    let db: TestDatabase;
    let repo: SnapshotsRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new SnapshotsRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('round-trips a snapshot and counts versions from 1', async () => {
      const symbol = 'BTCUSDT' as SymbolId;

      const v1 = await repo.save(symbol, snapshot, 0);
      const v2 = await repo.save(symbol, { ...snapshot, sequence: 8 }, v1);
      const loaded = await repo.load<typeof snapshot>(symbol);

      assert.equal(v1, 1);
      assert.equal(v2, 2);
      assert.equal(loaded?.version, 2);
      assert.deepEqual(loaded?.snapshot, { ...snapshot, sequence: 8 });
      assert.ok(loaded?.updatedAt instanceof Date);
    });

    it('rejects a save from a stale version and keeps the stored snapshot', async () => {
      const symbol = 'ETHUSDT' as SymbolId;
      await repo.save(symbol, snapshot, 0);
      await repo.save(symbol, { ...snapshot, sequence: 9 }, 1);

      await assert.rejects(repo.save(symbol, { sequence: -1 }, 1), (e: unknown) => {
        assert.ok(e instanceof StaleSnapshotError);
        assert.deepEqual([e.symbol, e.expectedVersion, e.actualVersion], [symbol, 1, 2]);
        return true;
      });
      assert.deepEqual((await repo.load(symbol))?.snapshot, { ...snapshot, sequence: 9 });
    });

    it('rejects a first save when a snapshot already exists, and an update of none', async () => {
      const taken = 'SOLUSDT' as SymbolId;
      const absent = 'XRPUSDT' as SymbolId;
      await repo.save(taken, snapshot, 0);

      await assert.rejects(repo.save(taken, snapshot, 0), /expected at version 0, was 1/);
      await assert.rejects(repo.save(absent, snapshot, 3), /expected at version 3, was absent/);
      assert.equal(await repo.load(absent), null);
    });
  });
}
