import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FenceBook } from '../../connector/fence-book.js';

const futures = { name: 'sim' };
const spot = { name: 'sim-spot' };

describe('FenceBook', () => {
  it('admits the first claim on a symbol and records it as the holder', () => {
    const book = new FenceBook();

    const verdict = book.admit(futures, 'BTCUSDT', { owner: 'engine-a', token: 1 });

    assert.deepEqual(verdict, { admitted: true });
    assert.deepEqual(book.holder(futures, 'BTCUSDT'), { owner: 'engine-a', token: 1 });
  });

  it('refuses a lower token as stale, naming the holder', () => {
    const book = new FenceBook();
    book.admit(futures, 'BTCUSDT', { owner: 'engine-b', token: 2 });

    const verdict = book.admit(futures, 'BTCUSDT', { owner: 'engine-a', token: 1 });

    assert.deepEqual(verdict, {
      admitted: false,
      why: 'stale',
      current: { owner: 'engine-b', token: 2 },
    });
    assert.deepEqual(book.holder(futures, 'BTCUSDT'), { owner: 'engine-b', token: 2 });
  });

  it('admits the same token from the same owner again and again', () => {
    const book = new FenceBook();
    const claim = { owner: 'engine-b', token: 2 };

    const verdicts = [1, 2, 3].map(() => book.admit(futures, 'BTCUSDT', claim));

    assert.ok(verdicts.every((v) => v.admitted));
    assert.deepEqual(book.holder(futures, 'BTCUSDT'), claim);
  });

  it('admits a higher token and makes it the one later claims are measured against', () => {
    const book = new FenceBook();
    book.admit(futures, 'BTCUSDT', { owner: 'engine-a', token: 1 });

    const takeover = book.admit(futures, 'BTCUSDT', { owner: 'engine-b', token: 5 });
    const formerOwner = book.admit(futures, 'BTCUSDT', { owner: 'engine-a', token: 1 });
    const between = book.admit(futures, 'BTCUSDT', { owner: 'engine-c', token: 4 });

    assert.equal(takeover.admitted, true);
    assert.equal(formerOwner.admitted, false);
    assert.equal(between.admitted, false);
    assert.deepEqual(book.holder(futures, 'BTCUSDT'), { owner: 'engine-b', token: 5 });
  });

  it('refuses the same token from another owner as a conflict and keeps the first owner', () => {
    const book = new FenceBook();
    book.admit(futures, 'BTCUSDT', { owner: 'engine-b', token: 2 });

    const verdict = book.admit(futures, 'BTCUSDT', { owner: 'engine-c', token: 2 });

    assert.deepEqual(verdict, {
      admitted: false,
      why: 'conflict',
      current: { owner: 'engine-b', token: 2 },
    });
    assert.equal(book.admit(futures, 'BTCUSDT', { owner: 'engine-b', token: 2 }).admitted, true);
  });

  it('keeps one fence per venue and symbol', () => {
    const book = new FenceBook();
    book.admit(futures, 'BTCUSDT', { owner: 'engine-b', token: 7 });

    const otherSymbol = book.admit(futures, 'ETHUSDT', { owner: 'engine-a', token: 1 });
    const otherVenue = book.admit(spot, 'BTCUSDT', { owner: 'engine-a', token: 1 });

    assert.equal(otherSymbol.admitted, true);
    assert.equal(otherVenue.admitted, true);
    assert.equal(book.size, 3);
  });

  it('forgets the least recently used symbol once full, and only then', () => {
    const book = new FenceBook(3);
    for (const [i, symbol] of ['AUSDT', 'BUSDT', 'CUSDT'].entries()) {
      book.admit(futures, symbol, { owner: 'engine-b', token: 10 + i });
    }
    // A later call on AUSDT makes BUSDT the least recently used
    book.admit(futures, 'AUSDT', { owner: 'engine-b', token: 10 });

    book.admit(futures, 'DUSDT', { owner: 'engine-b', token: 1 });

    assert.equal(book.size, 3);
    assert.equal(book.evictions, 1);
    assert.equal(book.holder(futures, 'BUSDT'), undefined);
    assert.deepEqual(book.holder(futures, 'AUSDT'), { owner: 'engine-b', token: 10 });
    assert.equal(book.admit(futures, 'CUSDT', { owner: 'engine-a', token: 1 }).admitted, false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new FenceBook(0), /capacity must be a positive integer, was 0/);
    assert.throws(() => new FenceBook(1.5), /capacity must be a positive integer, was 1.5/);
  });
});
