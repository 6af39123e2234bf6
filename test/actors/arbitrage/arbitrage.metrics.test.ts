/**
 * @module test/actors/arbitrage/arbitrage.metrics
 * The arbitrage metrics and the figures behind them: a hedge ratio of exactly 1 for a perfect
 * hedge (the original's gauge read 0, from unsigned sizes), margin ratio, liquidation distance,
 * slippage sign, exposure per leg and net, and bounded label values only (REQ-METRICS-004).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';

import {
  createArbitrageMetrics,
  hedgeRatio,
  liquidationDistance,
  marginRatio,
  recordPair,
  recordPerpRisk,
  recordSlippage,
  slippageBps,
} from '../../../actors/arbitrage/arbitrage.metrics.js';
import { dec, ZERO } from '../../../core/decimal.js';
import type { Account, Position } from '../../../core/exchange.types.js';

const position = (size: string, mark: string, liq: string): Position => ({
  symbol: 'BTCUSDT',
  size: dec(size),
  entryPrice: dec(mark),
  markPrice: dec(mark),
  unrealizedPnl: ZERO,
  leverage: 5,
  marginType: 'cross',
  isolatedMargin: ZERO,
  liquidationPrice: dec(liq),
});

const account = (maintenance: string, marginBalance: string): Account => ({
  totalWalletBalance: dec(marginBalance),
  totalMarginBalance: dec(marginBalance),
  availableBalance: dec(marginBalance),
  positions: [],
  accountLeverage: 5,
  isUnified: false,
  totalMaintenanceMargin: dec(maintenance),
});

describe('arbitrage figures', () => {
  it('reads a hedge ratio of 1 for a perfect hedge in either direction', () => {
    const cases: [string, string, string][] = [
      ['1.5', '-1.5', '1'],
      ['-0.3', '0.3', '1'],
      ['1', '-0.9', '0.9'],
      ['-0.8', '1', '0.8'],
      ['1', '-1.25', '1.25'],
      ['0', '0', '1'],
      ['1', '0', '0'],
      ['0', '-1', '0'],
      ['1', '1', '0'],
    ];
    for (const [a, b, expected] of cases) {
      assert.equal(hedgeRatio(dec(a), dec(b)).toFixed(), expected, `${a} / ${b}`);
    }
  });

  it('computes margin ratio, liquidation distance and slippage with their signs', () => {
    assert.equal(marginRatio(account('250', '10000')).toFixed(), '0.025');
    assert.equal(marginRatio(account('0', '10000')).toFixed(), '0');
    assert.equal(marginRatio(account('250', '0')).toFixed(), 'Infinity');
    assert.equal(liquidationDistance(position('-1', '100000', '125000'))?.toFixed(), '0.25');
    assert.equal(liquidationDistance(position('1', '100000', '80000'))?.toFixed(), '0.2');
    assert.equal(liquidationDistance(position('1', '100000', '0')), null);
    assert.equal(slippageBps('BUY', dec('100000'), dec('100050')).toFixed(), '5');
    assert.equal(slippageBps('SELL', dec('100000'), dec('100050')).toFixed(), '-5');
    assert.equal(slippageBps('SELL', dec('100000'), dec('99990')).toFixed(), '1');
  });
});

describe('createArbitrageMetrics', () => {
  it('exports spread, APR, exposure per leg and net, hedge ratio and feed ages with bounded labels', async () => {
    const registry = new Registry();
    const metrics = createArbitrageMetrics(registry);
    recordPair(metrics, {
      pairId: 'btc-basis',
      legs: {
        a: {
          market: 'spot',
          position: dec('0.5'),
          price: dec('100000'),
          fundingRate: ZERO,
          intervalMs: null,
          nextFundingTimeMs: 0,
          fundingAgeMs: null,
          priceAgeMs: 250,
        },
        b: {
          market: 'perp',
          position: dec('-0.5'),
          price: dec('100100'),
          fundingRate: dec('0.0003'),
          intervalMs: 4 * 3_600_000,
          nextFundingTimeMs: 1_767_254_400_000,
          fundingAgeMs: 12_000,
          priceAgeMs: 300,
        },
      },
      spread: dec('0.0003'),
      apr: dec('0.657'),
      netApr: dec('0.6'),
    });
    recordPerpRisk(
      metrics,
      'btc-basis',
      'b',
      account('250', '10000'),
      position('-0.5', '100100', '125125'),
    );
    recordSlippage(metrics, 'btc-basis', 'b', 'perp', 'SELL', dec('100100'), dec('100090'));

    const text = await registry.metrics();
    const sample = (line: string) => assert.ok(text.includes(line), `missing: ${line}\n${text}`);
    sample('market_maker_arb_hedge_ratio{pair="btc-basis"} 1');
    sample('market_maker_arb_funding_apr{pair="btc-basis"} 0.657');
    sample('market_maker_arb_funding_spread{pair="btc-basis"} 0.0003');
    sample('market_maker_arb_exposure_base{pair="btc-basis",leg="net",role="net"} 0');
    sample('market_maker_arb_exposure_quote{pair="btc-basis",leg="net",role="net"} -50');
    sample('market_maker_arb_exposure_base{pair="btc-basis",leg="a",role="spot"} 0.5');
    sample('market_maker_arb_funding_interval_seconds{pair="btc-basis",leg="b",role="perp"} 14400');
    sample('market_maker_arb_feed_age_ms{pair="btc-basis",leg="b",feed="funding"} 12000');
    sample('market_maker_arb_feed_age_ms{pair="btc-basis",leg="a",feed="price"} 250');
    sample('market_maker_arb_margin_ratio{pair="btc-basis",leg="b",role="perp"} 0.025');
    sample('market_maker_arb_liquidation_distance{pair="btc-basis",leg="b",role="perp"} 0.25');
    sample('market_maker_arb_hedge_slippage_bps_count{pair="btc-basis",leg="b",role="perp"} 1');
    assert.ok(
      !text.includes('feed="funding",pair="btc-basis",leg="a"'),
      'a spot leg has no funding feed',
    );

    // Every label value comes from a fixed set, or is the configured pair id
    const allowed: Record<string, Set<string>> = {
      pair: new Set(['btc-basis']),
      leg: new Set(['a', 'b', 'net']),
      role: new Set(['spot', 'perp', 'net']),
      feed: new Set(['funding', 'price']),
      le: new Set(),
    };
    for (const [, name, value] of text.matchAll(/(\w+)="([^"]*)"/g)) {
      if (name === 'le') continue;
      assert.ok(allowed[name ?? '']?.has(value ?? ''), `unbounded label ${name}="${value}"`);
    }
  });
});
