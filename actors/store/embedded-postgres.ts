/**
 * @module actors/store/embedded-postgres
 * The embedded database: PGlite on a data directory, served on loopback over the Postgres wire
 * protocol so DBOS (node-postgres) and postgres.js connect to it through an ordinary
 * `postgres://` URL, exactly as they would to a real server.
 *
 * Memory is bounded on purpose: PGlite runs Postgres inside this process's WebAssembly heap, which
 * only ever grows. Postgres's default 128 MB buffer pool would be touched page by page and kept;
 * our working set is a few MB, so the pool is {@link EMBEDDED_SHARED_BUFFERS} and per-query memory
 * is capped too. `initdb` of a fresh data directory (the biggest allocation PGlite makes, ~700 MB)
 * runs in a short-lived child process whose memory goes back to the system when it exits.
 *
 * One process owns a data directory at a time (a lock file beside it), because two PGlite
 * instances writing the same files corrupt them. Connections share PGlite's single session through
 * {@link PgliteSessionQueue}. Closing stops the listener, detaches every connection (rolling back
 * whatever a departed client left open), then closes PGlite, which checkpoints to disk.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';

import { PgliteSessionQueue } from './pglite-session-queue.js';

/** Where the embedded database keeps its files unless told otherwise. */
export const DEFAULT_PGLITE_DIR = './data/pglite';

/** Postgres buffer pool inside PGlite; the engine's hot tables fit many times over. */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** Server settings that bound PGlite's memory; see the module doc. */
const MEMORY_SETTINGS = [
  `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`,
  'wal_buffers=1MB',
  'temp_buffers=2MB',
  'work_mem=2MB',
  'maintenance_work_mem=16MB',
];

export interface EmbeddedPostgresOptions {
  /** Data directory, created when missing; `memory://` keeps everything in memory. */
  readonly dataDir: string;
  /** Loopback port; default 0 (the OS picks a free one). */
  readonly port?: number;
  /**
   * Most simultaneous client connections; default 64, room for DBOS's pool (10 by default),
   * postgres.js (a few) and a second process during recovery tests.
   */
  readonly maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** Stops serving, then closes PGlite and releases the data directory. Idempotent. */
  close(): Promise<void>;
}

/**
 * V8 flag that keeps Postgres's WebAssembly on the baseline compiler (Liftoff). Left to tier up,
 * V8 recompiles Postgres's hot functions with TurboFan on background threads; measured with 10
 * symbols trading, that holds 40-80 MB of native memory for the life of the process and its
 * compile bursts raise the p99 of a query 2-3x on a two-core machine, while the p50 stays within
 * noise (bench/README.md, memory). PGlite is the only WebAssembly the processes load.
 */
const BASELINE_WASM_ONLY = '--liftoff-only';

/** Opens PGlite on `dataDir` and serves it on 127.0.0.1. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const inMemory = options.dataDir.startsWith('memory://');
  const releaseLock = inMemory ? async () => undefined : await lockDataDir(options.dataDir);
  let db: PGlite;
  try {
    const dataDir = inMemory ? options.dataDir : path.resolve(options.dataDir);
    if (!inMemory) await initDataDirApart(dataDir);
    // Before PGlite compiles its module: V8 reads the flag at compile time
    v8.setFlagsFromString(BASELINE_WASM_ONLY);
    db = await PGlite.create(dataDir, {
      startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((s) => ['-c', s])],
    });
  } catch (e) {
    await releaseLock();
    throw e;
  }

  const queue = new PgliteSessionQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = createServer((socket) => void attach(socket));
  server.maxConnections = options.maxConnections ?? 64;

  async function attach(socket: Socket): Promise<void> {
    const handler = new PGLiteSocketHandler({
      // The handler only calls the three queue methods PgliteSessionQueue implements; the
      // upstream type names its own (unexported) class, hence the cast.
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    handler.addEventListener('close', () => handlers.delete(handler));
    handler.addEventListener('error', () => handlers.delete(handler));
    try {
      await handler.attach(socket);
    } catch {
      handlers.delete(handler);
      socket.destroy();
    }
  }

  try {
    await listen(server, options.port ?? 0);
  } catch (e) {
    await db.close();
    await releaseLock();
    throw e;
  }
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...handlers].map((handler) => handler.detach(true)));
        handlers.clear();
        await stopped;
        // Connections that closed on their own may still be releasing the session
        await queue.drained();
        await db.close();
        await releaseLock();
      })();
      return closing;
    },
  };
}

/**
 * Creates a fresh data directory in a child process (initdb's memory then leaves with it); does
 * nothing when the directory already holds a database.
 * @throws {Error} with the child's output when initdb fails
 */
async function initDataDirApart(dataDir: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const pglite = import.meta.resolve('@electric-sql/pglite');
  const script = [
    `const { PGlite } = await import(${JSON.stringify(pglite)});`,
    `const db = await PGlite.create(${JSON.stringify(dataDir)});`,
    'await db.close();',
  ].join('\n');
  try {
    await promisify(execFile)(
      process.execPath,
      [BASELINE_WASM_ONLY, '--input-type=module', '-e', script],
      {
        timeout: 120_000,
      },
    );
  } catch (e) {
    const { stderr } = e as { stderr?: string };
    throw new Error(`could not create the embedded database in ${dataDir}: ${stderr || e}`, {
      cause: e,
    });
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Who holds a data directory: the process id and, on Linux, when that process started. */
interface LockOwner {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); tells a reused pid apart. */
  readonly startedAtTicks: number | null;
}

/**
 * Takes `<dataDir>.lock` for this process, taking over a lock whose owner is gone: exited, a zombie
 * nobody reaped yet, or a pid the system has since given to another process.
 * @returns the release function
 * @throws {Error} when a live process holds the lock
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const dir = path.resolve(dataDir);
  await mkdir(path.dirname(dir), { recursive: true });
  const lockPath = `${dir}.lock`;
  const self: LockOwner = { pid: process.pid, startedAtTicks: await startedAtTicks(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(lockPath, 'wx');
      await file.writeFile(JSON.stringify(self));
      await file.close();
      return () => rm(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = parseLockOwner(await readFile(lockPath, 'utf8').catch(() => ''));
      if (owner && (await isAlive(owner))) {
        throw new Error(`database ${dir} is in use by process ${owner.pid} (lock ${lockPath})`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock database ${dir} (lock ${lockPath})`);
}

/** Reads a lock file: JSON `{pid, startedAtTicks}`, or a bare pid as older builds wrote it. */
function parseLockOwner(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), startedAtTicks: null };
  try {
    const parsed = JSON.parse(trimmed) as Partial<LockOwner>;
    if (!Number.isSafeInteger(parsed.pid)) return null;
    const ticks = Number.isSafeInteger(parsed.startedAtTicks) ? parsed.startedAtTicks! : null;
    return { pid: parsed.pid!, startedAtTicks: ticks };
  } catch {
    return null;
  }
}

async function isAlive(owner: LockOwner): Promise<boolean> {
  const { pid } = owner;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const stat = await procStat(pid);
  if (stat !== undefined) {
    // Linux: a missing entry is an exited and reaped process; Z and X ones have exited too
    if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
    return owner.startedAtTicks === null || owner.startedAtTicks === stat.startedAtTicks;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function startedAtTicks(pid: number): Promise<number | null> {
  return (await procStat(pid))?.startedAtTicks ?? null;
}

/**
 * A process's state letter and start time from /proc.
 * @returns undefined where there is no /proc (not Linux), null when the process does not exist
 */
async function procStat(
  pid: number,
): Promise<{ state: string; startedAtTicks: number } | null | undefined> {
  if (process.platform !== 'linux') return undefined;
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startedAtTicks: Number(fields[19]) };
}
