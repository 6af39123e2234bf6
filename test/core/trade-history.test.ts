/**
 * Trade-history paging shared by every venue: query validation naming the field, the opaque
 * cursor, (time, trade id) ordering with numeric ids by value, and pages cut at the cursor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { Trade } from '../../core/exchange.types.js';
import {
  compareTradeIds,
  decodeTradeCursor,
  encodeTradeCursor,
  pageOfTrades,
  resolveTradeQuery,
} from '../../core/trade-history.js';

const NOW = 1_750_000_000_000;

const fill = (tradeId: string, timeMs: number, symbol = 'BTCUSDT'): Trade => ({
  tradeId,
  orderId: `o${tradeId}`,
  symbol,
  side: 'BUY',
  price: dec('100'),
  quantity: dec('1'),
  fee: dec('0.01'),
  feeAsset: 'USDT',
  isMaker: false,
  realizedPnl: dec(0),
  timeMs,
});

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ExchangeError);
    assert.equal(e.reason, 'INVALID_ARGUMENT');
    return e.field;
  }
  assert.fail('expected a rejection');
}

describe('resolveTradeQuery', () => {
  it('fills in the defaults: from the beginning to now, 100 per page, first page', () => {
    assert.deepEqual(resolveTradeQuery({ symbol: 'BTCUSDT' }, NOW), {
      symbol: 'BTCUSDT',
      startTimeMs: 0,
      endTimeMs: NOW,
      limit: 100,
      after: undefined,
    });
  });

  it('refuses each bad field by name', () => {
    const q = { symbol: 'BTCUSDT' };
    assert.equal(
      fieldOf(() => resolveTradeQuery({ symbol: '' }, NOW)),
      'symbol',
    );
    assert.equal(
      fieldOf(() => resolveTradeQuery({ ...q, startTimeMs: -1 }, NOW)),
      'start_time',
    );
    assert.equal(
      fieldOf(() => resolveTradeQuery({ ...q, startTimeMs: 5, endTimeMs: 4 }, NOW)),
      'end_time',
    );
    assert.equal(
      fieldOf(() => resolveTradeQuery({ ...q, limit: 1001 }, NOW)),
      'limit',
    );
    assert.equal(
      fieldOf(() => resolveTradeQuery({ ...q, limit: 2.5 }, NOW)),
      'limit',
    );
    assert.equal(
      fieldOf(() => resolveTradeQuery({ ...q, cursor: 'bm90IGEgY3Vyc29y' }, NOW)),
      'cursor',
    );
  });
});

describe('trade cursors', () => {
  it('round-trip a fill position, including trade ids with colons and an empty id', () => {
    for (const position of [
      { timeMs: NOW, tradeId: '123' },
      { timeMs: 0, tradeId: 'a:b:c' },
      { timeMs: NOW + 1, tradeId: '' },
    ]) {
      assert.deepEqual(decodeTradeCursor(encodeTradeCursor(position)), position);
    }
  });

  it('is opaque base64url text', () => {
    assert.match(encodeTradeCursor({ timeMs: NOW, tradeId: 'x/y+z' }), /^[A-Za-z0-9_-]+$/);
  });
});

describe('compareTradeIds', () => {
  it('orders numeric ids by value and other ids as text', () => {
    assert.deepEqual(['10', '9', '100'].sort(compareTradeIds), ['9', '10', '100']);
    assert.deepEqual(['b', 'a10', 'a9'].sort(compareTradeIds), ['a10', 'a9', 'b']);
  });
});

describe('pageOfTrades', () => {
  const fills = [
    fill('12', 2000),
    fill('10', 1000),
    fill('11', 1000),
    fill('99', 1000, 'ETHUSDT'),
    fill('13', 3000),
  ];

  it('pages one symbol oldest first, ids breaking ties within a millisecond', () => {
    const q = resolveTradeQuery({ symbol: 'BTCUSDT', limit: 2 }, NOW);
    const first = pageOfTrades(fills, q);
    const second = pageOfTrades(fills, { ...q, after: decodeTradeCursor(first.nextCursor) });

    assert.deepEqual(
      first.trades.map((t) => t.tradeId),
      ['10', '11'],
    );
    assert.deepEqual(
      second.trades.map((t) => t.tradeId),
      ['12', '13'],
    );
    assert.equal(second.nextCursor, '');
  });

  it('keeps to the time range, both ends inclusive', () => {
    const q = resolveTradeQuery({ symbol: 'BTCUSDT', startTimeMs: 1000, endTimeMs: 2000 }, NOW);
    assert.deepEqual(
      pageOfTrades(fills, q).trades.map((t) => t.tradeId),
      ['10', '11', '12'],
    );
  });

  it('resumes after a cursor with an empty id at the start of that millisecond', () => {
    const q = resolveTradeQuery(
      { symbol: 'BTCUSDT', cursor: encodeTradeCursor({ timeMs: 2000, tradeId: '' }) },
      NOW,
    );
    assert.deepEqual(
      pageOfTrades(fills, q).trades.map((t) => t.tradeId),
      ['12', '13'],
    );
  });
});
