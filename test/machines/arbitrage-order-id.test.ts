/**
 * @module test/machines/arbitrage-order-id
 * Tests for the arbitrage client order ids: venue-safe shape and length, a prefix of their own,
 * replay stability, uniqueness per generation (no colliding `_0` emergency ids), the funding time
 * they carry (REQ-ARB-003), and an exact inverse parser that tells them from grid and foreign ids.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clientOrderIdFor, parseClientOrderId } from '../../machines/client-order-id.js';
import {
  ARBITRAGE_ORDER_ID_MAX_LENGTH,
  arbitrageOrderIdFor,
  isArbitrageOrderIdFor,
  MAX_ARBITRAGE_GENERATION,
  pairTag,
  parseArbitrageOrderId,
  type LegOrderPurpose,
} from '../../machines/arbitrage-order-id.js';
import type { LegKey } from '../../machines/arbitrage-pair.js';

const PAIRS = ['btc-basis', 'eth-x-venue', 'a', 'sol-perp-perp-binance-okx-000001'];
const LEGS: LegKey[] = ['a', 'b'];
const PURPOSES: LegOrderPurpose[] = ['open', 'hedge', 'unwind', 'close', 'match', 'repair'];
const FUNDING = [
  0,
  Date.UTC(2026, 0, 1, 8),
  Date.UTC(2026, 0, 1, 8, 0, 59_999),
  Date.UTC(2999, 11, 31),
];
const GENERATIONS = [1, 2, 10, 123_456, MAX_ARBITRAGE_GENERATION];

function* everyCombination() {
  for (const pairId of PAIRS)
    for (const leg of LEGS)
      for (const purpose of PURPOSES)
        for (const fundingTimeMs of FUNDING)
          for (const generation of GENERATIONS)
            yield { pairId, leg, purpose, fundingTimeMs, generation };
}

const mint = (c: ReturnType<typeof everyCombination> extends Generator<infer T> ? T : never) =>
  arbitrageOrderIdFor(c.pairId, c.leg, c.purpose, c.fundingTimeMs, c.generation);

describe('arbitrageOrderIdFor', () => {
  it('mints ids of at most 23 alphanumerics behind the arbitrage prefix', () => {
    assert.equal(ARBITRAGE_ORDER_ID_MAX_LENGTH, 23);
    for (const c of everyCombination()) {
      const id = mint(c);
      assert.ok(id.length <= ARBITRAGE_ORDER_ID_MAX_LENGTH, id);
      // Gate wants `t-` in front and at most 28 characters in all; OKX allows 32 alphanumerics
      assert.ok(`t-${id}`.length <= 28, id);
      assert.match(id, /^osa[A-Za-z0-9]+$/);
    }
  });

  it('keeps a pinned id stable across releases so replays match the venue', () => {
    const nextFunding = Date.UTC(2026, 0, 1, 8);
    assert.equal(
      arbitrageOrderIdFor('btc-basis', 'a', 'open', nextFunding, 1),
      'osaLOX3Zao0hjb1c1',
    );
    assert.equal(arbitrageOrderIdFor('btc-basis', 'b', 'repair', 0, 42), 'osaLOX3Zbr00000042');
  });

  it('gives distinct inputs distinct ids, so a second emergency exit never reuses the first id', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const c of everyCombination()) {
      // Funding times within one minute share a stamp; the generation still tells them apart
      if (c.fundingTimeMs === Date.UTC(2026, 0, 1, 8, 0, 59_999)) continue;
      ids.add(mint(c));
      count++;
    }
    assert.equal(ids.size, count);
    const first = arbitrageOrderIdFor('btc-basis', 'b', 'close', 0, 7);
    const second = arbitrageOrderIdFor('btc-basis', 'b', 'close', 0, 8);
    assert.notEqual(first, second);
  });

  it('refuses a generation or funding time it cannot encode', () => {
    for (const generation of [0, -1, 1.5, MAX_ARBITRAGE_GENERATION + 1]) {
      assert.throws(() => arbitrageOrderIdFor('p', 'a', 'open', 0, generation), RangeError);
    }
    for (const fundingTimeMs of [-1, 0.5, 36 ** 6 * 60_000]) {
      assert.throws(() => arbitrageOrderIdFor('p', 'a', 'open', fundingTimeMs, 1), RangeError);
    }
  });
});

describe('parseArbitrageOrderId', () => {
  it('reads back every id it minted, with the funding time to the minute', () => {
    for (const c of everyCombination()) {
      assert.deepEqual(parseArbitrageOrderId(mint(c)), {
        pairTag: pairTag(c.pairId),
        leg: c.leg,
        purpose: c.purpose,
        fundingMinuteMs: Math.floor(c.fundingTimeMs / 60_000) * 60_000,
        generation: c.generation,
      });
    }
  });

  it('rejects grid ids, foreign ids and near misses, and grid parsing rejects ours', () => {
    const grid = clientOrderIdFor('T3ST', 'BTCUSDT', 3, 'BUY', 1);
    const ours = arbitrageOrderIdFor('btc-basis', 'a', 'open', 0, 1);
    for (const id of [
      grid,
      'sim-123',
      'x-AKxz',
      '',
      `${ours}x`,
      ours.replace('osa', 'OSA'),
      ours.replace(/1$/, '0'),
      'osaLOX3Zaz0hjb1c1',
      'osaLOX3Zco0hjb1c1',
      'osaLOX3Zao0hjb1c01',
    ]) {
      assert.equal(parseArbitrageOrderId(id), null, id);
    }
    assert.equal(parseClientOrderId(ours), null);
  });

  it('tells the ids of one pair from another pair on the same venue', () => {
    const id = arbitrageOrderIdFor('btc-basis', 'a', 'hedge', 0, 3);
    assert.equal(isArbitrageOrderIdFor(id, 'btc-basis'), true);
    assert.equal(isArbitrageOrderIdFor(id, 'eth-basis'), false);
  });
});
