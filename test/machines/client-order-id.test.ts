/**
 * @module test/machines/client-order-id
 * Tests for deterministic client order ids: venue-safe shape, replay stability, uniqueness, the
 * instance namespace that keeps two engines apart, an exact inverse parser that tells our ids
 * from foreign ones, and ids of the legacy (pre-namespace) format still read as ours.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  clientOrderIdFor,
  clientOrderIdPrefix,
  isClientOrderIdFor,
  legacySymbolTag,
  MAX_GENERATION,
  MAX_SLOT_INDEX,
  namespaceError,
  parseClientOrderId,
  symbolTag,
} from '../../machines/client-order-id.js';
import type { Side } from '../../core/types.js';

const NAMESPACES = ['K7Q2', '0000', 'ZZZZ'];
const SYMBOLS = ['BTCUSDT', '1000PEPEUSDT', 'BTC-USDT-SWAP', 'ETH_USDT', 'X'];
const SLOTS = [-MAX_SLOT_INDEX, -12, -1, 0, 1, 7, MAX_SLOT_INDEX];
const SIDES: Side[] = ['BUY', 'SELL'];
const GENERATIONS = [1, 2, 10, 123_456, MAX_GENERATION];

function* everyCombination() {
  for (const namespace of NAMESPACES) {
    for (const symbol of SYMBOLS) {
      for (const slotIndex of SLOTS) {
        for (const side of SIDES) {
          for (const generation of GENERATIONS) {
            yield { namespace, symbol, slotIndex, side, generation };
          }
        }
      }
    }
  }
}

const mint = (c: ReturnType<typeof everyCombination> extends Generator<infer T> ? T : never) =>
  clientOrderIdFor(c.namespace, c.symbol, c.slotIndex, c.side, c.generation);

describe('clientOrderIdFor', () => {
  it('mints ids of at most 26 alphanumerics that start with the project prefix', () => {
    assert.equal(CLIENT_ORDER_ID_MAX_LENGTH, 26);
    for (const c of everyCombination()) {
      const id = mint(c);
      assert.ok(id.length <= CLIENT_ORDER_ID_MAX_LENGTH, id);
      // Gate wants `t-` in front and at most 28 characters in all
      assert.ok(`t-${id}`.length <= 28, id);
      assert.match(id, /^oq[A-Za-z0-9]+$/);
      assert.ok(id.startsWith(clientOrderIdPrefix(c.namespace, c.symbol)), id);
    }
  });

  it('keeps a pinned id stable across releases so replays match the venue', () => {
    assert.equal(symbolTag('BTCUSDT'), 'RCC');
    assert.equal(clientOrderIdFor('K7Q2', 'BTCUSDT', -1, 'BUY', 1), 'oqK7Q2RCCbm1g1');
    assert.equal(clientOrderIdFor('K7Q2', 'BTCUSDT', 12, 'SELL', 7), 'oqK7Q2RCCsp12g7');
  });

  it('gives distinct inputs distinct ids, across namespaces too', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const c of everyCombination()) {
      ids.add(mint(c));
      count++;
    }
    assert.equal(ids.size, count);
  });

  it('refuses a namespace, slot index or generation it cannot encode', () => {
    assert.throws(() => clientOrderIdFor('k7q2', 'BTCUSDT', 0, 'BUY', 1), /namespace must be 4/);
    assert.throws(() => clientOrderIdFor('K7Q', 'BTCUSDT', 0, 'BUY', 1), RangeError);
    assert.throws(
      () => clientOrderIdFor('K7Q2', 'BTCUSDT', MAX_SLOT_INDEX + 1, 'BUY', 1),
      RangeError,
    );
    assert.throws(() => clientOrderIdFor('K7Q2', 'BTCUSDT', 1.5, 'BUY', 1), RangeError);
    assert.throws(() => clientOrderIdFor('K7Q2', 'BTCUSDT', 0, 'BUY', 0), RangeError);
    assert.throws(
      () => clientOrderIdFor('K7Q2', 'BTCUSDT', 0, 'BUY', MAX_GENERATION + 1),
      RangeError,
    );
  });
});

describe('namespaceError', () => {
  it('accepts four capitals or digits and names the rule otherwise', () => {
    assert.equal(namespaceError('A1B2'), null);
    for (const bad of ['', 'abc1', 'ABCDE', 'AB-1', 'ÄBCD']) {
      assert.match(namespaceError(bad) ?? '', /4 characters of A-Z or 0-9/, bad);
    }
  });
});

describe('parseClientOrderId', () => {
  it('reverses clientOrderIdFor exactly', () => {
    for (const c of everyCombination()) {
      assert.deepEqual(parseClientOrderId(mint(c)), {
        namespace: c.namespace,
        symbolTag: symbolTag(c.symbol),
        slotIndex: c.slotIndex,
        side: c.side,
        generation: c.generation,
      });
    }
  });

  it('reads ids of the legacy format, which carry no namespace', () => {
    assert.equal(legacySymbolTag('BTCUSDT'), 'SF4RCC');
    assert.deepEqual(parseClientOrderId('osqSF4RCCsp12g7'), {
      namespace: null,
      symbolTag: 'SF4RCC',
      slotIndex: 12,
      side: 'SELL',
      generation: 7,
    });
    assert.equal(parseClientOrderId('osqSF4RCCbm1g1')?.slotIndex, -1);
  });

  it('treats anything not minted by an OpenSQT engine as foreign', () => {
    const foreign = [
      '',
      'oq',
      'osq',
      'web_1700000000000',
      'x-Q9ZJ2K',
      'OQK7Q2RK1bp1g1',
      'oqk7q2rk1bp1g1',
      'oqK7Q2RCCbm0g1',
      'oqK7Q2RCCbp01g1',
      'oqK7Q2RCCbp1g0',
      'oqK7Q2RCCbp1g01',
      'oqK7Q2RCCxp1g1',
      'oqK7Q2RCCbp1234567g1',
      'oqK7Q2RCCbp1g1-',
      'oqK7Q2RCCbp1g123456789',
      'oqK7Q2RCC2bp1g1',
      'oqK7QRK1bp1g1',
      'osqSF4RCCbm0g1',
      'osq1SF4RCCbp1g1',
      'osqSF4RCbp1g1',
    ];
    for (const id of foreign) assert.equal(parseClientOrderId(id), null, id);
  });
});

describe('isClientOrderIdFor', () => {
  it('adopts ids of this engine for the symbol they were minted for only', () => {
    const id = clientOrderIdFor('K7Q2', 'BTCUSDT', 3, 'BUY', 9);
    assert.equal(isClientOrderIdFor(id, 'BTCUSDT', 'K7Q2'), true);
    assert.equal(isClientOrderIdFor(id, 'ETHUSDT', 'K7Q2'), false);
    assert.equal(isClientOrderIdFor('manual-order-1', 'BTCUSDT', 'K7Q2'), false);
  });

  it("never takes another engine's id for its own, on the same account and symbol", () => {
    const theirs = clientOrderIdFor('ZX90', 'BTCUSDT', 3, 'BUY', 9);
    assert.equal(isClientOrderIdFor(theirs, 'BTCUSDT', 'K7Q2'), false);
    assert.notEqual(theirs, clientOrderIdFor('K7Q2', 'BTCUSDT', 3, 'BUY', 9));
  });

  it('takes a legacy id of the symbol as its own, whatever its namespace', () => {
    assert.equal(isClientOrderIdFor('osqSF4RCCbm1g1', 'BTCUSDT', 'K7Q2'), true);
    assert.equal(isClientOrderIdFor('osqSF4RCCbm1g1', 'BTCUSDT', 'ZX90'), true);
    assert.equal(isClientOrderIdFor('osqSF4RCCbm1g1', 'ETHUSDT', 'K7Q2'), false);
  });
});

describe('symbolTag', () => {
  it('is three characters of [0-9A-Z] and differs between common symbols', () => {
    const tags = SYMBOLS.map(symbolTag);
    for (const tag of tags) assert.match(tag, /^[0-9A-Z]{3}$/);
    assert.equal(new Set(tags).size, tags.length);
    for (const tag of SYMBOLS.map(legacySymbolTag)) assert.match(tag, /^[0-9A-Z]{6}$/);
  });
});
