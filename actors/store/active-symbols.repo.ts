/**
 * @module actors/store/active-symbols.repo
 * The durable set of symbols the engine trades, with each one's grid config. Recovery starts from
 * this list; the admin API adds and removes entries; the supervisor records a symbol it gave up on.
 */
import type postgres from 'postgres';

import type { SymbolId } from '../../core/types.js';
import type { Sql } from './database.js';

/** `failed`: the supervisor stopped restarting the symbol's actor. */
export type SymbolStatus = 'active' | 'paused' | 'failed';

/** One traded symbol. */
export interface ActiveSymbol<C = unknown> {
  readonly symbol: SymbolId;
  /** The symbol's grid config, as JSON. */
  readonly config: C;
  readonly status: SymbolStatus;
  readonly addedAt: Date;
  readonly updatedAt: Date;
}

interface Row {
  symbol: string;
  config: unknown;
  status: SymbolStatus;
  added_at: Date;
  updated_at: Date;
}

export class ActiveSymbolsRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Adds `symbol` as active with `config`. Adding a symbol already present replaces its config
   * and makes it active again, keeping its original `addedAt`.
   */
  async add<C>(symbol: SymbolId, config: C): Promise<ActiveSymbol<C>> {
    const [row] = await this.#sql<Row[]>`
      INSERT INTO active_symbols (symbol, config)
      VALUES (${symbol}, ${this.#sql.json(config as postgres.JSONValue)})
      ON CONFLICT (symbol) DO UPDATE
        SET config = EXCLUDED.config, status = 'active', updated_at = now()
      RETURNING symbol, config, status, added_at, updated_at`;
    return fromRow<C>(row as Row);
  }

  /** Removes `symbol`; false when it was not there. */
  async remove(symbol: SymbolId): Promise<boolean> {
    const result = await this.#sql`DELETE FROM active_symbols WHERE symbol = ${symbol}`;
    return result.count > 0;
  }

  /** Sets the status of `symbol`; false when it is not in the set. */
  async setStatus(symbol: SymbolId, status: SymbolStatus): Promise<boolean> {
    const result = await this.#sql`
      UPDATE active_symbols SET status = ${status}, updated_at = now() WHERE symbol = ${symbol}`;
    return result.count > 0;
  }

  /** Every symbol in the set, oldest first. */
  async list<C = unknown>(): Promise<ActiveSymbol<C>[]> {
    const rows = await this.#sql<Row[]>`
      SELECT symbol, config, status, added_at, updated_at
      FROM active_symbols ORDER BY added_at, symbol`;
    return rows.map((row) => fromRow<C>(row));
  }
}

function fromRow<C>(row: Row): ActiveSymbol<C> {
  return {
    symbol: row.symbol as SymbolId,
    config: row.config as C,
    status: row.status,
    addedAt: row.added_at,
    updatedAt: row.updated_at,
  };
}
