/**
 * @module actors/engine/fill-recorder
 * Writes a symbol's executions to the fills ledger, once per trade id however often a trade is
 * reported (order stream, reconciliation after a restart, a resubscribed stream), and keeps the
 * volume and realized-PnL metrics in step with what the ledger actually recorded.
 */
import type { Trade } from '../../core/exchange.types.js';
import { isClientOrderIdFor } from '../../machines/client-order-id.js';
import { dec, type Decimal } from '../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';
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
   * Records one trade.
   * @param trade - the execution the venue reported
   * @param clientOrderId - the client order id of the order it filled
   * @returns true when the ledger did not have it yet
   */
  async record(trade: Trade, clientOrderId: string): Promise<boolean> {
    const ours = isClientOrderIdFor(clientOrderId, this.#symbol)
      ? (clientOrderId as ClientOrderId)
      : null;
    const recorded = await this.#store.appendFill(fillFromTrade(this.#venue, trade, ours));
    if (!recorded) return false;
    const labels = { symbol: this.#symbol };
    this.#metrics.volume.inc(labels, sample(trade.price.mul(trade.quantity)));
    this.#realizedPnl = this.#realizedPnl.add(trade.realizedPnl);
    this.#metrics.pnlRealized.set(labels, sample(this.#realizedPnl));
    return true;
  }
}
