/**
 * @module test/actors/arbitrage/pair-guards
 * The pair guards as pure functions: a stale or missing feed places a reduce hold once and lifts
 * it once fresh; an exhausted retry budget halts latched with a reason naming what failed; a perp
 * near liquidation flattens, one far from it does not, one without a liquidation price is skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  feedHoldChange,
  imbalanceHalt,
  liquidationGuard,
} from '../../../actors/arbitrage/pair-guards.js';
import { dec, ZERO } from '../../../core/decimal.js';
import type { Position } from '../../../core/exchange.types.js';
import type { Hold } from '../../../machines/trading-state.machine.js';

const stale = { action: 'hold', reason: 'FEED_STALE', spread: null } as const;
const fresh = { action: 'hold', reason: 'BELOW_ENTRY', spread: null } as const;
const feedsHold: Hold = {
  source: 'guard:feeds',
  level: 'reduce',
  reason: 'stale',
  sinceMs: 1,
  latched: false,
};

const perp = (mark: string, liquidation: string, size = '-0.01'): Position => ({
  symbol: 'BTCUSDT',
  size: dec(size),
  entryPrice: dec(mark),
  markPrice: dec(mark),
  unrealizedPnl: ZERO,
  leverage: 10,
  marginType: 'cross',
  isolatedMargin: ZERO,
  liquidationPrice: dec(liquidation),
});

describe('pair guards', () => {
  it('holds entries while a feed is stale, once, and lifts the hold when fresh', () => {
    assert.deepEqual(feedHoldChange(stale, {}, 5), {
      type: 'hold.set',
      source: 'guard:feeds',
      level: 'reduce',
      reason: "a leg's funding or price feed is stale: no entries",
      atMs: 5,
    });
    assert.equal(feedHoldChange(stale, { 'guard:feeds': feedsHold }, 6), null);
    assert.deepEqual(feedHoldChange(fresh, { 'guard:feeds': feedsHold }, 7), {
      type: 'hold.clear',
      source: 'guard:feeds',
      atMs: 7,
    });
    assert.equal(feedHoldChange(fresh, {}, 8), null);
  });

  it('halts latched once the retries ran out, naming what failed', () => {
    const unhedged = imbalanceHalt(5, true, 9);
    assert.equal(
      unhedged.reason,
      'legs unhedged after 5 retries: halted, repair by hand and resume',
    );
    assert.deepEqual(unhedged.event, {
      type: 'hold.set',
      source: 'guard:imbalance',
      level: 'halt',
      reason: unhedged.reason,
      atMs: 9,
      latched: true,
    });
    assert.match(imbalanceHalt(2, false, 9).reason, /exit failed 2 times/);
  });

  it('flattens a perp closer to liquidation than the minimum, and only then', () => {
    const near = liquidationGuard('b', perp('100000', '105000'), '0.1', 3);
    assert.equal(near?.distance.toFixed(), '0.05');
    assert.equal(near?.event?.type, 'hold.set');
    assert.equal(near?.reason, 'leg b is 5.00 % from liquidation (minimum 10 %): emergency exit');
    const far = liquidationGuard('b', perp('100000', '150000'), '0.1', 3);
    assert.equal(far?.distance.toFixed(), '0.5');
    assert.equal(far?.event, null);
    assert.equal(liquidationGuard('b', perp('100000', '0'), '0.1', 3), null);
    assert.equal(liquidationGuard('b', undefined, '0.1', 3), null);
  });
});
