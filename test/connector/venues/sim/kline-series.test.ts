import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeError } from '../../../../core/errors.js';
import type { Candle } from '../../../../core/exchange.types.js';
import { VirtualClock } from '../../../../core/clock.js';
import { createSimulatedVenue } from '../../../../connector/venues/sim/index.js';
import { assertDec, collector, d, market, quietVenue, rejectsWith } from './sim-fixtures.js';

const MINUTE = 60_000;

function assertWellFormed(c: Candle): void {
  assert.ok(
    c.high.gte(c.open) && c.high.gte(c.close) && c.high.gte(c.low),
    `high of ${c.openTimeMs}`,
  );
  assert.ok(c.low.lte(c.open) && c.low.lte(c.close), `low of ${c.openTimeMs}`);
  assert.ok(c.volume.gte(0));
}

describe('KlineSeries history', () => {
  it('returns 100 one-minute candles oldest first at startup, the last one in progress', async () => {
    const clock = new VirtualClock();
    const futures = createSimulatedVenue({}, clock).exchange('futures');
    const candles = await futures.getHistoricalKlines('BTCUSDT', '1m', 100);
    assert.equal(candles.length, 100);
    candles.forEach((c, i) => {
      assert.equal(c.openTimeMs, clock.now() - (99 - i) * MINUTE);
      assert.equal(c.isClosed, i < 99);
      assert.equal(c.symbol, 'BTCUSDT');
      assertWellFormed(c);
    });
    for (let i = 1; i < 99; i++) {
      assertDec(candles[i]?.open ?? d(0), candles[i - 1]?.close ?? d(-1), `continuity at ${i}`);
    }
    assertDec(candles[99]?.close ?? d(0), await futures.getLatestPrice('BTCUSDT'));
  });

  it('preloads the same history for the same seed, tied between spot and perp', async () => {
    const a = createSimulatedVenue({ seed: 5 }, new VirtualClock());
    const b = createSimulatedVenue({ seed: 5 }, new VirtualClock());
    const histA = await a.exchange('futures').getHistoricalKlines('ETHUSDT', '1m', 50);
    const histB = await b.exchange('futures').getHistoricalKlines('ETHUSDT', '1m', 50);
    assert.deepEqual(
      histA.map((c) => c.close.toFixed()),
      histB.map((c) => c.close.toFixed()),
    );
    const spot = await a.exchange('spot').getHistoricalKlines('ETHUSDT', '1m', 50);
    for (let i = 0; i < 50; i++) {
      const ratio = (histA[i]?.close ?? d(0))
        .div(spot[i]?.close ?? d(1))
        .sub(1)
        .abs();
      assert.ok(ratio.lt('0.0002'), `perp/spot - 1 at ${i} was ${ratio.toFixed()}`);
    }
  });

  it('aggregates longer intervals from the 1m candles', async () => {
    const { futures, clock } = quietVenue({ price: { volatilityPerYear: 0.6 } });
    clock.advance(7 * MINUTE);
    const ones = await futures.getHistoricalKlines('BTCUSDT', '1m', 30);
    const fives = await futures.getHistoricalKlines('BTCUSDT', '5m', 3);
    const bucket = fives[1] as Candle;
    const parts = ones.filter(
      (c) => c.openTimeMs >= bucket.openTimeMs && c.openTimeMs < bucket.openTimeMs + 5 * MINUTE,
    );
    assert.equal(parts.length, 5);
    assertDec(bucket.open, parts[0]?.open ?? d(0));
    assertDec(bucket.close, parts[4]?.close ?? d(0));
    assertDec(
      bucket.high,
      parts.reduce((m, c) => (c.high.gt(m) ? c.high : m), d(0)),
    );
    assertDec(
      bucket.low,
      parts.reduce((m, c) => (c.low.lt(m) ? c.low : m), d(1e9)),
    );
    assertDec(
      bucket.volume,
      parts.reduce((s, c) => s.add(c.volume), d(0)),
    );
    assert.equal(bucket.isClosed, true);
    assert.equal(fives[2]?.isClosed, false);
  });

  it('rejects an unknown interval naming the field', async () => {
    const { futures } = quietVenue();
    await rejectsWith(
      futures.getHistoricalKlines('BTCUSDT', '2m', 10),
      'INVALID_ARGUMENT',
      'interval',
    );
  });

  it('counts our fills in the volume of the candle in progress', async () => {
    const { futures } = quietVenue();
    const before = (await futures.getHistoricalKlines('BTCUSDT', '1m', 1))[0] as Candle;
    await futures.placeOrder(market('BUY', '1'));
    const after = (await futures.getHistoricalKlines('BTCUSDT', '1m', 1))[0] as Candle;
    assertDec(after.volume.sub(before.volume), '1');
  });
});

describe('KlineSeries stream', () => {
  it('sends the candle in progress every step and the closed candle when the minute rolls', () => {
    const { futures, clock } = quietVenue({ price: { volatilityPerYear: 0.6 } });
    const start = clock.now();
    const got = collector<Candle>();
    futures.subscribeKlines(['BTCUSDT'], '1m', got.sink);
    clock.advance(MINUTE);
    const closed = got.values.filter((c) => c.isClosed);
    assert.equal(closed.length, 1);
    assert.equal(closed[0]?.openTimeMs, start);
    const closedIndex = got.values.findIndex((c) => c.isClosed);
    assert.equal(closedIndex, 239, '239 in-progress updates before the roll');
    assertDec(closed[0]?.close ?? d(0), got.values[closedIndex - 1]?.close ?? d(-1));
    const next = got.values[closedIndex + 1];
    assert.equal(next?.isClosed, false);
    assert.equal(next?.openTimeMs, start + MINUTE);
    assert.ok(got.values.every((c) => c.symbol === 'BTCUSDT'));
  });

  it('closes a 5m candle once per five minutes with the summed volume', async () => {
    const { futures, clock } = quietVenue();
    const start = clock.now();
    const got = collector<Candle>();
    futures.subscribeKlines([], '5m', got.sink);
    clock.advance(5 * MINUTE);
    const closed = got.values.filter((c) => c.isClosed && c.symbol === 'SOLUSDT');
    assert.equal(closed.length, 1);
    assert.equal(closed[0]?.openTimeMs, start);
    const ones = await futures.getHistoricalKlines('SOLUSDT', '1m', 6);
    assertDec(
      closed[0]?.volume ?? d(0),
      ones.slice(0, 5).reduce((s, c) => s.add(c.volume), d(0)),
    );
  });

  it('ends a subscription for an unknown interval with INVALID_ARGUMENT', async () => {
    const { futures } = quietVenue();
    const errors: ExchangeError[] = [];
    futures.subscribeKlines(['BTCUSDT'], '7m', {
      next: () => undefined,
      error: (e) => errors.push(e),
    });
    await Promise.resolve();
    assert.equal(errors[0]?.reason, 'INVALID_ARGUMENT');
    assert.equal(errors[0]?.field, 'interval');
  });
});
