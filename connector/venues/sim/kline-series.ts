/**
 * @module connector/venues/sim/kline-series
 * Candles of one market and symbol. The series keeps 1m candles only (a deterministic backfill,
 * generated on first use, followed by live ones) and aggregates longer intervals on demand, so
 * every interval agrees with the 1m data and nothing is kept twice.
 */
import { Decimal, ZERO } from '../../../core/decimal.js';
import type { Candle } from '../../../core/exchange.types.js';
import { SeededRandom } from './seeded-random.js';
import type { KlineState } from './sim-state.js';

const MINUTE_MS = 60_000;

/** Supported intervals and their length in milliseconds. */
export const KLINE_INTERVALS: Readonly<Record<string, number>> = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1_440 * MINUTE_MS,
};

/** How the backfill is generated: a backward random walk ending at the start price. */
export interface BackfillSpec {
  readonly seed: number;
  readonly minutes: number;
  /** Float end price (the start price before rounding), and a factor applied to every price. */
  readonly endPrice: number;
  readonly priceFactor: number;
  /** Log-price standard deviation per minute. */
  readonly sigmaPerMinute: number;
  /** Mean synthetic volume per minute, base units. */
  readonly volumePerMinute: number;
  readonly tickSize: Decimal;
  readonly stepSize: Decimal;
}

function generateBackfill(symbol: string, spec: BackfillSpec, firstOpenMs: number): Candle[] {
  const rng = new SeededRandom(spec.seed);
  const tickF = spec.tickSize.toNumber();
  const stepF = spec.stepSize.toNumber();
  const toPrice = (p: number): Decimal =>
    spec.tickSize.mul(Math.max(1, Math.round((p * spec.priceFactor) / tickF)));
  const subSigma = spec.sigmaPerMinute / 2;
  const out = new Array<Candle>(spec.minutes);
  let close = spec.endPrice;
  // Walk backwards from the start price so the newest backfilled close meets the live series
  for (let i = spec.minutes - 1; i >= 0; i--) {
    let p = close;
    let high = p;
    let low = p;
    for (let k = 0; k < 4; k++) {
      p *= Math.exp(-subSigma * rng.normal());
      high = Math.max(high, p);
      low = Math.min(low, p);
    }
    const lots = Math.floor((spec.volumePerMinute * (0.5 + rng.next())) / stepF);
    out[i] = Object.freeze({
      symbol,
      open: toPrice(p),
      high: toPrice(high),
      low: toPrice(low),
      close: toPrice(close),
      volume: spec.stepSize.mul(lots),
      openTimeMs: firstOpenMs + i * MINUTE_MS,
      isClosed: true,
    });
    close = p;
  }
  return out;
}

function aggregate(
  symbol: string,
  parts: readonly Candle[],
  openTimeMs: number,
  isClosed: boolean,
): Candle {
  const first = parts[0] as Candle;
  let high = first.high;
  let low = first.low;
  let volume = ZERO;
  for (const c of parts) {
    if (c.high.gt(high)) high = c.high;
    if (c.low.lt(low)) low = c.low;
    volume = volume.add(c.volume);
  }
  const last = parts[parts.length - 1] as Candle;
  return Object.freeze({
    symbol,
    open: first.open,
    high,
    low,
    close: last.close,
    volume,
    openTimeMs,
    isClosed,
  });
}

/** 1m candles of one market and symbol, with on-demand aggregation to longer intervals. */
export class KlineSeries {
  readonly symbol: string;
  private readonly backfill: BackfillSpec;
  private minutes: Candle[] | undefined;
  private readonly liveClosed: Candle[] = [];
  private readonly retain: number;
  private readonly startMinuteMs: number;
  private openTimeMs: number;
  private open: Decimal;
  private high: Decimal;
  private low: Decimal;
  private close: Decimal;
  private volume: Decimal = ZERO;

  /**
   * @param symbol exchange-native symbol
   * @param startPrice price at venue start (opens the first live candle)
   * @param nowMs venue start time
   * @param backfill how to generate history on first use
   */
  constructor(symbol: string, startPrice: Decimal, nowMs: number, backfill: BackfillSpec) {
    this.symbol = symbol;
    this.backfill = backfill;
    this.startMinuteMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    this.openTimeMs = this.startMinuteMs;
    this.open = this.high = this.low = this.close = startPrice;
    this.retain = Math.max(backfill.minutes, 1_500);
  }

  /**
   * Applies one price step.
   * @param volume synthetic traded base volume of the step
   * @returns the 1m candle this step closed, if the minute rolled
   */
  onPrice(price: Decimal, volume: Decimal, nowMs: number): Candle | undefined {
    const minute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    let closed: Candle | undefined;
    if (minute > this.openTimeMs) {
      closed = this.snapshot(true);
      this.pushClosed(closed);
      this.openTimeMs = minute;
      this.open = this.high = this.low = price;
      this.volume = ZERO;
    }
    if (price.gt(this.high)) this.high = price;
    if (price.lt(this.low)) this.low = price;
    this.close = price;
    this.volume = this.volume.add(volume);
    return closed;
  }

  /** Adds traded base volume (our fills) to the candle in progress. */
  addVolume(quantity: Decimal): void {
    this.volume = this.volume.add(quantity);
  }

  /** Open time of the 1m candle in progress. */
  get currentOpenTimeMs(): number {
    return this.openTimeMs;
  }

  /**
   * The newest candles of an interval, oldest first; the last one is in progress.
   * @param intervalMs a value of KLINE_INTERVALS
   * @param limit how many candles at most
   */
  recent(intervalMs: number, limit: number): Candle[] {
    const all = this.allMinutes();
    const out: Candle[] = [];
    let bucket = Math.floor(this.openTimeMs / intervalMs) * intervalMs;
    let parts: Candle[] = [this.snapshot(false)];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const c = all[i] as Candle;
      if (c.openTimeMs >= bucket) {
        parts.push(c);
        continue;
      }
      out.push(aggregate(this.symbol, parts.reverse(), bucket, out.length > 0));
      bucket = Math.floor(c.openTimeMs / intervalMs) * intervalMs;
      parts = [c];
    }
    if (out.length < limit && parts.length > 0) {
      out.push(aggregate(this.symbol, parts.reverse(), bucket, out.length > 0));
    }
    return out.reverse();
  }

  /** The candle in progress of an interval (aggregated from 1m candles). */
  inProgress(intervalMs: number): Candle {
    if (intervalMs === MINUTE_MS) return this.snapshot(false);
    return this.recent(intervalMs, 1)[0] as Candle;
  }

  /** The closed candle of an interval that opened at `openTimeMs`. */
  closedAt(intervalMs: number, openTimeMs: number): Candle | undefined {
    const all = this.allMinutes();
    const parts: Candle[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i] as Candle;
      if (c.openTimeMs < openTimeMs) break;
      if (c.openTimeMs < openTimeMs + intervalMs) parts.push(c);
    }
    return parts.length === 0
      ? undefined
      : aggregate(this.symbol, parts.reverse(), openTimeMs, true);
  }

  /** Open of the 1m candle that was in progress `agoMs` ago (the 24h change base). */
  openAround(agoMs: number): Decimal | undefined {
    const target = this.openTimeMs - agoMs;
    const all = this.allMinutes();
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i] as Candle;
      if (c.openTimeMs <= target) return c.open;
    }
    return all[0]?.open;
  }

  /**
   * Traded volume of the 1m candles opened within the last `windowMs`, in base units and in
   * quote units (each candle's volume valued at its close).
   */
  volumeSince(windowMs: number): { base: Decimal; quote: Decimal } {
    const from = this.openTimeMs - windowMs;
    let base = this.volume;
    let quote = this.volume.mul(this.close);
    const all = this.allMinutes();
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i] as Candle;
      if (c.openTimeMs <= from) break;
      base = base.add(c.volume);
      quote = quote.add(c.volume.mul(c.close));
    }
    return { base, quote };
  }

  /** Every retained 1m candle (the backfill included) and the candle in progress. */
  saveState(): KlineState {
    return {
      openTimeMs: this.openTimeMs,
      open: this.open.toString(),
      high: this.high.toString(),
      low: this.low.toString(),
      close: this.close.toString(),
      volume: this.volume.toString(),
      minutes: this.allMinutes().map((c) => [
        c.openTimeMs,
        c.open.toString(),
        c.high.toString(),
        c.low.toString(),
        c.close.toString(),
        c.volume.toString(),
      ]),
    };
  }

  /**
   * Replaces the history with the saved one. The saved candle in progress stays open; the first
   * price step after a restart in a later minute closes it and opens a candle at that minute, so
   * the downtime shows as a gap in the 1m series (as on an exchange that had no trades).
   */
  restoreState(saved: KlineState): void {
    const D = (v: string): Decimal => new Decimal(v);
    this.minutes = saved.minutes.map(([openTimeMs, o, h, l, c, v]) =>
      Object.freeze({
        symbol: this.symbol,
        open: D(o),
        high: D(h),
        low: D(l),
        close: D(c),
        volume: D(v),
        openTimeMs,
        isClosed: true,
      }),
    );
    this.liveClosed.length = 0;
    this.openTimeMs = saved.openTimeMs;
    this.open = D(saved.open);
    this.high = D(saved.high);
    this.low = D(saved.low);
    this.close = D(saved.close);
    this.volume = D(saved.volume);
  }

  private snapshot(isClosed: boolean): Candle {
    return Object.freeze({
      symbol: this.symbol,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      openTimeMs: this.openTimeMs,
      isClosed,
    });
  }

  private pushClosed(c: Candle): void {
    const list = this.minutes ?? this.liveClosed;
    list.push(c);
    // Trim in batches so the array is not shifted on every minute
    if (list.length > 2 * this.retain) list.splice(0, list.length - this.retain);
  }

  private allMinutes(): Candle[] {
    if (this.minutes === undefined) {
      const first = this.startMinuteMs - this.backfill.minutes * MINUTE_MS;
      this.minutes = generateBackfill(this.symbol, this.backfill, first).concat(this.liveClosed);
      this.liveClosed.length = 0;
    }
    return this.minutes;
  }
}
