/**
 * Book analytics over both runners: the pool's worker returns the main thread's metrics digit for
 * digit; books of one symbol conflate while one is computing (the replaced ones resolve
 * undefined) and never hold up another symbol; the port answers from the newest book.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec } from '../../../core/decimal.js';
import type { OrderBook } from '../../../core/exchange.types.js';
import { BookAnalyticsService } from '../../../actors/book/book-analytics.js';
import {
  MainThreadRunner,
  PoolRunner,
  type BookMathRunner,
} from '../../../actors/book/book-math.runner.js';
import {
  runBookTask,
  toBookTask,
  type AnalysisRequest,
  type BookMetrics,
  type BookTask,
} from '../../../actors/book/book-task.js';

const CONFIG = { liquidity_bands_bps: [10, 100], imbalance_levels: 5 };

/** A 200-level book around `mid` with uneven sizes, so every figure has digits to get wrong. */
function bookOf(symbol: string, mid: number, timeMs = 1): OrderBook {
  const side = (sign: number) =>
    Array.from({ length: 200 }, (_, i) => ({
      price: dec(mid).add(dec(sign).mul(dec('0.1').mul(i + 1))),
      quantity: dec('0.013').mul((i % 7) + 1),
    }));
  return { exchange: 'sim', symbol, bids: side(-1), asks: side(1), timeMs, sequence: 0 };
}

/** A runner whose tasks finish when the test says so. */
class HeldRunner implements BookMathRunner {
  readonly threads = 1;
  readonly held: { task: BookTask; finish: () => void }[] = [];
  run(book: OrderBook, request: AnalysisRequest): Promise<BookMetrics> {
    const task = toBookTask(book, request);
    return new Promise((resolve) => {
      this.held.push({ task, finish: () => resolve(runBookTask(task)) });
    });
  }
  queued(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

describe('BookAnalyticsService', () => {
  it('gets the same metrics, digit for digit, from the worker pool as from the main thread', async (t) => {
    const pool = new BookAnalyticsService(new PoolRunner(1), CONFIG);
    t.after(() => pool.close());
    const main = new BookAnalyticsService(new MainThreadRunner(), CONFIG);
    const book = bookOf('BTCUSDT', 100_000.05);
    const sizes = [dec('0.5'), dec('3.7'), dec('1000')];

    const [fromPool, fromMain] = await Promise.all([
      pool.update(book, sizes),
      main.update(book, sizes),
    ]);

    assert.ok(fromPool !== undefined);
    assert.deepEqual(fromPool, fromMain);
    assert.equal(fromPool.fills.length, 3);
    assert.equal(fromPool.fills[2]?.buy.complete, false);
    assert.equal(pool.threads, 1);
  });

  it('computes the newest book of a symbol and lets the ones it replaced go', async () => {
    const runner = new HeldRunner();
    const analytics = new BookAnalyticsService(runner, CONFIG);

    const first = analytics.update(bookOf('BTCUSDT', 100, 1));
    const second = analytics.update(bookOf('BTCUSDT', 101, 2));
    const third = analytics.update(bookOf('BTCUSDT', 102, 3));
    const other = analytics.update(bookOf('ETHUSDT', 50, 4));
    const startedBefore = runner.held.map((h) => h.task.timeMs);
    runner.held[0]?.finish();
    await first;
    runner.held[1]?.finish();
    runner.held[2]?.finish();

    assert.deepEqual(startedBefore, [1, 4]);
    assert.equal((await first)?.timeMs, 1);
    assert.equal(await second, undefined);
    assert.equal((await third)?.timeMs, 3);
    assert.equal((await other)?.symbol, 'ETHUSDT');
    assert.equal(analytics.latest('BTCUSDT')?.bestBid, '101.9');
    assert.deepEqual(analytics.stats(), { computed: 3, superseded: 1 });
  });

  it('answers the port from the newest book: non-crossing price, expected fill, taker limit', async () => {
    const analytics = new BookAnalyticsService(new MainThreadRunner(), CONFIG);
    // Bids 99.9, 99.8, ...; asks 100.1, 100.2, ...; 0.013 x (i % 7 + 1) each
    await analytics.update(bookOf('BTCUSDT', 100));

    const resting = analytics.bestNonCrossingPrice('BTCUSDT', 'BUY', dec('100.5'), dec('0.1'));
    const fill = await analytics.expectedSlippage('BTCUSDT', 'BUY', dec('0.039'));
    const limit = await analytics.takerLimitPrice('BTCUSDT', 'SELL', dec('0.039'), dec(5));

    assert.equal(resting.toFixed(), '100');
    // 0.013 at 100.1 + 0.026 at 100.2 = 3.9065 for 0.039: VWAP 100.1666...
    assert.deepEqual(
      [fill?.quote.toFixed(), fill?.vwap?.toFixed(), fill?.worstPrice?.toFixed()],
      ['3.9065', '100.166666666667', '100.2'],
    );
    // Band 5 bps of 100 = 0.05: the fill reaches 99.8, below the band floor 99.95
    assert.equal(limit?.toFixed(), '99.95');
    assert.equal(await analytics.expectedSlippage('ETHUSDT', 'BUY', dec(1)), undefined);
    assert.equal(
      analytics.bestNonCrossingPrice('ETHUSDT', 'SELL', dec('5'), dec('0.1')).toFixed(),
      '5',
    );
  });
});
