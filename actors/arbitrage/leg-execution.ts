/**
 * @module actors/arbitrage/leg-execution
 * What the venue said about one leg order, as plain JSON a cycle workflow checkpoints and returns:
 * its status, cumulative executed quantity and average price, the fee paid in the leg's base
 * asset (it lowers what the leg holds) and in the quote asset, and its trades for the leg's order
 * ledger. Also the two conversions around it: a venue `Order` into an execution, and an
 * execution into the position machine's `order.*` event.
 */
import { dec, toPlain, ZERO } from '../../core/decimal.js';
import type { Order, Trade } from '../../core/exchange.types.js';
import type { ClientOrderId, OrderStatus, Side } from '../../core/types.js';
import type {
  ArbitrageVenueEvent,
  PlaceLegOrderCommand,
} from '../../machines/arbitrage-position.machine.js';
import type { LegKey } from '../../machines/arbitrage-pair.js';

/** One trade as JSON (decimal strings). */
export interface TradeJson {
  readonly tradeId: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly isMaker: boolean;
  readonly timeMs: number;
}

/**
 * Where a leg order ended up. `REFUSED`: the venue refused it for good (nothing executed).
 * `UNKNOWN`: the venue could not be asked in time; the order may exist (the next cycle looks it
 * up by client order id before anything else).
 */
export type LegOutcome = OrderStatus | 'REFUSED' | 'UNKNOWN';

/** One leg order as the venue last reported it. Amounts are decimal strings. */
export interface LegExecution {
  readonly clientOrderId: ClientOrderId;
  readonly leg: LegKey;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly reduceOnly: boolean;
  /** A spot order on the margin account (a short's borrow, or its buy back). */
  readonly useMargin: boolean;
  readonly status: LegOutcome;
  readonly venueOrderId: string | null;
  /** Requested, base units. */
  readonly quantity: string;
  /** Cumulative, base units. */
  readonly executedQty: string;
  /** Quote units; "0" before any fill. */
  readonly avgPrice: string;
  /** Fees charged in the base asset, base units. */
  readonly feeBase: string;
  /** Fees charged in the quote asset (and base fees valued at the fill price), quote units. */
  readonly feeQuote: string;
  readonly trades: readonly TradeJson[];
  /** The venue port's reason for REFUSED / UNKNOWN. */
  readonly reason: string | null;
}

/** The statuses after which an order never changes again. */
const FINAL: ReadonlySet<LegOutcome> = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

/** True when the execution will never change again (REFUSED included; UNKNOWN is not). */
export function isSettled(execution: Pick<LegExecution, 'status'>): boolean {
  return FINAL.has(execution.status) || execution.status === 'REFUSED';
}

/** What every execution of one leg order shares. */
export type LegOrderRef = Pick<
  LegExecution,
  'clientOrderId' | 'leg' | 'venue' | 'symbol' | 'side' | 'reduceOnly' | 'useMargin' | 'quantity'
>;

/** The reference of the order a `command.placeOrder` asks for. */
export function legOrderRefOf(command: PlaceLegOrderCommand): LegOrderRef {
  const { clientOrderId, leg, venue, symbol, side, reduceOnly, useMargin, quantity } = command;
  return { clientOrderId, leg, venue, symbol, side, reduceOnly, useMargin, quantity };
}

/**
 * An execution from the venue's order.
 * @param baseAsset - the leg's base asset (fees in it lower the leg's holding)
 * @param quoteAsset - the leg's quote asset
 */
export function executionOf(
  ref: LegOrderRef,
  order: Order,
  baseAsset: string,
  quoteAsset: string,
): LegExecution {
  let feeBase = ZERO;
  let feeQuote = ZERO;
  for (const t of order.trades) {
    if (t.feeAsset === baseAsset) {
      feeBase = feeBase.add(t.fee);
      feeQuote = feeQuote.add(t.fee.mul(t.price));
    } else if (t.feeAsset === quoteAsset || t.feeAsset === '') {
      feeQuote = feeQuote.add(t.fee);
    }
  }
  return {
    ...ref,
    status: order.status,
    venueOrderId: order.orderId,
    executedQty: toPlain(order.executedQty),
    avgPrice: toPlain(order.avgPrice),
    feeBase: toPlain(feeBase),
    feeQuote: toPlain(feeQuote),
    trades: order.trades.map(tradeJson),
    reason: order.status === 'REJECTED' ? 'ORDER_REJECTED' : null,
  };
}

/** An execution for an order that did not happen (refused) or whose fate is unknown. */
export function outcomeWithoutOrder(
  ref: LegOrderRef,
  status: 'REFUSED' | 'UNKNOWN',
  reason: string,
): LegExecution {
  return {
    ...ref,
    status,
    venueOrderId: null,
    executedQty: '0',
    avgPrice: '0',
    feeBase: '0',
    feeQuote: '0',
    trades: [],
    reason,
  };
}

/**
 * The position machine's event for a settled execution.
 * @returns the event, or null while the order may still change (the machine waits)
 */
export function machineEventOf(execution: LegExecution): ArbitrageVenueEvent | null {
  const { clientOrderId } = execution;
  const fills = {
    clientOrderId,
    filledQuantity: execution.executedQty,
    feeBase: execution.feeBase,
  };
  switch (execution.status) {
    case 'FILLED':
      return { type: 'order.filled', ...fills };
    case 'CANCELED':
      return { type: 'order.canceled', ...fills };
    case 'EXPIRED':
      return { type: 'order.expired', ...fills };
    case 'REJECTED':
    case 'REFUSED':
      return { type: 'order.rejected', clientOrderId, reason: execution.reason ?? 'REJECTED' };
    default:
      return null;
  }
}

function tradeJson(t: Trade): TradeJson {
  return {
    tradeId: t.tradeId,
    orderId: t.orderId,
    symbol: t.symbol,
    side: t.side,
    price: toPlain(t.price),
    quantity: toPlain(t.quantity),
    fee: toPlain(t.fee),
    feeAsset: t.feeAsset,
    isMaker: t.isMaker,
    timeMs: t.timeMs,
  };
}

/** A trade back from JSON, for the order ledger. */
export function tradeOf(t: TradeJson): Trade {
  return {
    ...t,
    price: dec(t.price),
    quantity: dec(t.quantity),
    fee: dec(t.fee),
    realizedPnl: ZERO,
  };
}
