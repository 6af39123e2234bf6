/**
 * @module server/rpc/request-checks
 * Edge checks of the engine's gRPC requests, run before anything is read: lists are bounded,
 * symbols follow the connector's alphabet (connector/request-validation), times are epoch
 * milliseconds in a sane range, limits are in range, ids and free text are bounded and printable.
 * A refusal is INVALID_ARGUMENT naming the wire field and the fix, quoting at most a short prefix
 * of the value.
 */
import { invalidArgument, quoteInput } from '../../core/errors.js';
import { requireSymbol } from '../../connector/request-validation.js';

/** What the engine's API accepts; README "Engine gRPC API" documents the same numbers. */
export const RPC_LIMITS = {
  /** Symbols in one request's `symbols` (none = every symbol). */
  symbols: 200,
  /** Venue names in `exchanges`, and their length. */
  exchanges: 16,
  exchangeLength: 32,
  /** Rows of a GetFills / GetOrderHistory page; 0 asks for the default. */
  pageLimit: 1000,
  defaultPageLimit: 100,
  /** An order id: our client order id or the venue's id. */
  orderIdLength: 64,
  /** Free text (a breaker's reason, a limit change's reason). */
  reasonLength: 256,
  /** Reconciliation ids this engine issues are `rec-` and 32 hex characters. */
  reconciliationIdLength: 64,
  /** Symbols in one SimulateMargin. */
  proposals: 100,
  /**
   * Latest accepted time, epoch ms (year 2286): a bigger value is a time in µs or ns, which
   * the refusal says.
   */
  maxTimeMs: 9_999_999_999_999,
} as const;

const EXCHANGE = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${RPC_LIMITS.exchangeLength - 1}}$`);
const ORDER_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${RPC_LIMITS.orderIdLength - 1}}$`);
const RECONCILIATION_ID = /^rec-[0-9a-f]{32}$/;
// Control characters would break log lines and alert texts
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A list of symbols; empty means every symbol.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `symbols` or `symbols[i]`
 */
export function checkSymbols(symbols: readonly string[], field = 'symbols'): void {
  if (symbols.length > RPC_LIMITS.symbols) {
    throw invalidArgument(
      field,
      `${symbols.length} symbols; at most ${RPC_LIMITS.symbols}, or none for every symbol`,
    );
  }
  symbols.forEach((symbol, i) => requireSymbol(symbol, `${field}[${i}]`));
}

/**
 * A list of venue names; empty means every venue.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `exchanges[i]`
 */
export function checkExchanges(exchanges: readonly string[], field = 'exchanges'): void {
  if (exchanges.length > RPC_LIMITS.exchanges) {
    throw invalidArgument(field, `${exchanges.length} venues; at most ${RPC_LIMITS.exchanges}`);
  }
  exchanges.forEach((name, i) => checkExchange(name, `${field}[${i}]`));
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` */
export function checkExchange(name: string, field = 'exchange'): void {
  if (!EXCHANGE.test(name)) {
    throw invalidArgument(
      field,
      `${quoteInput(name)} is not a venue name; use at most ${RPC_LIMITS.exchangeLength} letters, digits and . _ -, e.g. "sim"`,
    );
  }
}

/** A half-open time range [fromMs, toMs) in epoch ms; 0 = unbounded. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * `start_time` and `end_time`, epoch milliseconds.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field
 */
export function checkTimeRange(start: bigint, end: bigint): TimeRange {
  const fromMs = checkTime(start, 'start_time');
  const toMs = checkTime(end, 'end_time');
  if (fromMs > 0 && toMs > 0 && toMs <= fromMs) {
    throw invalidArgument(
      'end_time',
      `must be after start_time (${fromMs}), was ${toMs}; the range is [start_time, end_time)`,
    );
  }
  return { fromMs, toMs };
}

function checkTime(value: bigint, field: string): number {
  if (value < 0n) throw invalidArgument(field, `must be epoch milliseconds or 0, was ${value}`);
  if (value > BigInt(RPC_LIMITS.maxTimeMs)) {
    throw invalidArgument(
      field,
      `must be epoch milliseconds (at most ${RPC_LIMITS.maxTimeMs}), was ${value}: divide microseconds by 1000 or nanoseconds by 1000000`,
    );
  }
  return Number(value);
}

/**
 * A page size; 0 asks for the default.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `limit`
 */
export function checkPageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0 || limit > RPC_LIMITS.pageLimit) {
    throw invalidArgument(
      'limit',
      `must be 0 (the default, ${RPC_LIMITS.defaultPageLimit}) to ${RPC_LIMITS.pageLimit}, was ${limit}`,
    );
  }
  return limit === 0 ? RPC_LIMITS.defaultPageLimit : limit;
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `order_id` */
export function checkOrderId(id: string): void {
  if (id === '') {
    throw invalidArgument('order_id', "is required: our client order id or the venue's order id");
  }
  if (!ORDER_ID.test(id)) {
    throw invalidArgument(
      'order_id',
      `${quoteInput(id)} is not an order id; use 1-${RPC_LIMITS.orderIdLength} of A-Z a-z 0-9 . _ : -`,
    );
  }
}

/**
 * Free text such as a breaker's reason; empty takes `fallback`.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field`
 */
export function checkReason(text: string, fallback: string, field = 'reason'): string {
  if (text.length > RPC_LIMITS.reasonLength) {
    throw invalidArgument(
      field,
      `is ${text.length} characters; keep it to ${RPC_LIMITS.reasonLength}`,
    );
  }
  if (CONTROL.test(text)) {
    throw invalidArgument(
      field,
      'contains control characters (newlines, tabs); use one plain line',
    );
  }
  const trimmed = text.trim();
  return trimmed === '' ? fallback : trimmed;
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `reconciliation_id` */
export function checkReconciliationId(id: string): void {
  if (id === '') {
    throw invalidArgument(
      'reconciliation_id',
      'is required: the id TriggerReconciliation returned',
    );
  }
  if (id.length > RPC_LIMITS.reconciliationIdLength || !RECONCILIATION_ID.test(id)) {
    throw invalidArgument(
      'reconciliation_id',
      `${quoteInput(id)} is not a reconciliation id; pass the id TriggerReconciliation returned (rec- and 32 hex digits)`,
    );
  }
}
