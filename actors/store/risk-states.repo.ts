/**
 * @module actors/store/risk-states.repo
 * Persisted snapshots of the risk layer's machines: one trading state and one breaker per kind,
 * per scope (`global` or a symbol). A halt, an open breaker with its reason and its trip count of
 * the day survive a restart. Saves are guarded by an optimistic version like symbol snapshots, so
 * a restarted risk controller and the one it replaced cannot overwrite each other silently.
 */
import type postgres from 'postgres';

import type { Sql } from './database.js';

/** Names one machine: its scope and which machine (`trading`, `breaker:<kind>`). */
export interface RiskStateKey {
  /** `global` or a symbol. */
  readonly scope: string;
  /** `trading` or `breaker:<kind>`. */
  readonly machine: string;
}

/** A stored machine snapshot. */
export interface RiskState<T = unknown> extends RiskStateKey {
  readonly snapshot: T;
  /** 1 after the first save, +1 per save. */
  readonly version: number;
  readonly updatedAt: Date;
}

/** A save named a version that is no longer the stored one. */
export class StaleRiskStateError extends Error {
  readonly key: RiskStateKey;
  readonly expectedVersion: number;
  /** The stored version, or null when nothing is stored. */
  readonly actualVersion: number | null;

  constructor(key: RiskStateKey, expectedVersion: number, actualVersion: number | null) {
    super(
      `risk state ${key.scope}/${key.machine} expected at version ${expectedVersion}, ` +
        `was ${actualVersion ?? 'absent'}`,
    );
    this.name = 'StaleRiskStateError';
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

interface Row {
  scope: string;
  machine: string;
  snapshot: unknown;
  version: string;
  updated_at: Date;
}

function fromRow<T>(row: Row): RiskState<T> {
  return {
    scope: row.scope,
    machine: row.machine,
    snapshot: row.snapshot as T,
    version: Number(row.version),
    updatedAt: row.updated_at,
  };
}

/** Reads and writes `risk_states`. */
export class RiskStatesRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Stores a snapshot (JSON-serialisable) if the stored version is still `expectedVersion`
   * (0: nothing stored yet).
   * @param key - which machine
   * @param snapshot - its `getPersistedSnapshot()`
   * @param expectedVersion - the version this writer last read or wrote
   * @returns the new version
   * @throws {StaleRiskStateError} when another save got there first
   */
  async save(key: RiskStateKey, snapshot: unknown, expectedVersion: number): Promise<number> {
    const json = this.#sql.json(snapshot as postgres.JSONValue);
    const rows =
      expectedVersion === 0
        ? await this.#sql<{ version: string }[]>`
            INSERT INTO risk_states (scope, machine, snapshot, version)
            VALUES (${key.scope}, ${key.machine}, ${json}, 1)
            ON CONFLICT (scope, machine) DO NOTHING
            RETURNING version`
        : await this.#sql<{ version: string }[]>`
            UPDATE risk_states
            SET snapshot = ${json}, version = version + 1, updated_at = now()
            WHERE scope = ${key.scope} AND machine = ${key.machine}
              AND version = ${expectedVersion}
            RETURNING version`;
    const saved = rows[0];
    if (saved) return Number(saved.version);
    const current = await this.load(key);
    throw new StaleRiskStateError(key, expectedVersion, current?.version ?? null);
  }

  /**
   * @param key - which machine
   * @returns its stored snapshot, or null when it has none
   */
  async load<T = unknown>(key: RiskStateKey): Promise<RiskState<T> | null> {
    const [row] = await this.#sql<Row[]>`
      SELECT scope, machine, snapshot, version, updated_at FROM risk_states
      WHERE scope = ${key.scope} AND machine = ${key.machine}`;
    return row ? fromRow<T>(row) : null;
  }

  /**
   * Every stored machine, by scope then machine; what a risk controller restores on start.
   * @returns the stored states
   */
  async loadAll(): Promise<RiskState[]> {
    const rows = await this.#sql<Row[]>`
      SELECT scope, machine, snapshot, version, updated_at FROM risk_states
      ORDER BY scope, machine`;
    return rows.map((row) => fromRow(row));
  }

  /**
   * Forgets a scope's machines (a symbol removed for good).
   * @param scope - `global` or a symbol
   * @returns how many machines were removed
   */
  async deleteScope(scope: string): Promise<number> {
    const rows = await this.#sql`DELETE FROM risk_states WHERE scope = ${scope} RETURNING 1`;
    return rows.length;
  }
}
