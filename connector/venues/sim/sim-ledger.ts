/**
 * @module connector/venues/sim/sim-ledger
 * What the trading core asks of an account model: admit an order (funds, margin, reduce-only),
 * clip fills that must not grow a position, book fills and release what a finished order held.
 * The futures and spot ledgers implement it; the core stays the same for both markets.
 */
import type { Decimal } from '../../../core/decimal.js';
import type { Account, Position } from '../../../core/exchange.types.js';
import type { PlannedFill } from './matching-engine.js';
import type { OrderRecord } from './order-record.js';
import type { SimMarket } from './sim-market.js';

/** Fee and PnL of one booked fill, quote units. */
export interface SettledFill {
  readonly fee: Decimal;
  readonly realizedPnl: Decimal;
}

/** An account model behind one market kind. */
export interface Ledger {
  /**
   * Checks an order before it exists: reduce-only rules and funds. Returns the quantity to
   * place (a reduce-only order is clipped to the position).
   * @throws {ExchangeError} REDUCE_ONLY_REJECTED, INVALID_ARGUMENT
   */
  admitQuantity(
    symbol: string,
    side: 'BUY' | 'SELL',
    quantity: Decimal,
    reduceOnly: boolean,
  ): Decimal;
  /**
   * Reserves what the order needs (margin or locked balance) and sets `order.reserved`.
   * @param plan the taker fills the order is about to get (prices a market order)
   * @throws {ExchangeError} INSUFFICIENT_FUNDS
   */
  reserve(order: OrderRecord, market: SimMarket, plan: readonly PlannedFill[]): void;
  /** How much of `wanted` the order may fill now; less than wanted only for reduce-only orders. */
  fillable(order: OrderRecord, wanted: Decimal): Decimal;
  /** Books one fill of `order` (call before the fill is applied to the record). */
  settle(
    order: OrderRecord,
    market: SimMarket,
    price: Decimal,
    quantity: Decimal,
    isMaker: boolean,
  ): SettledFill;
  /** Returns whatever a finished order still holds. */
  release(order: OrderRecord): void;
  /** Free balance of an asset. */
  balance(asset: string): Decimal;
  account(): Account;
  /** Open positions, or the one of `symbol` (also when its size is zero). */
  positions(symbol?: string): Position[];
}
