/**
 * The dynamic interval on a running symbol actor (simulated venue, virtual clock, durable order
 * workflows, real store): when the candles' ATR widens the interval past the threshold, a flat
 * grid pulls its entries, moves to the new lattice once idle, saves it before placing on it, and
 * places its buys on the new lattice with new client order ids; a restart resumes that lattice
 * (a stored lattice whose interval lies within the configured bounds still fits the config).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { dec } from '../../../core/decimal.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { Candle } from '../../../core/exchange.types.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import { BTC, startSymbol } from './symbol-fixture.js';

/** The venue, with candles whose every range is `range.value` (quote units). */
function withCandles(venue: TestVenue, range: { value: string }): TestVenue {
  const candles = (): Candle[] =>
    Array.from({ length: 16 }, (_, i) => ({
      symbol: BTC,
      open: dec('100000'),
      high: dec('100000').add(dec(range.value).div(2)),
      low: dec('100000').sub(dec(range.value).div(2)),
      close: dec('100000'),
      volume: dec('1'),
      openTimeMs: i * 60_000,
      isClosed: i < 15,
    }));
  const exchange = new Proxy(venue.exchange, {
    get(target, property) {
      if (property === 'getHistoricalKlines') return async () => candles();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Exchange;
  return { ...venue, exchange };
}

const open = async (venue: TestVenue) =>
  (await venue.exchange.getOpenOrders(BTC)).map((o) => `${o.side} ${o.price.toFixed()}`).sort();

describe('SymbolActor with a dynamic interval', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('moves a flat grid to the wider lattice volatility asks for, and resumes it after a restart', async () => {
    const range = { value: '50' };
    const venue = withCandles(createTestVenue(), range);
    bed.useVenue(venue.exchange);
    const grid = {
      levels_below: 2,
      levels_above: 0,
      interval: '100',
      order_quantity: '0.001',
      anchor_price: '100000',
      dynamic_interval: { atr_scale: '1', max_interval: '400' },
    };
    const first = await startSymbol(bed, venue, grid);
    await eventually(
      async () => (await open(venue)).join() === 'BUY 99800,BUY 99900',
      'buys at 100',
    );

    // The market turns volatile: the next candle fetch finds an ATR of 250
    range.value = '250';
    venue.clock.advance(60_000);
    venue.sim.setSpotPrice(BTC, '100010');
    await eventually(
      async () => (await open(venue)).join() === 'BUY 99500,BUY 99750',
      'buys on the 250 lattice',
    );
    const saved = await bed.store.symbols.loadSnapshot(BTC);
    const lattice = (saved?.document as { lattice: { interval: string } }).lattice;
    assert.equal(lattice.interval, '250');
    const ids = venue.placements.map((p) => p.clientOrderId);
    assert.equal(new Set(ids).size, ids.length, 'no client order id twice');
    await first.stop();

    // A restart (volatility unchanged) resumes the lattice the grid moved to, and its orders
    const placed = venue.placements.length;
    const second = await startSymbol(bed, venue, grid);
    await eventually(() => second.actor.view().phase === 'trading', 'trading again');
    venue.sim.setSpotPrice(BTC, '100020');
    await eventually(() => second.mailbox.idle, 'the tick handled');
    assert.deepEqual(await open(venue), ['BUY 99500', 'BUY 99750']);
    assert.equal(venue.placements.length, placed, 'nothing placed again');
    await second.stop();
  });
});
