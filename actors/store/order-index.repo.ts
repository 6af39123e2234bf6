/**
 * @module actors/store/order-index.repo
 * The one order index (STYLE convention 11), persisted: keyed by our client order id, mapping it
 * both ways to the venue's order id, with each order's status, cumulative fill, average price and
 * the trades that filled it (fills rows carry the client order id). The order ledger
 * (actors/orders) is its only writer: it decides every status with the order status table and
 * writes the result here together with the trades, in one transaction. Each row carries the
 * ledger's revision, and a write never replaces a newer revision, so writes of one order may land
 * in any order (an intent saved with the actor's snapshot after a report already moved it on). Reads serve the ledger's
 * warm-up at start and anyone who checks the index against the venue.
 */
import type postgres from 'postgres';

import { dec, toPlain } from '../../core/decimal.js';
import type { ClientOrderId, Side, SymbolId } from '../../core/types.js';
import type { LedgerStatus } from '../orders/order-status.table.js';
import type { Sql } from './database.js';
import { FillsRepo, type FillRecord } from './fills.repo.js';

/** One order as the index knows it. Amounts are decimal strings. */
export interface IndexedOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venue: string;
  readonly symbol: SymbolId;
  /** Null until the venue acknowledged the order. */
  readonly venueOrderId: string | null;
  readonly side: Side;
  /** Null for market orders. */
  readonly price: string | null;
  /** Base units. */
  readonly quantity: string;
  /** Cumulative executed quantity, base units. */
  readonly filledQuantity: string;
  /** Average execution price, quote units; null before the first fill. */
  readonly avgPrice: string | null;
  /** Closing (reduce-only) orders never add exposure. */
  readonly reduceOnly: boolean;
  /** The grid slot that owns the order, if a grid slot does. */
  readonly slotIndex: number | null;
  readonly status: LedgerStatus;
  /** Why the venue refused the order (the port's reason), for REJECTED. */
  readonly rejectReason: string | null;
  /** The ledger's revision of this order, +1 per change; an older one never overwrites a newer. */
  readonly revision: number;
  /** Last change, epoch ms. */
  readonly updatedAtMs: number;
}

/** One order_index row as the queries select it. */
export interface OrderIndexRow {
  client_order_id: string;
  venue: string;
  symbol: string;
  venue_order_id: string | null;
  side: Side;
  price: string | null;
  quantity: string;
  filled_quantity: string;
  avg_price: string | null;
  reduce_only: boolean;
  slot_index: number | null;
  status: LedgerStatus;
  reject_reason: string | null;
  revision: string;
  updated_ms: string;
}

const SELECT = (sql: Sql) => sql`
  SELECT client_order_id, venue, symbol, venue_order_id, side, price, quantity, filled_quantity,
         avg_price, reduce_only, slot_index, status, reject_reason, revision,
         (extract(epoch FROM updated_at) * 1000)::bigint AS updated_ms
  FROM order_index`;

const LIVE: readonly LedgerStatus[] = ['SUBMITTED', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];

export class OrderIndexRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Writes each order as the ledger decided it (insert, or replace the row of the same client
   * order id) and appends the trades not recorded yet, all in one transaction.
   * @param orders - the orders' new states
   * @param fills - trades the reports carried; duplicates of recorded trades are skipped
   * @returns for each fill, true when it was recorded now
   */
  async record(orders: readonly IndexedOrder[], fills: readonly FillRecord[] = []) {
    if (orders.length === 0 && fills.length === 0) return [];
    return this.#sql.begin((tx) => recordOrders(tx, orders, fills));
  }

  /** Net base units of `symbol` on `venue` bought minus sold by fills of our orders. */
  async heldInventory(venue: string, symbol: SymbolId): Promise<string> {
    const [row] = await this.#sql<{ held: string }[]>`
      SELECT coalesce(sum(CASE WHEN side = 'BUY' THEN quantity ELSE -quantity END), 0)::text
             AS held
      FROM fills
      WHERE venue = ${venue} AND symbol = ${symbol} AND client_order_id IS NOT NULL`;
    return toPlain(dec(row?.held ?? '0'));
  }

  /** The entry for our client order id, or null. */
  async byClientOrderId(clientOrderId: ClientOrderId): Promise<IndexedOrder | null> {
    const [row] = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE client_order_id = ${clientOrderId}`;
    return row ? orderFromRow(row) : null;
  }

  /** The entry for the venue's order id, or null. */
  async byVenueOrderId(venue: string, venueOrderId: string): Promise<IndexedOrder | null> {
    const [row] = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE venue = ${venue} AND venue_order_id = ${venueOrderId}`;
    return row ? orderFromRow(row) : null;
  }

  /** Every order of `symbol` on `venue` not yet final (the ledger's warm-up), oldest first. */
  async live(venue: string, symbol: SymbolId): Promise<IndexedOrder[]> {
    const rows = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE venue = ${venue} AND symbol = ${symbol} AND status IN ${this.#sql([...LIVE])}
      ORDER BY created_at, client_order_id`;
    return rows.map(orderFromRow);
  }

  /** The `limit` orders of `symbol` on `venue` that changed last, newest first. */
  async recent(venue: string, symbol: SymbolId, limit: number): Promise<IndexedOrder[]> {
    const rows = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE venue = ${venue} AND symbol = ${symbol}
      ORDER BY updated_at DESC, client_order_id LIMIT ${limit}`;
    return rows.map(orderFromRow);
  }

  /** Orders of `symbol` resting on the venue (NEW, PARTIALLY_FILLED, PENDING_CANCEL). */
  async openOrders(symbol: SymbolId): Promise<IndexedOrder[]> {
    return this.#withStatus(symbol, ['NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL']);
  }

  /** Orders of `symbol` with a request unanswered (SUBMITTED, PENDING_CANCEL). */
  async inflightOrders(symbol: SymbolId): Promise<IndexedOrder[]> {
    return this.#withStatus(symbol, ['SUBMITTED', 'PENDING_CANCEL']);
  }

  /** Every order of `symbol`, oldest first. */
  async all(symbol: SymbolId): Promise<IndexedOrder[]> {
    const rows = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE symbol = ${symbol} ORDER BY created_at, client_order_id`;
    return rows.map(orderFromRow);
  }

  async #withStatus(symbol: SymbolId, statuses: readonly LedgerStatus[]) {
    const rows = await this.#sql<OrderIndexRow[]>`${SELECT(this.#sql)}
      WHERE symbol = ${symbol} AND status IN ${this.#sql([...statuses])}
      ORDER BY created_at, client_order_id`;
    return rows.map(orderFromRow);
  }
}

/**
 * Writes orders and appends fills inside the caller's transaction (see `OrderIndexRepo.record`).
 * @returns for each fill, true when it was recorded now
 */
export async function recordOrders(
  tx: postgres.TransactionSql,
  orders: readonly IndexedOrder[],
  fills: readonly FillRecord[],
): Promise<boolean[]> {
  for (const order of orders) await writeOrder(tx, order);
  // The transaction client takes the same tagged-template queries as the pool
  const ledger = new FillsRepo(tx as unknown as Sql);
  const recorded: boolean[] = [];
  for (const fill of fills) recorded.push(await ledger.append(fill));
  return recorded;
}

async function writeOrder(tx: postgres.TransactionSql, order: IndexedOrder): Promise<void> {
  const price = order.price === null ? null : toPlain(dec(order.price));
  const avgPrice = order.avgPrice === null ? null : toPlain(dec(order.avgPrice));
  await tx`
    INSERT INTO order_index AS o (client_order_id, venue, symbol, venue_order_id, side, price,
                                  quantity, filled_quantity, avg_price, reduce_only, slot_index,
                                  status, reject_reason, revision)
    VALUES (${order.clientOrderId}, ${order.venue}, ${order.symbol}, ${order.venueOrderId},
            ${order.side}, ${price}, ${toPlain(dec(order.quantity))},
            ${toPlain(dec(order.filledQuantity))}, ${avgPrice}, ${order.reduceOnly},
            ${order.slotIndex}, ${order.status}, ${order.rejectReason}, ${order.revision})
    ON CONFLICT (client_order_id) DO UPDATE SET
      venue_order_id = EXCLUDED.venue_order_id,
      filled_quantity = EXCLUDED.filled_quantity,
      avg_price = EXCLUDED.avg_price,
      status = EXCLUDED.status,
      reject_reason = EXCLUDED.reject_reason,
      revision = EXCLUDED.revision,
      updated_at = now()
    WHERE o.revision < EXCLUDED.revision`;
}

/** An order_index row as the domain's indexed order. */
export function orderFromRow(row: OrderIndexRow): IndexedOrder {
  return {
    clientOrderId: row.client_order_id as ClientOrderId,
    venue: row.venue,
    symbol: row.symbol as SymbolId,
    venueOrderId: row.venue_order_id,
    side: row.side,
    price: row.price === null ? null : toPlain(dec(row.price)),
    quantity: toPlain(dec(row.quantity)),
    filledQuantity: toPlain(dec(row.filled_quantity)),
    avgPrice: row.avg_price === null ? null : toPlain(dec(row.avg_price)),
    reduceOnly: row.reduce_only,
    slotIndex: row.slot_index,
    status: row.status,
    rejectReason: row.reject_reason,
    revision: Number(row.revision),
    updatedAtMs: Number(row.updated_ms),
  };
}
