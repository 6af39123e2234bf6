/**
 * @module bench/book-math.bench
 * Why (and whether) the order-book math belongs in a worker pool. 50 symbols each get 20 book
 * updates a second (1000 books/s), each book 500 levels a side, and every update is analysed as
 * the engine would: top of book, spread, imbalance over 10 levels, taker fills of three sizes
 * (the largest walks ~100 levels) and the liquidity within 10, 50 and 100 bps of mid (100 bps
 * spans the whole 500-level side). Books are built before the run, so arrival costs nothing and
 * only where the math runs differs between modes.
 *
 * For the math on the main thread (pool size 0) and in pools of 1 and 2 workers:
 * - tick -> result: from the moment an update was due (not when the loaded loop got round to
 *   offering it, so queueing counts) to its metrics resolving, p50/p99; updates a newer book of
 *   the same symbol replaced before they were computed (the per-symbol conflation) are counted,
 *   not timed;
 * - event-loop lag: `monitorEventLoopDelay` p99 over the run (what every other actor of the
 *   engine would wait on top of its own work).
 * And the pool's overhead per task: a one-level book's round trip through one worker minus the
 * same book analysed on the main thread (sequential, p50), next to the main-thread cost of one
 * 500-level analysis.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Decimal, dec } from '../core/decimal.js';
import type { OrderBook } from '../core/exchange.types.js';
import { BookAnalyticsService } from '../actors/book/book-analytics.js';
import {
  createBookMathRunner,
  MainThreadRunner,
  PoolRunner,
} from '../actors/book/book-math.runner.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const SYMBOLS = 50;
const UPDATES_PER_SECOND = 20;
const LEVELS = 500;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const VARIANTS = 6;
const SIZES = [dec('0.01'), dec('1'), dec('20')];
const CONFIG = { liquidity_bands_bps: [10, 50, 100], imbalance_levels: 10 };
const LAG_GOAL_MS = 10;
const RESULT_GOAL_MS = 50;

/** A seeded pseudo-random stream, so every mode sees the same books. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `VARIANTS` books of one symbol: mid near 100000, tick 0.1, 0.05-0.5 base per level. */
function booksOf(symbol: string, seed: number): OrderBook[] {
  const random = rng(seed);
  const tick = new Decimal('0.1');
  return Array.from({ length: VARIANTS }, (_, v) => {
    const midTicks = 1_000_000 + Math.round((random() - 0.5) * 200);
    const side = (sign: number) =>
      Array.from({ length: LEVELS }, (_, i) => ({
        price: tick.mul(midTicks + sign * (i + 1)),
        quantity: new Decimal((0.05 + random() * 0.45).toFixed(3)),
      }));
    return { exchange: 'bench', symbol, bids: side(-1), asks: side(1), timeMs: v, sequence: v };
  });
}

interface ModeResult {
  readonly label: string;
  readonly resultP50: number;
  readonly resultP99: number;
  readonly lagP99: number;
  readonly computed: number;
  readonly superseded: number;
  readonly offered: number;
}

/** Runs the load against `analytics` for SECONDS and measures it. */
async function runMode(label: string, analytics: BookAnalyticsService): Promise<ModeResult> {
  const books = Array.from({ length: SYMBOLS }, (_, i) => booksOf(`SYM${i}USDT`, i + 1));
  // Warm up: JIT, worker start, first allocations
  await Promise.all(books.map((list) => analytics.update(list[0] as OrderBook, SIZES)));
  const before = analytics.stats();
  const latencies: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const totalUpdates = SYMBOLS * UPDATES_PER_SECOND * SECONDS;
  const intervalMs = 1000 / (SYMBOLS * UPDATES_PER_SECOND);
  const pending: Promise<unknown>[] = [];
  let offered = 0;
  const start = performance.now();
  lag.enable();
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const now = performance.now();
      // Every update due by now, each timed from when it was due
      while (offered < totalUpdates && start + offered * intervalMs <= now) {
        const dueAt = start + offered * intervalMs;
        const symbol = offered % SYMBOLS;
        const list = books[symbol] as OrderBook[];
        const book = list[Math.floor(offered / SYMBOLS) % VARIANTS] as OrderBook;
        offered++;
        pending.push(
          analytics.update(book, SIZES).then((metrics) => {
            if (metrics !== undefined) latencies.push(performance.now() - dueAt);
          }),
        );
      }
      if (offered >= totalUpdates) {
        clearInterval(timer);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
  lag.disable();
  const after = analytics.stats();
  return {
    label,
    resultP50: percentile(latencies, 50),
    resultP99: percentile(latencies, 99),
    lagP99: lag.percentile(99) / 1e6,
    computed: after.computed - before.computed,
    superseded: after.superseded - before.superseded,
    offered,
  };
}

/** p50 of `samples` sequential calls of `fn`, in ms. */
async function sequentialP50(samples: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

/** Per-task overhead of the pool, and the main-thread cost of one full analysis. */
async function overhead(): Promise<{ poolMs: number; mainMs: number; fullMs: number }> {
  const tiny: OrderBook = {
    exchange: 'bench',
    symbol: 'TINYUSDT',
    bids: [{ price: dec('99.9'), quantity: dec('1') }],
    asks: [{ price: dec('100.1'), quantity: dec('1') }],
    timeMs: 0,
    sequence: 0,
  };
  const request = { sizes: ['0.5'], bandsBps: [10], imbalanceLevels: 1 };
  const full = booksOf('FULLUSDT', 99)[0] as OrderBook;
  const fullRequest = {
    sizes: SIZES.map((s) => s.toFixed()),
    bandsBps: CONFIG.liquidity_bands_bps,
    imbalanceLevels: CONFIG.imbalance_levels,
  };
  const main = new MainThreadRunner();
  const pool = new PoolRunner(1);
  try {
    return {
      poolMs: await sequentialP50(2000, () => pool.run(tiny, request)),
      mainMs: await sequentialP50(2000, () => main.run(tiny, request)),
      fullMs: await sequentialP50(500, () => main.run(full, fullRequest)),
    };
  } finally {
    await pool.close();
  }
}

const lagRow = (r: ModeResult, base: ModeResult | undefined): Row => ({
  metric: `event-loop lag p99, math ${r.label}`,
  original: '—',
  goal: `≤ ${LAG_GOAL_MS} ms`,
  measured: ms(r.lagP99),
  ratio: base === undefined ? '' : `${(r.lagP99 / base.lagP99).toFixed(2)}x of main thread`,
  met: r.lagP99 <= LAG_GOAL_MS,
});

const resultRows = (r: ModeResult, base: ModeResult | undefined): Row[] => [
  {
    metric: `tick→result p50, math ${r.label}`,
    original: '—',
    goal: '—',
    measured: ms(r.resultP50),
    ratio: base === undefined ? '' : `${(r.resultP50 / base.resultP50).toFixed(2)}x of main thread`,
    met: true,
  },
  {
    metric: `tick→result p99, math ${r.label}; ${r.computed} of ${r.offered} updates computed, ${r.superseded} replaced by a newer book first`,
    original: '—',
    goal: `≤ ${RESULT_GOAL_MS} ms`,
    measured: ms(r.resultP99),
    ratio: base === undefined ? '' : `${(r.resultP99 / base.resultP99).toFixed(2)}x of main thread`,
    met: r.resultP99 <= RESULT_GOAL_MS,
  },
];

/** Runs every mode; returns the table rows. */
export async function run(): Promise<Row[]> {
  const results: ModeResult[] = [];
  for (const threads of [0, 1, 2]) {
    const label = threads === 0 ? 'on the main thread' : `in a pool of ${threads}`;
    const analytics = new BookAnalyticsService(createBookMathRunner(threads), CONFIG);
    try {
      results.push(await runMode(label, analytics));
    } finally {
      await analytics.close();
    }
  }
  const cost = await overhead();
  const base = results[0];
  return [
    ...results.flatMap((r) => [
      ...resultRows(r, r === base ? undefined : base),
      lagRow(r, r === base ? undefined : base),
    ]),
    {
      metric: 'pool overhead per task (one-level book round trip minus main thread), p50',
      original: '—',
      goal: '—',
      measured: `${ms(cost.poolMs - cost.mainMs)} (${ms(cost.poolMs)} vs ${ms(cost.mainMs)})`,
      ratio: `${((cost.poolMs - cost.mainMs) / cost.fullMs).toFixed(2)}x of one 500-level analysis`,
      met: true,
    },
    {
      metric: 'one 500-level analysis on the main thread, p50',
      original: '—',
      goal: '—',
      measured: ms(cost.fullMs),
      ratio: '',
      met: true,
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`book math benchmark on ${machineDescription()} ...`);
  run().then(
    (rows) => console.log(`\n${markdownTable(rows)}\n`),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
