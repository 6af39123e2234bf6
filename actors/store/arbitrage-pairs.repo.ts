/**
 * @module actors/store/arbitrage-pairs.repo
 * The durable set of funding-rate arbitrage pairs and each pair's persisted state (position
 * machine snapshot, guards, accounting, last finished cycle). A pair added through the admin API
 * survives a restart like a grid symbol; its state saves are guarded by an optimistic version,
 * so a restarted pair actor and the one it replaced cannot overwrite each other silently.
 */
import type postgres from 'postgres';

import type { Sql } from './database.js';

/** Whether a pair is traded, or was given up on after repeated crashes. */
export type PairStatus = 'active' | 'failed';

/** One stored pair. */
export interface StoredPair {
  readonly pairId: string;
  /** The pair's wire config (snake_case, as `arbitragePairSchema` reads it). */
  readonly config: unknown;
  readonly status: PairStatus;
  /** The pair actor's persisted state; null before its first save. */
  readonly state: unknown;
  /** 0 before the first state save, +1 per save. */
  readonly version: number;
}

/** A state save named a version that is no longer the stored one. */
export class StalePairStateError extends Error {
  readonly pairId: string;
  readonly expectedVersion: number;

  constructor(pairId: string, expectedVersion: number) {
    super(`arbitrage pair ${pairId}: state expected at version ${expectedVersion} was replaced`);
    this.name = 'StalePairStateError';
    this.pairId = pairId;
    this.expectedVersion = expectedVersion;
  }
}

interface Row {
  pair_id: string;
  config: unknown;
  status: PairStatus;
  state: unknown;
  version: string;
}

const fromRow = (row: Row): StoredPair => ({
  pairId: row.pair_id,
  config: row.config,
  status: row.status,
  state: row.state,
  version: Number(row.version),
});

/** Reads and writes `arbitrage_pairs`. */
export class ArbitragePairsRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Every pair, in the order added. */
  async list(): Promise<StoredPair[]> {
    const rows = await this.#sql<Row[]>`
      SELECT pair_id, config, status, state, version FROM arbitrage_pairs
      ORDER BY added_at, pair_id`;
    return rows.map(fromRow);
  }

  async load(pairId: string): Promise<StoredPair | null> {
    const [row] = await this.#sql<Row[]>`
      SELECT pair_id, config, status, state, version FROM arbitrage_pairs
      WHERE pair_id = ${pairId}`;
    return row ? fromRow(row) : null;
  }

  /** Adds a pair, or replaces its config (its state is kept) and marks it active. */
  async upsert(pairId: string, config: unknown): Promise<void> {
    const json = this.#sql.json(config as postgres.JSONValue);
    await this.#sql`
      INSERT INTO arbitrage_pairs (pair_id, config) VALUES (${pairId}, ${json})
      ON CONFLICT (pair_id) DO UPDATE
      SET config = EXCLUDED.config, status = 'active', updated_at = now()`;
  }

  async setStatus(pairId: string, status: PairStatus): Promise<void> {
    await this.#sql`
      UPDATE arbitrage_pairs SET status = ${status}, updated_at = now()
      WHERE pair_id = ${pairId}`;
  }

  /** @returns true when the pair was stored */
  async remove(pairId: string): Promise<boolean> {
    const rows = await this.#sql`DELETE FROM arbitrage_pairs WHERE pair_id = ${pairId} RETURNING 1`;
    return rows.length > 0;
  }

  /**
   * Saves the pair's state if the stored version is still `expectedVersion`.
   * @returns the new version
   * @throws {StalePairStateError} when another writer saved since
   */
  async saveState(pairId: string, state: unknown, expectedVersion: number): Promise<number> {
    const json = this.#sql.json(state as postgres.JSONValue);
    const [row] = await this.#sql<{ version: string }[]>`
      UPDATE arbitrage_pairs
      SET state = ${json}, version = version + 1, updated_at = now()
      WHERE pair_id = ${pairId} AND version = ${expectedVersion}
      RETURNING version`;
    if (!row) throw new StalePairStateError(pairId, expectedVersion);
    return Number(row.version);
  }
}
