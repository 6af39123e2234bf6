/**
 * The order cleaner's plan (which resting entries of ours to pull, and never a partial fill, a
 * close, or an order no slot owns) and its job's backoff.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  OrderCleanerJob,
  planCleanup,
  type CleanerPolicy,
} from '../../../actors/engine/order-cleaner.js';
import type { LedgerOrder } from '../../../actors/orders/order-ledger.types.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';

const POLICY: CleanerPolicy = {
  intervalMs: 1_000,
  maxBackoffMs: 8_000,
  maxAgeMs: 60_000,
  maxDistancePct: dec('10'),
  maxOpenOrders: null,
  maxCancelsPerRun: 10,
};

function order(id: string, fields: Partial<LedgerOrder> = {}): LedgerOrder {
  return {
    clientOrderId: id as ClientOrderId,
    venue: 'sim',
    symbol: 'BTCUSDT' as SymbolId,
    venueOrderId: `v-${id}`,
    side: 'BUY',
    price: '99000',
    quantity: '0.001',
    filledQuantity: '0',
    avgPrice: null,
    reduceOnly: false,
    slotIndex: -1,
    status: 'NEW',
    rejectReason: null,
    revision: 1,
    updatedAtMs: 100_000,
    ...fields,
  };
}

const owner = () => null;
const plan = (orders: LedgerOrder[], policy: Partial<CleanerPolicy> = {}, nowMs = 120_000) =>
  planCleanup(orders, owner, dec('100000'), nowMs, { ...POLICY, ...policy });

describe('planCleanup', () => {
  it('pulls entries older than the maximum age or farther than the distance from the market', () => {
    const targets = plan([
      order('fresh'),
      order('old', { updatedAtMs: 10_000, slotIndex: -2 }),
      order('far', { price: '89000', slotIndex: -3 }),
    ]);
    assert.deepEqual(targets, [
      { clientOrderId: 'old', slotIndex: -2, reason: 'max_age' },
      { clientOrderId: 'far', slotIndex: -3, reason: 'max_distance' },
    ]);
  });

  it('never touches a partially filled order, a close, or an order no slot owns', () => {
    const targets = plan([
      order('partial', { updatedAtMs: 0, status: 'PARTIALLY_FILLED', filledQuantity: '0.0005' }),
      order('close', { updatedAtMs: 0, reduceOnly: true, side: 'SELL' }),
      order('orphan', { updatedAtMs: 0, slotIndex: null }),
    ]);
    assert.deepEqual(targets, []);
  });

  it('caps open orders per symbol by pulling the oldest entries, and at most a bounded number per run', () => {
    const orders = [1, 2, 3, 4, 5].map((i) => order(`o${i}`, { slotIndex: -i }));
    assert.deepEqual(
      plan(orders, { maxOpenOrders: 3 }).map((t) => [t.clientOrderId, t.reason]),
      [
        ['o1', 'max_open_orders'],
        ['o2', 'max_open_orders'],
      ],
    );
    const old = orders.map((o) => ({ ...o, updatedAtMs: 0 }));
    assert.equal(plan(old, { maxCancelsPerRun: 2 }).length, 2);
  });
});

describe('OrderCleanerJob', () => {
  it('doubles its wait while the orders it asked to pull are still there, and goes back once clean', () => {
    const clock = new VirtualClock();
    let runs = 0;
    const job = new OrderCleanerJob(clock, POLICY, () => runs++);
    job.start();
    clock.advance(1_000);
    assert.equal(runs, 1);
    const stuck = [{ clientOrderId: 'a', slotIndex: -1, reason: 'max_age' as const }];
    job.ran(stuck);
    assert.equal(job.waitMs, 1_000);
    for (const expected of [2_000, 4_000, 8_000, 8_000]) {
      job.ran(stuck);
      assert.equal(job.waitMs, expected);
    }
    job.ran([]);
    assert.equal(job.waitMs, 1_000);
    job.stop();
  });
});
