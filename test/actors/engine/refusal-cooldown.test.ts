/**
 * Refused placements never turn into a storm: the cooldown clock on its own (1 s doubling to
 * 60 s, cleared by an accepted order), and a symbol actor on the simulated venue whose close the
 * venue keeps refusing as a post-only order that would cross: at most 5 placements in the first
 * 10 s and about one a minute after that, each refusal counted by its reason. A close whose
 * market has run past its exit is priced one tick beyond the market and rests instead.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { RefusalCooldown } from '../../../actors/engine/refusal-cooldown.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../../core/exchange.types.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import { BTC, openOrderIds, startSymbol } from './symbol-fixture.js';

describe('RefusalCooldown', () => {
  it('waits 1 s after a first refusal and doubles per refusal in a row up to the cap', () => {
    const cooldown = new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, new VirtualClock());
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => cooldown.waitMs(n)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
  });

  it('keeps a slot from placing until its wait is over, or the venue took an order', () => {
    const clock = new VirtualClock();
    const cooldown = new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, clock);
    assert.equal(cooldown.refused(3, 2), 2_000);
    clock.advance(1_999);
    assert.deepEqual([cooldown.cooling(3), cooldown.cooling(4)], [true, false]);
    assert.equal(cooldown.remainingMs(3), 1);
    clock.advance(1);
    assert.equal(cooldown.cooling(3), false);
    cooldown.refused(3, 1);
    cooldown.cleared(3);
    assert.equal(cooldown.cooling(3), false);
  });
});

/** The venue refuses every reduce-only placement as a post-only order that would cross. */
function crossingCloses(venue: TestVenue, clock: VirtualClock) {
  const closes: number[] = [];
  const exchange = new Proxy(venue.exchange, {
    get(target, property) {
      if (property === 'placeOrder') {
        return async (request: PlaceOrderRequest): Promise<Order> => {
          if (!request.reduceOnly) return target.placeOrder(request);
          closes.push(clock.now());
          throw new ExchangeError('POST_ONLY_WOULD_CROSS', 'post-only sell would cross the book', {
            field: 'post_only',
          });
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Exchange;
  return { exchange, closes };
}

describe('SymbolActor refusals on the simulated venue', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('places a close that keeps crossing at most 5 times in 10 s and about once a minute after', async () => {
    const venue = createTestVenue();
    const { exchange, closes } = crossingCloses(venue, venue.clock);
    const crossing: TestVenue = { ...venue, exchange };
    bed.useVenue(exchange);
    const btc = await startSymbol(bed, crossing);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => closes.length === 1, 'the first close, refused');
    const start = closes[0] ?? 0;
    // Ten minutes of a market that stays where it is, in quarter-second steps for the first 10 s
    // A step is handled once the actor is idle and every close placed so far came back refused:
    // the refusal reaches the slot through a workflow, after the mailbox went idle, and virtual
    // time must not run on before the cooldown it starts is known
    const settled = () =>
      btc.mailbox.idle &&
      btc.slot(-1)?.state === 'holding' &&
      btc.slot(-1)?.refusals === closes.length;
    for (let ms = 0; ms < 10_000; ms += 250) {
      venue.clock.advance(250);
      await eventually(settled, 'the step handled');
    }
    const inTenSeconds = closes.filter((at) => at - start < 10_000).length;
    for (let ms = 0; ms < 600_000; ms += 10_000) {
      venue.clock.advance(10_000);
      await eventually(settled, 'the step handled');
    }
    const later = closes.filter((at) => at - start >= 10_000 && at - start < 610_000).length;

    assert.ok(inTenSeconds <= 5, `${inTenSeconds} closes in the first 10 s: ${closes}`);
    assert.ok(later >= 8 && later <= 12, `${later} closes in the ten minutes after: ${closes}`);
    await eventually(
      () => btc.slot(-1)?.state === 'holding' && btc.slot(-1)?.refusals === closes.length,
      'the last refusal handled',
    );
    const metrics = await bed.metrics.registry.metrics();
    const counted = new RegExp(
      `market_maker_order_rejections_total\\{symbol="BTCUSDT",reason="POST_ONLY_WOULD_CROSS"\\} ${closes.length}`,
    );
    assert.match(metrics, counted);
    await btc.stop();
  });

  it('prices a close one tick over a market that ran past the exit, and it rests', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const btc = await startSymbol(bed, venue);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    venue.sim.faults.rejectNextPlacements(1);
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => btc.slot(-1)?.state === 'holding', 'the first close refused');
    // While the slot cools down the market runs past its exit (100000)
    venue.sim.setSpotPrice(BTC, '100500');
    venue.clock.advance(1_000);
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'the close resting');

    const close = (await venue.exchange.getOpenOrders(BTC)).find((o) => o.reduceOnly);
    const market = btc.mailbox.lastPrice?.price ?? '';
    assert.ok(dec(market).gt('100000'), `market ${market}`);
    assert.deepEqual(
      [close?.side, close?.price.toFixed()],
      ['SELL', dec(market).add('0.1').toFixed()],
    );
    assert.equal(btc.slot(-1)?.refusals, 0);
    await btc.stop();
  });
});
