/**
 * @module core/errors
 * The one error model of the venue port. Adapters throw `ExchangeError` with a machine-readable
 * reason; the gRPC service maps the reason 1:1 to a status code and sends the reason, the venue's own
 * code and the offending field in trailing metadata, so RemoteExchange rebuilds the same error.
 */

/** Numeric gRPC status codes (grpc/status.proto); kept here so adapters need no gRPC import. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/** Why a venue call failed, and the gRPC status each reason travels as. */
export const REASON_TO_CODE = {
  INVALID_ARGUMENT: GrpcCode.INVALID_ARGUMENT,
  UNKNOWN_SYMBOL: GrpcCode.INVALID_ARGUMENT,
  INSUFFICIENT_FUNDS: GrpcCode.FAILED_PRECONDITION,
  ORDER_REJECTED: GrpcCode.FAILED_PRECONDITION,
  POST_ONLY_WOULD_CROSS: GrpcCode.FAILED_PRECONDITION,
  REDUCE_ONLY_REJECTED: GrpcCode.FAILED_PRECONDITION,
  ORDER_NOT_CANCELABLE: GrpcCode.FAILED_PRECONDITION,
  ORDER_NOT_FOUND: GrpcCode.NOT_FOUND,
  DUPLICATE_ORDER: GrpcCode.ALREADY_EXISTS,
  RATE_LIMITED: GrpcCode.RESOURCE_EXHAUSTED,
  NETWORK: GrpcCode.UNAVAILABLE,
  EXCHANGE_UNAVAILABLE: GrpcCode.UNAVAILABLE,
  TIMEOUT: GrpcCode.DEADLINE_EXCEEDED,
  AUTHENTICATION: GrpcCode.UNAUTHENTICATED,
  PERMISSION_DENIED: GrpcCode.PERMISSION_DENIED,
  UNIMPLEMENTED: GrpcCode.UNIMPLEMENTED,
  /** A stream subscriber fell too far behind; it must resubscribe and resync. */
  SUBSCRIBER_TOO_SLOW: GrpcCode.ABORTED,
  /**
   * The caller's lease on the symbol was taken over by another engine (a higher fencing token):
   * a paused or partitioned former owner must never change orders again.
   */
  FENCED: GrpcCode.FAILED_PRECONDITION,
  CANCELLED: GrpcCode.CANCELLED,
  INTERNAL: GrpcCode.INTERNAL,
} as const satisfies Record<string, GrpcCode>;
export type ErrorReason = keyof typeof REASON_TO_CODE;

/** The reason a bare status code stands for, when a peer sent no reason metadata. */
const CODE_TO_REASON: Readonly<Record<number, ErrorReason>> = {
  [GrpcCode.CANCELLED]: 'CANCELLED',
  [GrpcCode.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [GrpcCode.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [GrpcCode.NOT_FOUND]: 'ORDER_NOT_FOUND',
  [GrpcCode.ALREADY_EXISTS]: 'DUPLICATE_ORDER',
  [GrpcCode.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [GrpcCode.RESOURCE_EXHAUSTED]: 'RATE_LIMITED',
  [GrpcCode.FAILED_PRECONDITION]: 'ORDER_REJECTED',
  [GrpcCode.ABORTED]: 'SUBSCRIBER_TOO_SLOW',
  [GrpcCode.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [GrpcCode.UNAVAILABLE]: 'EXCHANGE_UNAVAILABLE',
  [GrpcCode.UNAUTHENTICATED]: 'AUTHENTICATION',
};

const TRANSIENT: ReadonlySet<ErrorReason> = new Set([
  'NETWORK',
  'EXCHANGE_UNAVAILABLE',
  'TIMEOUT',
  'RATE_LIMITED',
]);

export interface ExchangeErrorOptions {
  /** Request field at fault, in wire (snake_case) spelling, e.g. "price". */
  readonly field?: string;
  /** The venue's own error code, e.g. "-2010" on Binance. */
  readonly venueCode?: string;
  readonly cause?: unknown;
}

/** A failed venue call. `reason` is stable and machine-readable; `message` is for people. */
export class ExchangeError extends Error {
  readonly reason: ErrorReason;
  readonly field: string | undefined;
  readonly venueCode: string | undefined;

  constructor(reason: ErrorReason, message: string, options: ExchangeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExchangeError';
    this.reason = reason;
    this.field = options.field;
    this.venueCode = options.venueCode;
  }

  /** The gRPC status code this error travels as. */
  get code(): GrpcCode {
    return REASON_TO_CODE[this.reason];
  }

  /** True for failures worth retrying with backoff (network, timeout, rate limit, venue down). */
  get transient(): boolean {
    return TRANSIENT.has(this.reason);
  }
}

/** Characters of a refused input that an error message quotes at most. */
export const QUOTE_LIMIT = 32;

/**
 * A refused input as an error message may show it: at most `QUOTE_LIMIT` characters in JSON
 * quotes (so control characters stay visible), plus the full length when it was cut. An error
 * that echoed a 100 KB symbol whole would outgrow gRPC's trailer limit and be lost.
 */
export function quoteInput(value: string, limit = QUOTE_LIMIT): string {
  if (value.length <= limit) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, limit))}... (${value.length} characters)`;
}

/** Shorthand for the most common error: a request field that is wrong, with how to fix it. */
export function invalidArgument(field: string, message: string): ExchangeError {
  return new ExchangeError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

/** True when `value` names a reason of this model (used when decoding peer metadata). */
export function isErrorReason(value: string): value is ErrorReason {
  return Object.hasOwn(REASON_TO_CODE, value);
}

/** The default reason for a status code that arrived without reason metadata. */
export function reasonForCode(code: number): ErrorReason {
  return CODE_TO_REASON[code] ?? 'INTERNAL';
}

/** Wraps anything thrown into an ExchangeError, keeping ExchangeErrors as they are. */
export function toExchangeError(e: unknown): ExchangeError {
  if (e instanceof ExchangeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ExchangeError('INTERNAL', message, { cause: e });
}
