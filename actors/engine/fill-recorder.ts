/**
 * @module actors/engine/fill-recorder
 * Keeps a symbol's volume and realized-PnL metrics in step with the fills ledger. Trades of our
 * orders are recorded by the order ledger with the order they filled (one transaction); trades
 * of foreign orders the account also trades on this symbol are recorded here. Either way a trade
 * is recorded once per trade id however often it is reported.
 */
import type { Trade } from '../../core/exchange.types.js';
import { dec, type Decimal } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import { fillFromTrade } from '../store/fills.repo.js';
import { sample, type EngineMetrics } from './engine.metrics.js';
import type { SymbolStore } from './engine.store.js';

/** Records one symbol's fills, once each, and keeps its volume and PnL metrics in step. */
export class FillRecorder {
  readonly #symbol: SymbolId;
  readonly #venue: string;
  readonly #store: SymbolStore;
  readonly #metrics: EngineMetrics;
  #realizedPnl: Decimal = dec(0);

  /**
   * @param symbol - the symbol whose fills are recorded
   * @param venue - the venue name the trades come from (part of the ledger key)
   * @param store - the symbol's persistence
   * @param metrics - the engine metrics
   */
  constructor(symbol: SymbolId, venue: string, store: SymbolStore, metrics: EngineMetrics) {
    this.#symbol = symbol;
    this.#venue = venue;
    this.#store = store;
    this.#metrics = metrics;
  }

  /** Realized PnL recorded so far, quote units (what the venue reported on our fills). */
  get realizedPnl(): Decimal {
    return this.#realizedPnl;
  }

  /** Loads the ledger's totals so the PnL gauge continues across restarts. */
  async load(): Promise<void> {
    const totals = await this.#store.fillTotals(this.#symbol);
    this.#realizedPnl = dec(totals.realizedPnl);
    this.#metrics.pnlRealized.set({ symbol: this.#symbol }, sample(this.#realizedPnl));
  }

  /**
   * Records one trade of an order that is not ours.
   * @param trade - the execution the venue reported
   * @returns true when the ledger did not have it yet
   */
  async recordForeign(trade: Trade): Promise<boolean> {
    const recorded = await this.#store.appendFill(fillFromTrade(this.#venue, trade, null));
    if (recorded) this.recorded([trade]);
    return recorded;
  }

  /** Counts trades the fills ledger has just recorded (by the order ledger or here). */
  recorded(trades: readonly Trade[]): void {
    const labels = { symbol: this.#symbol };
    for (const trade of trades) {
      this.#metrics.volume.inc(labels, sample(trade.price.mul(trade.quantity)));
      this.#realizedPnl = this.#realizedPnl.add(trade.realizedPnl);
    }
    if (trades.length > 0) this.#metrics.pnlRealized.set(labels, sample(this.#realizedPnl));
  }
}
