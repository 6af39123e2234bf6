/**
 * EngineInstanceRepo: the client order id namespace is generated once per database and every
 * later start (or a concurrent one) reads back the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { EngineInstanceRepo } from '../../../actors/store/engine-instance.repo.js';
import { namespaceError } from '../../../machines/client-order-id.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

for (const kind of TEST_DATABASE_KINDS) {
  describe(`EngineInstanceRepo (${kind})`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await openTestDatabase(kind);
    });

    after(async () => {
      await db.close();
    });

    it('stores a namespace on the first call and returns the same one ever after', async () => {
      const repo = new EngineInstanceRepo(db.sql);
      const [first, concurrent] = await Promise.all([
        repo.clientIdNamespace(),
        new EngineInstanceRepo(db.sql).clientIdNamespace(),
      ]);
      const later = await repo.clientIdNamespace();

      assert.equal(namespaceError(first), null);
      assert.deepEqual([concurrent, later], [first, first]);
    });

    it('refuses a namespace that would not fit a client order id', async () => {
      await assert.rejects(
        db.sql`UPDATE engine_instance SET client_id_namespace = 'abc'`,
        /engine_instance_client_id_namespace_check/,
      );
    });
  });
}
