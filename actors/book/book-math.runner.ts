/**
 * @module actors/book/book-math.runner
 * Where book math runs: on the main thread (pool size 0) or in a Piscina pool of worker threads.
 * Both take the same `BookTask` and return the same `BookMetrics`, so a caller cannot tell them
 * apart but for the time it takes. The pool's workers load TypeScript through tsx: they inherit
 * the `--import tsx` of `npm start`, and get it explicitly when the process registered tsx in
 * code (the bin shims).
 */
import { Piscina } from 'piscina';
import type { OrderBook } from '../../core/exchange.types.js';
import {
  analyzeBook,
  toBookTask,
  type AnalysisRequest,
  type BookMetrics,
  type BookTask,
} from './book-task.js';

/** Runs book tasks somewhere. */
export interface BookMathRunner {
  /** Worker threads; 0 when the math runs on the main thread. */
  readonly threads: number;
  /** Computes the metrics of `book`. */
  run(book: OrderBook, request: AnalysisRequest): Promise<BookMetrics>;
  /** Tasks waiting for a free worker (always 0 on the main thread). */
  queued(): number;
  close(): Promise<void>;
}

/** Computes each book synchronously on the calling thread, straight from its decimals. */
export class MainThreadRunner implements BookMathRunner {
  readonly threads = 0;

  run(book: OrderBook, request: AnalysisRequest): Promise<BookMetrics> {
    try {
      return Promise.resolve(analyzeBook(book.symbol, book.timeMs, book.bids, book.asks, request));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  queued(): number {
    return 0;
  }

  async close(): Promise<void> {}
}

// Compiled (dist/, plain JavaScript) the worker is a .js file and needs no TypeScript loader
const COMPILED = import.meta.url.endsWith('.js');
const WORKER = new URL(`./book-math.worker.${COMPILED ? 'js' : 'ts'}`, import.meta.url).href;

/** Runs tasks on `threads` worker threads, all started up front so the first tick pays no spawn. */
export class PoolRunner implements BookMathRunner {
  readonly threads: number;
  private readonly pool: Piscina<BookTask, BookMetrics>;

  /** @param threads worker threads, >= 1 */
  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(`book math pool: threads must be an integer >= 1, was ${threads}`);
    }
    this.threads = threads;
    const tsxLoaded = COMPILED || process.execArgv.some((arg) => arg.includes('tsx'));
    this.pool = new Piscina<BookTask, BookMetrics>({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
      // Keep the workers for the life of the pool: math arrives on every book update
      idleTimeout: Number.POSITIVE_INFINITY,
      // By default a task that finds every worker busy goes back to the tail of the queue, so
      // under steady load the oldest tasks starve (seen in the bench: p99 of whole seconds)
      stricterFIFO: true,
      ...(tsxLoaded ? {} : { execArgv: [...process.execArgv, '--import', 'tsx'] }),
    });
  }

  /** Packs the book and moves (not copies) its buffers to a worker. */
  run(book: OrderBook, request: AnalysisRequest): Promise<BookMetrics> {
    const task = toBookTask(book, request);
    const buffers = [task.bids.buffer, task.asks.buffer] as ArrayBuffer[];
    return this.pool.run(task, { transferList: buffers });
  }

  queued(): number {
    return this.pool.queueSize;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * The runner for a configured pool size.
 * @param poolSize 0 = main thread, otherwise worker threads
 */
export function createBookMathRunner(poolSize: number): BookMathRunner {
  return poolSize === 0 ? new MainThreadRunner() : new PoolRunner(poolSize);
}
