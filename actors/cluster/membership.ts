/**
 * @module actors/cluster/membership
 * This engine's place among the engines sharing the database: a session advisory lock keyed by
 * its engine id, held on a connection of its own for as long as the process runs. The lock makes
 * an id unique among live processes (a second engine started under a running one's id is
 * refused), and it is how the others learn at once that this process died: its session ends,
 * the lock goes, and they take its symbols without waiting for its leases to expire.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

import type postgres from 'postgres';

import type { Sql } from '../store/database.js';
import type { LeasesRepo } from '../store/leases.repo.js';

/** Another live process runs under this engine id. */
export class EngineIdInUseError extends Error {
  constructor(engineId: string) {
    super(
      `cluster.engine_id: engine "${engineId}" is already running on this database; give each ` +
        'engine its own id (ENGINE_ID), or leave it empty for one made from the host and process',
    );
    this.name = 'EngineIdInUseError';
  }
}

/** The advisory lock key of an engine id: 52 bits of its sha256, so it is exact as a JS number. */
export function memberLockKey(engineId: string): number {
  const digest = createHash('sha256').update(`opensqt-engine:${engineId}`).digest();
  return digest.readUIntBE(0, 6) % 2 ** 52;
}

/** The default engine id: this host and process, unique among live processes. */
export function defaultEngineId(): string {
  return `${hostname().slice(0, 40)}-${process.pid}`;
}

/** This engine's membership, held until `leave`. */
export class Membership {
  readonly engineId: string;
  readonly lockKey: number;
  readonly #sql: Sql;
  readonly #repo: LeasesRepo;
  #session: postgres.ReservedSql | null;

  private constructor(engineId: string, sql: Sql, repo: LeasesRepo, session: postgres.ReservedSql) {
    this.engineId = engineId;
    this.lockKey = memberLockKey(engineId);
    this.#sql = sql;
    this.#repo = repo;
    this.#session = session;
  }

  /**
   * Takes the engine id's lock and registers the member.
   * @throws {EngineIdInUseError} when a live process holds the id
   */
  static async join(sql: Sql, repo: LeasesRepo, engineId: string): Promise<Membership> {
    const session = await sql.reserve();
    try {
      if (!(await tryLock(session, memberLockKey(engineId)))) {
        throw new EngineIdInUseError(engineId);
      }
    } catch (e) {
      session.release();
      throw e;
    }
    const membership = new Membership(engineId, sql, repo, session);
    // A row still claimed (an earlier process under this id being recovered) is joined later
    await repo.join(membership.#member());
    return membership;
  }

  /**
   * Checks that this process still holds its lock and its member row, taking them again when
   * the session was lost (the database restarted) or the others found it dead (once they have
   * recovered its work and removed the row).
   * @returns false when membership lapsed (or is not back yet): every lease this engine held
   *   must be treated as lost, and none taken
   */
  async refresh(): Promise<boolean> {
    const session = this.#session;
    let held = false;
    try {
      held = session !== null && (await holdsLock(session, this.lockKey));
    } catch {
      held = false;
    }
    const present = held && (await this.#repo.heartbeat(this.engineId));
    if (held && present) return true;
    if (!held) {
      // The old session is gone (or never answered): take the lock on a new one
      this.#session?.release();
      this.#session = null;
      const reserved = await this.#sql.reserve();
      if (!(await tryLock(reserved, this.lockKey))) {
        reserved.release();
        throw new EngineIdInUseError(this.engineId);
      }
      this.#session = reserved;
    }
    await this.#repo.join(this.#member());
    return false;
  }

  /** Leaves on a clean stop: the member row goes and the lock is freed. */
  async leave(): Promise<void> {
    await this.#repo.leave(this.engineId);
    const session = this.#session;
    this.#session = null;
    if (session) {
      try {
        await session`SELECT pg_advisory_unlock(${this.lockKey})`;
      } finally {
        // Releasing the connection to the pool keeps its session: unlocked above, or gone
        session.release();
      }
    }
  }

  #member() {
    return { engineId: this.engineId, lockKey: this.lockKey, host: hostname(), pid: process.pid };
  }
}

async function tryLock(session: postgres.ReservedSql, key: number): Promise<boolean> {
  const [row] = await session<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${key}) AS ok`;
  return row?.ok === true;
}

async function holdsLock(session: postgres.ReservedSql, key: number): Promise<boolean> {
  const [row] = await session<{ held: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND pid = pg_backend_pid()
        AND (classid::bigint << 32) + objid::bigint = ${key}) AS held`;
  return row?.held === true;
}
