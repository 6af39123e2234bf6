/**
 * @module actors/book/book-analytics.port
 * What the engine asks of order-book analytics (REQ-RISK-002, dynamic slippage): feed it each
 * symbol's newest book, then ask where a maker order may rest without crossing and what a taker
 * order of a given size would cost. Implemented by `BookAnalyticsService` over a main-thread or
 * pooled runner; the caller cannot tell which.
 */
import type { Decimal } from '../../core/decimal.js';
import type { OrderBook, Side } from '../../core/exchange.types.js';
import type { FillEstimate } from './book-math.js';
import type { BookMetrics } from './book-task.js';

export interface BookAnalytics {
  /**
   * Takes the newest book of its symbol and computes its metrics. Books of one symbol conflate:
   * while one is being computed only the newest waiting one is kept.
   * @param sizes taker sizes (base units) to estimate fills for in the metrics
   * @returns the metrics, or undefined when a newer book of the symbol replaced this one first
   */
  update(book: OrderBook, sizes?: readonly Decimal[]): Promise<BookMetrics | undefined>;
  /** Metrics of the newest computed book of `symbol`; undefined before the first. */
  latest(symbol: string): BookMetrics | undefined;
  /**
   * The fill a taker order of `size` would get now on `side` (BUY walks the asks).
   * @returns undefined before the symbol's first book
   */
  expectedSlippage(symbol: string, side: Side, size: Decimal): Promise<FillEstimate | undefined>;
  /**
   * Where a post-only order wanting `price` can rest without crossing the newest book: `price`,
   * or one tick inside the opposite touch. Synchronous: reads only the top of book.
   */
  bestNonCrossingPrice(symbol: string, side: Side, price: Decimal, tick: Decimal): Decimal;
  /**
   * A taker order's limit price: the worst level its expected fill reaches, bounded by the price
   * band `bandBps` around mid (the band when the depth cannot fill it).
   * @returns undefined before the symbol's first two-sided book
   */
  takerLimitPrice(
    symbol: string,
    side: Side,
    size: Decimal,
    bandBps: Decimal,
  ): Promise<Decimal | undefined>;
  /** Stops the pool (if any); later calls reject. */
  close(): Promise<void>;
}
