/**
 * LeasesRepo and Membership: scale-out's members and symbol leases on a real PostgreSQL (the
 * embedded database serves one engine, so scale-out runs only on a server). A member's liveness
 * is its session's advisory lock; a process that dies is seen dead at once, one that pauses only
 * when its heartbeat goes stale.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import postgres from 'postgres';

import {
  EngineIdInUseError,
  Membership,
  memberLockKey,
} from '../../../actors/cluster/membership.js';
import { LeasesRepo } from '../../../actors/store/leases.repo.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (TEST_DATABASE_KINDS.includes('postgres')) {
  describe('LeasesRepo and Membership (postgres)', () => {
    let db: TestDatabase;
    let repo: LeasesRepo;
    /** Engines in their own client, so ending one ends its sessions as a dead process's do. */
    const processes: postgres.Sql[] = [];

    const engineProcess = async (engineId: string) => {
      const sql = postgres(db.url, { max: 3, onnotice: () => undefined });
      processes.push(sql);
      const membership = await Membership.join(sql, new LeasesRepo(sql), engineId);
      return { sql, membership, repo: new LeasesRepo(sql) };
    };

    before(async () => {
      db = await openTestDatabase('postgres');
      repo = new LeasesRepo(db.sql);
    });

    after(async () => {
      await Promise.all(processes.map((sql) => sql.end({ timeout: 1 })));
      await db.close();
    });

    it('gives a free lease to the first engine and keeps it from a live other one', async () => {
      await engineProcess('a1');
      await engineProcess('b1');

      const first = await repo.acquire('BTCUSDT', 'a1', 5_000);
      const taken = await repo.acquire('BTCUSDT', 'b1', 5_000);
      const renewed = await repo.renew('a1', new Map([['BTCUSDT', 1]]), 5_000);

      assert.equal(first, 1);
      assert.equal(taken, null, 'a live owner keeps its lease');
      assert.deepEqual([...renewed], ['BTCUSDT']);
      assert.equal(await repo.heldToken('BTCUSDT', 'a1'), 1);
      assert.equal(await repo.heldToken('BTCUSDT', 'b1'), null);
    });

    it('keeps a merely expired lease for its live engine, and moves one expired a whole TTL', async () => {
      await engineProcess('a2');
      await engineProcess('b2');
      assert.equal(await repo.acquire('ETHUSDT', 'a2', 300), 1);
      await sleep(350);
      // Expired, but its engine is alive and not found dead: it may still be placing
      const early = await repo.acquire('ETHUSDT', 'b2', 300);
      await sleep(300);

      const token = await repo.acquire('ETHUSDT', 'b2', 300);
      const renewedByOld = await repo.renew('a2', new Map([['ETHUSDT', 1]]), 5_000);

      assert.equal(early, null);
      assert.equal(token, 2);
      assert.equal(renewedByOld.size, 0, 'the former owner cannot renew');
      assert.equal(await repo.heldToken('ETHUSDT', 'a2'), null);
      assert.equal(await repo.heldToken('ETHUSDT', 'b2'), 2);
    });

    it('a released lease is taken at once, and a renewal names the token it holds', async () => {
      await engineProcess('a3');
      await engineProcess('b3');
      await repo.acquire('SOLUSDT', 'a3', 60_000);
      await repo.release('SOLUSDT', 'a3', 1);

      assert.equal(await repo.acquire('SOLUSDT', 'b3', 60_000), 2);
      assert.equal((await repo.renew('b3', new Map([['SOLUSDT', 1]]), 60_000)).size, 0);
      assert.equal((await repo.renew('b3', new Map([['SOLUSDT', 2]]), 60_000)).size, 1);
    });

    it('sees a dead process at once: its lock goes with its session, its leases move', async () => {
      const dead = await engineProcess('a4');
      await engineProcess('b4');
      await repo.acquire('XRPUSDT', 'a4', 60_000);
      await dead.sql.end({ timeout: 1 });

      const members = await repo.members();
      const claimed = await repo.claimDead(60_000, 'b4');
      const whileRecovering = await repo.acquire('XRPUSDT', 'b4', 60_000);
      const claimedAgain = await repo.claimDead(60_000, 'c4');
      await repo.finishClaims(claimed, 'b4');
      const token = await repo.acquire('XRPUSDT', 'b4', 60_000);

      assert.equal(members.find((m) => m.engineId === 'a4')?.locked, false);
      assert.equal(members.find((m) => m.engineId === 'b4')?.locked, true);
      assert.ok(claimed.includes('a4') && !claimed.includes('b4'), `claimed ${claimed.join()}`);
      assert.ok(!claimedAgain.includes('a4'), 'each dead member is claimed once');
      assert.equal(whileRecovering, null, 'its leases wait until its workflows are recovered');
      assert.equal(token, 2, 'then the lease of a dead owner moves before it expires');
    });

    it('sees a paused process once its heartbeat is stale, though its lock is held', async () => {
      await engineProcess('a5');
      await sleep(150);
      const live = await engineProcess('b5');
      await live.membership.refresh();

      const claimed = await repo.claimDead(100, 'b5');

      assert.ok(claimed.includes('a5'), `claimed ${claimed.join()}`);
      assert.ok(!claimed.includes('b5'));
    });

    it('refuses a second live engine under one id and learns when its row was taken', async () => {
      const first = await engineProcess('c1');
      await assert.rejects(engineProcess('c1'), EngineIdInUseError);

      assert.equal(await first.membership.refresh(), true);
      const claimed = await repo.claimDead(0, 'claimer');
      assert.equal(await first.membership.refresh(), false, 'found dead: its leases are lost');
      assert.equal(await first.membership.refresh(), false, 'no member while being recovered');
      await repo.finishClaims(claimed, 'claimer');
      assert.equal(await first.membership.refresh(), false, 'joined again');
      assert.equal(await first.membership.refresh(), true, 'and a member from then on');
    });

    it('lets a restarted engine under the same id take its own lease back at once', async () => {
      const before = await engineProcess('c2');
      await repo.acquire('DOGEUSDT', 'c2', 60_000);
      await before.sql.end({ timeout: 1 });
      await engineProcess('c2');

      assert.equal(await repo.acquire('DOGEUSDT', 'c2', 60_000), 2);
    });

    it('derives a lock key that is exact as a number and stable per id', () => {
      assert.equal(memberLockKey('engine-1'), memberLockKey('engine-1'));
      assert.notEqual(memberLockKey('engine-1'), memberLockKey('engine-2'));
      assert.ok(Number.isSafeInteger(memberLockKey('engine-1')));
    });
  });
}
