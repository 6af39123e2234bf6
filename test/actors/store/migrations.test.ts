/**
 * The migration runner on a database of its own: applies the shipped schema once, is a no-op
 * after that, and refuses databases it must not touch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  loadMigrations,
  migrate,
  SchemaTooNewError,
  type Migration,
} from '../../../actors/store/migrations.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

function migration(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: `test-${version}-${sql.length}` };
}

const notes = migration(900, 'add_notes', 'CREATE TABLE notes (id integer PRIMARY KEY)');

for (const kind of TEST_DATABASE_KINDS) {
  describe(`migrate (${kind})`, () => {
    let db: TestDatabase;
    let shipped: Migration[];

    before(async () => {
      db = await openTestDatabase(kind, { migrate: false });
      shipped = await loadMigrations();
    });

    after(async () => {
      await db.close();
    });

    it('applies every shipped migration once, then nothing', async () => {
      const first = await migrate(db.sql);
      const second = await migrate(db.sql);

      const versions = shipped.map((m) => m.version);
      assert.deepEqual(first, { applied: versions, version: Math.max(...versions) });
      assert.deepEqual(second, { applied: [], version: Math.max(...versions) });
      const recorded = await db.sql`SELECT version, name FROM schema_migrations ORDER BY version`;
      assert.deepEqual(
        recorded.map((r) => `${r.version}_${r.name}`),
        shipped.map((m) => `${m.version}_${m.name}`),
      );
    });

    it('applies only the migrations the database lacks', async () => {
      const report = await migrate(db.sql, [...shipped, notes]);

      assert.deepEqual(report, { applied: [900], version: 900 });
      const [table] = await db.sql`SELECT to_regclass('notes')::text AS name`;
      assert.equal(table?.name, 'notes');
    });

    it('refuses a database migrated by a newer build', async () => {
      await assert.rejects(migrate(db.sql, shipped), (e: unknown) => {
        assert.ok(e instanceof SchemaTooNewError);
        assert.equal(e.databaseVersion, 900);
        assert.equal(e.codeVersion, Math.max(...shipped.map((m) => m.version)));
        return true;
      });
    });

    it('refuses a migration whose text changed after it was applied', async () => {
      const edited = migration(900, 'add_notes', 'CREATE TABLE notes (id bigint PRIMARY KEY)');

      await assert.rejects(
        migrate(db.sql, [...shipped, edited]),
        /migration 900_add_notes changed after it was applied/,
      );
    });

    it('leaves the schema untouched when a migration fails', async () => {
      const good = migration(901, 'add_tags', 'CREATE TABLE tags (id integer PRIMARY KEY)');
      const bad = migration(902, 'broken', 'ALTER TABLE no_such_table ADD COLUMN x integer');

      await assert.rejects(migrate(db.sql, [...shipped, notes, good, bad]), /no_such_table/);

      const [tags] = await db.sql`SELECT to_regclass('tags')::text AS name`;
      assert.equal(tags?.name, null);
      const [latest] = await db.sql`SELECT max(version) AS version FROM schema_migrations`;
      assert.equal(latest?.version, 900);
    });

    it('keeps the fills ledger append-only', async () => {
      await db.sql`
        INSERT INTO fills (venue, trade_id, symbol, venue_order_id, side, price, quantity, fee,
                           fee_asset, is_maker, ts_event)
        VALUES ('sim', 't1', 'BTCUSDT', 'o1', 'BUY', '100', '1', '0.1', 'USDT', true, 1)`;

      await assert.rejects(db.sql`UPDATE fills SET price = 1`, /fills is append-only, was UPDATE/);
      await assert.rejects(db.sql`DELETE FROM fills`, /fills is append-only, was DELETE/);
      await assert.rejects(db.sql`TRUNCATE fills`, /fills is append-only, was TRUNCATE/);
    });
  });
}
