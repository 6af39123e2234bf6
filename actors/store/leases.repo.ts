/**
 * @module actors/store/leases.repo
 * Scale-out's shared state: the engines that run on this database (members) and which engine
 * owns each symbol (leases). Expiry is judged on the database's clock. A member is live while it
 * holds its session advisory lock (a dead process's session ends and frees it at once) and its
 * heartbeat is fresh (a paused process keeps its session, so only the heartbeat tells).
 */
import type { Sql } from './database.js';

/** An engine running on this database. */
export interface Member {
  readonly engineId: string;
  readonly lockKey: number;
  readonly host: string;
  readonly pid: number;
}

/** A member as the others see it. */
export interface MemberView extends Member {
  readonly startedAt: Date;
  /** Milliseconds since its last heartbeat, on the database's clock. */
  readonly heartbeatAgeMs: number;
  /** It holds its advisory lock (its process and session are alive). */
  readonly locked: boolean;
}

/** A symbol's lease. */
export interface Lease {
  readonly symbol: string;
  readonly owner: string;
  readonly token: number;
  readonly acquiredAt: Date;
  /** Milliseconds until it expires unless renewed; negative once expired. */
  readonly expiresInMs: number;
}

/** How long {@link LeasesRepo.acquire} waits for a locked lease row by default, ms. */
export const DEFAULT_LOCK_WAIT_MS = 200;

/** SQLSTATE of a lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

interface MemberRow {
  engine_id: string;
  lock_key: string;
  host: string;
  pid: number;
  started_at: Date;
  heartbeat_age_ms: number;
  locked: boolean;
}

interface LeaseRow {
  symbol: string;
  owner: string;
  token: string;
  acquired_at: Date;
  expires_in_ms: number;
}

export class LeasesRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Registers `member` (again, after a restart under the same id), heartbeat now.
   * @returns false while another engine is recovering an earlier process under this id (its
   *   row is claimed): try again later
   */
  async join(member: Member): Promise<boolean> {
    const result = await this.#sql`
      INSERT INTO engine_members AS m (engine_id, lock_key, host, pid)
      VALUES (${member.engineId}, ${member.lockKey}, ${member.host}, ${member.pid})
      ON CONFLICT (engine_id) DO UPDATE
        SET lock_key = EXCLUDED.lock_key, host = EXCLUDED.host, pid = EXCLUDED.pid,
            started_at = now(), heartbeat_at = now()
        WHERE m.claimed_by IS NULL`;
    return result.count > 0;
  }

  /**
   * Records that `engineId` is alive.
   * @returns false when another engine found it dead (its row is claimed, or gone)
   */
  async heartbeat(engineId: string): Promise<boolean> {
    const result = await this.#sql`
      UPDATE engine_members SET heartbeat_at = now()
      WHERE engine_id = ${engineId} AND claimed_by IS NULL`;
    return result.count > 0;
  }

  /** Removes `engineId` on a clean stop: its leases were released, its workflows finished. */
  async leave(engineId: string): Promise<void> {
    await this.#sql`DELETE FROM engine_members WHERE engine_id = ${engineId}`;
  }

  /** Every member, with how fresh it is and whether its process still holds its lock. */
  async members(): Promise<MemberView[]> {
    const rows = await this.#sql<MemberRow[]>`
      SELECT m.engine_id, m.lock_key, m.host, m.pid, m.started_at,
             (EXTRACT(EPOCH FROM (now() - m.heartbeat_at)) * 1000)::float8 AS heartbeat_age_ms,
             ${heldLock(this.#sql)} AS locked
      FROM engine_members m ORDER BY m.engine_id`;
    return rows.map((row) => ({
      engineId: row.engine_id,
      lockKey: Number(row.lock_key),
      host: row.host,
      pid: row.pid,
      startedAt: row.started_at,
      heartbeatAgeMs: row.heartbeat_age_ms,
      locked: row.locked,
    }));
  }

  /**
   * Claims the members that are dead (lock gone, or no heartbeat for `staleMs`) for `claimer`,
   * which recovers their work and then calls {@link finishClaims}. Each dead member is claimed
   * by one caller; a claim its claimer did not finish within three times `staleMs` (it died
   * too) can be claimed again.
   * @returns the ids claimed now
   */
  async claimDead(staleMs: number, claimer: string): Promise<string[]> {
    const stale = this.#sql`${staleMs} * interval '1 millisecond'`;
    const rows = await this.#sql<{ engine_id: string }[]>`
      UPDATE engine_members m SET claimed_by = ${claimer}, claimed_at = now()
      WHERE (NOT ${heldLock(this.#sql)} OR m.heartbeat_at < now() - ${stale})
        AND (m.claimed_by IS NULL OR m.claimed_at < now() - 3 * ${stale})
      RETURNING m.engine_id`;
    return rows.map((row) => row.engine_id);
  }

  /** Removes the members `claimer` recovered: their leases may be taken from now on. */
  async finishClaims(engineIds: readonly string[], claimer: string): Promise<void> {
    await this.#sql`
      DELETE FROM engine_members
      WHERE engine_id = ANY(${[...engineIds]}::text[]) AND claimed_by = ${claimer}`;
  }

  /**
   * Takes `symbol`'s lease for `owner` when it is free (never taken, or given back), held by an
   * engine that is no member any more (it left, or was found dead and its workflows recovered),
   * by an earlier process under `owner`'s id, or expired for a whole `ttlMs` (its engine is
   * alive but cannot renew); each taking gets the next token. A lease that merely expired waits
   * for its engine to be found dead and recovered: taking it sooner would trade the symbol
   * while that engine's last placements may still reach the venue. Waits at most `lockWaitMs` for the lease row: a former owner paused inside a
   * snapshot save holds it FOR SHARE (see {@link heldToken}), and a caller blocked behind it must
   * not stop renewing its own leases; such a lease counts as held until that transaction ends.
   * @returns the token, or null when a live owner holds it (or its row stayed locked)
   */
  async acquire(
    symbol: string,
    owner: string,
    ttlMs: number,
    lockWaitMs: number = DEFAULT_LOCK_WAIT_MS,
  ): Promise<number | null> {
    try {
      const [row] = await this.#sql.begin(async (tx) => {
        await tx`SELECT set_config('lock_timeout', ${`${lockWaitMs}ms`}, true)`;
        return tx<{ token: string }[]>`
          INSERT INTO symbol_leases AS l (symbol, owner, token, expires_at)
          VALUES (${symbol}, ${owner}, 1, now() + ${ttlMs} * interval '1 millisecond')
          ON CONFLICT (symbol) DO UPDATE
            SET owner = EXCLUDED.owner, token = l.token + 1, acquired_at = now(),
                expires_at = EXCLUDED.expires_at
            WHERE l.owner = ''
               -- An earlier process under this id (ids are unique among live processes)
               OR l.owner = EXCLUDED.owner
               OR NOT EXISTS (SELECT 1 FROM engine_members m WHERE m.engine_id = l.owner)
               OR l.expires_at <= now() - ${ttlMs} * interval '1 millisecond'
          RETURNING token`;
      });
      return row ? Number(row.token) : null;
    } catch (e) {
      if ((e as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
      throw e;
    }
  }

  /**
   * Extends the leases `owner` still holds among `symbols` (at the tokens given).
   * @returns the symbols whose lease was extended; the others were lost
   */
  async renew(
    owner: string,
    held: ReadonlyMap<string, number>,
    ttlMs: number,
  ): Promise<Set<string>> {
    if (held.size === 0) return new Set();
    const symbols = [...held.keys()];
    const tokens = symbols.map((s) => String(held.get(s)));
    const rows = await this.#sql<{ symbol: string }[]>`
      UPDATE symbol_leases l SET expires_at = now() + ${ttlMs} * interval '1 millisecond'
      FROM unnest(${symbols}::text[], ${tokens}::bigint[]) AS h(symbol, token)
      WHERE l.symbol = h.symbol AND l.token = h.token AND l.owner = ${owner}
        AND l.expires_at > now()
      RETURNING l.symbol`;
    return new Set(rows.map((row) => row.symbol));
  }

  /** Gives up `symbol` at once (its actor has stopped): the next engine may take it now. */
  async release(symbol: string, owner: string, token: number): Promise<void> {
    await this.#sql`
      UPDATE symbol_leases SET owner = '', expires_at = now()
      WHERE symbol = ${symbol} AND owner = ${owner} AND token = ${token}`;
  }

  /**
   * The token `owner` holds `symbol`'s lease at, when it still does and it has not expired;
   * null otherwise. With `sql` a transaction, the lease row is locked FOR SHARE until it ends,
   * so no takeover commits in between (a fenced write); and the transaction is ended by the
   * server once it sits idle for `idleLimitMs`, so a process paused inside it (SIGSTOP, a
   * stalled VM) cannot hold the row, and with it every takeover of the symbol, for longer.
   */
  async heldToken(
    symbol: string,
    owner: string,
    sql: Sql = this.#sql,
    idleLimitMs?: number,
  ): Promise<number | null> {
    if (idleLimitMs !== undefined) {
      await sql`
        SELECT set_config('idle_in_transaction_session_timeout', ${`${idleLimitMs}ms`}, true)`;
    }
    const [row] = await sql<{ token: string }[]>`
      SELECT token FROM symbol_leases
      WHERE symbol = ${symbol} AND owner = ${owner} AND expires_at > now()
      FOR SHARE`;
    return row ? Number(row.token) : null;
  }

  /** Every lease, by symbol. */
  async list(): Promise<Lease[]> {
    const rows = await this.#sql<LeaseRow[]>`
      SELECT ${leaseColumns(this.#sql)} FROM symbol_leases ORDER BY symbol`;
    return rows.map(leaseFromRow);
  }

  /** `symbol`'s lease, or null when it was never taken. */
  async leaseOf(symbol: string): Promise<Lease | null> {
    const [row] = await this.#sql<LeaseRow[]>`
      SELECT ${leaseColumns(this.#sql)} FROM symbol_leases WHERE symbol = ${symbol}`;
    return row ? leaseFromRow(row) : null;
  }
}

function leaseColumns(sql: Sql) {
  return sql`symbol, owner, token, acquired_at,
    (EXTRACT(EPOCH FROM (expires_at - now())) * 1000)::float8 AS expires_in_ms`;
}

function leaseFromRow(row: LeaseRow): Lease {
  return {
    symbol: row.symbol,
    owner: row.owner,
    token: Number(row.token),
    acquiredAt: row.acquired_at,
    expiresInMs: row.expires_in_ms,
  };
}

/**
 * SQL: whether member `m`'s advisory lock is held. A bigint key shows in pg_locks as its high
 * and low 32 bits (classid, objid) with objsubid 1; keys stay below 2^52, so both are exact.
 */
function heldLock(sql: Sql) {
  return sql`EXISTS (
    SELECT 1 FROM pg_locks k
    WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 1
      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND (k.classid::bigint << 32) + k.objid::bigint = m.lock_key)`;
}
