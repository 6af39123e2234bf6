/**
 * @module actors/store/snapshots.repo
 * The last persisted snapshot of each symbol actor (its machines' `getPersistedSnapshot()`s, as
 * JSON), guarded by an optimistic version: a save names the version it read, so two writers of
 * one symbol (a restarted actor and the one it replaced) cannot silently overwrite each other.
 */
import type postgres from 'postgres';

import type { SymbolId } from '../../core/types.js';
import type { Sql } from './database.js';

/** A stored snapshot. */
export interface SymbolSnapshot<T = unknown> {
  readonly symbol: SymbolId;
  readonly snapshot: T;
  /** 1 after the first save, +1 per save. */
  readonly version: number;
  readonly updatedAt: Date;
}

/** A save named a version that is no longer the stored one. */
export class StaleSnapshotError extends Error {
  readonly symbol: SymbolId;
  readonly expectedVersion: number;
  /** The stored version, or null when nothing is stored. */
  readonly actualVersion: number | null;

  constructor(symbol: SymbolId, expectedVersion: number, actualVersion: number | null) {
    const actual = actualVersion ?? 'absent';
    super(`snapshot of ${symbol} expected at version ${expectedVersion}, was ${actual}`);
    this.name = 'StaleSnapshotError';
    this.symbol = symbol;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

interface Row {
  symbol: string;
  snapshot: unknown;
  version: string;
  updated_at: Date;
}

export class SnapshotsRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Stores `snapshot` (JSON-serialisable) for `symbol` if the stored version is still
   * `expectedVersion` (0: nothing stored yet).
   * @returns the new version
   * @throws {StaleSnapshotError} when another save got there first
   */
  async save(symbol: SymbolId, snapshot: unknown, expectedVersion: number): Promise<number> {
    const json = this.#sql.json(snapshot as postgres.JSONValue);
    const rows =
      expectedVersion === 0
        ? await this.#sql<{ version: string }[]>`
            INSERT INTO symbol_snapshots (symbol, snapshot, version)
            VALUES (${symbol}, ${json}, 1)
            ON CONFLICT (symbol) DO NOTHING
            RETURNING version`
        : await this.#sql<{ version: string }[]>`
            UPDATE symbol_snapshots
            SET snapshot = ${json}, version = version + 1, updated_at = now()
            WHERE symbol = ${symbol} AND version = ${expectedVersion}
            RETURNING version`;
    const saved = rows[0];
    if (saved) return Number(saved.version);
    const current = await this.load(symbol);
    throw new StaleSnapshotError(symbol, expectedVersion, current?.version ?? null);
  }

  /** The stored snapshot of `symbol`, or null when it has none. */
  async load<T = unknown>(symbol: SymbolId): Promise<SymbolSnapshot<T> | null> {
    const [row] = await this.#sql<Row[]>`
      SELECT symbol, snapshot, version, updated_at FROM symbol_snapshots WHERE symbol = ${symbol}`;
    if (!row) return null;
    return {
      symbol: row.symbol as SymbolId,
      snapshot: row.snapshot as T,
      version: Number(row.version),
      updatedAt: row.updated_at,
    };
  }
}
