/**
 * @module actors/book/book-task
 * One unit of book math as it crosses a thread boundary: the task carries the depth and what to
 * compute as plain strings and numbers (structured clone keeps no Decimal), and the result comes
 * back as decimal strings, so a worker's answer is digit for digit the main thread's. The same
 * `runBookTask` runs on the main thread and in the pool.
 */
import { Decimal } from '../../core/decimal.js';
import type { BookLevel, OrderBook } from '../../core/exchange.types.js';
import {
  estimateFill,
  imbalance,
  liquidityWithin,
  topOfBook,
  type FillEstimate,
} from './book-math.js';

/** A level on the wire between threads: [price, quantity] as decimal strings. */
export type LevelText = readonly [string, string];

/** What to compute for one book. */
export interface AnalysisRequest {
  /** Base sizes to estimate taker fills for, both sides (decimal strings). */
  readonly sizes: readonly string[];
  /** Distances from mid, in basis points, to measure resting liquidity within. */
  readonly bandsBps: readonly number[];
  /** Levels per side the imbalance is measured over. */
  readonly imbalanceLevels: number;
}

/** One book and what to compute from it. */
export interface BookTask extends AnalysisRequest {
  readonly symbol: string;
  readonly timeMs: number;
  readonly bids: readonly LevelText[];
  readonly asks: readonly LevelText[];
}

/** A fill estimate as decimal strings (null where there is no value). */
export interface FillData {
  readonly filled: string;
  readonly complete: boolean;
  readonly quote: string;
  readonly vwap: string | null;
  readonly worstPrice: string | null;
  readonly slippageBps: string | null;
}

/** Everything computed from one book, as decimal strings. */
export interface BookMetrics {
  readonly symbol: string;
  readonly timeMs: number;
  readonly bestBid: string | null;
  readonly bestAsk: string | null;
  readonly mid: string | null;
  readonly spread: string | null;
  readonly spreadBps: string | null;
  readonly imbalance: string | null;
  /** One entry per requested size: a taker buy (walking the asks) and a taker sell. */
  readonly fills: readonly {
    readonly size: string;
    readonly buy: FillData;
    readonly sell: FillData;
  }[];
  /** One entry per requested band. */
  readonly liquidity: readonly {
    readonly bps: number;
    readonly bidBase: string;
    readonly bidQuote: string;
    readonly askBase: string;
    readonly askQuote: string;
  }[];
}

const text = (value: Decimal | undefined): string | null =>
  value === undefined ? null : value.toFixed();

const toLevelText = (level: BookLevel): LevelText => [
  level.price.toFixed(),
  level.quantity.toFixed(),
];

const fromLevelText = ([price, quantity]: LevelText): BookLevel => ({
  price: new Decimal(price),
  quantity: new Decimal(quantity),
});

function fillData(fill: FillEstimate): FillData {
  return {
    filled: fill.filled.toFixed(),
    complete: fill.complete,
    quote: fill.quote.toFixed(),
    vwap: text(fill.vwap),
    worstPrice: text(fill.worstPrice),
    slippageBps: text(fill.slippageBps),
  };
}

/** The task for `book`: its depth as strings, and what to compute. */
export function toBookTask(book: OrderBook, request: AnalysisRequest): BookTask {
  return {
    symbol: book.symbol,
    timeMs: book.timeMs,
    bids: book.bids.map(toLevelText),
    asks: book.asks.map(toLevelText),
    sizes: request.sizes,
    bandsBps: request.bandsBps,
    imbalanceLevels: request.imbalanceLevels,
  };
}

/** Computes one task: the function every runner, main thread or worker, executes. */
export function runBookTask(task: BookTask): BookMetrics {
  const bids = task.bids.map(fromLevelText);
  const asks = task.asks.map(fromLevelText);
  const top = topOfBook(bids, asks);
  const mid = top.mid;
  return {
    symbol: task.symbol,
    timeMs: task.timeMs,
    bestBid: text(top.bestBid),
    bestAsk: text(top.bestAsk),
    mid: text(mid),
    spread: text(top.spread),
    spreadBps: text(top.spreadBps),
    imbalance: text(imbalance(bids, asks, task.imbalanceLevels)),
    fills: task.sizes.map((size) => {
      const base = new Decimal(size);
      return {
        size: base.toFixed(),
        buy: fillData(estimateFill(asks, base)),
        sell: fillData(estimateFill(bids, base)),
      };
    }),
    liquidity: task.bandsBps.map((bps) => {
      const within = new Decimal(bps);
      const bid = mid === undefined ? undefined : liquidityWithin(bids, mid, within, true);
      const ask = mid === undefined ? undefined : liquidityWithin(asks, mid, within, false);
      return {
        bps,
        bidBase: (bid?.base ?? new Decimal(0)).toFixed(),
        bidQuote: (bid?.quote ?? new Decimal(0)).toFixed(),
        askBase: (ask?.base ?? new Decimal(0)).toFixed(),
        askQuote: (ask?.quote ?? new Decimal(0)).toFixed(),
      };
    }),
  };
}
