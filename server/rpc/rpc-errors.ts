/**
 * @module server/rpc/rpc-errors
 * How the engine's gRPC services fail: a bad request is INVALID_ARGUMENT naming the wire field
 * and the fix (core/errors `invalidArgument`, as at the connector's edge); a request the engine's
 * state refuses (a breaker that may not reset yet, a risk layer that is not running) is
 * FAILED_PRECONDITION with the reason; an unknown id is NOT_FOUND; a venue failure keeps its own
 * code. Anything else is a bug: logged with its stack and answered INTERNAL, never swallowed.
 * Every text is bounded (connector/grpc-errors).
 */
import { Metadata, status as Status } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { ExchangeError } from '../../core/errors.js';
import {
  ERROR_FIELD_KEY,
  MAX_DETAILS_LENGTH,
  exchangeErrorToStatus,
  type StatusReply,
} from '../../connector/grpc-errors.js';

/** A refusal with a gRPC status other than INVALID_ARGUMENT. */
export class RpcRefusal extends Error {
  readonly code: Status;
  readonly field: string | undefined;

  constructor(code: Status, message: string, field?: string) {
    super(message);
    this.name = 'RpcRefusal';
    this.code = code;
    this.field = field;
  }
}

/** FAILED_PRECONDITION: the request is valid but the engine's state refuses it now. */
export function failedPrecondition(message: string): RpcRefusal {
  return new RpcRefusal(Status.FAILED_PRECONDITION, message);
}

/** NOT_FOUND naming the field whose value is unknown. */
export function notFound(field: string, message: string): RpcRefusal {
  return new RpcRefusal(Status.NOT_FOUND, `${field}: ${message}`, field);
}

/** UNAVAILABLE: the engine cannot answer now (it is shutting down). */
export function unavailable(message: string): RpcRefusal {
  return new RpcRefusal(Status.UNAVAILABLE, message);
}

/** RESOURCE_EXHAUSTED: a stream subscriber that cannot keep up. */
export function exhausted(message: string): RpcRefusal {
  return new RpcRefusal(Status.RESOURCE_EXHAUSTED, message);
}

const bounded = (text: string): string =>
  text.length <= MAX_DETAILS_LENGTH ? text : `${text.slice(0, MAX_DETAILS_LENGTH - 3)}...`;

/**
 * The status a handler's failure travels as.
 * @param context - ids for the log line of an unexpected error, e.g. `{ method }`
 */
export function toRpcStatus(
  e: unknown,
  log: Logger,
  context: Record<string, unknown>,
): StatusReply {
  if (e instanceof ExchangeError) return exchangeErrorToStatus(e);
  if (e instanceof RpcRefusal) {
    const metadata = new Metadata();
    if (e.field !== undefined) metadata.set(ERROR_FIELD_KEY, e.field.slice(0, 128));
    return { code: e.code, details: bounded(e.message), metadata };
  }
  log.error({ ...context, err: e }, 'unexpected error in an engine gRPC handler');
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: Status.INTERNAL,
    details: bounded(`internal engine error: ${message}`),
    metadata: new Metadata(),
  };
}
