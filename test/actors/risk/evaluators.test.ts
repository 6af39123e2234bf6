/**
 * Breaker evaluators: each condition's threshold, window and reason text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dec } from '../../../core/decimal.js';
import {
  DivergenceEvaluator,
  FeedStalenessEvaluator,
  LiquidationDistanceEvaluator,
  liquidationDistancePct,
  LossStreakEvaluator,
  MarginRatioEvaluator,
  marginRatio,
} from '../../../actors/risk/state-evaluators.js';
import {
  DrawdownEvaluator,
  LatencyEvaluator,
  percentile,
  RefusalStormEvaluator,
  symbolEquity,
} from '../../../actors/risk/window-evaluators.js';

describe('LossStreakEvaluator', () => {
  it('counts losses net of fees and trips at the limit', () => {
    const e = new LossStreakEvaluator(3);
    e.recordRoundTrip(dec('0.5'), dec('0.6')); // profitable gross, a loss after fees
    e.recordRoundTrip(dec('-1'), dec('0.1'));
    assert.equal(e.verdict(0).holds, false);
    e.recordRoundTrip(dec('-2'), dec('0'));
    const verdict = e.verdict(0);
    assert.equal(verdict.holds, true);
    assert.equal(verdict.reason, '3 losing round trips in a row ≥ 3, last -2');
  });

  it('a winning round trip ends the streak, and a trip consumes it', () => {
    const e = new LossStreakEvaluator(2);
    e.recordRoundTrip(dec('-1'), dec('0'));
    e.recordRoundTrip(dec('1'), dec('0.5'));
    assert.equal(e.streak, 0);
    e.recordRoundTrip(dec('-1'), dec('0'));
    e.recordRoundTrip(dec('-1'), dec('0'));
    assert.equal(e.verdict(0).holds, true);
    e.acknowledge();
    assert.equal(e.verdict(0).holds, false);
  });
});

describe('DrawdownEvaluator', () => {
  it('measures from the peak within the window, not an older one', () => {
    const e = new DrawdownEvaluator('10', 1_000);
    e.record(0, dec('1000'));
    e.record(500, dec('950'));
    assert.equal(e.verdict(500).holds, false);
    e.record(900, dec('890'));
    assert.deepEqual(e.verdict(900), {
      holds: true,
      reason: 'drawdown 11% ≥ 10% of peak 1000 within 1000 ms (equity 890)',
    });
    // The 1000 peak leaves the window; 950 is the peak now: 6.32 %
    assert.equal(e.verdict(1_200).holds, false);
    assert.match(e.verdict(1_200).reason, /drawdown 6.32% < 10% of peak 950/);
  });

  it('keeps the current equity once every sample is older than the window', () => {
    const e = new DrawdownEvaluator('5', 100);
    e.record(0, dec('100'));
    e.record(50, dec('90'));
    assert.match(e.verdict(10_000).reason, /drawdown 0% < 5% of peak 90/);
  });

  it('says nothing without positive equity', () => {
    const e = new DrawdownEvaluator('5', 100);
    assert.equal(e.verdict(0).reason, 'no equity recorded yet');
    e.record(0, dec('-5'));
    assert.equal(e.verdict(0).holds, false);
  });

  it('stays bounded on a long falling series', () => {
    const e = new DrawdownEvaluator('50', 1_000);
    for (let t = 0; t < 200_000; t++) e.record(t, dec(1_000_000 - t));
    assert.equal(e.verdict(200_000).holds, false);
  });

  it('adds a symbol’s capital and PnL into its equity', () => {
    assert.equal(symbolEquity(dec('600'), dec('12.5'), dec('-40')).toFixed(), '572.5');
  });
});

describe('LatencyEvaluator', () => {
  it('trips when p99 over the window exceeds the limit, once it has enough samples', () => {
    const e = new LatencyEvaluator(500, 10_000, 10);
    for (let i = 0; i < 9; i++) e.record(i, 2_000);
    assert.match(e.verdict(9).reason, /9 latency samples, fewer than 10/);
    for (let i = 0; i < 91; i++) e.record(10 + i, 10);
    // 100 samples, 9 slow: p99 is a slow one
    assert.equal(e.verdict(200).holds, true);
    assert.match(e.verdict(200).reason, /p99 2000 ms > 500 ms over 100 calls/);
    // The slow ones age out of the window
    assert.equal(e.verdict(10_050).holds, false);
  });

  it('computes nearest-rank percentiles', () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
    assert.ok(Number.isNaN(percentile([], 99)));
  });
});

describe('RefusalStormEvaluator', () => {
  it('trips on more than N refusals in the window and names the top reasons', () => {
    const e = new RefusalStormEvaluator(3, 1_000);
    e.record(0, 'RATE_LIMITED');
    e.record(10, 'RATE_LIMITED');
    e.record(20, 'TIMEOUT');
    assert.equal(e.verdict(20).holds, false);
    e.record(30, 'RATE_LIMITED');
    assert.deepEqual(e.verdict(30), {
      holds: true,
      reason: '4 refusals/errors > 3 in the window (RATE_LIMITED ×3, TIMEOUT ×1)',
    });
    assert.equal(e.verdict(1_015).holds, false);
  });
});

describe('FeedStalenessEvaluator', () => {
  it('is stale when no update arrived within the limit, from the start too', () => {
    const e = new FeedStalenessEvaluator('price', 1_000, 0);
    assert.equal(e.verdict(1_000).holds, false);
    assert.equal(
      e.verdict(1_001).reason,
      'price feed: no update for 1001 ms since start > 1000 ms',
    );
    e.touch(1_500);
    assert.equal(e.verdict(2_000).holds, false);
    assert.equal(e.ageMs(2_000), 500);
    e.touch(1_200); // a late, older update does not make the feed younger or older
    assert.equal(e.ageMs(2_000), 500);
  });
});

describe('MarginRatioEvaluator', () => {
  it('trips at or above the ratio', () => {
    const e = new MarginRatioEvaluator('0.8');
    assert.equal(e.verdict(0).reason, 'no account update yet');
    e.update(dec('80'), dec('100'));
    assert.deepEqual(e.verdict(0), { holds: true, reason: 'margin ratio 0.8 ≥ 0.8' });
    e.update(dec('10'), dec('100'));
    assert.equal(e.verdict(0).holds, false);
  });

  it('treats margin in use with no balance as exhausted', () => {
    assert.equal(marginRatio(dec('1'), dec('0')).toFixed(), '1');
    assert.equal(marginRatio(dec('0'), dec('0')).toFixed(), '0');
  });
});

describe('LiquidationDistanceEvaluator', () => {
  it('measures from mark toward liquidation for longs and shorts', () => {
    assert.equal(liquidationDistancePct(dec('1'), dec('100'), dec('90'))?.toFixed(), '10');
    assert.equal(liquidationDistancePct(dec('-1'), dec('100'), dec('120'))?.toFixed(), '20');
    assert.equal(liquidationDistancePct(dec('1'), dec('100'), dec('105'))?.toFixed(), '0');
    assert.equal(liquidationDistancePct(dec('0'), dec('100'), dec('90')), null);
  });

  it('trips below the minimum distance', () => {
    const e = new LiquidationDistanceEvaluator('10');
    e.update(dec('2'), dec('100'), dec('92'));
    assert.deepEqual(e.verdict(0), { holds: true, reason: 'liquidation 8% from mark < 10%' });
    e.update(dec('0'), dec('100'), dec('0'));
    assert.equal(e.verdict(0).holds, false);
  });
});

describe('DivergenceEvaluator', () => {
  it('trips above the divergence and clears when reconciled', () => {
    const e = new DivergenceEvaluator('5');
    assert.equal(e.verdict(0).holds, false);
    e.record(dec('1'), dec('1.1'));
    assert.deepEqual(e.verdict(0), {
      holds: true,
      reason: 'position divergence 9.09% > 5% (ours 1, venue 1.1)',
    });
    e.record(dec('1.1'), dec('1.1'));
    assert.equal(e.verdict(0).holds, false);
    e.record(dec('0'), dec('0'));
    assert.equal(e.verdict(0).holds, false);
  });
});
