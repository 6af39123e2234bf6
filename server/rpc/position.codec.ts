/**
 * @module server/rpc/position.codec
 * PositionService messages from domain values: orders of the order ledger and index, fills of the
 * fills ledger, positions and PnL replayed from fills. Decimals travel as plain strings; an
 * unknown value (a mark before the first price) is an absent decimal, never a zero. Times follow
 * the original contract per field: `Order.update_time` epoch ms, `Order.created_at` a Timestamp,
 * `Fill.filled_at`, `PositionData.opened_at` / `updated_at` and `PositionSnapshotData.timestamp`
 * epoch nanoseconds (original-facts §1.1).
 */
import type { Decimal } from '../../core/decimal.js';
import type { Order as OrderProto } from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { OrderStatus as OrderStatusProto } from '../../proto/gen/opensqt/market_maker/v1/types.js';
import type {
  Fill as FillProto,
  PositionData as PositionDataProto,
  PositionPnL as PositionPnLProto,
  PositionSnapshotData as PositionSnapshotDataProto,
  SymbolPnL as SymbolPnLProto,
} from '../../proto/gen/opensqt/market_maker/v1/position.js';
import {
  toProtoDecimal,
  toProtoMs,
  toProtoOptionalDecimal,
  toProtoOrderId,
  toProtoOrderType,
  toProtoSide,
  toProtoTime,
} from '../../connector/codec.js';
import { dec, toPlain } from '../../core/decimal.js';
import type { LedgerOrder } from '../../actors/orders/order-ledger.types.js';
import type { FillRecord } from '../../actors/store/fills.repo.js';
import type { HistoricOrder } from '../../actors/store/order-history.repo.js';
import { unrealizedPct, unrealizedPnl, type PositionFigures } from './position-math.js';

/** Epoch ms to the wire's epoch nanoseconds. */
export function toProtoNs(ms: number): bigint {
  return toProtoMs(ms) * 1_000_000n;
}

/**
 * The wire status of a ledger status: an order whose cancel is pending still rests (NEW or
 * PARTIALLY_FILLED by its fill); one sent but not yet acknowledged has no venue status yet.
 */
function toProtoLedgerStatus(order: LedgerOrder): OrderStatusProto {
  switch (order.status) {
    case 'SUBMITTED':
      return OrderStatusProto.ORDER_STATUS_UNSPECIFIED;
    case 'PENDING_CANCEL':
      return dec(order.filledQuantity).isZero()
        ? OrderStatusProto.ORDER_STATUS_NEW
        : OrderStatusProto.ORDER_STATUS_PARTIALLY_FILLED;
    default:
      return OrderStatusProto[`ORDER_STATUS_${order.status}`];
  }
}

/** An order of ours as the ledger or the index holds it. */
export function toProtoLedgerOrder(order: LedgerOrder | HistoricOrder): OrderProto {
  const createdAtUs = 'createdAtUs' in order ? order.createdAtUs : 0;
  return {
    orderId: toProtoOrderId(order.venueOrderId ?? ''),
    clientOrderId: order.clientOrderId,
    symbol: order.symbol,
    side: toProtoSide(order.side),
    type: toProtoOrderType(order.price === null ? 'MARKET' : 'LIMIT'),
    price: order.price === null ? undefined : { value: order.price },
    quantity: { value: order.quantity },
    executedQty: { value: order.filledQuantity },
    avgPrice: order.avgPrice === null ? undefined : { value: order.avgPrice },
    status: toProtoLedgerStatus(order),
    createdAt: toProtoTime(Math.floor(createdAtUs / 1000)),
    updateTime: toProtoMs(order.updatedAtMs),
    trades: [],
  };
}

/** One execution of the fills ledger; `order_id` is the venue's order id. */
export function toProtoFill(fill: FillRecord): FillProto {
  return {
    fillId: fill.tradeId,
    orderId: fill.venueOrderId,
    symbol: fill.symbol,
    side: fill.side,
    quantity: { value: fill.quantity },
    price: { value: fill.price },
    fee: { value: fill.fee },
    feeCurrency: fill.feeAsset,
    filledAt: toProtoNs(fill.tsEvent),
  };
}

/** A position replayed from fills, valued at `mark` (absent values when no mark is known). */
export function toProtoPosition(
  position: PositionFigures,
  mark: Decimal | null,
): PositionDataProto {
  return {
    symbol: position.symbol,
    exchange: position.venue,
    quantity: toProtoDecimal(position.quantity),
    entryPrice: position.quantity.isZero() ? undefined : toProtoDecimal(position.entryPrice),
    currentPrice: toProtoOptionalDecimal(mark ?? undefined),
    unrealizedPnl: mark === null ? undefined : toProtoDecimal(unrealizedPnl(position, mark)),
    realizedPnl: toProtoDecimal(position.realizedNet),
    openedAt: position.openedAtMs === 0 ? 0n : toProtoNs(position.openedAtMs),
    updatedAt: position.updatedAtMs === 0 ? 0n : toProtoNs(position.updatedAtMs),
  };
}

/** The position right after one fill, valued at that fill's price. */
export function toProtoPositionSnapshot(
  position: PositionFigures,
  price: Decimal,
  atMs: number,
): PositionSnapshotDataProto {
  return {
    symbol: position.symbol,
    quantity: toProtoDecimal(position.quantity),
    entryPrice: position.quantity.isZero() ? undefined : toProtoDecimal(position.entryPrice),
    marketPrice: toProtoDecimal(price),
    unrealizedPnl: toProtoDecimal(unrealizedPnl(position, price)),
    timestamp: toProtoNs(atMs),
  };
}

/**
 * Realized PnL of one symbol; `win_rate` is the fraction of closing fills that beat their fee,
 * 0-1 with 4 decimals, empty when nothing closed.
 */
export function toProtoSymbolPnl(position: PositionFigures): SymbolPnLProto {
  const closed = position.closingTrades;
  return {
    symbol: position.symbol,
    realizedPnl: toProtoDecimal(position.realizedNet),
    numTrades: closed,
    winningTrades: position.wins,
    losingTrades: position.losses,
    winRate: closed === 0 ? '' : toPlain(dec(position.wins).div(closed).toDecimalPlaces(4)),
  };
}

/** Unrealized PnL of one position; `pnl_percentage` is of the entry notional, 2 decimals. */
export function toProtoPositionPnl(position: PositionFigures, mark: Decimal): PositionPnLProto {
  const pct = unrealizedPct(position, mark);
  return {
    symbol: position.symbol,
    quantity: toProtoDecimal(position.quantity),
    entryPrice: position.quantity.isZero() ? undefined : toProtoDecimal(position.entryPrice),
    currentPrice: toProtoDecimal(mark),
    unrealizedPnl: toProtoDecimal(unrealizedPnl(position, mark)),
    pnlPercentage: pct === null ? '' : toPlain(pct.toDecimalPlaces(2)),
  };
}
