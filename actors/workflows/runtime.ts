/**
 * @module actors/workflows/runtime
 * Starts and stops DBOS, the durable-execution runtime, on the engine's database. Launching
 * recovers the workflows a previous process left pending, so the workflows and what their steps
 * need (venues, order index) must be registered and bound first.
 *
 * The embedded PGlite is one Postgres session shared by every connection, so a LISTEN on one
 * connection never hears a NOTIFY sent from another: against it DBOS runs with LISTEN/NOTIFY off
 * and polls instead (results every `pollingIntervalMs`, 100 ms in our workflows), and without
 * the idle-in-transaction timeout, which would end the session every connection shares.
 *
 * On a PostgreSQL server several engines may launch at once (scale-out replicas start together).
 * DBOS migrates its system schema on launch without a lock between processes, and two first
 * launches on a fresh database deadlock in its migrations; so a launch there runs under a session
 * advisory lock of its own, one process at a time (a crashed holder's session frees it).
 */
import { DBOS, type DLogger } from '@dbos-inc/dbos-sdk';
import postgres from 'postgres';

export interface DurableRuntimeOptions {
  /** The engine's database (`Database.url`); DBOS keeps its tables in the `dbos` schema. */
  readonly databaseUrl: string;
  /** Scopes this application's workflows in the database. */
  readonly appName: string;
  /**
   * Version pending workflows are recovered under; default DBOS's hash of the registered
   * workflow code, so a build whose workflows changed does not replay the old ones.
   */
  readonly applicationVersion?: string;
  /** DBOS's own log level; default 'info'. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where DBOS logs go (a pino logger fits); default the console, filtered by `logLevel`. */
  readonly logger?: DLogger;
  /** Whether the server delivers LISTEN/NOTIFY; default: off for PGlite, on otherwise. */
  readonly listenNotify?: boolean;
  /**
   * This process's executor id (scale-out: the engine id); each workflow is tagged with it and a
   * launch recovers only its own. Default DBOS's 'local'.
   */
  readonly executorId?: string;
  /**
   * PostgreSQL ends a DBOS session idle inside a transaction this long, ms; default DBOS's
   * (60 s). Scale-out sets it under the lease TTL, so a paused engine's open transaction does not
   * hold the workflow rows a live engine recovers.
   */
  readonly idleInTransactionMs?: number;
}

/** Advisory lock key serializing DBOS launches on one database; private to this module. */
const LAUNCH_LOCK_KEY = 4_823_117_650_213;
/** A launch takes well under a second; one holding the lock this long is stuck. */
const LAUNCH_LOCK_WAIT_MS = 120_000;

/** Configures DBOS for `databaseUrl` and launches it, recovering pending workflows. */
export async function launchDurableRuntime(options: DurableRuntimeOptions): Promise<void> {
  const pglite = await isPglite(options.databaseUrl);
  if (pglite) return launch(options, options.listenNotify ?? false);
  const session = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await lockLaunch(session);
    await launch(options, options.listenNotify ?? true);
  } finally {
    // Ending the session frees the lock
    await session.end();
  }
}

async function launch(options: DurableRuntimeOptions, listenNotify: boolean): Promise<void> {
  DBOS.setConfig({
    name: options.appName,
    systemDatabaseUrl: options.databaseUrl,
    logLevel: options.logLevel ?? 'info',
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    useListenNotify: listenNotify,
    ...(listenNotify
      ? options.idleInTransactionMs === undefined
        ? {}
        : { systemDatabaseIdleTransactionTimeoutMs: options.idleInTransactionMs }
      : { systemDatabaseIdleTransactionTimeoutMs: 0 }),
    ...(options.applicationVersion === undefined
      ? {}
      : { applicationVersion: options.applicationVersion }),
    ...(options.executorId === undefined ? {} : { executorID: options.executorId }),
  });
  await DBOS.launch();
}

/**
 * Stops DBOS, waiting up to `workflowCompletionTimeoutMs` (default 5000) for workflows running
 * here to finish; any still running are recovered by the next launch.
 */
export async function shutdownDurableRuntime(
  options: { readonly workflowCompletionTimeoutMs?: number } = {},
): Promise<void> {
  await DBOS.shutdown({
    workflowCompletionTimeoutMS: options.workflowCompletionTimeoutMs ?? 5_000,
  });
}

/**
 * Takes the launch lock, trying every 100 ms. Not `pg_advisory_lock`: a session blocked in it
 * holds a snapshot, and the CREATE INDEX CONCURRENTLY of the holder's DBOS migrations waits for
 * every older snapshot, so holder and waiter would wait for each other unseen by the database.
 */
async function lockLaunch(session: postgres.Sql): Promise<void> {
  const deadline = Date.now() + LAUNCH_LOCK_WAIT_MS;
  for (;;) {
    const [row] = await session<{ ok: boolean }[]>`
      SELECT pg_try_advisory_lock(${LAUNCH_LOCK_KEY}) AS ok`;
    if (row?.ok) return;
    if (Date.now() > deadline) {
      throw new Error(
        `another engine has been launching its workflow runtime on this database for over ${LAUNCH_LOCK_WAIT_MS / 1000} s ` +
          '(a paused or hung process?): stop it, or start this engine again once it is up',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function isPglite(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1 });
  try {
    const [row] = await sql<{ version: string }[]>`SELECT version()`;
    return row?.version.includes('PGlite') ?? false;
  } finally {
    await sql.end();
  }
}
