/**
 * @module core/stream
 * The push side of the venue port: a consumer hands a sink to `subscribe*` and gets a handle back.
 */
import type { ExchangeError } from './errors.js';

export interface StreamSink<T> {
  /** One update, in venue order. */
  next(value: T): void;
  /**
   * The stream ended and will not deliver again (venue restart, consumer too slow, shutdown).
   * A consumer that still wants data subscribes again and resyncs from a snapshot.
   */
  error(e: ExchangeError): void;
  /**
   * Called by clients that resubscribe by themselves (RemoteExchange) after a gap: updates may have
   * been missed, so state derived from this stream must be rebuilt from a snapshot.
   */
  resync?(): void;
}

export interface Subscription {
  /** Stops delivery; idempotent. */
  close(): void;
}
