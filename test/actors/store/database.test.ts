/**
 * openDatabase: the embedded PGlite served on loopback (durability, the data-directory lock,
 * concurrent clients that must not see each other's statements), and, when TEST_DATABASE_URL is
 * set, the same API on a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import postgres from 'postgres';

import { openDatabase } from '../../../actors/store/database.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../../support/postgres.js';

describe('openDatabase (embedded)', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'opensqt-db-test-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data across close and reopen, and locks the directory while open', async () => {
    const dataDir = path.join(dir, 'pglite');
    const first = await openDatabase({ url: null, dataDir });
    await first.sql`
      INSERT INTO active_symbols (symbol, config) VALUES ('BTCUSDT', '{"levels":10}')`;

    await assert.rejects(openDatabase({ url: null, dataDir }), /is in use by process/);
    await first.close();
    await first.close();
    assert.equal(existsSync(`${dataDir}.lock`), false);
    // A lock whose process is gone (a crash) does not keep the database closed
    await writeFile(`${dataDir}.lock`, '999999999');

    const second = await openDatabase({ url: null, dataDir });
    try {
      assert.equal(second.embedded, true);
      assert.match(second.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const rows = await second.sql`SELECT symbol, config FROM active_symbols`;
      assert.deepEqual([...rows], [{ symbol: 'BTCUSDT', config: { levels: 10 } }]);
    } finally {
      await second.close();
    }
  });

  it('takes over a lock held by an exited but unreaped process (a zombie)', async (t) => {
    if (process.platform !== 'linux') return t.skip('zombie detection reads /proc (Linux only)');
    const dataDir = path.join(dir, 'zombie');
    // `sleep 0` exits at once; its parent `exec`s into a sleep that never reaps it
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number(
        await new Promise<string>((resolve) =>
          parent.stdout.once('data', (b) => resolve(String(b))),
        ),
      );
      await eventuallyZombie(zombie);
      await writeFile(`${dataDir}.lock`, String(zombie));

      const db = await openDatabase({ url: null, dataDir, migrate: false });
      await db.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process id now belongs to a different, younger process', async () => {
    const dataDir = path.join(dir, 'reused');
    // Our own pid is alive, but it started later than the lock claims its owner did
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: process.pid, startedAtTicks: 1 }));

    const db = await openDatabase({ url: null, dataDir, migrate: false });
    await db.close();
  });

  it('serves concurrent clients without mixing their unnamed statements', async () => {
    // Unprepared postgres.js queries parse into the unnamed statement, flush, then bind after a
    // round trip: exactly the window in which a shared PGlite session would be rebound by another
    // connection's Parse if the server interleaved them.
    const db = await openDatabase({ url: null, dataDir: 'memory://', migrate: false });
    const a = postgres(db.url, { max: 4, prepare: false });
    const b = postgres(db.url, { max: 4, prepare: false });
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const k = i % 5;
          const [row] = await (i % 2 ? a : b).unsafe(
            `SELECT $1::int + ${k} AS x, repeat('a', ${k}) AS s`,
            [i],
          );
          return row?.x === i + k && row?.s === 'a'.repeat(k);
        }),
      );
      assert.equal(results.filter(Boolean).length, 200);
    } finally {
      await a.end();
      await b.end();
      await db.close();
    }
  });
});

for (const kind of TEST_DATABASE_KINDS) {
  describe(`openDatabase (${kind})`, () => {
    it('gives a migrated database behind a postgres:// URL that another client can use', async () => {
      const db = await openTestDatabase(kind);
      const other = postgres(db.url, { max: 1 });
      try {
        const tables = await other<{ table_name: string }[]>`
          SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' ORDER BY table_name`;
        assert.deepEqual(
          tables.map((t) => t.table_name),
          [
            'active_symbols',
            'alert_outbox',
            'arbitrage_pairs',
            'engine_instance',
            'engine_members',
            'fills',
            'order_index',
            'risk_states',
            'schema_migrations',
            'symbol_leases',
            'symbol_snapshots',
          ],
        );
      } finally {
        await other.end();
        await db.close();
      }
    });
  });
}

/** Waits until `pid` is a zombie (state Z in /proc/<pid>/stat). */
async function eventuallyZombie(pid: number): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  for (let i = 0; i < 100; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (/\) Z /.test(stat)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} never became a zombie`);
}
