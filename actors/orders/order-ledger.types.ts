/**
 * @module actors/orders/order-ledger.types
 * What the order ledger takes (reports about our orders, our own intents), what it answers
 * (orders, exposure) and what it needs (its store). Risk and arbitrage read these types, so they
 * are kept small and stable: decimal strings for amounts, epoch ms for times, branded ids.
 */
import type { Trade } from '../../core/exchange.types.js';
import type { ClientOrderId, Side, SymbolId } from '../../core/types.js';
import type { FillRecord } from '../store/fills.repo.js';
import type { IndexedOrder } from '../store/order-index.repo.js';
import type { LedgerTrigger } from './order-status.table.js';

/** One order of ours as the ledger knows it (the persisted order index row). */
export type LedgerOrder = IndexedOrder;

/** Where a report came from; logged and counted, never decisive. */
export type ReportSource = 'stream' | 'placement' | 'reconcile' | 'verify';

/**
 * A report about one of our orders. Quantities are cumulative, so a repeated or reordered report
 * can never count a fill twice.
 */
export interface OrderReport {
  readonly clientOrderId: ClientOrderId;
  readonly trigger: LedgerTrigger;
  readonly source: ReportSource;
  readonly venueOrderId?: string;
  /** Cumulative executed quantity, base units. */
  readonly filledQuantity?: string;
  /** Average execution price, quote units. */
  readonly avgPrice?: string;
  /** Trades the report carries (a stream update's last trade, an order's trades). */
  readonly trades?: readonly Trade[];
  /** The venue port's reason, for a refusal. */
  readonly reason?: string;
  /** The order itself, for one the ledger has no record of (adopted from the venue). */
  readonly details?: OrderDetails;
}

/** What the ledger must know of an order before it can hold it. */
export interface OrderDetails {
  readonly side: Side;
  /** Limit price, quote units; null for a market order. */
  readonly price: string | null;
  /** Base units. */
  readonly quantity: string;
  readonly reduceOnly: boolean;
  readonly slotIndex: number | null;
}

/** An order we are about to send: recorded SUBMITTED before the venue hears of it. */
export interface OrderIntent extends OrderDetails {
  readonly clientOrderId: ClientOrderId;
}

/**
 * What the ledger did with a report: `applied` (the order moved on), `duplicate` (nothing new),
 * `stale` (an older stage than known), `illegal` (a contradiction; logged and counted, not
 * applied) or `unknown` (an order the ledger has no record of and the report cannot describe).
 */
export type ReportOutcome = 'applied' | 'duplicate' | 'stale' | 'illegal' | 'unknown';

/** A report's outcome and the order as the ledger holds it afterwards. */
export interface AppliedReport {
  readonly outcome: ReportOutcome;
  /** The order after the report; null for `unknown`. */
  readonly order: LedgerOrder | null;
  /** Trades of the report that the fills ledger did not have yet. */
  readonly newTrades: readonly Trade[];
}

/**
 * One symbol's exposure through our orders: what resting and in-flight opening orders could
 * still add, and what our fills hold. Decimal strings.
 */
export interface ExposureSummary {
  readonly symbol: SymbolId;
  /** Unfilled notional of opening (not reduce-only) buys resting or in flight, quote units. */
  readonly openingBuyNotional: string;
  /** The same for opening sells (neutral grids, shorts), quote units. */
  readonly openingSellNotional: string;
  /** Net base units bought minus sold by our orders' recorded fills (positive long). */
  readonly heldInventory: string;
  readonly openOrders: number;
  readonly inflightOrders: number;
}

/** What the ledger persists through; the engine binds it to the order index and fills ledger. */
export interface OrderLedgerStore {
  /** Orders of the symbol not final yet. */
  live(venue: string, symbol: SymbolId): Promise<LedgerOrder[]>;
  /** The orders of the symbol that changed last, newest first. */
  recent(venue: string, symbol: SymbolId, limit: number): Promise<LedgerOrder[]>;
  byClientOrderId(clientOrderId: ClientOrderId): Promise<LedgerOrder | null>;
  /** Net base units of the symbol our recorded fills hold. */
  heldInventory(venue: string, symbol: SymbolId): Promise<string>;
  /**
   * Writes orders and appends fills in one transaction.
   * @returns per fill, true when it was recorded now
   */
  record(orders: readonly LedgerOrder[], fills: readonly FillRecord[]): Promise<boolean[]>;
}
