/**
 * @module actors/book/book-task
 * One unit of book math as it crosses a thread boundary: the task carries the depth packed by
 * level-codec (structured clone keeps no Decimal) and what to compute, and the result comes back
 * as decimal strings, so a worker's answer is digit for digit the main thread's. `analyzeBook`
 * is the math every runner executes; `runBookTask` unpacks a task for it in the worker.
 */
import { Decimal } from '../../core/decimal.js';
import type { BookLevel, OrderBook } from '../../core/exchange.types.js';
import { packLevels, unpackLevels } from './level-codec.js';
import {
  estimateFill,
  imbalance,
  liquidityBands,
  topOfBook,
  type FillEstimate,
} from './book-math.js';

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
  /** Levels packed by `packLevels` (transferred to the worker, not copied). */
  readonly bids: Float64Array;
  readonly asks: Float64Array;
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
    bids: packLevels(book.bids),
    asks: packLevels(book.asks),
    sizes: request.sizes,
    bandsBps: request.bandsBps,
    imbalanceLevels: request.imbalanceLevels,
  };
}

function liquidityOf(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  mid: Decimal | undefined,
  bandsBps: readonly number[],
): BookMetrics['liquidity'] {
  const bands = bandsBps.map((bps) => new Decimal(bps));
  const empty = { base: new Decimal(0), quote: new Decimal(0) };
  const bid = mid === undefined ? [] : liquidityBands(bids, mid, bands, true);
  const ask = mid === undefined ? [] : liquidityBands(asks, mid, bands, false);
  return bandsBps.map((bps, i) => {
    const b = bid[i] ?? empty;
    const a = ask[i] ?? empty;
    return {
      bps,
      bidBase: b.base.toFixed(),
      bidQuote: b.quote.toFixed(),
      askBase: a.base.toFixed(),
      askQuote: a.quote.toFixed(),
    };
  });
}

/**
 * Computes the metrics of one book: what every runner, main thread or worker, executes.
 * @param bids best first
 * @param asks best first
 */
export function analyzeBook(
  symbol: string,
  timeMs: number,
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  request: AnalysisRequest,
): BookMetrics {
  const top = topOfBook(bids, asks);
  const mid = top.mid;
  return {
    symbol,
    timeMs,
    bestBid: text(top.bestBid),
    bestAsk: text(top.bestAsk),
    mid: text(mid),
    spread: text(top.spread),
    spreadBps: text(top.spreadBps),
    imbalance: text(imbalance(bids, asks, request.imbalanceLevels)),
    fills: request.sizes.map((size) => {
      const base = new Decimal(size);
      return {
        size: base.toFixed(),
        buy: fillData(estimateFill(asks, base)),
        sell: fillData(estimateFill(bids, base)),
      };
    }),
    liquidity: liquidityOf(bids, asks, mid, request.bandsBps),
  };
}

/** Computes a task that crossed a thread boundary: its levels are parsed, then analysed. */
export function runBookTask(task: BookTask): BookMetrics {
  return analyzeBook(
    task.symbol,
    task.timeMs,
    unpackLevels(task.bids),
    unpackLevels(task.asks),
    task,
  );
}
