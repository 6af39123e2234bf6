/**
 * @module actors/store/fills.repo
 * The fills ledger: every execution the venue reported, recorded once. A trade is identified by
 * (venue, trade id), so a fill replayed by a reconnecting stream or by reconciliation is a no-op.
 * Amounts are stored as NUMERIC and read back as decimal strings; totals are summed with
 * decimal.js, never with floats.
 */
import type { Trade } from '../../core/exchange.types.js';
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { ClientOrderId, Side, SymbolId } from '../../core/types.js';
import type { Sql } from './database.js';

/** One execution. Amounts are decimal strings; `price` and `fee` are in quote / fee-asset units. */
export interface FillRecord {
  readonly venue: string;
  readonly tradeId: string;
  readonly symbol: SymbolId;
  readonly venueOrderId: string;
  /** Our id for the order, when the order is ours. */
  readonly clientOrderId: ClientOrderId | null;
  readonly side: Side;
  readonly price: string;
  /** Base units. */
  readonly quantity: string;
  readonly fee: string;
  readonly feeAsset: string;
  /** Realized PnL the venue reported for this fill (futures); "0" where it reports none. */
  readonly realizedPnl: string;
  readonly isMaker: boolean;
  /** Venue time of the execution, epoch ms UTC. */
  readonly tsEvent: number;
}

/** Sums over a symbol's fills, as decimal strings. */
export interface FillTotals {
  readonly symbol: SymbolId;
  readonly fills: number;
  readonly boughtQuantity: string;
  readonly soldQuantity: string;
  /** Sum of price × quantity over buys (quote units). */
  readonly boughtNotional: string;
  readonly soldNotional: string;
  /** Bought minus sold quantity: the position the fills built (base units). */
  readonly netQuantity: string;
  /** Sold minus bought notional, before fees (quote units). */
  readonly netNotional: string;
  /** Fees per fee asset. */
  readonly fees: Readonly<Record<string, string>>;
  /** Sum of the venue-reported realized PnL. */
  readonly realizedPnl: string;
}

/** Builds the ledger record of a trade the venue reported. */
export function fillFromTrade(
  venue: string,
  trade: Trade,
  clientOrderId: ClientOrderId | null,
): FillRecord {
  return {
    venue,
    tradeId: trade.tradeId,
    symbol: trade.symbol as SymbolId,
    venueOrderId: trade.orderId,
    clientOrderId,
    side: trade.side,
    price: toPlain(trade.price),
    quantity: toPlain(trade.quantity),
    fee: toPlain(trade.fee),
    feeAsset: trade.feeAsset,
    realizedPnl: toPlain(trade.realizedPnl),
    isMaker: trade.isMaker,
    tsEvent: trade.timeMs,
  };
}

/** One fills row as the queries select it. */
export interface FillRow {
  venue: string;
  trade_id: string;
  symbol: string;
  venue_order_id: string;
  client_order_id: string | null;
  side: Side;
  price: string;
  quantity: string;
  fee: string;
  fee_asset: string;
  realized_pnl: string;
  is_maker: boolean;
  ts_event: string;
}

export class FillsRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Records `fill` unless its (venue, trade id) is already recorded.
   * @returns true when recorded now, false for a duplicate
   * @throws {Error} when an amount is not a finite decimal
   */
  async append(fill: FillRecord): Promise<boolean> {
    const result = await this.#sql`
      INSERT INTO fills (venue, trade_id, symbol, venue_order_id, client_order_id, side, price,
                         quantity, fee, fee_asset, realized_pnl, is_maker, ts_event)
      VALUES (${fill.venue}, ${fill.tradeId}, ${fill.symbol}, ${fill.venueOrderId},
              ${fill.clientOrderId}, ${fill.side}, ${amount(fill.price)},
              ${amount(fill.quantity)}, ${amount(fill.fee)}, ${fill.feeAsset},
              ${amount(fill.realizedPnl)}, ${fill.isMaker}, ${fill.tsEvent})
      ON CONFLICT (venue, trade_id) DO NOTHING`;
    return result.count === 1;
  }

  /** Fills of `symbol` in execution order, from `sinceMs` (inclusive) when given. */
  async listBySymbol(symbol: SymbolId, sinceMs = 0): Promise<FillRecord[]> {
    const rows = await this.#sql<FillRow[]>`
      SELECT venue, trade_id, symbol, venue_order_id, client_order_id, side, price, quantity,
             fee, fee_asset, realized_pnl, is_maker, ts_event
      FROM fills WHERE symbol = ${symbol} AND ts_event >= ${sinceMs}
      ORDER BY ts_event, venue, trade_id`;
    return rows.map(fillFromRow);
  }

  /** Totals over every fill of `symbol`. */
  async totals(symbol: SymbolId): Promise<FillTotals> {
    const fills = await this.listBySymbol(symbol);
    let bought = ZERO;
    let sold = ZERO;
    let boughtNotional = ZERO;
    let soldNotional = ZERO;
    let realizedPnl = ZERO;
    const fees = new Map<string, Decimal>();
    for (const fill of fills) {
      const quantity = dec(fill.quantity);
      const notional = dec(fill.price).mul(quantity);
      if (fill.side === 'BUY') {
        bought = bought.add(quantity);
        boughtNotional = boughtNotional.add(notional);
      } else {
        sold = sold.add(quantity);
        soldNotional = soldNotional.add(notional);
      }
      fees.set(fill.feeAsset, (fees.get(fill.feeAsset) ?? ZERO).add(dec(fill.fee)));
      realizedPnl = realizedPnl.add(dec(fill.realizedPnl));
    }
    return {
      symbol,
      fills: fills.length,
      boughtQuantity: toPlain(bought),
      soldQuantity: toPlain(sold),
      boughtNotional: toPlain(boughtNotional),
      soldNotional: toPlain(soldNotional),
      netQuantity: toPlain(bought.sub(sold)),
      netNotional: toPlain(soldNotional.sub(boughtNotional)),
      fees: Object.fromEntries([...fees].map(([asset, total]) => [asset, toPlain(total)])),
      realizedPnl: toPlain(realizedPnl),
    };
  }
}

/** Validates a decimal string for NUMERIC, which would also accept 'NaN' and 'Infinity'. */
function amount(value: string): string {
  return toPlain(dec(value));
}

/** A fills row as the domain's fill record. */
export function fillFromRow(row: FillRow): FillRecord {
  return {
    venue: row.venue,
    tradeId: row.trade_id,
    symbol: row.symbol as SymbolId,
    venueOrderId: row.venue_order_id,
    clientOrderId: row.client_order_id as ClientOrderId | null,
    side: row.side,
    price: toPlain(dec(row.price)),
    quantity: toPlain(dec(row.quantity)),
    fee: toPlain(dec(row.fee)),
    feeAsset: row.fee_asset,
    realizedPnl: toPlain(dec(row.realized_pnl)),
    isMaker: row.is_maker,
    tsEvent: Number(row.ts_event),
  };
}
