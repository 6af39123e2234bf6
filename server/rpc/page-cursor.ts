/**
 * @module server/rpc/page-cursor
 * The opaque cursors of GetFills and GetOrderHistory: base64url of a small JSON document holding
 * the last row's page key, which RPC issued it and a fingerprint of the query (symbols, time
 * range). A cursor is stable (keyset: rows added later never shift a page) and validated: one
 * that does not decode, belongs to the other RPC or to a different query is INVALID_ARGUMENT
 * naming `cursor` and saying what to send instead.
 */
import { createHash } from 'node:crypto';

import { invalidArgument } from '../../core/errors.js';
import type { FillPageKey, OrderPageKey } from '../../actors/store/order-history.repo.js';

/** Longest cursor accepted; issued ones are about 120 characters. */
export const MAX_CURSOR_LENGTH = 512;

const CURSOR = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CURSOR_LENGTH}}$`);
const VERSION = 1;
const RESTART = 'pass next_cursor of the previous page unchanged, or none for the first page';

/** Which paged RPC a cursor belongs to. */
export type CursorKind = 'fills' | 'orders';

/** What a page was asked for: a cursor only continues the same query. */
export interface CursorQuery {
  readonly symbols: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
}

interface Document {
  readonly v: number;
  readonly k: CursorKind;
  readonly q: string;
  readonly a: readonly (string | number)[];
}

function fingerprint(query: CursorQuery): string {
  const canonical = JSON.stringify([[...query.symbols].sort(), query.fromMs, query.toMs]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function encode(kind: CursorKind, query: CursorQuery, after: (string | number)[]): string {
  const doc: Document = { v: VERSION, k: kind, q: fingerprint(query), a: after };
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

/** The cursor of the page after the one ending with `key`. */
export function fillsCursor(query: CursorQuery, key: FillPageKey): string {
  return encode('fills', query, [key.tsEvent, key.venue, key.tradeId]);
}

/** The cursor of the page after the one ending with `key`. */
export function ordersCursor(query: CursorQuery, key: OrderPageKey): string {
  return encode('orders', query, [key.createdAtUs, key.clientOrderId]);
}

/**
 * Reads a cursor of GetFills.
 * @returns null for an empty cursor (the first page)
 * @throws {ExchangeError} INVALID_ARGUMENT naming `cursor`
 */
export function readFillsCursor(text: string, query: CursorQuery): FillPageKey | null {
  const after = decode(text, 'fills', query);
  if (after === null) return null;
  const [tsEvent, venue, tradeId] = after;
  if (!isTime(tsEvent) || !isText(venue) || !isText(tradeId)) throw garbled();
  return { tsEvent, venue, tradeId };
}

/**
 * Reads a cursor of GetOrderHistory.
 * @returns null for an empty cursor (the first page)
 * @throws {ExchangeError} INVALID_ARGUMENT naming `cursor`
 */
export function readOrdersCursor(text: string, query: CursorQuery): OrderPageKey | null {
  const after = decode(text, 'orders', query);
  if (after === null) return null;
  const [createdAtUs, clientOrderId] = after;
  if (!isTime(createdAtUs) || !isText(clientOrderId)) throw garbled();
  return { createdAtUs, clientOrderId };
}

const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isText = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= 128;

function garbled() {
  return invalidArgument('cursor', `is not a cursor this engine issued; ${RESTART}`);
}

function decode(text: string, kind: CursorKind, query: CursorQuery): unknown[] | null {
  if (text === '') return null;
  if (!CURSOR.test(text)) {
    throw invalidArgument(
      'cursor',
      `must be at most ${MAX_CURSOR_LENGTH} base64url characters, was ${text.length} characters; ${RESTART}`,
    );
  }
  let doc: Partial<Document>;
  try {
    doc = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Document>;
  } catch {
    throw garbled();
  }
  if (typeof doc !== 'object' || doc === null || doc.v !== VERSION || !Array.isArray(doc.a)) {
    throw garbled();
  }
  if (doc.k !== kind) {
    const owner = doc.k === 'fills' ? 'GetFills' : 'GetOrderHistory';
    throw invalidArgument('cursor', `was issued by ${owner}; ${RESTART}`);
  }
  if (doc.q !== fingerprint(query)) {
    throw invalidArgument(
      'cursor',
      'was issued for other symbols or another time range; repeat the symbols, start_time and ' +
        'end_time of the first page, or send no cursor to start again',
    );
  }
  return doc.a;
}
