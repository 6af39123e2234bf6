/**
 * @module connector/remote-stream
 * One logical server-streaming subscription of RemoteExchange over as many gRPC calls as it takes:
 * when the connector restarts or ends the stream with a transient status, it resubscribes with
 * backoff and calls `sink.resync()` once live again; permanent failures go to `sink.error`.
 */
import { status as Status, type ClientReadableStream, type StatusObject } from '@grpc/grpc-js';
import type { ExchangeError } from '../core/errors.js';
import { fromStatus } from './grpc-errors.js';
import type { StreamSink, Subscription } from '../core/stream.js';

/** Stream endings worth resubscribing after: the connector went away or cut a slow reader. */
const RESUBSCRIBE_ON: ReadonlySet<number> = new Set([
  Status.OK,
  Status.CANCELLED,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.ABORTED,
  Status.UNAVAILABLE,
]);
export interface ResubscribePolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly onClose: (subscription: Subscription) => void;
}

/** One logical subscription over as many gRPC calls as it takes. */
export class ResubscribingStream<P, D> implements Subscription {
  private call: ClientReadableStream<P> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private closed = false;
  private lostUpdates = false;

  private readonly open: () => ClientReadableStream<P>;
  private readonly decode: (message: P) => D;
  private readonly sink: StreamSink<D>;
  private readonly policy: ResubscribePolicy;
  constructor(
    open: () => ClientReadableStream<P>,
    decode: (message: P) => D,
    sink: StreamSink<D>,
    policy: ResubscribePolicy,
  ) {
    this.open = open;
    this.decode = decode;
    this.sink = sink;
    this.policy = policy;
    this.backoffMs = policy.initialMs;
    this.start();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.call?.cancel();
    this.policy.onClose(this);
  }

  private start(): void {
    const call = this.open();
    this.call = call;
    // Our connector sends headers once the upstream subscription is live: the moment a snapshot
    // taken by the consumer can no longer miss an update of this stream
    call.on('metadata', () => {
      if (!this.lostUpdates || this.closed) return;
      this.lostUpdates = false;
      this.sink.resync?.();
    });
    call.on('data', (message: P) => {
      if (this.closed) return;
      this.backoffMs = this.policy.initialMs;
      let value: D;
      try {
        value = this.decode(message);
      } catch (e) {
        return this.fail(e as ExchangeError);
      }
      this.sink.next(value);
    });
    // Every ending also arrives as 'status', handled there; without this listener it would throw
    call.on('error', () => undefined);
    call.on('status', (status: StatusObject) => this.ended(call, status));
  }

  private ended(call: ClientReadableStream<P>, status: StatusObject): void {
    if (this.closed || call !== this.call) return;
    this.call = undefined;
    if (!RESUBSCRIBE_ON.has(status.code)) return this.fail(fromStatus(status));
    this.lostUpdates = true;
    this.timer = setTimeout(() => this.start(), this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.policy.maxMs);
  }

  private fail(error: ExchangeError): void {
    this.close();
    this.sink.error(error);
  }
}
