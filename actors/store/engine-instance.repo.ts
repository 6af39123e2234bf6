/**
 * @module actors/store/engine-instance.repo
 * This engine instance's identity, one row per database: the client order id namespace, stored
 * the first time an engine starts on the database so every later start (and restart after a
 * crash) mints ids in the same namespace.
 */
import { randomInt } from 'node:crypto';

import type { Sql } from './database.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class EngineInstanceRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * The namespace stored in this database, storing a random one on the first call. Concurrent
   * first calls agree: the first insert wins and every caller reads it back.
   * @returns four characters of [0-9A-Z]
   */
  async clientIdNamespace(): Promise<string> {
    const candidate = Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(
      '',
    );
    await this.#sql`
      INSERT INTO engine_instance (client_id_namespace) VALUES (${candidate})
      ON CONFLICT (singleton) DO NOTHING`;
    const [row] = await this.#sql<{ client_id_namespace: string }[]>`
      SELECT client_id_namespace FROM engine_instance`;
    if (!row) throw new Error('engine_instance has no row after inserting one');
    return row.client_id_namespace;
  }
}
