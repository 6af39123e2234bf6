/**
 * OKX specifics through real ccxt and the OKX emulator: a batch placement whose duplicate item
 * fails alone at its index with OKX's sCode, and cancel-all, which OKX lacks, emulated as the
 * pending orders plus one cancel-batch-orders call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrpcCode } from '../../../../core/errors.js';
import { dec } from '../../../../core/decimal.js';
import { VENUE_SPECS } from './venue-specs.js';
import { startVenue } from './venue.harness.js';

const order = (clientOrderId: string) =>
  ({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: dec('0.01'),
    price: dec('95000.5'),
    clientOrderId,
  }) as const;

describe('ccxt okx venue: batches and emulated cancel-all (OKX emulator)', () => {
  it('places a batch in one call, the duplicate failing alone, then cancels all', async (t) => {
    const spec = VENUE_SPECS.find((s) => s.name === 'okx');
    assert.ok(spec);
    const emulator = spec.emulator();
    await emulator.start();
    const venue = await startVenue(t, { ...spec.venue, server: emulator.server });
    await venue.placeOrder(order('okx-a'));

    const batch = await venue.batchPlaceOrders([order('okx-b'), order('okx-a'), order('okx-c')]);
    await venue.cancelAllOrders('BTCUSDT');

    assert.deepEqual(
      batch.orders.map((o) => o.clientOrderId),
      ['okx-b', 'okx-c'],
    );
    assert.deepEqual(
      batch.errors.map((e) => [e.index, e.clientOrderId, e.reason, e.code]),
      [[1, 'okx-a', 'DUPLICATE_ORDER', GrpcCode.ALREADY_EXISTS]],
    );
    assert.match(batch.errors[0]?.message ?? '', /51016/);
    const [, placedBatch] = emulator.server.requestsTo('/api/v5/trade/batch-orders', 'POST');
    assert.equal((placedBatch?.body as unknown[]).length, 3);
    const [cancelAll] = emulator.server.requestsTo('/api/v5/trade/cancel-batch-orders', 'POST');
    assert.deepEqual(
      (cancelAll?.body as { ordId: string }[]).map((item) => item.ordId).sort(),
      emulator.store.orders.map((o) => o.id).sort(),
    );
    assert.deepEqual(emulator.store.open(), []);
  });
});
