import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../core/clock.js';
import { createSimulatedVenue } from '../../../../connector/venues/sim/index.js';
import { PriceProcess } from '../../../../connector/venues/sim/price-process.js';
import { SeededRandom, deriveSeed } from '../../../../connector/venues/sim/seeded-random.js';
import { parseSimVenueConfig } from '../../../../connector/venues/sim/sim-config.js';
import { isMultipleOf } from '../../../../core/decimal.js';
import { d } from './sim-fixtures.js';

const SYMBOLS = [
  { symbol: 'BTCUSDT', startPrice: 100_000, spotTick: d('0.01'), perpTick: d('0.1') },
  { symbol: 'SOLUSDT', startPrice: 200, spotTick: d('0.01'), perpTick: d('0.01') },
];

function path(seed: number, steps: number): string[] {
  const p = new PriceProcess(parseSimVenueConfig().price, SYMBOLS, seed, 250);
  const out: string[] = [];
  for (let i = 0; i < steps; i++) {
    p.step();
    out.push(`${p.spot('BTCUSDT').price.toFixed()}/${p.perp('BTCUSDT').price.toFixed()}`);
  }
  return out;
}

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      seqA,
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.notDeepEqual(
      seqA,
      Array.from({ length: 5 }, () => c.next()),
    );
    assert.ok(seqA.every((x) => x >= 0 && x < 1));
  });

  it('draws standard normals with mean near 0 and deviation near 1', () => {
    const rng = new SeededRandom(1);
    const n = 20_000;
    const xs = Array.from({ length: n }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
  });

  it('derives distinct sub-seeds per label', () => {
    assert.notEqual(deriveSeed(1, 'history:BTCUSDT'), deriveSeed(1, 'history:ETHUSDT'));
    assert.equal(deriveSeed(1, 'volume'), deriveSeed(1, 'volume'));
  });
});

describe('PriceProcess', () => {
  it('replays the same prices for the same seed and steps', () => {
    assert.deepEqual(path(42, 500), path(42, 500));
    assert.notDeepEqual(path(42, 50), path(43, 50));
  });

  it('rounds every price to its market tick and keeps the perp near spot', () => {
    const p = new PriceProcess(parseSimVenueConfig().price, SYMBOLS, 3, 250);
    for (let i = 0; i < 2_000; i++) {
      p.step();
      const spot = p.spot('SOLUSDT');
      const perp = p.perp('BTCUSDT');
      assert.ok(isMultipleOf(spot.price, d('0.01')));
      assert.ok(isMultipleOf(perp.price, d('0.1')));
      assert.ok(perp.price.eq(d('0.1').mul(perp.ticks)));
      const basis = perp.price.div(p.spot('BTCUSDT').price).sub(1).abs();
      assert.ok(basis.lt('0.005'), `basis ${basis.toFixed()}`);
    }
  });

  it('moves the perp with spot when a scenario sets the spot price', () => {
    const p = new PriceProcess(
      { ...parseSimVenueConfig().price, basisMeanBps: 10 },
      SYMBOLS,
      1,
      250,
    );
    p.setSpotPrice('BTCUSDT', d('50000'));
    assert.equal(p.spot('BTCUSDT').price.toFixed(), '50000');
    assert.equal(p.perp('BTCUSDT').price.toFixed(), '50050');
  });

  it('jumps when the jump probability is one', () => {
    const quiet = { ...parseSimVenueConfig().price, volatilityPerYear: 0, basisVolatilityBps: 0 };
    const p = new PriceProcess(
      { ...quiet, jumpProbability: 1, jumpSizeFraction: 0.1 },
      SYMBOLS,
      5,
      250,
    );
    p.step();
    assert.ok(['90000', '110000'].includes(p.spot('BTCUSDT').price.toFixed()));
  });
});

describe('SimulatedVenue price determinism', () => {
  it('gives two venues with one seed identical prices over the same clock steps', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const clock = new VirtualClock();
      const venue = createSimulatedVenue({ seed }, clock);
      const futures = venue.exchange('futures');
      const spot = venue.exchange('spot');
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        clock.advance(1_000);
        seen.push((await futures.getLatestPrice('ETHUSDT')).toFixed());
        seen.push((await spot.getLatestPrice('ETHUSDT')).toFixed());
      }
      await venue.close();
      return seen;
    };
    const a = await run(11);
    assert.deepEqual(a, await run(11));
    assert.notDeepEqual(a, await run(12));
    assert.ok(new Set(a).size > 5, 'prices move');
  });
});
