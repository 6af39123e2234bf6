import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExchangeError } from '../../../core/errors.js';
import {
  fillsCursor,
  ordersCursor,
  readFillsCursor,
  readOrdersCursor,
} from '../../../server/rpc/page-cursor.js';

const query = { symbols: ['ETHUSDT', 'BTCUSDT'], fromMs: 1000, toMs: 5000 };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExchangeError);
    assert.equal(e.reason, 'INVALID_ARGUMENT');
    assert.equal(e.field, 'cursor');
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('page cursors', () => {
  it('round-trip the page key, whatever the order of the symbols', () => {
    const key = { tsEvent: 1234, venue: 'sim', tradeId: 'T-9' };
    const cursor = fillsCursor(query, key);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(readFillsCursor(cursor, { ...query, symbols: ['BTCUSDT', 'ETHUSDT'] }), key);
    const orderKey = { createdAtUs: 1_700_000_000_000_123, clientOrderId: 'osq-1' };
    assert.deepEqual(readOrdersCursor(ordersCursor(query, orderKey), query), orderKey);
    assert.equal(readFillsCursor('', query), null);
  });

  it('refuse a cursor of the other RPC, of another query, or not issued here, saying what to send', () => {
    const cursor = fillsCursor(query, { tsEvent: 1, venue: 'sim', tradeId: 'a' });
    assert.match(
      refusal(() => readOrdersCursor(cursor, query)),
      /issued by GetFills/,
    );
    assert.match(
      refusal(() => readFillsCursor(cursor, { ...query, toMs: 6000 })),
      /other symbols or another time range/,
    );
    assert.match(
      refusal(() => readFillsCursor('bm90LWpzb24', query)),
      /not a cursor this engine issued/,
    );
    assert.match(
      refusal(() => readFillsCursor('a+b', query)),
      /base64url/,
    );
    assert.match(
      refusal(() => readFillsCursor('x'.repeat(600), query)),
      /at most 512/,
    );
    const forged = Buffer.from(JSON.stringify({ v: 1, k: 'fills', q: 'x', a: [] })).toString(
      'base64url',
    );
    assert.match(
      refusal(() => readFillsCursor(forged, query)),
      /other symbols/,
    );
  });
});
