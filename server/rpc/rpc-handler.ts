/**
 * @module server/rpc/rpc-handler
 * The one shape of every engine gRPC handler: refuse while the server shuts down, refuse bytes
 * that did not decode strictly (connector/codec/wire-check), run the service function, and map
 * its failure through rpc-errors. Streams get a bounded writer that cuts a subscriber who stops
 * reading instead of buffering for it without end.
 */
import {
  status as Status,
  type ServerWritableStream,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';

import { malformedProblem } from '../../connector/codec/wire-check.js';
import { exhausted, toRpcStatus } from './rpc-errors.js';

/** What every handler of one server shares. */
export interface HandlerContext {
  readonly log: Logger;
  /** False once the server shuts down: new calls get UNAVAILABLE. */
  accepting(): boolean;
  /** Open streams, ended by the server's shutdown. */
  readonly streams: Set<StreamWriter<unknown>>;
  /** Told how each call ended (its gRPC status code), for metrics. */
  readonly ended?: (method: string, code: Status) => void;
}

/** Bytes buffered for one stream subscriber before it is cut; about a thousand updates. */
export const STREAM_BUFFER_BYTES = 1024 * 1024;

const SHUTTING_DOWN = {
  code: Status.UNAVAILABLE,
  details: 'engine shutting down; reconnect once it is back',
};

function malformed(request: unknown) {
  const problem = malformedProblem(request);
  return problem === undefined
    ? undefined
    : {
        code: Status.INVALID_ARGUMENT,
        details: `request: not a well-formed message of this method (${problem}); encode it with the contract's generated code`,
      };
}

/**
 * A unary handler around `run`.
 * @param method - the RPC's name, for logs
 */
export function unary<Req, Res>(
  ctx: HandlerContext,
  method: string,
  run: (request: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, reply: sendUnaryData<Res>) => {
    const done: sendUnaryData<Res> = (error, value) => {
      ctx.ended?.(method, error ? (error.code ?? Status.UNKNOWN) : Status.OK);
      reply(error, value);
    };
    if (!ctx.accepting()) return done(SHUTTING_DOWN);
    const bad = malformed(call.request);
    if (bad) return done(bad);
    let pending: Promise<Res>;
    try {
      pending = run(call.request);
    } catch (e) {
      return done(toRpcStatus(e, ctx.log, { method }));
    }
    pending.then(
      (response) => done(null, response),
      (e: unknown) => done(toRpcStatus(e, ctx.log, { method })),
    );
  };
}

/** A stream subscriber's writer: `write` returns false once the subscriber is gone or cut. */
export interface StreamWriter<T> {
  write(message: T): boolean;
  /** Ends the stream with the failure's status. */
  fail(e: unknown): void;
  readonly closed: boolean;
}

/**
 * A server-streaming handler: `open` validates the request, starts feeding the writer and
 * returns the function that stops feeding (called when the client goes away).
 */
export function serverStream<Req, Msg>(
  ctx: HandlerContext,
  method: string,
  open: (request: Req, writer: StreamWriter<Msg>) => () => void,
): (call: ServerWritableStream<Req, Msg>) => void {
  return (call) => {
    const refuse = (status: { code: Status; details: string }) => {
      ctx.ended?.(method, status.code);
      call.emit('error', status);
    };
    if (!ctx.accepting()) return refuse(SHUTTING_DOWN);
    const bad = malformed(call.request);
    if (bad) return refuse(bad);
    let closed = false;
    let stop: (() => void) | null = null;
    const close = () => {
      if (closed) return;
      closed = true;
      ctx.streams.delete(writer as StreamWriter<unknown>);
      stop?.();
    };
    const writer: StreamWriter<Msg> = {
      get closed() {
        return closed;
      },
      write(message) {
        if (closed) return false;
        if (call.writableLength > STREAM_BUFFER_BYTES) {
          writer.fail(exhausted('subscriber too slow: updates piled up unread; resubscribe'));
          return false;
        }
        call.write(message);
        return true;
      },
      fail(e) {
        if (closed) return;
        close();
        refuse(toRpcStatus(e, ctx.log, { method }));
      },
    };
    ctx.streams.add(writer as StreamWriter<unknown>);
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
    try {
      stop = open(call.request, writer);
      if (closed) stop();
    } catch (e) {
      writer.fail(e);
    }
  };
}
