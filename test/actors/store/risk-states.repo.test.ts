/**
 * RiskStatesRepo: snapshots of trading states and breakers survive a reopen, versions guard
 * concurrent writers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createActor } from 'xstate';

import { RiskStatesRepo, StaleRiskStateError } from '../../../actors/store/risk-states.repo.js';
import { breakerMachine } from '../../../machines/breaker.machine.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const input = { name: 'drawdown', scope: 'BTCUSDT', cooldownMs: null, maxAutoResetsPerDay: 3 };

for (const kind of TEST_DATABASE_KINDS) {
  describe(`RiskStatesRepo (${kind})`, () => {
    let db: TestDatabase;
    let repo: RiskStatesRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new RiskStatesRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('restores an open breaker with its reason, since and trip count', async () => {
      const actor = createActor(breakerMachine, { input }).start();
      actor.send({ type: 'breaker.observe', atMs: 1_000, holds: true, reason: 'drawdown 12%' });
      const key = { scope: 'BTCUSDT', machine: 'breaker:drawdown' };

      const version = await repo.save(key, actor.getPersistedSnapshot(), 0);
      const stored = await repo.load(key);
      const restored = createActor(breakerMachine, {
        input,
        snapshot: stored?.snapshot as never,
      }).start();

      assert.equal(version, 1);
      assert.equal(restored.getSnapshot().value, 'open');
      assert.deepEqual(
        {
          reason: restored.getSnapshot().context.reason,
          sinceMs: restored.getSnapshot().context.sinceMs,
          tripsToday: restored.getSnapshot().context.tripsToday,
        },
        { reason: 'drawdown 12%', sinceMs: 1_000, tripsToday: 1 },
      );
    });

    it('refuses a save from a stale version and keeps what is stored', async () => {
      const key = { scope: 'global', machine: 'trading' };
      await repo.save(key, { value: 'ACTIVE' }, 0);
      await repo.save(key, { value: 'HALTED' }, 1);

      await assert.rejects(repo.save(key, { value: 'ACTIVE' }, 1), (e: unknown) => {
        assert.ok(e instanceof StaleRiskStateError);
        assert.deepEqual([e.expectedVersion, e.actualVersion], [1, 2]);
        return true;
      });
      assert.deepEqual((await repo.load(key))?.snapshot, { value: 'HALTED' });
    });

    it('refuses a first save when one already exists', async () => {
      const key = { scope: 'ETHUSDT', machine: 'trading' };
      await repo.save(key, { value: 'ACTIVE' }, 0);
      await assert.rejects(repo.save(key, { value: 'REDUCING' }, 0), StaleRiskStateError);
    });

    it('lists every machine and forgets a scope', async () => {
      const scope = 'SOLUSDT';
      await repo.save({ scope, machine: 'trading' }, { value: 'ACTIVE' }, 0);
      await repo.save({ scope, machine: 'breaker:latency' }, { value: 'closed' }, 0);

      const listed = (await repo.loadAll()).filter((s) => s.scope === scope).map((s) => s.machine);
      const removed = await repo.deleteScope(scope);

      assert.deepEqual(listed, ['breaker:latency', 'trading']);
      assert.equal(removed, 2);
      assert.equal(await repo.load({ scope, machine: 'trading' }), null);
    });
  });
}
