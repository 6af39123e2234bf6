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
}

/** Configures DBOS for `databaseUrl` and launches it, recovering pending workflows. */
export async function launchDurableRuntime(options: DurableRuntimeOptions): Promise<void> {
  const listenNotify = options.listenNotify ?? !(await isPglite(options.databaseUrl));
  DBOS.setConfig({
    name: options.appName,
    systemDatabaseUrl: options.databaseUrl,
    logLevel: options.logLevel ?? 'info',
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    useListenNotify: listenNotify,
    ...(listenNotify ? {} : { systemDatabaseIdleTransactionTimeoutMs: 0 }),
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

async function isPglite(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1 });
  try {
    const [row] = await sql<{ version: string }[]>`SELECT version()`;
    return row?.version.includes('PGlite') ?? false;
  } finally {
    await sql.end();
  }
}
