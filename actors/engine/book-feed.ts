/**
 * @module actors/engine/book-feed
 * One symbol's order-book stream for dynamic slippage (REQ-RISK-002): every book goes to the
 * shared book analytics (not awaited; the analytics conflate per symbol), and the quoter reads
 * the newest top of book through a {@link BookLimiter}. Only a book received since the stream was
 * last (re)subscribed counts: after a gap the grid prices off the market alone until the next
 * book, never off a stale one. An ended stream is subscribed again with backoff (1 s doubling to
 * 30 s), logged at warn and counted.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { OrderBook } from '../../core/exchange.types.js';
import type { Subscription } from '../../core/stream.js';
import type { Side, SymbolId } from '../../core/types.js';
import type { BookAnalytics } from '../book/book-analytics.port.js';
import type { GridMetrics } from './grid.metrics.js';
import type { BookLimiter } from './grid-quoter.js';

/** Depth the grid asks for: it reads the touch, the analytics measure a few levels beyond. */
export const GRID_BOOK_LEVELS = 20;
const BACKOFF_INITIAL_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** What a book feed works with. */
export interface BookFeedOptions {
  readonly symbol: SymbolId;
  readonly exchange: Exchange;
  readonly analytics: BookAnalytics;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: GridMetrics;
  /** Taker sizes (base units) the analytics estimate fills for on every book. */
  readonly sizes: readonly Decimal[];
}

/** One symbol's book stream; see the module doc. */
export class BookFeed {
  readonly #o: BookFeedOptions;
  #subscription: Subscription | null = null;
  #retry: TimerHandle | null = null;
  #backoffMs = BACKOFF_INITIAL_MS;
  #fresh = false;
  #stopped = false;

  constructor(options: BookFeedOptions) {
    this.#o = options;
  }

  /** True once a book arrived since the stream was last (re)subscribed. */
  get fresh(): boolean {
    return this.#fresh;
  }

  /** Subscribes; idempotent. */
  start(): void {
    if (this.#subscription || this.#stopped) return;
    const { exchange, symbol, metrics } = this.#o;
    metrics.bookStreams.inc({ symbol, outcome: 'subscribed' });
    this.#subscription = exchange.subscribeOrderBook(symbol, GRID_BOOK_LEVELS, {
      next: (book) => this.#onBook(book),
      error: (e) => this.#onEnded(e.reason),
      resync: () => {
        this.#fresh = false;
      },
    });
  }

  /** Unsubscribes and cancels a pending resubscription. */
  stop(): void {
    this.#stopped = true;
    this.#fresh = false;
    if (this.#retry) this.#o.clock.clear(this.#retry);
    this.#retry = null;
    this.#subscription?.close();
    this.#subscription = null;
  }

  /**
   * The newest book as the quoter reads it.
   * @param tickSize - the lattice's tick, quote units
   * @param maxSlippageBps - the grid's slippage bound
   * @returns the limiter, or undefined while no fresh book is known
   */
  limiter(tickSize: string, maxSlippageBps: number): BookLimiter | undefined {
    if (!this.#fresh) return undefined;
    const { analytics, symbol } = this.#o;
    const tick = dec(tickSize);
    return {
      maxSlippageBps,
      nonCrossing: (side: Side, price: string) =>
        toPlain(analytics.bestNonCrossingPrice(symbol, side, dec(price), tick)),
    };
  }

  #onBook(book: OrderBook): void {
    if (this.#stopped || book.symbol !== this.#o.symbol) return;
    this.#fresh = true;
    this.#backoffMs = BACKOFF_INITIAL_MS;
    this.#o.analytics.update(book, this.#o.sizes).catch((e: unknown) => {
      this.#o.log.warn({ symbol: this.#o.symbol, err: e }, 'book analytics failed on a book');
    });
  }

  #onEnded(reason: string): void {
    const { symbol, clock, log, metrics } = this.#o;
    this.#fresh = false;
    this.#subscription = null;
    if (this.#stopped) return;
    metrics.bookStreams.inc({ symbol, outcome: 'ended' });
    const waitMs = this.#backoffMs;
    this.#backoffMs = Math.min(BACKOFF_MAX_MS, this.#backoffMs * 2);
    log.warn(
      { symbol, reason, waitMs },
      'order-book stream ended: pricing off the market until it is back',
    );
    this.#retry = clock.after(waitMs, () => {
      this.#retry = null;
      this.start();
    });
  }
}
