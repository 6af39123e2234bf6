/**
 * @module test/machines/client-order-id
 * Tests for deterministic client order ids: venue-safe shape, replay stability, uniqueness and
 * an exact inverse parser that tells our ids from foreign ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  clientOrderIdFor,
  isClientOrderIdFor,
  MAX_GENERATION,
  MAX_SLOT_INDEX,
  parseClientOrderId,
  symbolTag,
} from '../../machines/client-order-id.js';
import type { Side } from '../../core/types.js';

const SYMBOLS = ['BTCUSDT', '1000PEPEUSDT', 'BTC-USDT-SWAP', 'ETH_USDT', 'X'];
const SLOTS = [-MAX_SLOT_INDEX, -12, -1, 0, 1, 7, MAX_SLOT_INDEX];
const SIDES: Side[] = ['BUY', 'SELL'];
const GENERATIONS = [1, 2, 10, 123_456, MAX_GENERATION];

function* everyCombination() {
  for (const symbol of SYMBOLS) {
    for (const slotIndex of SLOTS) {
      for (const side of SIDES) {
        for (const generation of GENERATIONS) yield { symbol, slotIndex, side, generation };
      }
    }
  }
}

describe('clientOrderIdFor', () => {
  it('mints ids of at most 26 alphanumerics that start with the project prefix', () => {
    assert.equal(CLIENT_ORDER_ID_MAX_LENGTH, 26);
    for (const c of everyCombination()) {
      const id = clientOrderIdFor(c.symbol, c.slotIndex, c.side, c.generation);
      assert.ok(id.length <= CLIENT_ORDER_ID_MAX_LENGTH, id);
      // Gate wants `t-` in front and at most 28 characters in all
      assert.ok(`t-${id}`.length <= 28, id);
      assert.match(id, /^osq[A-Za-z0-9]+$/);
    }
  });

  it('keeps a pinned id stable across releases so replays match the venue', () => {
    assert.equal(clientOrderIdFor('BTCUSDT', -1, 'BUY', 1), 'osqSF4RCCbm1g1');
    assert.equal(clientOrderIdFor('BTCUSDT', 12, 'SELL', 7), 'osqSF4RCCsp12g7');
  });

  it('gives distinct inputs distinct ids', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const c of everyCombination()) {
      ids.add(clientOrderIdFor(c.symbol, c.slotIndex, c.side, c.generation));
      count++;
    }
    assert.equal(ids.size, count);
  });

  it('refuses a slot index or generation it cannot encode', () => {
    assert.throws(() => clientOrderIdFor('BTCUSDT', MAX_SLOT_INDEX + 1, 'BUY', 1), RangeError);
    assert.throws(() => clientOrderIdFor('BTCUSDT', 1.5, 'BUY', 1), RangeError);
    assert.throws(() => clientOrderIdFor('BTCUSDT', 0, 'BUY', 0), RangeError);
    assert.throws(() => clientOrderIdFor('BTCUSDT', 0, 'BUY', MAX_GENERATION + 1), RangeError);
  });
});

describe('parseClientOrderId', () => {
  it('reverses clientOrderIdFor exactly', () => {
    for (const c of everyCombination()) {
      const parsed = parseClientOrderId(
        clientOrderIdFor(c.symbol, c.slotIndex, c.side, c.generation),
      );
      assert.deepEqual(parsed, {
        symbolTag: symbolTag(c.symbol),
        slotIndex: c.slotIndex,
        side: c.side,
        generation: c.generation,
      });
    }
  });

  it('treats anything not minted by clientOrderIdFor as foreign', () => {
    const foreign = [
      '',
      'osq',
      'web_1700000000000',
      'x-Q9ZJ2K',
      'OSQSF4RCCbp1g1',
      'osqsf4rccbp1g1',
      'osqSF4RCCbm0g1',
      'osqSF4RCCbp01g1',
      'osqSF4RCCbp1g0',
      'osqSF4RCCbp1g01',
      'osqSF4RCCxp1g1',
      'osqSF4RCCbp1234567g1',
      'osqSF4RCCbp1g1-',
      'osqSF4RCCbp1g123456789',
      'osq1SF4RCCbp1g1',
    ];
    for (const id of foreign) assert.equal(parseClientOrderId(id), null, id);
  });
});

describe('isClientOrderIdFor', () => {
  it('adopts our ids for the symbol they were minted for only', () => {
    const id = clientOrderIdFor('BTCUSDT', 3, 'BUY', 9);
    assert.equal(isClientOrderIdFor(id, 'BTCUSDT'), true);
    assert.equal(isClientOrderIdFor(id, 'ETHUSDT'), false);
    assert.equal(isClientOrderIdFor('manual-order-1', 'BTCUSDT'), false);
  });
});

describe('symbolTag', () => {
  it('is six characters of [0-9A-Z] and differs between common symbols', () => {
    const tags = SYMBOLS.map(symbolTag);
    for (const tag of tags) assert.match(tag, /^[0-9A-Z]{6}$/);
    assert.equal(new Set(tags).size, tags.length);
  });
});
