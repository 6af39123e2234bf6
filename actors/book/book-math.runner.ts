/**
 * @module actors/book/book-math.runner
 * Where book math runs: on the main thread (pool size 0) or in a Piscina pool of worker threads.
 * Both take the same `BookTask` and return the same `BookMetrics`, so a caller cannot tell them
 * apart but for the time it takes. The pool's workers load TypeScript through tsx: they inherit
 * the `--import tsx` of `npm start`, and get it explicitly when the process registered tsx in
 * code (the bin shims).
 */
import { Piscina } from 'piscina';
import { runBookTask, type BookMetrics, type BookTask } from './book-task.js';

/** Runs book tasks somewhere. */
export interface BookMathRunner {
  /** Worker threads; 0 when the math runs on the main thread. */
  readonly threads: number;
  run(task: BookTask): Promise<BookMetrics>;
  /** Tasks waiting for a free worker (always 0 on the main thread). */
  queued(): number;
  close(): Promise<void>;
}

/** Runs each task synchronously on the calling thread. */
export class MainThreadRunner implements BookMathRunner {
  readonly threads = 0;

  run(task: BookTask): Promise<BookMetrics> {
    try {
      return Promise.resolve(runBookTask(task));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  queued(): number {
    return 0;
  }

  async close(): Promise<void> {}
}

const WORKER = new URL('./book-math.worker.ts', import.meta.url).href;

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
    const tsxLoaded = process.execArgv.some((arg) => arg.includes('tsx'));
    this.pool = new Piscina<BookTask, BookMetrics>({
      filename: WORKER,
      minThreads: threads,
      maxThreads: threads,
      // Keep the workers for the life of the pool: math arrives on every book update
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(tsxLoaded ? {} : { execArgv: [...process.execArgv, '--import', 'tsx'] }),
    });
  }

  run(task: BookTask): Promise<BookMetrics> {
    return this.pool.run(task);
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
