/**
 * OrderIndexRepo: the client ↔ venue order id map, its forward-only statuses, and the open and
 * in-flight queries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { OrderIndexRepo, type IndexedOrder } from '../../../actors/store/order-index.repo.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

function order(id: string, overrides: Partial<IndexedOrder> = {}): IndexedOrder {
  return {
    clientOrderId: id as ClientOrderId,
    venue: 'sim',
    symbol: 'BTCUSDT' as SymbolId,
    venueOrderId: null,
    side: 'BUY',
    price: '60000.00',
    quantity: '0.0010',
    slotIndex: -2,
    status: 'SUBMITTED',
    ...overrides,
  };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`OrderIndexRepo (${kind})`, () => {
    let db: TestDatabase;
    let index: OrderIndexRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      index = new OrderIndexRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('maps a client order id to the venue order id and back', async () => {
      await index.upsert(order('a1'));
      const acked = await index.upsert(order('a1', { venueOrderId: '9001', status: 'NEW' }));

      const byVenue = await index.byVenueOrderId('sim', '9001');
      const byClient = await index.byClientOrderId('a1' as ClientOrderId);

      assert.deepEqual(
        acked,
        order('a1', { venueOrderId: '9001', status: 'NEW', price: '60000', quantity: '0.001' }),
      );
      assert.deepEqual(byVenue, acked);
      assert.deepEqual(byClient, acked);
      assert.equal(await index.byVenueOrderId('binance', '9001'), null);
    });

    it('moves an order only forward, whatever order the reports arrive in', async () => {
      await index.upsert(order('b1', { venueOrderId: '9002', status: 'FILLED' }));

      const lateAck = await index.upsert(order('b1', { status: 'NEW' }));
      const lateCancel = await index.setStatus('b1' as ClientOrderId, 'CANCELED');
      const partial = await index.upsert(
        order('b2', { status: 'PARTIALLY_FILLED', venueOrderId: '9003' }),
      );
      const staleNew = await index.setStatus('b2' as ClientOrderId, 'NEW');
      const filled = await index.setStatus('b2' as ClientOrderId, 'FILLED');

      assert.deepEqual(
        [lateAck.status, lateAck.venueOrderId, lateCancel?.status],
        ['FILLED', '9002', 'FILLED'],
      );
      assert.deepEqual(
        [partial.status, staleNew?.status, filled?.status],
        ['PARTIALLY_FILLED', 'PARTIALLY_FILLED', 'FILLED'],
      );
      assert.equal(await index.setStatus('nope' as ClientOrderId, 'FILLED'), null);
    });

    it('answers open and in-flight orders per symbol', async () => {
      const eth = 'ETHUSDT' as SymbolId;
      await index.upsert(order('c1', { symbol: eth }));
      await index.upsert(order('c2', { symbol: eth, status: 'NEW', venueOrderId: '1' }));
      await index.upsert(
        order('c3', { symbol: eth, status: 'PARTIALLY_FILLED', venueOrderId: '2' }),
      );
      await index.upsert(order('c4', { symbol: eth, status: 'CANCELED', venueOrderId: '3' }));
      await index.upsert(order('c5', { status: 'NEW', venueOrderId: '4' }));

      const open = await index.openOrders(eth);
      const inflight = await index.inflightOrders(eth);

      assert.deepEqual(
        open.map((o) => o.clientOrderId),
        ['c2', 'c3'],
      );
      assert.deepEqual(
        inflight.map((o) => o.clientOrderId),
        ['c1'],
      );
    });

    it('marks the open orders of one symbol canceled after a cancel-all', async () => {
      const sol = 'SOLUSDT' as SymbolId;
      await index.upsert(order('d1', { symbol: sol, status: 'NEW', venueOrderId: '11' }));
      await index.upsert(
        order('d2', { symbol: sol, status: 'PARTIALLY_FILLED', venueOrderId: '12' }),
      );
      await index.upsert(order('d3', { symbol: sol, status: 'FILLED', venueOrderId: '13' }));
      await index.upsert(
        order('d4', { symbol: sol, venue: 'binance', status: 'NEW', venueOrderId: '11' }),
      );

      const canceled = await index.cancelOpenOrders('sim', sol);

      assert.equal(canceled, 2);
      assert.deepEqual(
        (await index.openOrders(sol)).map((o) => [o.clientOrderId, o.venue]),
        [['d4', 'binance']],
      );
      assert.equal((await index.byClientOrderId('d3' as ClientOrderId))?.status, 'FILLED');
    });

    it('refuses a venue order id already mapped to another client order id', async () => {
      await index.upsert(order('e1', { status: 'NEW', venueOrderId: '777' }));

      await assert.rejects(
        index.upsert(order('e2', { status: 'NEW', venueOrderId: '777' })),
        /order_index_venue_order/,
      );
    });
  });
}
