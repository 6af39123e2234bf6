/**
 * @module test/machines/arbitrage-decision
 * Table tests with hand-computed numbers for the funding spread, its APR from each venue's real
 * interval (REQ-ARB-001; the original hard-coded 8 h), and the enter/exit/hold decision: both
 * directions (REQ-ARB-006), feed freshness (REQ-ARB-002), hysteresis, minimum holding time,
 * entry economics with fees, slippage and borrow interest. Seeded property checks cover the
 * symmetries over many random pairs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dec, type Decimal } from '../../core/decimal.js';
import {
  decideArbitrage,
  entryEconomics,
  settlementPayment,
  type ArbitrageThresholds,
  type LegView,
  type PositionView,
} from '../../machines/arbitrage-decision.js';
import {
  annualRate,
  bestSpread,
  fundingSpread,
  periodsPerYear,
  type LegFunding,
} from '../../machines/arbitrage-spread.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 1, 3);
const NEXT_8H = Date.UTC(2026, 0, 1, 8);
const NEXT_1H = Date.UTC(2026, 0, 1, 4);

const spot = (over: Partial<LegView> = {}): LegView => ({
  market: 'spot',
  rate: dec(0),
  intervalMs: null,
  nextFundingTimeMs: 0,
  feedProblem: null,
  ...over,
});
const perp = (rate: string, intervalMs = 8 * HOUR, over: Partial<LegView> = {}): LegView => ({
  market: 'perp',
  rate: dec(rate),
  intervalMs,
  nextFundingTimeMs: intervalMs === HOUR ? NEXT_1H : NEXT_8H,
  feedProblem: null,
  ...over,
});

const THRESHOLDS: ArbitrageThresholds = {
  entryApr: dec('0.1'),
  exitApr: dec('0.03'),
  minHoldMs: 8 * HOUR,
  expectedHoldMs: 30 * 24 * HOUR,
  reentryCooldownMs: HOUR,
  holdThroughFundingMs: 10 * 60_000,
  allowSpotShort: true,
  borrowApr: dec('0.1'),
  costs: {
    a: { takerFee: dec('0.001'), slippage: dec('0.0002') },
    b: { takerFee: dec('0.0005'), slippage: dec('0.0002') },
  },
};
const FLAT: PositionView = { state: 'flat', long: null, enteredAtMs: null, exitedAtMs: null };
const hedged = (long: 'a' | 'b', enteredAtMs = NOW - 24 * HOUR): PositionView => ({
  state: 'hedged',
  long,
  enteredAtMs,
  exitedAtMs: null,
});

const eq = (actual: Decimal | undefined | null, expected: string, what = '') =>
  assert.equal(actual?.toFixed(), expected, what);

describe('funding spread and APR', () => {
  it('annualises each perp with its own interval and gives spot no funding', () => {
    const cases: [LegFunding, string][] = [
      [perp('0.0001', 8 * HOUR), '0.1095'],
      [perp('0.0001', 4 * HOUR), '0.219'],
      [perp('0.00005', HOUR), '0.438'],
      [perp('-0.0002', 8 * HOUR), '-0.219'],
      [spot(), '0'],
    ];
    for (const [leg, apr] of cases) eq(annualRate(leg), apr, `${leg.rate} per ${leg.intervalMs}`);
    eq(periodsPerYear(8 * HOUR), '1095');
    eq(periodsPerYear(HOUR), '8760');
    assert.equal(annualRate(perp('0.0001', 8 * HOUR, { intervalMs: null })), null);
    assert.throws(() => periodsPerYear(0), RangeError);
  });

  it('takes short rate minus long rate, in both directions of a spot/perp pair', () => {
    const legs = { a: spot(), b: perp('0.0003') };
    const longSpot = fundingSpread(legs, 'a');
    const longPerp = fundingSpread(legs, 'b');
    eq(longSpot?.spread, '0.0003');
    eq(longSpot?.apr, '0.3285');
    eq(longPerp?.spread, '-0.0003');
    eq(longPerp?.apr, '-0.3285');
    assert.equal(bestSpread(legs)?.long, 'a');
    assert.equal(bestSpread({ a: spot(), b: perp('-0.0003') })?.long, 'b');
  });

  it('compares an 8 h and a 1 h perp per year, not per period', () => {
    // Per period the 1 h leg pays less (0.00005 < 0.0001), per year it pays four times more
    const legs = { a: perp('0.0001', 8 * HOUR), b: perp('0.00005', HOUR) };
    const best = bestSpread(legs);
    assert.deepEqual([best?.long, best?.short], ['a', 'b']);
    eq(best?.spread, '-0.00005');
    eq(best?.apr, '0.3285'); // 0.00005 × 8760 − 0.0001 × 1095; 8 h everywhere said −0.05475
  });
});

describe('entryEconomics', () => {
  it('weighs 30 days of funding against both legs in and out', () => {
    const legs = { a: spot(), b: perp('0.0003') };
    const spread = fundingSpread(legs, 'a');
    assert.ok(spread);
    const e = entryEconomics(spread, legs, THRESHOLDS);
    eq(e.expectedFunding, '0.027'); // 0.3285 × 30 / 365
    eq(e.roundTripCost, '0.0038'); // 2 × ((0.001 + 0.0002) + (0.0005 + 0.0002))
    eq(e.borrowCost, '0');
    eq(e.netEdge, '0.0232');
    eq(e.netApr.toDecimalPlaces(10), '0.2822666667'); // 0.0232 × 365 / 30
  });

  it('charges a spot short the borrow interest', () => {
    const legs = { a: spot(), b: perp('-0.0003') };
    const spread = fundingSpread(legs, 'b');
    assert.ok(spread);
    const e = entryEconomics(spread, legs, THRESHOLDS);
    eq(e.borrowCost.toDecimalPlaces(12), '0.008219178082'); // 0.1 × 30 / 365
    eq(e.netEdge.toDecimalPlaces(12), '0.014980821918'); // 0.027 − 0.0038 − 0.00821917...
  });
});

describe('decideArbitrage: entry', () => {
  const decide = (legs: Record<'a' | 'b', LegView>, t = THRESHOLDS, position = FLAT, now = NOW) =>
    decideArbitrage(legs, position, t, now);

  it('enters long spot / short perp on positive funding, aiming at the next settlement', () => {
    const d = decide({ a: spot(), b: perp('0.0003') });
    assert.equal(d.action, 'enter');
    assert.ok(d.action === 'enter');
    assert.deepEqual([d.long, d.nextFundingTimeMs], ['a', NEXT_8H]);
    eq(d.economics.netEdge, '0.0232');
  });

  it('enters short spot on margin / long perp on negative funding', () => {
    const d = decide({ a: spot(), b: perp('-0.0003') });
    assert.ok(d.action === 'enter');
    assert.equal(d.long, 'b');
  });

  it('holds with SPOT_SHORT_DISABLED when negative funding needs a margin short it may not take', () => {
    const d = decide({ a: spot(), b: perp('-0.0003') }, { ...THRESHOLDS, allowSpotShort: false });
    assert.deepEqual([d.action, d.action === 'hold' && d.reason], ['hold', 'SPOT_SHORT_DISABLED']);
  });

  it('enters two perps on two venues long the cheaper one and aims at the earlier settlement', () => {
    const d = decide({ a: perp('0.0001', 8 * HOUR), b: perp('0.00005', HOUR) });
    assert.ok(d.action === 'enter');
    assert.deepEqual([d.long, d.nextFundingTimeMs], ['a', NEXT_1H]);
  });

  it('holds, naming why, whenever an entry is not allowed or not worth it', () => {
    const cases: [
      string,
      Record<'a' | 'b', LegView>,
      Partial<ArbitrageThresholds>,
      PositionView,
      string,
    ][] = [
      [
        'stale price feed on spot',
        { a: spot({ feedProblem: 'FEED_STALE' }), b: perp('0.0003') },
        {},
        FLAT,
        'FEED_STALE',
      ],
      [
        'missing funding beats stale',
        {
          a: spot({ feedProblem: 'FEED_STALE' }),
          b: perp('0.0003', 8 * HOUR, { feedProblem: 'FEED_MISSING' }),
        },
        {},
        FLAT,
        'FEED_MISSING',
      ],
      [
        'interval not known yet',
        { a: spot(), b: perp('0.0003', 8 * HOUR, { intervalMs: null }) },
        {},
        FLAT,
        'INTERVAL_UNKNOWN',
      ],
      // 0.00009 × 1095 = 0.09855 < 0.1
      ['below the entry APR', { a: spot(), b: perp('0.00009') }, {}, FLAT, 'BELOW_ENTRY'],
      // 0.11 × 3 / 365 = 0.000904 of funding against 0.0038 of costs
      [
        'costs beat 3 days of funding',
        { a: spot(), b: perp('0.00011') },
        { expectedHoldMs: 72 * HOUR },
        FLAT,
        'COSTS_EXCEED_FUNDING',
      ],
      [
        'cooling down after an exit',
        { a: spot(), b: perp('0.0003') },
        {},
        { ...FLAT, exitedAtMs: NOW - 30 * 60_000 },
        'COOLDOWN',
      ],
      [
        'an order in flight',
        { a: spot(), b: perp('0.0003') },
        {},
        { ...FLAT, state: 'busy' },
        'BUSY',
      ],
    ];
    for (const [what, legs, t, position, reason] of cases) {
      const d = decide(legs, { ...THRESHOLDS, ...t }, position);
      assert.deepEqual([d.action, d.action === 'hold' && d.reason], ['hold', reason], what);
    }
  });
});

describe('decideArbitrage: exit', () => {
  const legs = (perpRate: string, over: Partial<LegView> = {}) => ({
    a: spot(),
    b: perp(perpRate, 8 * HOUR, over),
  });

  it('keeps a position between the exit and entry APR (hysteresis)', () => {
    // 0.00005 × 1095 = 0.05475: not enough to enter, not low enough to leave
    const spread = legs('0.00005');
    assert.equal(
      (decideArbitrage(spread, FLAT, THRESHOLDS, NOW) as { reason: string }).reason,
      'BELOW_ENTRY',
    );
    assert.equal(
      (decideArbitrage(spread, hedged('a'), THRESHOLDS, NOW) as { reason: string }).reason,
      'ABOVE_EXIT',
    );
  });

  it('exits below the exit APR once the minimum holding time has passed', () => {
    // 0.00002 × 1095 = 0.0219 < 0.03
    const early = decideArbitrage(legs('0.00002'), hedged('a', NOW - HOUR), THRESHOLDS, NOW);
    assert.deepEqual([early.action, early.action === 'hold' && early.reason], ['hold', 'MIN_HOLD']);
    const late = decideArbitrage(legs('0.00002'), hedged('a', NOW - 8 * HOUR), THRESHOLDS, NOW);
    assert.deepEqual(
      [late.action, late.action === 'exit' && late.reason],
      ['exit', 'SPREAD_BELOW_EXIT'],
    );
  });

  it('says DIRECTION_FLIPPED when funding turned against the held direction', () => {
    const d = decideArbitrage(legs('-0.0001'), hedged('a'), THRESHOLDS, NOW);
    assert.deepEqual([d.action, d.action === 'exit' && d.reason], ['exit', 'DIRECTION_FLIPPED']);
    const short = decideArbitrage(legs('0.0001'), hedged('b'), THRESHOLDS, NOW);
    assert.deepEqual(
      [short.action, short.action === 'exit' && short.reason],
      ['exit', 'DIRECTION_FLIPPED'],
    );
  });

  it('waits for a settlement that still pays us when it is minutes away', () => {
    const soon = NEXT_8H - 5 * 60_000;
    const paid = decideArbitrage(legs('0.00002'), hedged('a'), THRESHOLDS, soon);
    assert.deepEqual(
      [paid.action, paid.action === 'hold' && paid.reason],
      ['hold', 'FUNDING_IMMINENT'],
    );
    const charged = decideArbitrage(legs('-0.00002'), hedged('a'), THRESHOLDS, soon);
    assert.equal(charged.action, 'exit');
  });

  it('never exits on a stale feed: the risk layer owns that', () => {
    const d = decideArbitrage(
      legs('-0.001', { feedProblem: 'FEED_STALE' }),
      hedged('a'),
      THRESHOLDS,
      NOW,
    );
    assert.deepEqual([d.action, d.action === 'hold' && d.reason], ['hold', 'FEED_STALE']);
  });

  it('counts only the legs that settle at a time in the payment', () => {
    const pair = { a: perp('0.0001', 8 * HOUR), b: perp('0.00005', HOUR) };
    eq(settlementPayment(pair, 'a', NEXT_1H), '0.00005'); // short b receives, a settles later
    eq(settlementPayment(pair, 'a', NEXT_8H), '-0.0001'); // long a pays
    eq(settlementPayment({ a: spot(), b: perp('0.0003') }, 'b', NEXT_8H), '-0.0003');
  });
});

describe('decision properties over random pairs (seeded)', () => {
  let seed = 20260101;
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const intervals = [HOUR, 4 * HOUR, 8 * HOUR];
  const randomPerp = (): LegView =>
    perp(((next() - 0.5) / 500).toFixed(8), intervals[Math.floor(next() * 3)]);

  it('mirrors the two directions, never quotes a negative best APR, and gives spot nothing', () => {
    for (let i = 0; i < 500; i++) {
      const legs = { a: next() < 0.3 ? spot() : randomPerp(), b: randomPerp() };
      const longA = fundingSpread(legs, 'a');
      const longB = fundingSpread(legs, 'b');
      assert.ok(longA && longB);
      assert.ok(longA.apr.eq(longB.apr.neg()) && longA.spread.eq(longB.spread.neg()));
      assert.ok(bestSpread(legs)?.apr.gte(0));
      if (legs.a.market === 'spot') assert.ok(longA.apr.eq(annualRate(legs.b) ?? dec(-1)));
    }
  });

  it('never enters on a stale feed or a negative net edge, never exits inside the minimum hold', () => {
    for (let i = 0; i < 500; i++) {
      const stale = next() < 0.2;
      const legs = { a: spot({ feedProblem: stale ? 'FEED_STALE' : null }), b: randomPerp() };
      const entry = decideArbitrage(legs, FLAT, THRESHOLDS, NOW);
      if (entry.action === 'enter') {
        assert.ok(
          !stale && entry.economics.netEdge.gt(0) && entry.spread.apr.gte(THRESHOLDS.entryApr),
        );
      }
      const heldFor = Math.floor(next() * 16 * HOUR);
      const exit = decideArbitrage(
        legs,
        hedged(next() < 0.5 ? 'a' : 'b', NOW - heldFor),
        THRESHOLDS,
        NOW,
      );
      if (exit.action === 'exit') assert.ok(!stale && heldFor >= THRESHOLDS.minHoldMs);
    }
  });
});
