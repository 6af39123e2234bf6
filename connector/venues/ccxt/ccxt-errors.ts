/**
 * @module connector/venues/ccxt/ccxt-errors
 * Maps anything a ccxt call throws to our `ExchangeError`, keeping the venue's own code in
 * `venueCode`. The venue code wins over ccxt's class (ccxt maps no venue's duplicate client id
 * to DuplicateOrderId, and Binance's class depends on the host name); the class decides the rest.
 * Classes are matched by name along the prototype chain so this module never loads ccxt.
 */
import { ExchangeError, type ErrorReason } from '../../../core/errors.js';
import type { VenueProfile } from './venue-profiles.js';

/** ccxt class name → our reason, most specific first (subclasses before their parents). */
const CLASS_REASONS: readonly (readonly [string, ErrorReason])[] = [
  ['DuplicateOrderId', 'DUPLICATE_ORDER'],
  ['OrderImmediatelyFillable', 'POST_ONLY_WOULD_CROSS'],
  ['OrderNotFound', 'ORDER_NOT_FOUND'],
  ['InsufficientFunds', 'INSUFFICIENT_FUNDS'],
  ['BadSymbol', 'UNKNOWN_SYMBOL'],
  ['PermissionDenied', 'PERMISSION_DENIED'],
  ['AuthenticationError', 'AUTHENTICATION'],
  ['RateLimitExceeded', 'RATE_LIMITED'],
  ['DDoSProtection', 'RATE_LIMITED'],
  ['RequestTimeout', 'TIMEOUT'],
  ['ExchangeNotAvailable', 'EXCHANGE_UNAVAILABLE'],
  ['NetworkError', 'NETWORK'],
  ['NotSupported', 'UNIMPLEMENTED'],
  ['InvalidOrder', 'ORDER_REJECTED'],
  ['ArgumentsRequired', 'INVALID_ARGUMENT'],
  ['BadRequest', 'INVALID_ARGUMENT'],
  ['ExchangeClosedByUser', 'CANCELLED'],
  ['ExchangeError', 'ORDER_REJECTED'],
];

/** Request field each reason points at, in wire spelling, when the reason implies one. */
const REASON_FIELDS: Partial<Record<ErrorReason, string>> = {
  DUPLICATE_ORDER: 'client_order_id',
  POST_ONLY_WOULD_CROSS: 'post_only',
  UNKNOWN_SYMBOL: 'symbol',
  REDUCE_ONLY_REJECTED: 'reduce_only',
};

/** Venue code fields in the JSON bodies ccxt puts in its messages, per venue family. */
const CODE_PATTERNS: readonly RegExp[] = [
  /"sCode"\s*:\s*"([^"]+)"/, // OKX item error inside a batch reply
  /"retCode"\s*:\s*(-?\d+)/, // Bybit
  /"label"\s*:\s*"([A-Z_]+)"/, // Gate
  /"code"\s*:\s*"?(-?[\w]+)"?/, // Binance, Bitget, OKX top level
];

/** The venue's own error code inside a ccxt error message, if it has one. */
export function venueCodeOf(message: string): string | undefined {
  for (const pattern of CODE_PATTERNS) {
    const match = pattern.exec(message);
    // OKX wraps item errors in {"code":"1"} / {"code":"0"}; the item's sCode is what matters
    if (match?.[1] !== undefined && match[1] !== '0' && match[1] !== '1') return match[1];
  }
  return undefined;
}

function classNames(e: unknown): string[] {
  const names: string[] = [];
  for (
    let p = Object.getPrototypeOf(e) as object | null;
    p !== null;
    p = Object.getPrototypeOf(p)
  ) {
    const ctor = (p as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) names.push(ctor.name);
  }
  return names;
}

/** Context of the call that failed, so the error can name the field at fault. */
export interface ErrorContext {
  /** Field the failing call addressed the order by: "order_id" or "client_order_id". */
  readonly orderField?: string;
}

/**
 * Converts a ccxt (or any) error to an ExchangeError of our model.
 * @param venue name used in the message, e.g. "binanceusdm"
 */
export function toVenueError(
  e: unknown,
  profile: VenueProfile,
  venue: string,
  context: ErrorContext = {},
): ExchangeError {
  if (e instanceof ExchangeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const venueCode = venueCodeOf(message);
  const names = classNames(e);
  const reason =
    (venueCode === undefined ? undefined : profile.codeReasons[venueCode]) ??
    profile.messageReasons.find(([pattern]) => pattern.test(message))?.[1] ??
    CLASS_REASONS.find(([name]) => names.includes(name))?.[1] ??
    'INTERNAL';
  const field = reason === 'ORDER_NOT_FOUND' ? context.orderField : REASON_FIELDS[reason];
  return new ExchangeError(reason, `${venue}: ${message}`, { field, venueCode, cause: e });
}
