/**
 * @module actors/book/book-analytics.config
 * The engine's `book_math` config section: where order-book math runs and what it measures on
 * every book update. The default pool size comes from bench/book-math.bench.ts (see
 * bench/README.md, "book math"): measured, not assumed.
 */
import { z } from 'zod';

/**
 * Worker threads of the book-math pool by default. In the bench (50 symbols x 20 book updates/s,
 * 500-level books; bench/README.md) the math on the main thread stalls the event loop for over a
 * second at p99, one worker keeps it near 10 ms and cuts tick->result p99 to a third, and a
 * second worker did no better on a two-core machine shared with the engine's other work.
 */
export const DEFAULT_BOOK_MATH_POOL_SIZE = 1;

export const bookMathConfigSchema = z
  .object({
    /** Worker threads for order-book math; 0 runs it on the engine's main thread. */
    pool_size: z.number().int().min(0).max(64).default(DEFAULT_BOOK_MATH_POOL_SIZE),
    /** Distances from mid, in basis points, to measure resting liquidity within. */
    liquidity_bands_bps: z.array(z.number().positive().max(10_000)).max(16).default([10, 50, 100]),
    /** Levels per side the depth imbalance is measured over. */
    imbalance_levels: z.number().int().min(1).max(5000).default(10),
  })
  .strict()
  .prefault({});

export type BookMathConfig = z.output<typeof bookMathConfigSchema>;
