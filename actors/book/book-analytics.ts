/**
 * @module actors/book/book-analytics
 * `BookAnalyticsService`: the `BookAnalytics` port over a runner (main thread or worker pool).
 * It keeps each symbol's newest book, computes one book per symbol at a time and conflates the
 * rest (only the newest waiting book is computed; the ones it replaced resolve undefined), so a
 * burst of updates can never queue unbounded work, and caches the newest metrics per symbol.
 */
import { Decimal } from '../../core/decimal.js';
import type { OrderBook, Side } from '../../core/exchange.types.js';
import type { BookAnalytics } from './book-analytics.port.js';
import type { BookMathConfig } from './book-analytics.config.js';
import {
  bestNonCrossingPrice,
  takerLimitPrice,
  topOfBook,
  type FillEstimate,
} from './book-math.js';
import { createBookMathRunner, type BookMathRunner } from './book-math.runner.js';
import type { BookMetrics, FillData } from './book-task.js';

interface Waiting {
  readonly book: OrderBook;
  readonly sizes: readonly string[];
  readonly resolve: (metrics: BookMetrics | undefined) => void;
  readonly reject: (e: unknown) => void;
}

interface SymbolState {
  book: OrderBook | undefined;
  metrics: BookMetrics | undefined;
  computing: boolean;
  waiting: Waiting | undefined;
}

const decimalOrUndefined = (text: string | null): Decimal | undefined =>
  text === null ? undefined : new Decimal(text);

function toFillEstimate(size: Decimal, data: FillData): FillEstimate {
  return {
    size,
    filled: new Decimal(data.filled),
    complete: data.complete,
    quote: new Decimal(data.quote),
    vwap: decimalOrUndefined(data.vwap),
    worstPrice: decimalOrUndefined(data.worstPrice),
    slippageBps: decimalOrUndefined(data.slippageBps),
  };
}

/** Counters for metrics and benchmarks. */
export interface BookAnalyticsStats {
  readonly computed: number;
  /** Books replaced by a newer one of their symbol before being computed. */
  readonly superseded: number;
}

export class BookAnalyticsService implements BookAnalytics {
  private readonly symbols = new Map<string, SymbolState>();
  private computed = 0;
  private superseded = 0;
  private closed = false;

  private readonly runner: BookMathRunner;
  private readonly config: Pick<BookMathConfig, 'liquidity_bands_bps' | 'imbalance_levels'>;
  constructor(
    runner: BookMathRunner,
    config: Pick<BookMathConfig, 'liquidity_bands_bps' | 'imbalance_levels'>,
  ) {
    this.runner = runner;
    this.config = config;
  }

  /** Threads the math runs on; 0 = the main thread. */
  get threads(): number {
    return this.runner.threads;
  }

  stats(): BookAnalyticsStats {
    return { computed: this.computed, superseded: this.superseded };
  }

  update(book: OrderBook, sizes: readonly Decimal[] = []): Promise<BookMetrics | undefined> {
    if (this.closed) return Promise.reject(new Error('book analytics is closed'));
    const state = this.stateOf(book.symbol);
    state.book = book;
    return new Promise((resolve, reject) => {
      if (state.waiting !== undefined) {
        this.superseded++;
        state.waiting.resolve(undefined);
      }
      state.waiting = { book, sizes: sizes.map((s) => s.toFixed()), resolve, reject };
      if (!state.computing) this.computeNext(state);
    });
  }

  latest(symbol: string): BookMetrics | undefined {
    return this.symbols.get(symbol)?.metrics;
  }

  async expectedSlippage(
    symbol: string,
    side: Side,
    size: Decimal,
  ): Promise<FillEstimate | undefined> {
    const book = this.symbols.get(symbol)?.book;
    if (book === undefined) return undefined;
    const metrics = await this.runner.run(book, {
      sizes: [size.toFixed()],
      bandsBps: [],
      imbalanceLevels: 1,
    });
    const fill = metrics.fills[0];
    if (fill === undefined) throw new Error(`book math returned no fill for ${symbol}`);
    return toFillEstimate(size, side === 'BUY' ? fill.buy : fill.sell);
  }

  bestNonCrossingPrice(symbol: string, side: Side, price: Decimal, tick: Decimal): Decimal {
    const book = this.symbols.get(symbol)?.book;
    if (book === undefined) return price;
    return bestNonCrossingPrice(side, price, topOfBook(book.bids, book.asks), tick);
  }

  async takerLimitPrice(
    symbol: string,
    side: Side,
    size: Decimal,
    bandBps: Decimal,
  ): Promise<Decimal | undefined> {
    const book = this.symbols.get(symbol)?.book;
    if (book === undefined) return undefined;
    const fill = await this.expectedSlippage(symbol, side, size);
    if (fill === undefined) return undefined;
    return takerLimitPrice(side, fill, topOfBook(book.bids, book.asks).mid, bandBps);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runner.close();
  }

  private stateOf(symbol: string): SymbolState {
    let state = this.symbols.get(symbol);
    if (state === undefined) {
      state = { book: undefined, metrics: undefined, computing: false, waiting: undefined };
      this.symbols.set(symbol, state);
    }
    return state;
  }

  private computeNext(state: SymbolState): void {
    const next = state.waiting;
    if (next === undefined || this.closed) {
      state.computing = false;
      return;
    }
    state.waiting = undefined;
    state.computing = true;
    const request = {
      sizes: next.sizes,
      bandsBps: this.config.liquidity_bands_bps,
      imbalanceLevels: this.config.imbalance_levels,
    };
    this.runner.run(next.book, request).then(
      (metrics) => {
        this.computed++;
        state.metrics = metrics;
        next.resolve(metrics);
        this.computeNext(state);
      },
      (e: unknown) => {
        next.reject(e);
        this.computeNext(state);
      },
    );
  }
}

/**
 * Builds book analytics from the engine's `book_math` config.
 * @throws {Error} when the pool cannot start its workers
 */
export function createBookAnalytics(config: BookMathConfig): BookAnalyticsService {
  return new BookAnalyticsService(createBookMathRunner(config.pool_size), config);
}
