/**
 * @module actors/engine/grid-volatility
 * The average true range a dynamic grid interval is derived from: the symbol's recent candles are
 * fetched once per candle period and the ATR taken over the closed ones (machines/grid-window).
 * A fetch the venue fails is counted, logged at warn and tried again with backoff (5 s doubling,
 * at most one candle period); the last good ATR stays in use meanwhile.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Decimal } from '../../core/decimal.js';
import { toExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import { averageTrueRange } from '../../machines/grid-window.js';
import type { GridMetrics } from './grid.metrics.js';
import type { DynamicIntervalConfig } from './symbol.config.js';

const CANDLE_MS: Readonly<Record<string, number>> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
};
const RETRY_INITIAL_MS = 5_000;

/** What the volatility source works with. */
export interface GridVolatilityOptions {
  readonly symbol: SymbolId;
  readonly exchange: Exchange;
  readonly spec: DynamicIntervalConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: GridMetrics;
}

/** One symbol's ATR, refreshed per candle; see the module doc. */
export class GridVolatility {
  readonly #o: GridVolatilityOptions;
  #atr: Decimal | null = null;
  #timer: TimerHandle | null = null;
  #retryMs = RETRY_INITIAL_MS;
  #stopped = false;

  constructor(options: GridVolatilityOptions) {
    this.#o = options;
  }

  /** The latest ATR, quote units; null before the first good fetch. */
  get atr(): Decimal | null {
    return this.#atr;
  }

  /** Length of one candle, ms. */
  get periodMs(): number {
    return CANDLE_MS[this.#o.spec.candleInterval] ?? 60_000;
  }

  /**
   * Fetches the candles and takes the ATR.
   * @returns the ATR, or null with too few closed candles
   * @throws {ExchangeError} when the venue cannot answer
   */
  async refresh(): Promise<Decimal | null> {
    const { exchange, symbol, spec, metrics } = this.#o;
    try {
      // The window, the candle before it (its close) and the one still forming
      const candles = await exchange.getHistoricalKlines(
        symbol,
        spec.candleInterval,
        spec.atrWindow + 2,
      );
      this.#atr = averageTrueRange(candles, spec.atrWindow) ?? this.#atr;
      metrics.volatilityFetches.inc({ symbol, outcome: 'ok' });
      return this.#atr;
    } catch (e) {
      metrics.volatilityFetches.inc({ symbol, outcome: 'error' });
      throw toExchangeError(e);
    }
  }

  /** Refreshes once per candle period until stopped. */
  start(): void {
    this.#schedule(this.periodMs);
  }

  /** Stops refreshing. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#o.clock.clear(this.#timer);
    this.#timer = null;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.after(delayMs, () => {
      this.#timer = null;
      this.refresh().then(
        () => {
          this.#retryMs = RETRY_INITIAL_MS;
          this.#schedule(this.periodMs);
        },
        (e: unknown) => {
          const waitMs = Math.min(this.#retryMs, this.periodMs);
          this.#retryMs *= 2;
          const reason = toExchangeError(e).reason;
          this.#o.log.warn(
            { symbol: this.#o.symbol, reason, waitMs },
            'candles for the dynamic grid interval unavailable: keeping the last ATR, retrying',
          );
          this.#schedule(waitMs);
        },
      );
    });
  }
}
