/**
 * The symbol actor against the simulated venue in-process (virtual clock, real durable order
 * workflows, real store): the grid cycle, partial fills, and a restart from the persisted
 * snapshot that places nothing twice. Each test gets a fresh database and DBOS launch, because
 * client order ids (and so workflow ids) are deterministic per symbol and level.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createTestVenue, eventually, openEngineTestBed, type EngineTestBed } from './harness.js';
import { BTC, openOrderIds, SMALL_GRID, startSymbol } from './symbol-fixture.js';

describe('SymbolActor', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('places a post-only buy per level under the market, and a sell one interval up once one fills', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const btc = await startSymbol(bed, venue);

    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    const buys = await venue.exchange.getOpenOrders(BTC);
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'the close of level -1');

    assert.deepEqual(
      buys.map((o) => [o.side, o.price.toFixed(), o.quantity.toFixed(), o.postOnly]).sort(),
      [
        ['BUY', '99800', '0.001', true],
        ['BUY', '99900', '0.001', true],
      ],
    );
    const sell = (await venue.exchange.getOpenOrders(BTC)).find((o) => o.side === 'SELL');
    assert.deepEqual(
      [sell?.price.toFixed(), sell?.quantity.toFixed(), sell?.reduceOnly],
      ['100000', '0.001', true],
    );
    assert.equal(btc.slot(-1)?.position, '0.001');
    assert.equal(btc.slot(-2)?.state, 'opening.resting');
    const totals = await bed.store.symbols.fillTotals(BTC);
    assert.deepEqual([totals.fills, totals.boughtQuantity], [1, '0.001']);
    await btc.stop();
  });

  it('moves inventory on a partial fill and closes exactly what the fills bought', async () => {
    const venue = createTestVenue({ book: { tradeVolumeQuotePerTick: '200' } });
    bed.useVenue(venue.exchange);
    const btc = await startSymbol(bed, venue, {
      ...SMALL_GRID,
      levels_below: 1,
      order_quantity: '0.004',
    });
    await eventually(async () => (await openOrderIds(venue)).length === 1, 'one resting buy');

    venue.sim.setSpotPrice(BTC, '99880');
    const partial = await eventually(() => {
      const slot = btc.slot(-1);
      return slot && dec(slot.position).gt(0) ? slot : undefined;
    }, 'a partial fill');
    const order = await venue.exchange.getOrder({
      symbol: BTC,
      clientOrderId: partial.order?.clientOrderId ?? '',
    });

    assert.equal(partial.state, 'opening.resting');
    assert.equal(partial.position, order.executedQty.toFixed());
    assert.ok(order.executedQty.lt('0.004'), `partial, was ${order.executedQty.toFixed()}`);
    const [position] = await venue.exchange.getPositions(BTC);
    assert.equal(position?.size.toFixed(), partial.position);

    // Each price step at this level fills a little more of the buy
    await eventually(() => {
      venue.clock.advance(250);
      return btc.slot(-1)?.state === 'closing.resting';
    }, 'the close after the fill');
    assert.equal(btc.slot(-1)?.order?.quantity, '0.004');
    await btc.stop();
  });

  it('resumes from its snapshot after a restart without placing any order twice', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const first = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    const before = await openOrderIds(venue);
    await first.stop();

    const second = await startSymbol(bed, venue);
    await eventually(() => second.actor.view().phase === 'trading', 'trading again');
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => second.slot(-1)?.state === 'closing.resting', 'the close of level -1');

    const ids = venue.placements.map((p) => p.clientOrderId);
    assert.equal(new Set(ids).size, ids.length, `a client order id was placed twice: ${ids}`);
    assert.deepEqual(venue.placements.map((p) => `${p.side} ${p.price}`).sort(), [
      'BUY 99800',
      'BUY 99900',
      'SELL 100000',
    ]);
    assert.deepEqual(second.actor.view().reconcile?.resubmitted, []);
    assert.equal(
      second.slot(-2)?.order?.clientOrderId,
      before.find((id) => id.includes('m2g')),
    );
    await second.stop();
  });

  it('frees a slot still working an order the ledger has finished, instead of waiting for it forever', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const first = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    await first.stop();
    // While the symbol is down its level -1 buy ends as the ledger knows it (refused: a
    // placement fenced off on a takeover), and the venue holds no such order
    const stale = (await openOrderIds(venue)).find((id) => id.includes('m1g')) ?? '';
    const order = await venue.exchange.getOrder({ symbol: BTC, clientOrderId: stale });
    await venue.exchange.cancelOrder(BTC, order.orderId);
    await bed.db.sql`
      UPDATE order_index SET status = 'REJECTED', reject_reason = 'FENCED'
      WHERE client_order_id = ${stale}`;

    const second = await startSymbol(bed, venue);
    await eventually(() => {
      const slot = second.slot(-1);
      return slot?.order && slot.order.clientOrderId !== stale && slot.state === 'opening.resting';
    }, 'level -1 bidding again under a new id');

    assert.ok((await openOrderIds(venue)).every((id) => id !== stale));
    await second.stop();
  });

  it('waits out a cooldown before reopening a slot whose placement the venue refused', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    venue.sim.faults.rejectNextPlacements(2);
    const btc = await startSymbol(bed, venue);
    const rejected =
      /market_maker_order_rejections_total\{symbol="BTCUSDT",reason="ORDER_REJECTED"\} 2/;
    await eventually(
      async () => rejected.test(await bed.metrics.registry.metrics()),
      'both placements refused and counted by reason',
    );
    await eventually(
      () => btc.slot(-1)?.state === 'free' && btc.slot(-2)?.state === 'free',
      'free',
    );
    assert.deepEqual([btc.slot(-1)?.refusals, btc.slot(-2)?.refusals], [1, 1]);

    // The first refusal costs the default 1 s
    venue.clock.advance(750);
    await eventually(() => btc.mailbox.idle, 'every price of the cooldown handled');
    assert.deepEqual([btc.slot(-1)?.state, btc.slot(-2)?.state], ['free', 'free']);
    venue.clock.advance(250);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'both buys placed');

    assert.deepEqual(
      venue.placements.map((p) => p.accepted),
      [false, false, true, true],
    );
    const ids = venue.placements.map((p) => p.clientOrderId);
    assert.equal(new Set(ids).size, 4, `a refused client order id was reused: ${ids}`);
    // Taken by the venue: the run of refusals is over
    await eventually(() => btc.slot(-1)?.refusals === 0, 'the refusals cleared');
    await btc.stop();
  });

  it('waits out the same cooldown before closing again after the venue refused a close', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const btc = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    venue.sim.faults.rejectNextPlacements(1);
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(
      () => venue.placements.length === 3 && btc.slot(-1)?.state === 'holding',
      'the close refused and the slot back to holding',
    );

    venue.clock.advance(750);
    await eventually(() => btc.mailbox.idle, 'every price of the cooldown handled');
    assert.equal(venue.placements.length, 3, 'a refused close was retried within the cooldown');
    venue.clock.advance(250);
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'the close placed again');

    assert.deepEqual(
      venue.placements.map((p) => [p.side, p.accepted]),
      [
        ['BUY', true],
        ['BUY', true],
        ['SELL', false],
        ['SELL', true],
      ],
    );
    await btc.stop();
  });

  it('reaches a venue that fails every order call at most 3 times per intent, then leaves it to supervision', async () => {
    const venue = createTestVenue();
    let down = false;
    const calls = new Map<string, number>();
    const failing = new Proxy(venue.exchange, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property !== 'placeOrder' && property !== 'getOrder') return value.bind(target);
        return (request: { clientOrderId?: string }) => {
          if (!down) return (value as (r: unknown) => unknown).call(target, request);
          const key = `${String(property)}:${request.clientOrderId}`;
          calls.set(key, (calls.get(key) ?? 0) + 1);
          return Promise.reject(new ExchangeError('TIMEOUT', 'venue not answering'));
        };
      },
    }) as Exchange;
    bed.useVenue(failing);
    const btc = await startSymbol(bed, { ...venue, exchange: failing });
    const ended = btc.run.then(
      () => null,
      (e: unknown) => e,
    );
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    down = true;
    venue.sim.setSpotPrice(BTC, '99880');
    // The close's placement: attempts, then lookups with backoff, then the actor gives up
    for (let i = 0; i < 40 && btc.actor.view().phase !== 'stopped'; i++) {
      venue.clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(String(await ended), /venue not answering/);

    const placements = [...calls].filter(([key]) => key.startsWith('placeOrder:'));
    assert.equal(placements.length, 1, `one intent: ${[...calls]}`);
    assert.ok((placements[0]?.[1] ?? 0) <= 3, `placement calls: ${[...calls]}`);
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    assert.ok(total <= 8, `the venue saw ${total} calls for one intent: ${[...calls]}`);
  });
});
