/**
 * @module actors/risk/window-evaluators
 * Breaker conditions over a rolling time window: drawdown from the window's peak equity, venue
 * latency p99, and storms of refusals or errors. Pure classes: the owner feeds samples with their
 * time and asks for a {@link Verdict} at a time; nothing here reads a clock. Memory is bounded by
 * the window (old samples are dropped as time moves on) and by a hard cap per evaluator.
 */
import { Decimal, dec, toPlain } from '../../core/decimal.js';

/** An evaluator's answer: does the breaker's condition hold, and the measure in words. */
export interface Verdict {
  readonly holds: boolean;
  /** E.g. "drawdown 12.5% ≥ 10% of peak 10000 within 86400000 ms". */
  readonly reason: string;
}

/** Most samples any window keeps; beyond it the oldest go first. */
export const MAX_WINDOW_SAMPLES = 100_000;

/**
 * Drawdown from the highest equity seen within a rolling window. A monotonic deque keeps the
 * window's peak in O(1) amortised per sample.
 */
export class DrawdownEvaluator {
  readonly #maxPct: Decimal;
  readonly #windowMs: number;
  /** Candidates for the peak: times increase, equities decrease. */
  readonly #peaks: { atMs: number; equity: Decimal }[] = [];
  #head = 0;
  #last: { atMs: number; equity: Decimal } | null = null;

  /**
   * @param maxDrawdownPct - trip at or above this drawdown, percent, e.g. "10"
   * @param windowMs - how far back the peak is looked for, ms
   */
  constructor(maxDrawdownPct: string, windowMs: number) {
    this.#maxPct = dec(maxDrawdownPct);
    this.#windowMs = windowMs;
  }

  /**
   * Records the equity at a time (samples arrive in time order).
   * @param atMs - epoch ms
   * @param equity - quote units: wallet balance + unrealized PnL (global), or committed capital
   *   + realized + unrealized PnL (per symbol; see {@link symbolEquity})
   */
  record(atMs: number, equity: Decimal): void {
    while (this.#peaks.length > this.#head && this.#peaks.at(-1)!.equity.lte(equity)) {
      this.#peaks.pop();
    }
    this.#peaks.push({ atMs, equity });
    if (this.#peaks.length - this.#head > MAX_WINDOW_SAMPLES) this.#head += 1;
    this.#last = { atMs, equity };
    this.#compact();
  }

  /**
   * @param nowMs - epoch ms
   * @returns whether the drawdown from the window's peak to the last equity is at the limit
   */
  /**
   * @param nowMs - epoch ms
   * @returns the drawdown from the window's peak to the last equity as a fraction (0.1 = 10 %),
   *   or null before a positive equity was recorded
   */
  ratio(nowMs: number): Decimal | null {
    this.#expire(nowMs);
    const peak = this.#peaks[this.#head];
    const last = this.#last;
    if (!peak || !last || !peak.equity.gt(0)) return null;
    return Decimal.max(peak.equity.sub(last.equity), 0).div(peak.equity);
  }

  verdict(nowMs: number): Verdict {
    this.#expire(nowMs);
    const peak = this.#peaks[this.#head];
    const last = this.#last;
    if (!peak || !last) return { holds: false, reason: 'no equity recorded yet' };
    if (!peak.equity.gt(0)) return { holds: false, reason: 'no positive equity in the window' };
    const pct = peak.equity.sub(last.equity).div(peak.equity).mul(100);
    const shown = toPlain(pct.toDecimalPlaces(2));
    const holds = pct.gte(this.#maxPct);
    return {
      holds,
      reason:
        `drawdown ${shown}% ${holds ? '≥' : '<'} ${toPlain(this.#maxPct)}% of peak ` +
        `${toPlain(peak.equity)} within ${this.#windowMs} ms (equity ${toPlain(last.equity)})`,
    };
  }

  #expire(nowMs: number): void {
    // The last sample stays the current equity even when the window has passed it by
    while (
      this.#head < this.#peaks.length - 1 &&
      this.#peaks[this.#head]!.atMs <= nowMs - this.#windowMs
    ) {
      this.#head += 1;
    }
    this.#compact();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#peaks.length) {
      this.#peaks.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

/**
 * The equity a symbol's drawdown is measured on: the capital its grid commits, plus what it made.
 * @param committedCapital - quote units the grid commits (e.g. its levels' notional / leverage)
 * @param realizedPnl - realized PnL net of fees, quote units
 * @param unrealizedPnl - unrealized PnL at mark, quote units
 * @returns the symbol's equity, quote units
 */
export function symbolEquity(
  committedCapital: Decimal,
  realizedPnl: Decimal,
  unrealizedPnl: Decimal,
): Decimal {
  return committedCapital.add(realizedPnl).add(unrealizedPnl);
}

/** Timestamps (and optional values) within a rolling window, oldest first. */
class Window<T> {
  readonly #items: { atMs: number; value: T }[] = [];
  #head = 0;
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  push(atMs: number, value: T): void {
    this.#items.push({ atMs, value });
    if (this.#items.length - this.#head > MAX_WINDOW_SAMPLES) this.#head += 1;
  }

  /** The items younger than the window at `nowMs`. */
  live(nowMs: number): readonly { atMs: number; value: T }[] {
    while (
      this.#head < this.#items.length &&
      this.#items[this.#head]!.atMs <= nowMs - this.#windowMs
    ) {
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return this.#items.slice(this.#head);
  }
}

/**
 * The p-th percentile of values, nearest-rank.
 * @param values - samples (not modified)
 * @param p - percentile, 0 < p ≤ 100
 * @returns the percentile, or NaN for no samples
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Venue latency p99 over a rolling window; silent until it has `minSamples`. */
export class LatencyEvaluator {
  readonly #window: Window<number>;
  readonly #maxP99Ms: number;
  readonly #minSamples: number;

  /**
   * @param maxP99Ms - trip when p99 exceeds this, ms
   * @param windowMs - the window, ms
   * @param minSamples - fewer samples than this say nothing
   */
  constructor(maxP99Ms: number, windowMs: number, minSamples: number) {
    this.#window = new Window(windowMs);
    this.#maxP99Ms = maxP99Ms;
    this.#minSamples = minSamples;
  }

  /**
   * @param atMs - when the call finished, epoch ms
   * @param latencyMs - how long it took, ms
   */
  record(atMs: number, latencyMs: number): void {
    this.#window.push(atMs, latencyMs);
  }

  verdict(nowMs: number): Verdict {
    const samples = this.#window.live(nowMs).map((s) => s.value);
    if (samples.length < this.#minSamples) {
      return {
        holds: false,
        reason: `${samples.length} latency samples, fewer than ${this.#minSamples}`,
      };
    }
    const p99 = percentile(samples, 99);
    const holds = p99 > this.#maxP99Ms;
    return {
      holds,
      reason: `venue latency p99 ${Math.round(p99)} ms ${holds ? '>' : '≤'} ${this.#maxP99Ms} ms over ${samples.length} calls`,
    };
  }
}

/** Refusals and errors in a rolling window; trips above `maxRefusals`. */
export class RefusalStormEvaluator {
  readonly #window: Window<string>;
  readonly #max: number;

  /**
   * @param maxRefusals - trip when more than this many arrive within the window
   * @param windowMs - the window, ms
   */
  constructor(maxRefusals: number, windowMs: number) {
    this.#window = new Window(windowMs);
    this.#max = maxRefusals;
  }

  /**
   * @param atMs - epoch ms
   * @param reason - the venue port's reason (INSUFFICIENT_FUNDS, RATE_LIMITED, TIMEOUT, ...)
   */
  record(atMs: number, reason: string): void {
    this.#window.push(atMs, reason);
  }

  verdict(nowMs: number): Verdict {
    const live = this.#window.live(nowMs);
    const holds = live.length > this.#max;
    const byReason = new Map<string, number>();
    for (const { value } of live) byReason.set(value, (byReason.get(value) ?? 0) + 1);
    const top = [...byReason]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ');
    return {
      holds,
      reason: `${live.length} refusals/errors ${holds ? '>' : '≤'} ${this.#max} in the window${top ? ` (${top})` : ''}`,
    };
  }
}
