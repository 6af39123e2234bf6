/**
 * @module actors/store/migrations
 * Versioned schema migrations, applied on start. Each file `migrations/NNNN_name.sql` is one
 * version; all pending ones run in a single transaction under an advisory lock, so concurrent
 * starters apply each version once and a failure leaves the schema as it was. The runner refuses a
 * database migrated by a newer build, and a database where an applied migration's text changed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import type postgres from 'postgres';

/** One schema version. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 of `sql`, recorded so an edited migration is caught. */
  readonly checksum: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Versions applied by this call, ascending; empty when the schema was current. */
  readonly applied: readonly number[];
  /** The schema version after the call. */
  readonly version: number;
}

/** The database's schema is newer than this build knows; running would corrupt it. */
export class SchemaTooNewError extends Error {
  readonly databaseVersion: number;
  readonly codeVersion: number;

  constructor(databaseVersion: number, codeVersion: number) {
    super(
      `database schema is version ${databaseVersion}, this build knows up to ${codeVersion}: ` +
        'upgrade the engine instead of running an older one',
    );
    this.name = 'SchemaTooNewError';
    this.databaseVersion = databaseVersion;
    this.codeVersion = codeVersion;
  }
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Arbitrary constant key for pg_advisory_xact_lock, private to this runner
const LOCK_KEY = 7_301_554_021;

/** Reads the migrations shipped in `dir`, in version order. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new Error(`two migrations share version ${version}`);
    }
    migrations.push({ version, name: match[2] as string, sql, checksum: sha256(sql) });
  }
  return migrations;
}

/**
 * Brings the schema up to the newest of `migrations` (default: the shipped ones).
 * @throws {SchemaTooNewError} when the database has a version newer than any known
 * @throws {Error} when an applied migration's checksum differs from the shipped file
 */
export async function migrate(
  sql: postgres.Sql,
  migrations?: readonly Migration[],
): Promise<MigrationReport> {
  const known = migrations ?? (await loadMigrations());
  const codeVersion = Math.max(0, ...known.map((m) => m.version));
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ version: number; checksum: string }[]>`
      SELECT version, checksum FROM schema_migrations ORDER BY version`;
    const databaseVersion = Math.max(0, ...rows.map((r) => r.version));
    if (databaseVersion > codeVersion) throw new SchemaTooNewError(databaseVersion, codeVersion);

    const appliedChecksums = new Map(rows.map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const migration of known) {
      const checksum = appliedChecksums.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.version}_${migration.name} changed after it was applied`,
          );
        }
        continue;
      }
      await tx.unsafe(migration.sql);
      await tx`
        INSERT INTO schema_migrations (version, name, checksum)
        VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`;
      applied.push(migration.version);
    }
    return { applied, version: Math.max(databaseVersion, ...applied) };
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
