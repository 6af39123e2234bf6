/**
 * OrderIndexRepo, the order ledger's persistence: the client ↔ venue order id map, each order's
 * status, fill and average price as the ledger decided them, the trades recorded with the order
 * in one transaction (linked by client order id), and the queries the ledger warms up from.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { fillFromTrade, type FillRecord } from '../../../actors/store/fills.repo.js';
import { OrderIndexRepo, type IndexedOrder } from '../../../actors/store/order-index.repo.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const BTC = 'BTCUSDT' as SymbolId;

function order(id: string, overrides: Partial<IndexedOrder> = {}): IndexedOrder {
  return {
    clientOrderId: id as ClientOrderId,
    venue: 'sim',
    symbol: BTC,
    venueOrderId: null,
    side: 'BUY',
    price: '60000',
    quantity: '0.001',
    filledQuantity: '0',
    avgPrice: null,
    reduceOnly: false,
    slotIndex: -2,
    status: 'SUBMITTED',
    rejectReason: null,
    revision: 1,
    updatedAtMs: 0,
    ...overrides,
  };
}

function fill(tradeId: string, clientOrderId: string | null, side: 'BUY' | 'SELL'): FillRecord {
  return fillFromTrade(
    'sim',
    {
      tradeId,
      orderId: `v-${tradeId}`,
      symbol: BTC,
      side,
      price: dec('60000'),
      quantity: dec('0.0004'),
      fee: dec('0.01'),
      feeAsset: 'USDT',
      realizedPnl: dec('0'),
      isMaker: true,
      timeMs: 1,
    },
    clientOrderId as ClientOrderId | null,
  );
}

/** The fields the ledger decides, without the database's timestamp. */
const decided = ({ updatedAtMs: _at, ...rest }: IndexedOrder) => rest;

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

    it('maps a client order id to the venue order id and back, as the ledger wrote it', async () => {
      await index.record([order('a1')]);
      const acked = order('a1', {
        venueOrderId: '9001',
        status: 'PARTIALLY_FILLED',
        filledQuantity: '0.0004',
        avgPrice: '60000',
        revision: 2,
      });
      await index.record([acked]);

      const byVenue = await index.byVenueOrderId('sim', '9001');
      const byClient = await index.byClientOrderId('a1' as ClientOrderId);
      assert.deepEqual(byClient && decided(byClient), decided(acked));
      assert.deepEqual(byVenue && decided(byVenue), decided(acked));
      assert.ok((byClient?.updatedAtMs ?? 0) > 0);
      assert.equal(await index.byVenueOrderId('binance', '9001'), null);
    });

    it('never lets an older revision of an order replace a newer one', async () => {
      const acked = order('r1', { venueOrderId: '41', status: 'NEW', revision: 2 });
      await index.record([acked]);
      // The intent, saved with a snapshot after the ack was already written
      await index.record([order('r1')]);

      const stored = await index.byClientOrderId('r1' as ClientOrderId);
      assert.deepEqual(stored && decided(stored), decided(acked));
    });

    it('records the trades with the order in one transaction, each trade once', async () => {
      const filled = order('f1', { venueOrderId: '31', status: 'FILLED', filledQuantity: '0.001' });
      const first = await index.record(
        [filled],
        [fill('t1', 'f1', 'BUY'), fill('t2', 'f1', 'BUY')],
      );
      const again = await index.record([], [fill('t2', 'f1', 'BUY'), fill('t3', null, 'SELL')]);

      assert.deepEqual(first, [true, true]);
      assert.deepEqual(again, [false, true]);
      const linked = await db.sql<{ trade_id: string }[]>`
        SELECT trade_id FROM fills WHERE client_order_id = 'f1' ORDER BY trade_id`;
      assert.deepEqual(
        linked.map((r) => r.trade_id),
        ['t1', 't2'],
      );
      // Only fills of our orders make up what our orders hold
      assert.equal(await index.heldInventory('sim', BTC), '0.0008');
    });

    it('writes nothing when a write of the transaction fails', async () => {
      const tooMuch = order('g1', { status: 'FILLED', filledQuantity: '0.002' });
      await assert.rejects(index.record([tooMuch], [fill('g-t1', 'g1', 'BUY')]));
      assert.equal(await index.byClientOrderId('g1' as ClientOrderId), null);
      const [row] = await db.sql`SELECT count(*)::int AS n FROM fills WHERE trade_id = 'g-t1'`;
      assert.equal(row?.n, 0);
    });

    it('answers live, open, in-flight and recent orders per symbol', async () => {
      const eth = 'ETHUSDT' as SymbolId;
      await index.record([order('c1', { symbol: eth })]);
      await index.record([order('c2', { symbol: eth, status: 'NEW', venueOrderId: '1' })]);
      await index.record([
        order('c3', { symbol: eth, status: 'PARTIALLY_FILLED', venueOrderId: '2' }),
      ]);
      await index.record([
        order('c4', { symbol: eth, status: 'PENDING_CANCEL', venueOrderId: '3' }),
      ]);
      await index.record([order('c5', { symbol: eth, status: 'CANCELED', venueOrderId: '4' })]);
      await index.record([order('c6', { status: 'NEW', venueOrderId: '5' })]);

      const ids = (orders: IndexedOrder[]) => orders.map((o) => o.clientOrderId);
      assert.deepEqual(ids(await index.live('sim', eth)), ['c1', 'c2', 'c3', 'c4']);
      assert.deepEqual(ids(await index.openOrders(eth)), ['c2', 'c3', 'c4']);
      assert.deepEqual(ids(await index.inflightOrders(eth)), ['c1', 'c4']);
      assert.equal((await index.recent('sim', eth, 2)).length, 2);
      assert.equal((await index.all(eth)).length, 5);
    });

    it('refuses a venue order id already mapped to another client order id', async () => {
      await index.record([order('e1', { status: 'NEW', venueOrderId: '777' })]);

      await assert.rejects(
        index.record([order('e2', { status: 'NEW', venueOrderId: '777' })]),
        /order_index_venue_order/,
      );
    });
  });
}
