/**
 * @module test/support/postgres
 * A fresh, migrated database for one suite: an in-memory embedded PGlite (fast, no setup), or a
 * new database on the PostgreSQL server at `TEST_DATABASE_URL` (CI starts a PostgreSQL 15), dropped
 * again on close. Database suites run once per kind in `TEST_DATABASE_KINDS`: PGlite always, and
 * PostgreSQL as well when the URL is set. Either way the result is the engine's own `Database`.
 */
import { randomBytes } from 'node:crypto';

import postgres from 'postgres';

import { openDatabase, type Database } from '../../actors/store/database.js';

export interface TestDatabaseOptions {
  /** Apply the migrations; default true. */
  readonly migrate?: boolean;
}

export type TestDatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase extends Database {
  readonly kind: TestDatabaseKind;
}

/** The databases every database suite runs against. */
export const TEST_DATABASE_KINDS: readonly TestDatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

/**
 * Opens a database no other suite uses; `close()` removes it.
 * @throws {Error} for kind 'postgres' when TEST_DATABASE_URL is not set
 */
export async function openTestDatabase(
  kind: TestDatabaseKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (kind === 'postgres') {
    const serverUrl = process.env.TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
    return openOnServer(serverUrl, migrate);
  }

  const db = await openDatabase({ url: null, dataDir: 'memory://', migrate });
  return { ...db, kind: 'pglite' };
}

async function openOnServer(serverUrl: string, migrate: boolean): Promise<TestDatabase> {
  const name = `opensqt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async (): Promise<void> => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  let db: Database;
  try {
    db = await openDatabase({ url: url.toString(), migrate });
  } catch (e) {
    await drop();
    throw e;
  }
  return {
    ...db,
    kind: 'postgres',
    close: async () => {
      await db.close();
      await drop();
    },
  };
}
