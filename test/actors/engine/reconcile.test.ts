/**
 * Reconciliation on start, through a real symbol actor against the simulated venue: an order
 * filled while the engine was down becomes inventory, an open order of ours the store lost is
 * adopted by its slot, and foreign orders and positions are left alone and reported.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { clientOrderIdFor, legacySymbolTag } from '../../../machines/client-order-id.js';
import { dec } from '../../../core/decimal.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  TEST_NAMESPACE,
  type EngineTestBed,
} from './harness.js';
import { BTC, openOrderIds, startSymbol } from './symbol-fixture.js';

describe('reconciliation on start', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('turns an order filled while the engine was down into inventory, not a cancel', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const first = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    const filledId = first.slot(-1)?.order?.clientOrderId;
    await first.stop();

    venue.sim.setSpotPrice(BTC, '99880');
    const second = await startSymbol(bed, venue);
    await eventually(() => second.slot(-1)?.state === 'closing.resting', 'the close of level -1');

    const slot = second.slot(-1);
    assert.equal(slot?.position, '0.001');
    assert.equal(slot?.order?.side, 'SELL');
    assert.equal(slot?.order?.price, '100000');
    assert.equal(second.actor.view().reconcile?.updated, 2);
    const totals = await bed.store.symbols.fillTotals(BTC);
    assert.deepEqual([totals.fills, totals.boughtQuantity], [1, '0.001']);
    const filled = await venue.exchange.getOrder({ symbol: BTC, clientOrderId: filledId ?? '' });
    assert.equal(filled.status, 'FILLED');
    await second.stop();
  });

  it('adopts an open order carrying our prefix that no slot knows, without placing it again', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const lost = clientOrderIdFor(TEST_NAMESPACE, BTC, -1, 'BUY', 3);
    await venue.sim.exchange('futures').placeOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: dec('99900'),
      quantity: dec('0.001'),
      postOnly: true,
      clientOrderId: lost,
    });

    const btc = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'level -2 placed');

    assert.deepEqual(btc.actor.view().reconcile?.adopted, [lost]);
    assert.equal(btc.slot(-1)?.state, 'opening.resting');
    assert.equal(btc.slot(-1)?.order?.clientOrderId, lost);
    assert.deepEqual(
      venue.placements.map((p) => p.price),
      ['99800'],
    );
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'the adopted buy closes');
    // The close is minted after the adopted generation, so it cannot collide with it
    assert.equal(
      btc.slot(-1)?.order?.clientOrderId,
      clientOrderIdFor(TEST_NAMESPACE, BTC, -1, 'SELL', 4),
    );
    await btc.stop();
  });

  it('adopts an open order minted in the earlier id format as its own', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const legacy = `osq${legacySymbolTag(BTC)}bm1g3`;
    await venue.sim.exchange('futures').placeOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: dec('99900'),
      quantity: dec('0.001'),
      postOnly: true,
      clientOrderId: legacy,
    });

    const btc = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'level -2 placed');
    assert.deepEqual(btc.actor.view().reconcile?.adopted, [legacy]);
    assert.equal(btc.actor.ledger.byClientOrderId(legacy)?.status, 'NEW');

    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'the adopted buy closes');
    // Its close is minted in this engine's namespace, after the adopted generation
    assert.equal(
      btc.slot(-1)?.order?.clientOrderId,
      clientOrderIdFor(TEST_NAMESPACE, BTC, -1, 'SELL', 4),
    );
    await btc.stop();
  });

  it('reopens under new ids when the venue no longer knows orders it had acknowledged', async () => {
    const before = createTestVenue();
    bed.useVenue(before.exchange);
    const first = await startSymbol(bed, before);
    await eventually(async () => (await openOrderIds(before)).length === 2, 'two resting buys');
    const forgotten = (await openOrderIds(before)).sort();
    await first.stop();

    // The same market, but a venue that lost every order (a purge, or a simulator reset)
    const after = createTestVenue();
    // A real venue never reuses an order id: move this one's ids past the first venue's
    for (let i = 0; i < 4; i++) {
      const probe = await after.sim.exchange('futures').placeOrder({
        symbol: BTC,
        side: 'BUY',
        type: 'LIMIT',
        price: dec('90000'),
        quantity: dec('0.001'),
        clientOrderId: `probe-${i}`,
      });
      await after.sim.exchange('futures').cancelOrder(BTC, probe.orderId);
    }
    bed.useVenue(after.exchange);
    const second = await startSymbol(bed, after);
    await eventually(async () => (await openOrderIds(after)).length === 2, 'the buys replaced');

    assert.deepEqual([...(second.actor.view().reconcile?.vanished ?? [])].sort(), forgotten);
    assert.deepEqual(second.actor.view().reconcile?.resubmitted, []);
    const replaced = await openOrderIds(after);
    assert.ok(replaced.every((id) => !forgotten.includes(id)));
    assert.deepEqual(after.placements.map((p) => p.price).sort(), ['99800', '99900']);
    await second.stop();
  });

  it('leaves foreign orders and positions alone and reports them', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const manual = venue.sim.exchange('futures');
    await manual.placeOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'LIMIT',
      price: dec('95000'),
      quantity: dec('0.002'),
      clientOrderId: 'manual-1',
    });
    await manual.placeOrder({
      symbol: BTC,
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.003'),
      clientOrderId: 'manual-2',
    });

    const btc = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 3, 'both grid buys');

    const report = btc.actor.view().reconcile;
    assert.deepEqual(
      report?.foreign.map((o) => [o.clientOrderId, o.side, o.price, o.quantity]),
      [['manual-1', 'BUY', '95000', '0.002']],
    );
    assert.deepEqual(report?.position, { venue: '0.003', grid: '0', matches: false });
    assert.ok((await openOrderIds(venue)).includes('manual-1'));
    assert.ok(venue.placements.every((p) => !p.clientOrderId.startsWith('manual')));
    await btc.stop();
  });
});
