/**
 * @module actors/engine/round-trips
 * Turns one symbol's fills into round trips for the loss-streak breaker. A round trip ends when a
 * closing (reduce-only) order of ours is filled: its gross PnL is what the venue realized on the
 * close's trades, its fees are the close's fees plus the opening fees of the quantity it closed.
 * Opening fees are carried per base unit at their running average (fees paid on entries ÷
 * quantity entered, reduced as closes consume it), because a close does not name the entries it
 * closes and grid slots fill entries and closes in any order.
 */
import { Decimal, ZERO } from '../../core/decimal.js';
import type { Trade } from '../../core/exchange.types.js';

/** One finished round trip. */
export interface RoundTrip {
  /** Realized PnL before fees, quote units. */
  readonly grossPnl: Decimal;
  /** Fees of both legs, quote units. */
  readonly fees: Decimal;
}

/** One symbol's round-trip accounting; see the module doc. */
export class RoundTripTracker {
  /** Entered quantity not closed yet, base units, and the opening fees it carries. */
  #openQuantity: Decimal = ZERO;
  #openFees: Decimal = ZERO;
  /** Trades of a close order seen so far, by client order id, until it is filled. */
  readonly #closing = new Map<string, { pnl: Decimal; fees: Decimal; quantity: Decimal }>();

  /**
   * Records new trades of one of our orders.
   * @param clientOrderId - the order
   * @param reduceOnly - true for a closing order
   * @param trades - trades the fills ledger recorded just now (each once)
   * @param filled - true when the order is now fully filled
   * @returns the round trip the order finished, or null
   */
  trades(
    clientOrderId: string,
    reduceOnly: boolean,
    trades: readonly Trade[],
    filled: boolean,
  ): RoundTrip | null {
    if (!reduceOnly) {
      for (const t of trades) {
        this.#openQuantity = this.#openQuantity.add(t.quantity);
        this.#openFees = this.#openFees.add(t.fee);
      }
      return null;
    }
    let leg = this.#closing.get(clientOrderId);
    if (!leg) {
      leg = { pnl: ZERO, fees: ZERO, quantity: ZERO };
      this.#closing.set(clientOrderId, leg);
    }
    for (const t of trades) {
      leg.pnl = leg.pnl.add(t.realizedPnl);
      leg.fees = leg.fees.add(t.fee);
      leg.quantity = leg.quantity.add(t.quantity);
    }
    if (!filled) return null;
    this.#closing.delete(clientOrderId);
    return { grossPnl: leg.pnl, fees: leg.fees.add(this.#consumeOpenFees(leg.quantity)) };
  }

  /** A close order ended without filling completely: its partial trades still closed. */
  ended(clientOrderId: string): RoundTrip | null {
    const leg = this.#closing.get(clientOrderId);
    this.#closing.delete(clientOrderId);
    if (!leg || leg.quantity.isZero()) return null;
    return { grossPnl: leg.pnl, fees: leg.fees.add(this.#consumeOpenFees(leg.quantity)) };
  }

  #consumeOpenFees(quantity: Decimal): Decimal {
    if (!this.#openQuantity.gt(0)) return ZERO;
    const closed = Decimal.min(quantity, this.#openQuantity);
    const fees = this.#openFees.mul(closed).div(this.#openQuantity);
    this.#openQuantity = this.#openQuantity.sub(closed);
    this.#openFees = this.#openFees.sub(fees);
    return fees;
  }
}
