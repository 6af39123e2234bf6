/**
 * @module test/actors/arbitrage/arbitrage.config
 * The `strategy: arbitrage` pair config: documented defaults, the frozen camelCase form the pair
 * actor takes, field-named errors for every bad value and impossible pair, one leg per pair
 * across an engine, and the checks against the venues' filters at start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

import {
  arbitragePairsSchema,
  arbitrageVenueFitProblems,
  hedgeToleranceOf,
  parseArbitragePair,
  thresholdsOf,
  type ArbitragePairConfig,
  type ArbitragePairWire,
} from '../../../actors/arbitrage/arbitrage.config.js';
import { arbitrageSectionSchema } from '../../../actors/arbitrage/arbitrage-section.config.js';
import { describeIssues } from '../../../core/config-file.js';
import { dec } from '../../../core/decimal.js';
import type { SymbolInfo } from '../../../core/exchange.types.js';

const SPOT_PERP: ArbitragePairWire = {
  pair: 'btc-basis',
  strategy: 'arbitrage',
  legs: [
    { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
    { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
  ],
  quantity: '0.010',
};

function parsed(raw: unknown): ArbitragePairConfig {
  const result = parseArbitragePair(raw);
  assert.ok(result.ok, result.ok ? '' : result.problems.join('; '));
  return result.config;
}

function problems(raw: unknown): string[] {
  const result = parseArbitragePair(raw);
  assert.ok(!result.ok, 'expected the config to be refused');
  return result.problems;
}

describe('arbitragePairSchema', () => {
  it('reads a minimal spot/perp pair with documented defaults', () => {
    assert.deepEqual(parsed(SPOT_PERP), {
      pairId: 'btc-basis',
      legs: {
        a: {
          venue: 'sim-spot',
          market: 'spot',
          symbol: 'BTCUSDT',
          takerFee: '0.001',
          slippage: '0.0005',
        },
        b: {
          venue: 'sim',
          market: 'perp',
          symbol: 'BTCUSDT',
          takerFee: '0.0005',
          slippage: '0.0005',
        },
      },
      quantity: '0.01',
      firstLeg: 'a',
      hedgeTolerance: null,
      allowSpotShort: true,
      borrowApr: '0.05',
      maxRepairAttempts: 3,
      entryApr: '0.1',
      exitApr: '0.03',
      minHoldMs: 8 * 3_600_000,
      expectedHoldMs: 72 * 3_600_000,
      reentryCooldownMs: 3_600_000,
      holdThroughFundingMs: 600_000,
      fundingStaleMs: 180_000,
      priceStaleMs: 30_000,
    });
  });

  it('trades the spot leg first wherever it is listed, and takes every field', () => {
    const config = parsed({
      ...SPOT_PERP,
      legs: [
        {
          venue: 'binance-usdm',
          market: 'perp',
          symbol: 'BTCUSDT',
          taker_fee_bps: 4.5,
          slippage_bps: 2,
        },
        { venue: 'okx-spot', market: 'spot', symbol: 'BTCUSDT', taker_fee_bps: 8 },
      ],
      hedge_tolerance: '0.002',
      allow_spot_short: false,
      borrow_apr: '0.12',
      max_repair_attempts: 5,
      thresholds: {
        entry_apr: '0.2',
        exit_apr: '-0.01',
        min_hold_hours: 1.5,
        expected_hold_hours: 24,
      },
      feeds: { funding_stale_ms: 90_000, price_stale_ms: 5_000 },
    });
    assert.equal(config.firstLeg, 'b');
    assert.deepEqual(
      [config.legs.a.takerFee, config.legs.a.slippage, config.legs.b.takerFee],
      ['0.00045', '0.0002', '0.0008'],
    );
    assert.deepEqual(
      [config.exitApr, config.minHoldMs, config.priceStaleMs],
      ['-0.01', 5_400_000, 5_000],
    );
    const t = thresholdsOf(config);
    assert.deepEqual(
      [t.entryApr.toFixed(), t.borrowApr.toFixed(), t.allowSpotShort],
      ['0.2', '0.12', false],
    );
    assert.equal(t.costs.a.takerFee.toFixed(), '0.00045');
  });

  it('names every bad field and says how to fix it', () => {
    const cases: [unknown, string][] = [
      [{ ...SPOT_PERP, pair: 'BTC basis' }, 'pair: must be 1-32 of [a-z0-9-]'],
      [{ ...SPOT_PERP, strategy: 'grid' }, 'strategy: must be "arbitrage"'],
      [
        { ...SPOT_PERP, quantity: 0.01 },
        'quantity: must be a decimal string in base units, e.g. "0.01"',
      ],
      [{ ...SPOT_PERP, quantity: '0' }, 'quantity: must be greater than zero (base units)'],
      [{ ...SPOT_PERP, legs: [SPOT_PERP.legs[0]] }, 'legs: must list exactly two legs'],
      [
        { ...SPOT_PERP, legs: [{ ...SPOT_PERP.legs[0], market: 'swap' }, SPOT_PERP.legs[1]] },
        'legs.0.market: must be "spot" or "perp"',
      ],
      [
        { ...SPOT_PERP, legs: [{ ...SPOT_PERP.legs[0], symbol: 'btc/usdt' }, SPOT_PERP.legs[1]] },
        'legs.0.symbol: must be an exchange symbol in capitals',
      ],
      [
        {
          ...SPOT_PERP,
          legs: [SPOT_PERP.legs[0], { ...SPOT_PERP.legs[1], market: 'spot', venue: 'okx' }],
        },
        'legs: at least one leg must be a perp',
      ],
      [
        { ...SPOT_PERP, legs: [SPOT_PERP.legs[1], SPOT_PERP.legs[1]] },
        'legs.1: must differ from legs.0',
      ],
      [
        { ...SPOT_PERP, legs: [SPOT_PERP.legs[1], { ...SPOT_PERP.legs[1], symbol: 'ETHUSDT' }] },
        'legs.1.venue: two perps must be on two venues',
      ],
      [
        { ...SPOT_PERP, thresholds: { entry_apr: '10' } },
        'thresholds.entry_apr: must be a fraction (APR) of at most 5, e.g. "0.1" for 10 %',
      ],
      [
        { ...SPOT_PERP, thresholds: { entry_apr: '0.05', exit_apr: '0.05' } },
        'thresholds.exit_apr: must be below entry_apr 0.05',
      ],
      [
        { ...SPOT_PERP, thresholds: { min_hold_hours: 100, expected_hold_hours: 24 } },
        'thresholds.expected_hold_hours: must be at least min_hold_hours 100',
      ],
      [{ ...SPOT_PERP, first_leg: 'c' }, 'first_leg: must be "a" or "b"'],
      [{ ...SPOT_PERP, feeds: { price_stale_ms: 10 } }, 'feeds.price_stale_ms:'],
      [{ ...SPOT_PERP, slippage: 5 }, '(root): Unrecognized key: "slippage"'],
    ];
    for (const [raw, expected] of cases) {
      const found = problems(raw);
      assert.ok(
        found.some((p) => p.startsWith(expected)),
        `${expected}\n  got: ${found.join('\n  ')}`,
      );
    }
  });

  it("accepts the README's worked config (the engine's arbitrage: section) as written", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Arbitrage'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'the Arbitrage section has a yaml example');
    const result = arbitrageSectionSchema.safeParse(
      (parse(block) as { arbitrage: unknown }).arbitrage,
    );
    assert.ok(result.success, result.success ? '' : describeIssues(result.error).join('; '));
    assert.equal(parsed(result.data.pairs[0]).legs.b.takerFee, '0.0005');
    assert.equal(result.data.guards.min_liquidation_distance, '0.1');
  });

  it('refuses two pairs with one id or one shared leg across an engine', () => {
    const result = arbitragePairsSchema.safeParse([
      SPOT_PERP,
      {
        ...SPOT_PERP,
        legs: [SPOT_PERP.legs[0], { venue: 'sim-perp2', market: 'perp', symbol: 'BTCUSDT' }],
      },
      {
        ...SPOT_PERP,
        pair: 'eth-basis',
        legs: [{ venue: 'sim-spot', market: 'spot', symbol: 'ETHUSDT' }, SPOT_PERP.legs[1]],
      },
    ]);
    assert.ok(!result.success);
    assert.deepEqual(describeIssues(result.error), [
      '1.pair: "btc-basis" is already used by pair 0',
      '2.legs.1: sim/perp/BTCUSDT is already a leg of pair "btc-basis"',
    ]);
  });
});

describe('arbitrageVenueFitProblems', () => {
  const info = (stepSize: string, minQuantity: string, minNotional: string): SymbolInfo => ({
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    pricePrecision: 2,
    quantityPrecision: 5,
    tickSize: dec('0.01'),
    stepSize: dec(stepSize),
    minQuantity: dec(minQuantity),
    minNotional: dec(minNotional),
  });
  const spot = info('0.00001', '0.00001', '5');
  const perp = info('0.001', '0.001', '100');

  it('defaults the hedge tolerance to the larger step size and accepts a pair that fits', () => {
    const config = parsed(SPOT_PERP);
    assert.equal(hedgeToleranceOf(config, { a: spot, b: perp }).toFixed(), '0.001');
    assert.deepEqual(arbitrageVenueFitProblems(config, { a: spot, b: perp }, dec('100000')), []);
  });

  it('names what a venue would refuse', () => {
    const config = parsed({ ...SPOT_PERP, quantity: '0.0005', hedge_tolerance: '0.0001' });
    assert.deepEqual(arbitrageVenueFitProblems(config, { a: spot, b: perp }, dec('100000')), [
      "quantity: must be at least leg b's minimum 0.001, was 0.0005",
      "quantity: 0.0005 x price 100000 is below leg b's minimum order value 100",
      "hedge_tolerance: must be at least leg b's step size 0.001, was 0.0001",
    ]);
    const coarse = parsed({ ...SPOT_PERP, quantity: '0.0105', first_leg: 'b' });
    assert.deepEqual(arbitrageVenueFitProblems(coarse, { a: spot, b: perp }, dec('100000')), [
      "quantity: must be a multiple of the first leg's step size 0.001, was 0.0105",
    ]);
  });
});
