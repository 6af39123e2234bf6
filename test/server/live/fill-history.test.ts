/**
 * The fill list: each trade id once whichever source brings it first, newest first, bounded,
 * and the history's fuller record replacing a stream record without listing it twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FillHistory, type FillEntry } from '../../../server/live/fill-history.js';

const entry = (tradeId: string, timeMs: number, fee = ''): FillEntry => ({
  tradeId,
  timeMs,
  data: {
    id: tradeId,
    orderId: `o${tradeId}`,
    side: 'buy',
    price: '100',
    amount: '1',
    symbol: 'BTCUSDT',
    time: Math.floor(timeMs / 1000),
    fee,
    feeAsset: fee === '' ? '' : 'USDT',
    maker: false,
  },
});

describe('FillHistory', () => {
  it('keeps each trade id once and reports only the new ones, oldest first', () => {
    const fills = new FillHistory(10);

    const first = fills.add([entry('2', 2000), entry('1', 1000)]);
    const again = fills.add([entry('1', 1000), entry('3', 3000)]);

    assert.deepEqual(
      first.map((e) => e.tradeId),
      ['1', '2'],
    );
    assert.deepEqual(
      again.map((e) => e.tradeId),
      ['3'],
    );
    assert.deepEqual(
      fills.list().map((f) => f.id),
      ['3', '2', '1'],
    );
    assert.equal(fills.newestTimeMs, 3000);
  });

  it('drops the oldest beyond its capacity, and a dropped fill is not reported as new', () => {
    const fills = new FillHistory(2);
    fills.add([entry('2', 2000), entry('3', 3000)]);

    assert.deepEqual(fills.add([entry('1', 1000)]), []);
    assert.deepEqual(
      fills.list().map((f) => f.id),
      ['3', '2'],
    );
  });

  it("swaps in history's record of a fill first seen on the stream", () => {
    const fills = new FillHistory(10);
    fills.add([entry('1', 1000)]);

    fills.enrich(entry('1', 1000, '0.02'));
    fills.enrich(entry('9', 9000, '0.02'));

    assert.deepEqual(
      fills.list().map((f) => [f.id, f.fee]),
      [['1', '0.02']],
    );
  });
});
