/**
 * The order ledger over the real order index (embedded PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set): intents recorded at once and persisted with the owner's snapshot,
 * reports judged by the status table and written (with their trades) before they are mirrored,
 * stale and duplicate reports changing nothing, illegal ones logged and counted, never applied,
 * and the mirror equal to the persisted index, answering open, in-flight and exposure queries.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createEngineMetrics, type EngineMetrics } from '../../../actors/engine/engine.metrics.js';
import { engineStoreFor } from '../../../actors/engine/engine.store.js';
import { OrderLedger } from '../../../actors/orders/order-ledger.js';
import type { LedgerOrder, OrderLedgerStore } from '../../../actors/orders/order-ledger.types.js';
import { OrderIndexRepo } from '../../../actors/store/order-index.repo.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { Trade } from '../../../core/exchange.types.js';
import { createLogger } from '../../../core/logger.js';
import type { SymbolId } from '../../../core/types.js';
import { clientOrderIdFor } from '../../../machines/client-order-id.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const NS = 'L3DG';
let nextSymbol = 0;

function trade(id: string, side: 'BUY' | 'SELL', quantity: string, symbol: string): Trade {
  return {
    tradeId: id,
    orderId: `v-${id}`,
    symbol,
    side,
    price: dec('60000'),
    quantity: dec(quantity),
    fee: dec('0.01'),
    feeAsset: 'USDT',
    realizedPnl: dec('0'),
    isMaker: true,
    timeMs: 1,
  };
}

/** The fields the ledger decides, without the timestamps. */
const decided = ({ updatedAtMs: _at, ...rest }: LedgerOrder) => rest;

for (const kind of TEST_DATABASE_KINDS) {
  describe(`OrderLedger (${kind})`, () => {
    let db: TestDatabase;
    let store: OrderLedgerStore;
    let index: OrderIndexRepo;
    let metrics: EngineMetrics;
    let symbol: SymbolId;
    let ledger: OrderLedger;
    const clock = new VirtualClock();
    const warnings: unknown[] = [];
    const log = createLogger('ledger-test', 'silent');
    log.warn = ((entry: unknown) => void warnings.push(entry)) as typeof log.warn;

    const id = (slot: number, generation = 1) =>
      clientOrderIdFor(NS, symbol, slot, 'BUY', generation);
    const newLedger = (recentLimit = 200) =>
      new OrderLedger({
        symbol,
        venue: 'sim',
        namespace: NS,
        store,
        metrics: {
          reports: metrics.orderReports,
          illegalTransitions: metrics.orderIllegalTransitions,
        },
        clock,
        log,
        recentLimit,
      });
    const intent = (
      slot: number,
      overrides: Partial<Parameters<OrderLedger['submitted']>[0]> = {},
    ) => ({
      clientOrderId: id(slot),
      side: 'BUY' as const,
      price: '60000',
      quantity: '0.001',
      reduceOnly: false,
      slotIndex: slot,
      ...overrides,
    });
    /** The persisted index equals the mirror for every order the mirror holds. */
    async function indexEqualsMirror(): Promise<void> {
      for (const held of [...ledger.liveOrders(), ...ledger.recentOrders()]) {
        const stored = await index.byClientOrderId(held.clientOrderId);
        assert.ok(stored, `${held.clientOrderId} not in the index`);
        assert.deepEqual(decided(stored), decided(held));
      }
    }

    before(async () => {
      db = await openTestDatabase(kind);
      store = engineStoreFor(db.sql).symbols;
      index = new OrderIndexRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    beforeEach(async () => {
      metrics = createEngineMetrics();
      symbol = `LDG${nextSymbol++}USDT` as SymbolId;
      warnings.length = 0;
      ledger = newLedger();
      await ledger.load();
    });

    it('holds an intent at once and persists it only when the owner saves', async () => {
      ledger.submitted(intent(-1));

      assert.equal(ledger.byClientOrderId(id(-1))?.status, 'SUBMITTED');
      assert.deepEqual(
        ledger.inflightOrders().map((o) => o.clientOrderId),
        [id(-1)],
      );
      assert.equal(await index.byClientOrderId(id(-1)), null);
      const dirty = ledger.takeDirty();
      await store.record(dirty, []);
      assert.deepEqual(ledger.takeDirty(), []);
      await indexEqualsMirror();
    });

    it('applies reports in the life of an order, writing fill, price and trades before mirroring', async () => {
      ledger.submitted(intent(-1, { quantity: '0.004' }));
      const ack = await ledger.apply({
        clientOrderId: id(-1),
        trigger: 'NEW',
        source: 'placement',
        venueOrderId: '77',
      });
      const partial = await ledger.apply({
        clientOrderId: id(-1),
        trigger: 'PARTIALLY_FILLED',
        source: 'stream',
        venueOrderId: '77',
        filledQuantity: '0.001',
        avgPrice: '60000',
        trades: [trade(`${symbol}-t1`, 'BUY', '0.001', symbol)],
      });
      await indexEqualsMirror();
      const filled = await ledger.apply({
        clientOrderId: id(-1),
        trigger: 'FILLED',
        source: 'stream',
        venueOrderId: '77',
        filledQuantity: '0.004',
        avgPrice: '60000',
        trades: [trade(`${symbol}-t2`, 'BUY', '0.003', symbol)],
      });

      assert.deepEqual(
        [ack.outcome, partial.outcome, filled.outcome],
        ['applied', 'applied', 'applied'],
      );
      assert.deepEqual(
        [filled.order?.status, filled.order?.filledQuantity, filled.order?.venueOrderId],
        ['FILLED', '0.004', '77'],
      );
      assert.equal(partial.newTrades.length, 1);
      assert.equal(ledger.byVenueOrderId('77')?.clientOrderId, id(-1));
      assert.deepEqual(ledger.openOrders(), []);
      assert.equal(ledger.exposure().heldInventory, '0.004');
      await indexEqualsMirror();
      // Nothing was left for the owner to write: reports are persisted as they are applied
      assert.deepEqual(ledger.takeDirty(), []);
    });

    it('lets a stale or duplicate report change nothing, whichever way round it arrives', async () => {
      ledger.submitted(intent(-2));
      await ledger.apply({
        clientOrderId: id(-2),
        trigger: 'FILLED',
        source: 'stream',
        venueOrderId: '8',
        filledQuantity: '0.001',
      });
      const lateAck = await ledger.apply({
        clientOrderId: id(-2),
        trigger: 'NEW',
        source: 'placement',
        venueOrderId: '8',
      });
      const echo = await ledger.apply({
        clientOrderId: id(-2),
        trigger: 'FILLED',
        source: 'reconcile',
        venueOrderId: '8',
        filledQuantity: '0.001',
      });

      assert.deepEqual([lateAck.outcome, echo.outcome], ['stale', 'duplicate']);
      assert.equal(ledger.byClientOrderId(id(-2))?.status, 'FILLED');
      assert.deepEqual(warnings, []);
      await indexEqualsMirror();
    });

    it('logs and counts an illegal report, never applies it, and still records its trades', async () => {
      ledger.submitted(intent(-3));
      await ledger.apply({
        clientOrderId: id(-3),
        trigger: 'FILLED',
        source: 'stream',
        venueOrderId: '9',
        filledQuantity: '0.001',
      });
      const contradiction = await ledger.apply({
        clientOrderId: id(-3),
        trigger: 'CANCELED',
        source: 'verify',
        venueOrderId: '9',
        trades: [trade(`${symbol}-t9`, 'BUY', '0.001', symbol)],
      });
      const otherVenueId = await ledger.apply({
        clientOrderId: id(-3),
        trigger: 'FILLED',
        source: 'stream',
        venueOrderId: '10',
      });

      assert.deepEqual([contradiction.outcome, otherVenueId.outcome], ['illegal', 'illegal']);
      assert.equal(ledger.byClientOrderId(id(-3))?.status, 'FILLED');
      assert.equal(contradiction.newTrades.length, 1);
      assert.equal(warnings.length, 2);
      const counted = await metrics.registry.metrics();
      assert.match(
        counted,
        new RegExp(
          `market_maker_order_illegal_transitions_total\\{symbol="${symbol}",from="FILLED",to="CANCELED"\\} 1`,
        ),
      );
      assert.match(
        counted,
        new RegExp(
          `market_maker_order_reports_total\\{symbol="${symbol}",source="verify",outcome="illegal"\\} 1`,
        ),
      );
      await indexEqualsMirror();
    });

    it('tracks a cancel: pending, refused (the order works again), then done', async () => {
      ledger.submitted(intent(-4, { quantity: '0.002' }));
      await ledger.apply({
        clientOrderId: id(-4),
        trigger: 'NEW',
        source: 'stream',
        venueOrderId: '11',
      });
      ledger.cancelRequested(id(-4));
      assert.equal(ledger.byClientOrderId(id(-4))?.status, 'PENDING_CANCEL');
      await store.record(ledger.takeDirty(), []);
      const lateAck = await ledger.apply({
        clientOrderId: id(-4),
        trigger: 'NEW',
        source: 'placement',
        venueOrderId: '11',
      });
      const fill = await ledger.apply({
        clientOrderId: id(-4),
        trigger: 'PARTIALLY_FILLED',
        source: 'stream',
        venueOrderId: '11',
        filledQuantity: '0.001',
      });
      const refused = await ledger.apply({
        clientOrderId: id(-4),
        trigger: 'CANCEL_REJECTED',
        source: 'verify',
        venueOrderId: '11',
        filledQuantity: '0.001',
      });
      ledger.cancelRequested(id(-4));
      const canceled = await ledger.apply({
        clientOrderId: id(-4),
        trigger: 'CANCELED',
        source: 'verify',
        venueOrderId: '11',
        filledQuantity: '0.001',
      });

      assert.deepEqual(
        [lateAck.outcome, fill.order?.status, refused.order?.status, canceled.order?.status],
        ['stale', 'PENDING_CANCEL', 'PARTIALLY_FILLED', 'CANCELED'],
      );
      assert.equal(canceled.order?.filledQuantity, '0.001');
      await indexEqualsMirror();
    });

    it('takes an order of ours it never held from a report that describes it, and only then', async () => {
      const unknown = await ledger.apply({
        clientOrderId: id(-5),
        trigger: 'NEW',
        source: 'stream',
        venueOrderId: '12',
      });
      const adopted = await ledger.apply({
        clientOrderId: id(-5),
        trigger: 'NEW',
        source: 'reconcile',
        venueOrderId: '12',
        details: {
          side: 'BUY',
          price: '59000',
          quantity: '0.001',
          reduceOnly: false,
          slotIndex: -5,
        },
      });
      assert.deepEqual([unknown.outcome, adopted.outcome], ['unknown', 'applied']);
      assert.deepEqual(ledger.owns(id(-5)), true);
      assert.equal(ledger.owns('manual-1'), false);
      assert.equal(ledger.owns(clientOrderIdFor('ZZZZ', symbol, -5, 'BUY', 1)), false);
      await indexEqualsMirror();
    });

    it('sums the exposure of resting and in-flight entries and what our fills hold', async () => {
      ledger.submitted(intent(-6, { price: '60000', quantity: '0.002' }));
      ledger.submitted(intent(-7, { price: '59000', quantity: '0.001' }));
      ledger.submitted(
        intent(7, { side: 'SELL', price: '61000', quantity: '0.001', reduceOnly: true }),
      );
      await ledger.apply({
        clientOrderId: id(-6),
        trigger: 'PARTIALLY_FILLED',
        source: 'stream',
        venueOrderId: '13',
        filledQuantity: '0.001',
        trades: [trade(`${symbol}-t13`, 'BUY', '0.001', symbol)],
      });

      assert.deepEqual(ledger.exposure(), {
        symbol,
        // 60000 × 0.001 still open + 59000 × 0.001 in flight; the reduce-only close adds none
        openingBuyNotional: '119',
        openingSellNotional: '0',
        heldInventory: '0.001',
        openOrders: 1,
        inflightOrders: 2,
      });
    });

    it('warms up from the index after a restart, and reads back final orders it let go of', async () => {
      ledger.submitted(intent(-8));
      ledger.submitted(intent(-9));
      await store.record(ledger.takeDirty(), []);
      await ledger.apply({
        clientOrderId: id(-8),
        trigger: 'NEW',
        source: 'stream',
        venueOrderId: '14',
      });
      await ledger.apply({
        clientOrderId: id(-9),
        trigger: 'FILLED',
        source: 'stream',
        venueOrderId: '15',
        filledQuantity: '0.001',
        trades: [trade(`${symbol}-t15`, 'BUY', '0.001', symbol)],
      });

      const restarted = newLedger(0);
      await restarted.load();
      ledger = restarted;
      assert.deepEqual(
        restarted.liveOrders().map((o) => o.clientOrderId),
        [id(-8)],
      );
      assert.equal(restarted.exposure().heldInventory, '0.001');
      assert.equal(restarted.byClientOrderId(id(-9)), undefined);
      // A late ack for the filled order is judged against the index, not taken for a new order
      const late = await restarted.apply({
        clientOrderId: id(-9),
        trigger: 'NEW',
        source: 'placement',
        venueOrderId: '15',
      });
      assert.deepEqual([late.outcome, late.order?.status], ['stale', 'FILLED']);
      await indexEqualsMirror();
    });
  });
}
