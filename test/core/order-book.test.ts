/**
 * Book helpers every producer and consumer share: the levels of a request, trimming, the top of
 * the book and the check that a side is sorted best first with positive quantities.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { OrderBook } from '../../core/exchange.types.js';
import {
  bestAsk,
  bestBid,
  resolveBookLevels,
  sideProblem,
  trimBook,
} from '../../core/order-book.js';

const level = (price: string, quantity: string) => ({ price: dec(price), quantity: dec(quantity) });

const book: OrderBook = {
  exchange: 'sim',
  symbol: 'BTCUSDT',
  bids: [level('99', '1'), level('98', '2'), level('97', '3')],
  asks: [level('101', '1'), level('102', '2')],
  timeMs: 1,
  sequence: 0,
};

describe('resolveBookLevels', () => {
  it('means 20 by 0 and keeps 1..5000', () => {
    assert.deepEqual([0, 1, 5000].map(resolveBookLevels), [20, 1, 5000]);
    assert.equal(resolveBookLevels(undefined), 20);
  });

  it('refuses anything else naming levels and the range', () => {
    for (const bad of [-1, 5001, 2.5, Number.NaN]) {
      assert.throws(
        () => resolveBookLevels(bad),
        (e: unknown) =>
          e instanceof ExchangeError && e.field === 'levels' && /1 to 5000/.test(e.message),
      );
    }
  });
});

describe('trimBook', () => {
  it('cuts each side to the levels asked for and leaves a shallow book as it is', () => {
    const top = trimBook(book, 2);
    assert.deepEqual([top.bids.length, top.asks.length], [2, 2]);
    assert.equal(trimBook(book, 3), book);
  });
});

describe('bestBid / bestAsk', () => {
  it('reads the top of each side, undefined when a side is empty', () => {
    assert.equal(bestBid(book)?.toFixed(), '99');
    assert.equal(bestAsk(book)?.toFixed(), '101');
    assert.equal(bestAsk({ ...book, asks: [] }), undefined);
  });
});

describe('sideProblem', () => {
  it('accepts sorted sides and names the first level out of order or empty', () => {
    assert.equal(sideProblem(book.bids, true), null);
    assert.equal(sideProblem(book.asks, false), null);
    assert.match(sideProblem(book.bids, false) ?? '', /level 1 price 98 is not above 99/);
    assert.match(
      sideProblem([level('99', '1'), level('98', '0')], true) ?? '',
      /level 1 has quantity 0/,
    );
    assert.match(sideProblem([level('99', '1'), level('99', '1')], true) ?? '', /level 1/);
  });
});
