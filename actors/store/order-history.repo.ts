/**
 * @module actors/store/order-history.repo
 * Reads of the order index and the fills ledger for the engine's gRPC API: pages over a time
 * range in a stable order (orders by creation, fills by execution time), resumed after the last
 * row of the previous page (keyset pagination: rows added meanwhile never shift or repeat a
 * page), and lookups of one order by either id with the trades that filled it. Read-only: the
 * order ledger stays the only writer.
 */
import type postgres from 'postgres';

import type { Sql } from './database.js';
import { fillFromRow, type FillRecord, type FillRow } from './fills.repo.js';
import { orderFromRow, type IndexedOrder, type OrderIndexRow } from './order-index.repo.js';

/** An order of the index with the time it was first recorded. */
export interface HistoricOrder extends IndexedOrder {
  /** When the order was first recorded, epoch microseconds (the page key, exact). */
  readonly createdAtUs: number;
}

/** Where a page of orders resumes: after this (creation time, client order id). */
export interface OrderPageKey {
  readonly createdAtUs: number;
  readonly clientOrderId: string;
}

/** Where a page of fills resumes: after this (execution time, venue, trade id). */
export interface FillPageKey {
  readonly tsEvent: number;
  readonly venue: string;
  readonly tradeId: string;
}

/** A page request: symbols (empty = all), a half-open time range [fromMs, toMs), a size. */
export interface PageQuery<K> {
  readonly symbols: readonly string[];
  /** Inclusive lower bound, epoch ms; 0 = unbounded. */
  readonly fromMs: number;
  /** Exclusive upper bound, epoch ms; 0 = unbounded. */
  readonly toMs: number;
  /** Rows wanted; the repo reads one more to tell whether another page follows. */
  readonly limit: number;
  readonly after: K | null;
}

/** A page and whether rows follow it. */
export interface Page<T> {
  readonly rows: readonly T[];
  readonly more: boolean;
}

interface OrderRow extends OrderIndexRow {
  created_us: string;
}

interface RecordedFillRow extends FillRow {
  recorded_ms: string;
}

const CREATED_US = (sql: Sql) => sql`(extract(epoch FROM created_at) * 1000000)::bigint`;

const ORDER_COLUMNS = (sql: Sql) => sql`
  client_order_id, venue, symbol, venue_order_id, side, price, quantity, filled_quantity,
  avg_price, reduce_only, slot_index, status, reject_reason, revision,
  (extract(epoch FROM updated_at) * 1000)::bigint AS updated_ms, ${CREATED_US(sql)} AS created_us`;

const FILL_COLUMNS = (sql: Sql) => sql`
  venue, trade_id, symbol, venue_order_id, client_order_id, side, price, quantity, fee, fee_asset,
  realized_pnl, is_maker, ts_event, (extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_ms`;

/** Read-only queries over the order index and the fills ledger; see the module doc. */
export class OrderHistoryRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** One page of orders by creation time, oldest first. */
  async orders(query: PageQuery<OrderPageKey>): Promise<Page<HistoricOrder>> {
    const sql = this.#sql;
    // Bounds on created_at itself (exact integer µs / ms from the epoch), so order_index_page serves
    const at = (us: number) =>
      sql`(timestamptz 'epoch' + ${us}::bigint * interval '1 microsecond')`;
    const rows = await sql<OrderRow[]>`
      SELECT ${ORDER_COLUMNS(sql)} FROM order_index
      WHERE true
        ${symbolsIn(sql, query.symbols)}
        ${query.fromMs > 0 ? sql`AND created_at >= ${at(query.fromMs * 1000)}` : sql``}
        ${query.toMs > 0 ? sql`AND created_at < ${at(query.toMs * 1000)}` : sql``}
        ${
          query.after
            ? sql`AND (created_at, client_order_id) >
                      (${at(query.after.createdAtUs)}, ${query.after.clientOrderId})`
            : sql``
        }
      ORDER BY created_at, client_order_id
      LIMIT ${query.limit + 1}`;
    return page(rows.map(historicFromRow), query.limit);
  }

  /** One page of fills by execution time, oldest first. */
  async fills(query: PageQuery<FillPageKey>): Promise<Page<FillRecord>> {
    const sql = this.#sql;
    const rows = await sql<RecordedFillRow[]>`
      SELECT ${FILL_COLUMNS(sql)} FROM fills
      WHERE true
        ${symbolsIn(sql, query.symbols)}
        ${query.fromMs > 0 ? sql`AND ts_event >= ${query.fromMs}` : sql``}
        ${query.toMs > 0 ? sql`AND ts_event < ${query.toMs}` : sql``}
        ${
          query.after
            ? sql`AND (ts_event, venue, trade_id) >
                      (${query.after.tsEvent}, ${query.after.venue}, ${query.after.tradeId})`
            : sql``
        }
      ORDER BY ts_event, venue, trade_id
      LIMIT ${query.limit + 1}`;
    return page(rows.map(fillFromRow), query.limit);
  }

  /**
   * The order with our client order id, else the one with the venue's order id (on any venue).
   * @returns null when neither id is known
   */
  async order(id: string): Promise<HistoricOrder | null> {
    const sql = this.#sql;
    const [row] = await sql<OrderRow[]>`
      SELECT ${ORDER_COLUMNS(sql)} FROM order_index
      WHERE client_order_id = ${id} OR venue_order_id = ${id}
      ORDER BY (client_order_id = ${id}) DESC, created_at
      LIMIT 1`;
    return row ? historicFromRow(row) : null;
  }

  /** The trades that filled `order`, in execution order. */
  async fillsOf(order: IndexedOrder): Promise<FillRecord[]> {
    const sql = this.#sql;
    const rows = await sql<RecordedFillRow[]>`
      SELECT ${FILL_COLUMNS(sql)} FROM fills
      WHERE client_order_id = ${order.clientOrderId}
         OR (venue = ${order.venue} AND venue_order_id = ${order.venueOrderId ?? ''})
      ORDER BY ts_event, venue, trade_id`;
    return rows.map(fillFromRow);
  }

  /**
   * Fills of our orders (a client order id of ours) executed before `toMs`, oldest first: what
   * positions and realized PnL are computed from.
   * @param symbols - empty = every symbol
   * @param toMs - exclusive upper bound, epoch ms; 0 = unbounded
   */
  async ownFills(symbols: readonly string[], toMs = 0): Promise<FillRecord[]> {
    const sql = this.#sql;
    const rows = await sql<RecordedFillRow[]>`
      SELECT ${FILL_COLUMNS(sql)} FROM fills
      WHERE client_order_id IS NOT NULL
        ${symbolsIn(sql, symbols)}
        ${toMs > 0 ? sql`AND ts_event < ${toMs}` : sql``}
      ORDER BY ts_event, venue, trade_id`;
    return rows.map(fillFromRow);
  }

  /**
   * Fills of our orders recorded at or after `sinceMs` (the database's clock, not the venue's),
   * oldest first, at most `RECORDED_PAGE` of them: what a position stream polls. Commits can land
   * out of recording order, so callers overlap windows and drop fills they have seen.
   * @param sinceMs - epoch ms on the database's clock; null reads only the clock
   * @returns the database's time now and the fills
   */
  async recordedSince(sinceMs: number | null): Promise<RecordedFills> {
    const sql = this.#sql;
    const [clock] = await sql<{ now_ms: string }[]>`
      SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms`;
    const nowMs = Number(clock?.now_ms ?? 0);
    if (sinceMs === null) return { nowMs, fills: [] };
    const rows = await sql<RecordedFillRow[]>`
      SELECT ${FILL_COLUMNS(sql)} FROM fills
      WHERE client_order_id IS NOT NULL
        AND (extract(epoch FROM recorded_at) * 1000) >= ${Math.max(0, sinceMs)}
      ORDER BY recorded_at, venue, trade_id
      LIMIT ${RECORDED_PAGE}`;
    return {
      nowMs,
      fills: rows.map((row) => ({ ...fillFromRow(row), recordedAtMs: Number(row.recorded_ms) })),
    };
  }
}

/** Most fills one `recordedSince` returns; a full page means more follow. */
export const RECORDED_PAGE = 10_000;

/** What `recordedSince` returns. */
export interface RecordedFills {
  /** The database's clock when asked, epoch ms. */
  readonly nowMs: number;
  readonly fills: readonly (FillRecord & { readonly recordedAtMs: number })[];
}

function symbolsIn(sql: Sql, symbols: readonly string[]): postgres.PendingQuery<postgres.Row[]> {
  return symbols.length === 0 ? sql`` : sql`AND symbol IN ${sql([...symbols])}`;
}

function page<T>(rows: T[], limit: number): Page<T> {
  return rows.length > limit ? { rows: rows.slice(0, limit), more: true } : { rows, more: false };
}

function historicFromRow(row: OrderRow): HistoricOrder {
  return { ...orderFromRow(row), createdAtUs: Number(row.created_us) };
}
