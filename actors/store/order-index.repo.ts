/**
 * @module actors/store/order-index.repo
 * The one order index (STYLE convention 11): keyed by our client order id, mapping it both ways
 * to the venue's order id, and answering which orders of a symbol are open or still in flight.
 *
 * Reports reach the index out of order (a fill can overtake the placement ack, a workflow's
 * result can land after the order stream's update), so a write only ever moves an order forward
 * along SUBMITTED → NEW → PARTIALLY_FILLED → final, and the first final status wins.
 */
import { dec, toPlain } from '../../core/decimal.js';
import type { ClientOrderId, OrderStatus, Side, SymbolId } from '../../core/types.js';
import type { Sql } from './database.js';

/** SUBMITTED: sent to the venue, not yet acknowledged. */
export type IndexedOrderStatus = 'SUBMITTED' | OrderStatus;

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
  readonly quantity: string;
  /** The grid slot that owns the order, if a grid slot does. */
  readonly slotIndex: number | null;
  readonly status: IndexedOrderStatus;
}

interface Row {
  client_order_id: string;
  venue: string;
  symbol: string;
  venue_order_id: string | null;
  side: Side;
  price: string | null;
  quantity: string;
  slot_index: number | null;
  status: IndexedOrderStatus;
}

const COLUMNS = [
  'client_order_id',
  'venue',
  'symbol',
  'venue_order_id',
  'side',
  'price',
  'quantity',
  'slot_index',
  'status',
];

export class OrderIndexRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Inserts `order`, or merges it into the entry with the same client order id: the status moves
   * only forward, a known venue order id is kept when `order` has none.
   * @returns the entry as stored after the merge
   */
  async upsert(order: IndexedOrder): Promise<IndexedOrder> {
    const [row] = await this.#sql<Row[]>`
      INSERT INTO order_index AS o (client_order_id, venue, symbol, venue_order_id, side, price,
                                    quantity, slot_index, status)
      VALUES (${order.clientOrderId}, ${order.venue}, ${order.symbol}, ${order.venueOrderId},
              ${order.side}, ${order.price === null ? null : toPlain(dec(order.price))},
              ${toPlain(dec(order.quantity))}, ${order.slotIndex}, ${order.status})
      ON CONFLICT (client_order_id) DO UPDATE SET
        venue_order_id = COALESCE(EXCLUDED.venue_order_id, o.venue_order_id),
        status = CASE
          WHEN order_status_rank(EXCLUDED.status) > order_status_rank(o.status)
            OR (EXCLUDED.status = o.status AND order_status_rank(o.status) < 3)
          THEN EXCLUDED.status ELSE o.status END,
        updated_at = now()
      RETURNING ${this.#sql(COLUMNS)}`;
    return fromRow(row as Row);
  }

  /**
   * Records that a placement of `order` is starting: inserts it as SUBMITTED on its first start
   * and counts every start, in one statement, so the placement step pays one write.
   * @returns the count including this start: above 1, an earlier attempt may have reached the venue
   */
  async startPlacement(order: IndexedOrder): Promise<number> {
    const [row] = await this.#sql<{ placement_attempts: number }[]>`
      INSERT INTO order_index AS o (client_order_id, venue, symbol, side, price, quantity,
                                    slot_index, status, placement_attempts)
      VALUES (${order.clientOrderId}, ${order.venue}, ${order.symbol}, ${order.side},
              ${order.price === null ? null : toPlain(dec(order.price))},
              ${toPlain(dec(order.quantity))}, ${order.slotIndex}, 'SUBMITTED', 1)
      ON CONFLICT (client_order_id) DO UPDATE SET
        placement_attempts = o.placement_attempts + 1,
        updated_at = now()
      RETURNING o.placement_attempts`;
    return (row as { placement_attempts: number }).placement_attempts;
  }

  /**
   * Moves the order to `status` (forward only; see the module doc), recording `venueOrderId`
   * when given.
   * @returns the entry after the update, or null when the index has no such order
   */
  async setStatus(
    clientOrderId: ClientOrderId,
    status: IndexedOrderStatus,
    venueOrderId: string | null = null,
  ): Promise<IndexedOrder | null> {
    const [row] = await this.#sql<Row[]>`
      UPDATE order_index SET
        venue_order_id = COALESCE(${venueOrderId}, venue_order_id),
        status = CASE WHEN order_status_rank(${status}) > order_status_rank(status)
                      THEN ${status} ELSE status END,
        updated_at = now()
      WHERE client_order_id = ${clientOrderId}
      RETURNING ${this.#sql(COLUMNS)}`;
    return row ? fromRow(row) : null;
  }

  /** The entry for our client order id, or null. */
  async byClientOrderId(clientOrderId: ClientOrderId): Promise<IndexedOrder | null> {
    const [row] = await this.#sql<Row[]>`
      SELECT ${this.#sql(COLUMNS)} FROM order_index
      WHERE client_order_id = ${clientOrderId}`;
    return row ? fromRow(row) : null;
  }

  /** The entry for the venue's order id, or null. */
  async byVenueOrderId(venue: string, venueOrderId: string): Promise<IndexedOrder | null> {
    const [row] = await this.#sql<Row[]>`
      SELECT ${this.#sql(COLUMNS)} FROM order_index
      WHERE venue = ${venue} AND venue_order_id = ${venueOrderId}`;
    return row ? fromRow(row) : null;
  }

  /** Orders of `symbol` resting on the venue (NEW or PARTIALLY_FILLED), oldest first. */
  async openOrders(symbol: SymbolId): Promise<IndexedOrder[]> {
    return this.#withStatus(symbol, ['NEW', 'PARTIALLY_FILLED']);
  }

  /** Orders of `symbol` sent but not yet acknowledged, oldest first. */
  async inflightOrders(symbol: SymbolId): Promise<IndexedOrder[]> {
    return this.#withStatus(symbol, ['SUBMITTED']);
  }

  /**
   * Marks every open order of `symbol` on `venue` canceled, after a cancel-all the venue accepted.
   * @returns how many entries changed
   */
  async cancelOpenOrders(venue: string, symbol: SymbolId): Promise<number> {
    const result = await this.#sql`
      UPDATE order_index SET status = 'CANCELED', updated_at = now()
      WHERE venue = ${venue} AND symbol = ${symbol} AND status IN ('NEW', 'PARTIALLY_FILLED')`;
    return result.count;
  }

  async #withStatus(
    symbol: SymbolId,
    statuses: readonly IndexedOrderStatus[],
  ): Promise<IndexedOrder[]> {
    const rows = await this.#sql<Row[]>`
      SELECT ${this.#sql(COLUMNS)} FROM order_index
      WHERE symbol = ${symbol} AND status IN ${this.#sql([...statuses])}
      ORDER BY created_at, client_order_id`;
    return rows.map(fromRow);
  }
}

function fromRow(row: Row): IndexedOrder {
  return {
    clientOrderId: row.client_order_id as ClientOrderId,
    venue: row.venue,
    symbol: row.symbol as SymbolId,
    venueOrderId: row.venue_order_id,
    side: row.side,
    price: row.price === null ? null : toPlain(dec(row.price)),
    quantity: toPlain(dec(row.quantity)),
    slotIndex: row.slot_index,
    status: row.status,
  };
}
