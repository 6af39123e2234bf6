/**
 * @module actors/store/database
 * Opens the engine's storage: a real PostgreSQL when a URL is given (`DATABASE_URL`), otherwise
 * the embedded PGlite served on loopback. Either way callers get one `postgres://` URL (for DBOS
 * and for child processes) and a postgres.js client whose schema is migrated to this build.
 */
import postgres from 'postgres';

import {
  DEFAULT_PGLITE_DIR,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './embedded-postgres.js';
import { migrate } from './migrations.js';

/** The postgres.js client type the repositories take. */
export type Sql = postgres.Sql;

export interface DatabaseOptions {
  /**
   * A real PostgreSQL to use instead of the embedded database; default `process.env.DATABASE_URL`.
   * Pass `null` to force the embedded database whatever the environment says.
   */
  readonly url?: string | null;
  /** Embedded data directory; default `./data/pglite`; `memory://` for a throwaway database. */
  readonly dataDir?: string;
  /** Embedded loopback port; default 0 (any free port). */
  readonly port?: number;
  /** Connections in the postgres.js pool; default 4. */
  readonly poolSize?: number;
  /** Apply pending migrations on open; default true. */
  readonly migrate?: boolean;
  /**
   * PostgreSQL ends a session of the pool that sits idle inside a transaction this long, ms;
   * default the server's setting. Scale-out sets it under the lease TTL: a paused engine must not
   * hold row locks (order index, snapshots) its symbols' new owner waits for.
   */
  readonly idleInTransactionMs?: number;
}

export interface Database {
  /** Connection URL of the database, embedded or not; hand it to DBOS and to child processes. */
  readonly url: string;
  /** True when this process serves the embedded PGlite. */
  readonly embedded: boolean;
  readonly sql: Sql;
  /**
   * Ends the postgres.js pool, then (embedded) stops the socket server and closes PGlite, in that
   * order so nothing is in flight when the files are closed. Shut DBOS down before this.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens storage and migrates it.
 * @throws {SchemaTooNewError} when the database was migrated by a newer build
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const externalUrl = options.url === undefined ? process.env.DATABASE_URL : options.url;
  let url: string;
  let embedded: EmbeddedPostgres | undefined;
  if (externalUrl) {
    url = externalUrl;
  } else {
    embedded = await startEmbeddedPostgres({
      dataDir: options.dataDir ?? DEFAULT_PGLITE_DIR,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    url = embedded.url;
  }
  const sql = postgres(url, {
    max: options.poolSize ?? 4,
    // IF NOT EXISTS and friends raise notices that carry no information for us
    onnotice: () => undefined,
    idle_timeout: 30,
    ...(options.idleInTransactionMs === undefined
      ? {}
      : { connection: { idle_in_transaction_session_timeout: options.idleInTransactionMs } }),
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await sql.end({ timeout: 5 });
      await embedded?.close();
    })();
    return closing;
  };

  try {
    if (options.migrate ?? true) await migrate(sql);
  } catch (e) {
    await close();
    throw e;
  }
  return { url, embedded: embedded !== undefined, sql, close };
}
