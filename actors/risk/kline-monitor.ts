/**
 * @module actors/risk/kline-monitor
 * The risk monitor's logic (seed 2.1), pure: per watched symbol a buffer of `window + 1` candles
 * (preloaded history, then the stream), a signal on the latest candle even while it is still
 * forming, and a global verdict over all symbols.
 *
 * Signal of a symbol: the latest candle's volume above the average volume of the `window` closed
 * candles before it × `volumeMultiplier`, with its close below their average close (a sell-off on
 * heavy volume). A signal, and its end, only counts once it has persisted `persistMs` (the
 * original reacted to every intrabar spike and flapped). Global: `any` triggers on one confirmed
 * symbol, `all` when every watched symbol is confirmed; once triggered it recovers only when the
 * trigger no longer holds and at least `recoveryThreshold` symbols are calm.
 *
 * Time comes in through the calls (`nowMs`); nothing here reads a clock.
 */
import { Decimal, toPlain } from '../../core/decimal.js';
import type { Candle } from '../../core/exchange.types.js';

/** Monitor settings (from `risk.monitor`). */
export interface KlineMonitorOptions {
  readonly symbols: readonly string[];
  /** Closed candles the averages cover. */
  readonly averageWindow: number;
  readonly volumeMultiplier: Decimal;
  /** How long a signal or its end must persist before it counts, ms. */
  readonly persistMs: number;
  readonly policy: 'any' | 'all';
  /** Calm symbols needed to recover. */
  readonly recoveryThreshold: number;
}

/** A change of the global verdict. */
export type MonitorChange =
  | { readonly type: 'monitor.triggered'; readonly reason: string; readonly atMs: number }
  | { readonly type: 'monitor.recovered'; readonly reason: string; readonly atMs: number };

/** One symbol's view, for status pages. */
export interface SymbolSignal {
  readonly symbol: string;
  /** Candles buffered (window + 1 once warm). */
  readonly candles: number;
  /** The signal on the latest candle, before persistence. */
  readonly raw: boolean;
  /** The signal that counts. */
  readonly confirmed: boolean;
  /** Why, e.g. "volume 350 > 3 × avg 100, close 95 < avg 100". */
  readonly detail: string;
}

interface SymbolState {
  candles: Candle[];
  raw: boolean;
  confirmed: boolean;
  pendingSince: number | null;
  detail: string;
}

/** The monitor's state over all watched symbols. */
export class KlineMonitor {
  readonly #options: KlineMonitorOptions;
  readonly #symbols = new Map<string, SymbolState>();
  #triggered = false;

  constructor(options: KlineMonitorOptions) {
    if (options.averageWindow < 1) throw new Error('averageWindow must be at least 1');
    this.#options = options;
    for (const symbol of options.symbols) {
      this.#symbols.set(symbol, {
        candles: [],
        raw: false,
        confirmed: false,
        pendingSince: null,
        detail: 'warming up',
      });
    }
  }

  /** Candles to preload per symbol: the window plus the current one. */
  get preloadCount(): number {
    return this.#options.averageWindow + 1;
  }

  /** Whether the global verdict is triggered. */
  get triggered(): boolean {
    return this.#triggered;
  }

  /**
   * Replaces a symbol's buffer with history (oldest first; the last may be forming).
   * @returns a global change, if the history alone decides one
   */
  preload(symbol: string, candles: readonly Candle[], nowMs: number): MonitorChange | null {
    const state = this.#symbols.get(symbol);
    if (!state) return null;
    state.candles = [];
    for (const candle of candles) this.#buffer(state, candle);
    return this.#evaluate(nowMs);
  }

  /**
   * Takes one candle from the stream (closed or forming).
   * @returns a global change, if this candle caused one
   */
  onCandle(candle: Candle, nowMs: number): MonitorChange | null {
    const state = this.#symbols.get(candle.symbol);
    if (!state) return null;
    this.#buffer(state, candle);
    return this.#evaluate(nowMs);
  }

  /**
   * Lets time pass without candles, so a persisting signal gets confirmed.
   * @returns a global change, if one fell due
   */
  tick(nowMs: number): MonitorChange | null {
    return this.#evaluate(nowMs);
  }

  /** Each symbol's signal. */
  signals(): SymbolSignal[] {
    return [...this.#symbols].map(([symbol, s]) => ({
      symbol,
      candles: s.candles.length,
      raw: s.raw,
      confirmed: s.confirmed,
      detail: s.detail,
    }));
  }

  #buffer(state: SymbolState, candle: Candle): void {
    const last = state.candles.at(-1);
    if (last && candle.openTimeMs < last.openTimeMs) return;
    if (last && candle.openTimeMs === last.openTimeMs) {
      state.candles[state.candles.length - 1] = candle;
    } else {
      // A forming candle whose close we never saw counts as closed once a newer one opens
      if (last && !last.isClosed)
        state.candles[state.candles.length - 1] = { ...last, isClosed: true };
      state.candles.push(candle);
    }
    const keep = this.#options.averageWindow + 1;
    if (state.candles.length > keep) state.candles.splice(0, state.candles.length - keep);
  }

  #signal(state: SymbolState): boolean {
    const { averageWindow, volumeMultiplier } = this.#options;
    if (state.candles.length < averageWindow + 1) {
      state.detail = `warming up: ${state.candles.length} of ${averageWindow + 1} candles`;
      return false;
    }
    const current = state.candles.at(-1)!;
    const previous = state.candles.slice(-averageWindow - 1, -1);
    let volume = new Decimal(0);
    let close = new Decimal(0);
    for (const c of previous) {
      volume = volume.add(c.volume);
      close = close.add(c.close);
    }
    const avgVolume = volume.div(previous.length);
    const avgClose = close.div(previous.length);
    const heavy = current.volume.gt(avgVolume.mul(volumeMultiplier));
    const lower = current.close.lt(avgClose);
    state.detail =
      `volume ${toPlain(current.volume)} ${heavy ? '>' : '≤'} ${toPlain(volumeMultiplier)} × avg ` +
      `${toPlain(avgVolume.toDecimalPlaces(8))}, close ${toPlain(current.close)} ${lower ? '<' : '≥'} ` +
      `avg ${toPlain(avgClose.toDecimalPlaces(8))}${current.isClosed ? '' : ' (forming)'}`;
    return heavy && lower;
  }

  #evaluate(nowMs: number): MonitorChange | null {
    for (const state of this.#symbols.values()) {
      state.raw = this.#signal(state);
      if (state.raw === state.confirmed) {
        state.pendingSince = null;
        continue;
      }
      state.pendingSince ??= nowMs;
      if (nowMs - state.pendingSince >= this.#options.persistMs) {
        state.confirmed = state.raw;
        state.pendingSince = null;
      }
    }
    const all = [...this.#symbols.values()];
    const anomalous = all.filter((s) => s.confirmed).length;
    const calm = all.length - anomalous;
    const trigger = this.#options.policy === 'any' ? anomalous > 0 : anomalous === all.length;
    const names = (confirmed: boolean) =>
      [...this.#symbols]
        .filter(([, s]) => s.confirmed === confirmed)
        .map(([symbol]) => symbol)
        .join(', ');
    if (!this.#triggered && trigger && all.length > 0) {
      this.#triggered = true;
      return {
        type: 'monitor.triggered',
        reason: `market anomaly (${this.#options.policy}) on ${names(true)}`,
        atMs: nowMs,
      };
    }
    if (this.#triggered && !trigger && calm >= this.#options.recoveryThreshold) {
      this.#triggered = false;
      return {
        type: 'monitor.recovered',
        reason: `${calm} of ${all.length} symbols calm (${names(false)})`,
        atMs: nowMs,
      };
    }
    return null;
  }
}
