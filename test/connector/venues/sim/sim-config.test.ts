import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../../core/config-file.js';
import { VirtualClock } from '../../../../core/clock.js';
import {
  createSimulatedVenue,
  parseSimVenueConfig,
  type SimVenueConfig,
  type SimVenueConfigInput,
} from '../../../../connector/venues/sim/index.js';

function problemsOf(config: SimVenueConfigInput): readonly string[] {
  try {
    createSimulatedVenue(config, new VirtualClock());
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('parseSimVenueConfig', () => {
  it('fills every default', () => {
    const c = parseSimVenueConfig();
    assert.equal(c.seed, 42);
    assert.equal(c.tickIntervalMs, 250);
    assert.deepEqual(c.symbols, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT']);
    assert.deepEqual(c.fees, {
      futures: { makerBps: 2, takerBps: 5 },
      spot: { makerBps: 10, takerBps: 10 },
    });
    assert.equal(c.futures.walletBalance, '100000');
    assert.equal(c.futures.leverage, 10);
    assert.equal(c.funding.intervalMs, 8 * 3_600_000);
    assert.deepEqual(c.spot.balances, { USDT: '100000', BTC: '1', ETH: '10', SOL: '100' });
  });

  it('lists twelve markets on request, each trading within its own filters', async () => {
    const symbols = [
      'BTCUSDT',
      'ETHUSDT',
      'SOLUSDT',
      'BNBUSDT',
      'XRPUSDT',
      'DOGEUSDT',
      'ADAUSDT',
      'AVAXUSDT',
      'LINKUSDT',
      'LTCUSDT',
      'DOTUSDT',
      'TRXUSDT',
    ];
    const futures = createSimulatedVenue({ symbols }, new VirtualClock()).exchange('futures');
    assert.deepEqual(await futures.getSymbols(), symbols);
    for (const symbol of symbols) {
      const info = await futures.getSymbolInfo(symbol);
      const price = await futures.getLatestPrice(symbol);
      assert.ok(price.gt(0), `${symbol} has a price`);
      assert.ok(price.div(info.tickSize).isInteger(), `${symbol} price ${price} on its tick`);
      assert.ok(info.minQuantity.mul(price).lt(info.minNotional.mul(100)), `${symbol} min order`);
    }
  });

  it('accepts numbers for decimal keys and keeps them as plain strings', () => {
    const c = parseSimVenueConfig({ futures: { walletBalance: 2500.5 } });
    assert.equal(c.futures.walletBalance, '2500.5');
  });

  it('names every bad key at construction', () => {
    const problems = problemsOf({
      book: { levels: 0 },
      futures: { walletBalance: 'lots' },
      symbols: ['FOOUSDT'],
      tickIntervalMs: -1,
    } as unknown as SimVenueConfigInput);
    const keys = problems.map((p) => p.split(':')[0]);
    assert.deepEqual(keys.sort(), [
      'book.levels',
      'futures.walletBalance',
      'symbols.0',
      'tickIntervalMs',
    ]);
  });

  it('parses money with the one decimal grammar and bounds: no hex, underscores or huge exponents', () => {
    const problems = problemsOf({
      futures: { walletBalance: '0x10', maintenanceMarginRate: '1e199999999' },
      book: { depthQuotePerLevel: '1_000' },
      spot: { balances: { USDT: 'Infinity' } },
    });
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
      'book.depthQuotePerLevel',
      'futures.maintenanceMarginRate',
      'futures.walletBalance',
      'spot.balances.USDT',
    ]);
    assert.ok(problems.some((p) => /out of range/.test(p)));
    assert.ok(problems.some((p) => /not a decimal number/.test(p)));
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    const problems = problemsOf({
      fees: { futures: { makerBsp: 1 } },
    } as unknown as SimVenueConfigInput);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^fees\.futures: .*makerBsp/);
  });

  it('accepts its own output back, so a parsed config can be passed on', () => {
    const parsed = parseSimVenueConfig({ seed: 9, futures: { leverage: 20 } });
    const partial: Partial<SimVenueConfig> = { futures: parsed.futures, seed: parsed.seed };
    assert.deepEqual(parseSimVenueConfig(parsed), parsed);
    assert.equal(createSimulatedVenue(partial, new VirtualClock()).config.futures.leverage, 20);
  });

  it('lists only the configured symbols', async () => {
    const venue = createSimulatedVenue({ symbols: ['ETHUSDT'] }, new VirtualClock());
    assert.deepEqual(await venue.exchange('futures').getSymbols(), ['ETHUSDT']);
  });

  it('starts prices where the config says', async () => {
    const venue = createSimulatedVenue({ startPrices: { BTCUSDT: 65_000 } }, new VirtualClock());
    assert.equal((await venue.exchange('spot').getLatestPrice('BTCUSDT')).toFixed(), '65000');
  });
});
