/**
 * @module connector/grpc-errors
 * The one mapping between `ExchangeError` and a gRPC status, both directions. The status code is
 * the reason's code; the reason, the venue's own code and the offending request field travel in
 * trailing metadata so RemoteExchange rebuilds the very same error on the other side.
 */
import { Metadata, status as Status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ExchangeError, isErrorReason, reasonForCode } from '../core/errors.js';

/** Trailing metadata keys; lower case, as HTTP/2 requires. */
export const ERROR_REASON_KEY = 'x-error-reason';
export const VENUE_CODE_KEY = 'x-venue-code';
export const ERROR_FIELD_KEY = 'x-error-field';

/** A status to end a call with: what grpc-js accepts from a handler as an error. */
export type StatusReply = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

/**
 * Longest status message sent. Details travel in the grpc-message trailer: a message that echoed
 * a 100 KB input outgrew the peer's header limit, the reply was lost and the channel failed.
 */
export const MAX_DETAILS_LENGTH = 1024;

/** Longest field name and venue code sent in trailers. */
const MAX_TRAILER_VALUE_LENGTH = 128;

const bounded = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 3)}...`;

/** The status an `ExchangeError` travels as; every text is bounded. */
export function exchangeErrorToStatus(error: ExchangeError): StatusReply {
  const metadata = new Metadata();
  metadata.set(ERROR_REASON_KEY, error.reason);
  if (error.venueCode !== undefined) {
    metadata.set(VENUE_CODE_KEY, bounded(error.venueCode, MAX_TRAILER_VALUE_LENGTH));
  }
  if (error.field !== undefined) {
    metadata.set(ERROR_FIELD_KEY, bounded(error.field, MAX_TRAILER_VALUE_LENGTH));
  }
  return { code: error.code, details: bounded(error.message, MAX_DETAILS_LENGTH), metadata };
}

/** The status every call and stream ends with while the connector shuts down. */
export function shuttingDownStatus(): StatusReply {
  return exchangeErrorToStatus(
    new ExchangeError('EXCHANGE_UNAVAILABLE', 'connector shutting down; reconnect and resync'),
  );
}

/**
 * The status anything thrown by a venue travels as. Only `ExchangeError` is an expected failure;
 * anything else is a bug, so it is logged with its stack and sent as INTERNAL, never swallowed.
 * @param context ids for the log line, e.g. `{ method, venue }`
 */
export function toStatus(e: unknown, log: Logger, context: Record<string, unknown>): StatusReply {
  if (e instanceof ExchangeError) return exchangeErrorToStatus(e);
  log.error({ ...context, err: e }, 'unexpected error in connector handler');
  const message = e instanceof Error ? e.message : String(e);
  return exchangeErrorToStatus(
    new ExchangeError('INTERNAL', `internal connector error: ${message}`),
  );
}

function firstString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Rebuilds the `ExchangeError` a peer sent. A peer that sent no reason metadata (the original Go
 * and Python connectors) gets the reason its status code stands for.
 * @param cause kept as the error's cause, typically the grpc-js `ServiceError`
 */
export function fromStatus(
  error: Pick<StatusObject, 'code' | 'details' | 'metadata'>,
  cause?: unknown,
): ExchangeError {
  const reasonText = firstString(error.metadata, ERROR_REASON_KEY);
  const reason =
    reasonText !== undefined && isErrorReason(reasonText) ? reasonText : reasonForCode(error.code);
  const details =
    error.details === '' ? `${Status[error.code] ?? error.code} from connector` : error.details;
  return new ExchangeError(reason, details, {
    field: firstString(error.metadata, ERROR_FIELD_KEY),
    venueCode: firstString(error.metadata, VENUE_CODE_KEY),
    cause,
  });
}

/** Like `fromStatus`, for the `ServiceError` grpc-js hands a client callback or stream. */
export function fromServiceError(error: ServiceError): ExchangeError {
  return fromStatus(error, error);
}
