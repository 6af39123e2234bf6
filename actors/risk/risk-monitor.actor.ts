/**
 * @module actors/risk/risk-monitor.actor
 * The risk monitor's I/O around {@link KlineMonitor}: preloads `window + 1` candles per watched
 * symbol from the venue port, subscribes to their klines, ticks once a second so persisting
 * signals get confirmed without new candles, and reports each global change (triggered,
 * recovered) to its owner, who turns it into a hold on the global trading state.
 *
 * Every venue loop is bounded and backs off: a failed preload is retried up to 3 times (then the
 * buffer fills from the stream), a dropped stream is resubscribed with exponential backoff up to
 * `maxResubscribes` times in a row (then the monitor reports itself failed); each retry is logged
 * at warn and counted through `onRetry`.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { dec } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Candle } from '../../core/exchange.types.js';
import type { Logger } from '../../core/logger.js';
import type { Subscription } from '../../core/stream.js';
import { KlineMonitor, type MonitorChange, type SymbolSignal } from './kline-monitor.js';
import type { MonitorConfig } from './risk.config.js';

/** The venue calls the monitor makes. */
export type KlineSource = Pick<Exchange, 'getHistoricalKlines' | 'subscribeKlines'>;

export interface RiskMonitorOptions {
  readonly exchange: KlineSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: MonitorConfig;
  /** A global change: hold or release the trading state. */
  readonly onChange: (change: MonitorChange) => void;
  /** A bounded retry happened (`preload`, `resubscribe`), for metrics. */
  readonly onRetry?: (what: 'preload' | 'resubscribe') => void;
  /** Consecutive resubscriptions before the monitor gives up; default 10. */
  readonly maxResubscribes?: number;
  /** Backoff of the first resubscription, doubled each time, capped at 60 s; default 1 s. */
  readonly initialBackoffMs?: number;
}

/** Where the monitor is. */
export type MonitorStatus = 'stopped' | 'starting' | 'watching' | 'failed';

const PRELOAD_ATTEMPTS = 3;

/** Watches klines and reports anomalies. */
export class RiskMonitorActor {
  readonly #options: RiskMonitorOptions;
  readonly #monitor: KlineMonitor;
  #subscription: Subscription | undefined;
  #ticker: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #resubscribes = 0;
  #status: MonitorStatus = 'stopped';

  constructor(options: RiskMonitorOptions) {
    this.#options = options;
    this.#monitor = new KlineMonitor({
      symbols: options.config.symbols,
      averageWindow: options.config.average_window,
      volumeMultiplier: dec(options.config.volume_multiplier),
      persistMs: options.config.persist_ms,
      policy: options.config.policy,
      recoveryThreshold: options.config.recovery_threshold,
    });
  }

  /** Where the monitor is. */
  get status(): MonitorStatus {
    return this.#status;
  }

  /** Whether the global verdict is triggered. */
  get triggered(): boolean {
    return this.#monitor.triggered;
  }

  /** Each watched symbol's signal. */
  signals(): SymbolSignal[] {
    return this.#monitor.signals();
  }

  /** Preloads history, then subscribes. Resolves once watching (preload failures are logged). */
  async start(): Promise<void> {
    this.#status = 'starting';
    await this.#preloadAll();
    // stop() may have run while the preload was awaited
    if ((this.#status as MonitorStatus) === 'stopped') return;
    this.#subscribe();
    this.#ticker = this.#options.clock.every(1_000, () =>
      this.#report(this.#monitor.tick(this.#now())),
    );
    this.#status = 'watching';
  }

  /** Closes the stream and timers. */
  stop(): void {
    this.#status = 'stopped';
    this.#subscription?.close();
    this.#subscription = undefined;
    for (const timer of [this.#ticker, this.#retryTimer]) {
      if (timer) this.#options.clock.clear(timer);
    }
    this.#ticker = undefined;
    this.#retryTimer = undefined;
  }

  #now(): number {
    return this.#options.clock.now();
  }

  #report(change: MonitorChange | null): void {
    if (!change) return;
    const log = { reason: change.reason };
    if (change.type === 'monitor.triggered')
      this.#options.logger.warn(log, 'risk monitor triggered');
    else this.#options.logger.info(log, 'risk monitor recovered');
    this.#options.onChange(change);
  }

  async #preloadAll(): Promise<void> {
    const { exchange, config, logger } = this.#options;
    for (const symbol of config.symbols) {
      for (let attempt = 1; attempt <= PRELOAD_ATTEMPTS; attempt++) {
        try {
          const candles = await exchange.getHistoricalKlines(
            symbol,
            config.interval,
            this.#monitor.preloadCount,
          );
          this.#report(this.#monitor.preload(symbol, candles, this.#now()));
          break;
        } catch (e) {
          this.#options.onRetry?.('preload');
          logger.warn(
            { err: e, symbol, attempt, of: PRELOAD_ATTEMPTS },
            'risk monitor: kline preload failed',
          );
          if (attempt < PRELOAD_ATTEMPTS) await this.#sleep(this.#backoff(attempt));
        }
        if (this.#status === 'stopped') return;
      }
    }
  }

  #subscribe(): void {
    const { exchange, config, logger } = this.#options;
    this.#subscription = exchange.subscribeKlines(config.symbols, config.interval, {
      next: (candle: Candle) => {
        this.#resubscribes = 0;
        this.#report(this.#monitor.onCandle(candle, this.#now()));
      },
      error: (e) => {
        this.#subscription = undefined;
        if (this.#status === 'stopped') return;
        this.#resubscribes += 1;
        const max = this.#options.maxResubscribes ?? 10;
        if (this.#resubscribes > max) {
          this.#status = 'failed';
          logger.error({ err: e, attempts: max }, 'risk monitor: kline stream lost; giving up');
          return;
        }
        this.#options.onRetry?.('resubscribe');
        const waitMs = this.#backoff(this.#resubscribes);
        logger.warn(
          { err: e, attempt: this.#resubscribes, waitMs },
          'risk monitor: kline stream lost',
        );
        this.#retryTimer = this.#options.clock.after(waitMs, () => {
          this.#retryTimer = undefined;
          if (this.#status === 'watching') this.#subscribe();
        });
      },
      resync: () => {
        // Candles may have been missed: rebuild the buffers from history
        void this.#preloadAll();
      },
    });
  }

  #backoff(attempt: number): number {
    const initial = this.#options.initialBackoffMs ?? 1_000;
    return Math.min(60_000, initial * 2 ** (attempt - 1));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#retryTimer = this.#options.clock.after(ms, () => {
        this.#retryTimer = undefined;
        resolve();
      });
    });
  }
}
