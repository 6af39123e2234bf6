/**
 * LeaseKeeper on a real PostgreSQL: engines share the active symbols with no symbol held twice,
 * a clean stop hands symbols over at once, a crashed engine's symbols and work move within a few
 * scans, and the fences refuse a former owner's order calls and snapshot saves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pino from 'pino';
import postgres from 'postgres';

import { LeaseLostError, orderFenceOf, snapshotFenceOf } from '../../../actors/cluster/fences.js';
import { LeaseKeeper } from '../../../actors/cluster/lease-keeper.js';
import { Membership } from '../../../actors/cluster/membership.js';
import type { Sql } from '../../../actors/store/database.js';
import { LeasesRepo } from '../../../actors/store/leases.repo.js';
import { WallClock } from '../../../core/clock.js';
import { eventually } from '../../../core/eventually.js';
import type { SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const SYMBOLS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'];
const TTL_MS = 900;
const SCAN_MS = 150;

interface TestEngine {
  readonly id: string;
  readonly sql: postgres.Sql;
  readonly keeper: LeaseKeeper;
  readonly membership: Membership;
  readonly repo: LeasesRepo;
  /** What the hooks were told, in order. */
  readonly events: string[];
  readonly recovered: string[];
}

if (TEST_DATABASE_KINDS.includes('postgres')) {
  describe('LeaseKeeper (postgres)', () => {
    let db: TestDatabase;
    const engines: TestEngine[] = [];

    const startEngine = async (
      id: string,
      wrap: (repo: LeasesRepo) => LeasesRepo = (repo) => repo,
    ): Promise<TestEngine> => {
      const sql = postgres(db.url, { max: 3, onnotice: () => undefined });
      const repo = wrap(new LeasesRepo(sql));
      const membership = await Membership.join(sql, repo, id);
      const events: string[] = [];
      const recovered: string[] = [];
      const keeper = new LeaseKeeper({
        repo,
        membership,
        clock: new WallClock(),
        log: pino({ level: 'silent' }),
        ttlMs: TTL_MS,
        scanMs: SCAN_MS,
        hooks: {
          activeSymbols: async () => SYMBOLS,
          acquired: async (symbol, token) => {
            events.push(`+${symbol}@${token}`);
          },
          dropped: async (symbol, graceful) => {
            events.push(`${graceful ? '~' : '-'}${symbol}`);
          },
          recoverDead: async (ids) => {
            recovered.push(...ids);
          },
        },
      });
      await keeper.start();
      const engine = { id, sql, keeper, membership, repo, events, recovered };
      engines.push(engine);
      return engine;
    };

    const owners = async () => {
      const leases = await new LeasesRepo(db.sql).list();
      return new Map(leases.filter((l) => l.expiresInMs > 0).map((l) => [l.symbol, l.owner]));
    };

    before(async () => {
      db = await openTestDatabase('postgres');
    });

    after(async () => {
      for (const engine of engines) {
        await engine.keeper.stop().catch(() => undefined);
        await engine.sql.end({ timeout: 1 });
      }
      await db.close();
    });

    it('shares the symbols out, never one to two engines, and hands them over on a clean stop', async () => {
      const a = await startEngine('keeper-a');
      assert.equal(a.keeper.heldSymbols().length, 6, 'alone, an engine takes every symbol');
      const b = await startEngine('keeper-b');
      const c = await startEngine('keeper-c');

      await eventually(
        () => [a, b, c].every((e) => e.keeper.heldSymbols().length === 2),
        'each of three engines holds two of six symbols',
        10_000,
      );
      const held = [a, b, c].flatMap((e) => e.keeper.heldSymbols());
      assert.equal(new Set(held).size, 6, `no symbol held twice: ${held.join()}`);
      const byOwner = await owners();
      for (const e of [a, b, c]) {
        for (const symbol of e.keeper.heldSymbols()) assert.equal(byOwner.get(symbol), e.id);
      }

      const handedOver = a.keeper.heldSymbols();
      await a.keeper.stop();
      await a.membership.leave();
      await a.sql.end({ timeout: 1 });
      await eventually(
        () => [b, c].every((e) => e.keeper.heldSymbols().length === 3),
        "a stopped engine's symbols are taken by the others",
        5_000,
      );
      assert.ok(
        handedOver.every((s) => a.events.includes(`~${s}`)),
        a.events.join(),
      );
      assert.equal(await b.keeper.stamp('nope'), undefined);
    });

    it('moves a crashed engine’s symbols within a few scans and recovers its work; fences the old owner', async () => {
      const [b, c] = engines.slice(1) as [TestEngine, TestEngine];
      const victim = c.keeper.heldSymbols()[0] as SymbolId;
      const oldStamp = c.keeper.stamp(victim);
      assert.ok(oldStamp);
      const orderFence = orderFenceOf(c.keeper, c.repo);
      const snapshotFence = snapshotFenceOf(c.keeper, c.repo, TTL_MS / 2);
      assert.deepEqual(await orderFence.check(victim), oldStamp, 'the owner passes its fence');

      // Cut off from the database as a crashed process is: its sessions end, its lock goes
      const crashedAt = Date.now();
      await c.sql.end({ timeout: 0 });
      await eventually(() => b.keeper.heldSymbols().length === 6, 'b takes every symbol', 5_000);
      const movedMs = Date.now() - crashedAt;

      assert.ok(movedMs < TTL_MS * 3, `moved in ${movedMs} ms`);
      assert.deepEqual(b.recovered, [c.id], "the dead engine's workflows are recovered once");
      await eventually(
        () => c.keeper.heldSymbols().length === 0,
        'the cut-off engine stops its symbols once its leases may have expired',
        5_000,
      );
      assert.ok(c.events.includes(`-${victim}`), c.events.join());
      const newStamp = b.keeper.stamp(victim);
      assert.ok(newStamp && newStamp.token > oldStamp.token, 'the new owner has a higher token');

      // The former owner's view, had it survived: a fresh client with its keeper's memory
      const zombie = postgres(db.url, { max: 1, onnotice: () => undefined });
      try {
        const zombieFence = orderFenceOf(
          staleKeeper(c.id, victim, oldStamp.token),
          new LeasesRepo(zombie),
        );
        assert.equal(await zombieFence.check(victim), null, 'its order calls are fenced');
        const zombieSave = snapshotFenceOf(
          staleKeeper(c.id, victim, oldStamp.token),
          new LeasesRepo(zombie),
          TTL_MS / 2,
        );
        await assert.rejects(
          zombie.begin((tx) => zombieSave(tx as unknown as Sql, victim)),
          LeaseLostError,
        );
      } finally {
        await zombie.end({ timeout: 1 });
      }
      assert.ok(snapshotFence, 'built for the owner while it held the lease');
    });

    it('drops every symbol when a renewal never answers, and does not hold up the others', async () => {
      let hang = false;
      const stalled = await startEngine('keeper-d', (repo) => {
        const renew = repo.renew.bind(repo);
        repo.renew = (...args) => (hang ? new Promise(() => undefined) : renew(...args));
        return repo;
      });
      const [b] = engines.slice(1) as [TestEngine];
      await eventually(
        () => stalled.keeper.heldSymbols().length === 3 && b.keeper.heldSymbols().length === 3,
        'b and d share the six symbols',
        10_000,
      );

      hang = true;
      const hungAt = Date.now();
      await eventually(
        () => stalled.keeper.heldSymbols().length === 0,
        'd stops its symbols',
        10_000,
      );
      const droppedMs = Date.now() - hungAt;

      assert.ok(droppedMs <= TTL_MS + SCAN_MS, `dropped after ${droppedMs} ms`);
      assert.ok(
        stalled.events.filter((e) => e.startsWith('-')).length === 3,
        stalled.events.join(),
      );
      await eventually(() => b.keeper.heldSymbols().length === 6, 'b takes them over', 10_000);
    });
  });
}

/** A keeper's memory as a former owner still has it after losing the lease. */
function staleKeeper(engineId: string, symbol: string, token: number): LeaseKeeper {
  return {
    engineId,
    stamp: (s: string) => (s === symbol ? { symbol, owner: engineId, token } : undefined),
  } as unknown as LeaseKeeper;
}
