/**
 * @module connector/venues/sim/stream-hub
 * Synchronous in-process fan-out of the simulated venue's streams. Subscribers are served in
 * subscription order, so a run's event order is deterministic. A sink that throws is cut off
 * with an INTERNAL error instead of breaking the venue or the other subscribers.
 */
import { ExchangeError } from '../../../core/errors.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import type {
  Account,
  Candle,
  FundingRate,
  OrderUpdate,
  Position,
  PriceChange,
} from '../../../core/exchange.types.js';

interface Subscriber<T> {
  readonly sink: StreamSink<T>;
  readonly accepts: (value: T) => boolean;
  open: boolean;
}

const ALL = (): boolean => true;

/** One stream and its subscribers. */
export class Topic<T> {
  private readonly subscribers = new Set<Subscriber<T>>();

  /** True when anybody listens (callers skip building updates otherwise). */
  get active(): boolean {
    return this.subscribers.size > 0;
  }

  /**
   * Adds a subscriber.
   * @param accepts filter applied to every value before delivery
   */
  subscribe(sink: StreamSink<T>, accepts: (value: T) => boolean = ALL): Subscription {
    const sub: Subscriber<T> = { sink, accepts, open: true };
    this.subscribers.add(sub);
    return {
      close: () => {
        sub.open = false;
        this.subscribers.delete(sub);
      },
    };
  }

  /** Delivers `value` to every subscriber whose filter accepts it. */
  emit(value: T): void {
    for (const sub of this.subscribers) {
      if (!sub.open || !sub.accepts(value)) continue;
      try {
        sub.sink.next(value);
      } catch (e) {
        this.end(
          sub,
          new ExchangeError('INTERNAL', `stream subscriber threw: ${String(e)}`, { cause: e }),
        );
      }
    }
  }

  /** Ends every subscription with `error`. */
  fail(error: ExchangeError): void {
    for (const sub of [...this.subscribers]) this.end(sub, error);
  }

  private end(sub: Subscriber<T>, error: ExchangeError): void {
    if (!sub.open) return;
    sub.open = false;
    this.subscribers.delete(sub);
    try {
      sub.sink.error(error);
    } catch {
      // The stream is over either way; a sink failing on its own error has nowhere to report to
    }
  }
}

/** Every stream of one market kind. */
export class StreamHub {
  readonly prices = new Topic<PriceChange>();
  readonly orders = new Topic<OrderUpdate>();
  readonly account = new Topic<Account>();
  readonly positions = new Topic<Position>();
  readonly funding = new Topic<FundingRate>();
  /** Kline topics by interval in milliseconds. */
  readonly klines = new Map<number, Topic<Candle>>();

  /** The kline topic of an interval, created on first use. */
  klineTopic(intervalMs: number): Topic<Candle> {
    let t = this.klines.get(intervalMs);
    if (t === undefined) {
      t = new Topic<Candle>();
      this.klines.set(intervalMs, t);
    }
    return t;
  }

  /** Ends every subscription of every stream with `error`. */
  failAll(error: ExchangeError): void {
    this.prices.fail(error);
    this.orders.fail(error);
    this.account.fail(error);
    this.positions.fail(error);
    this.funding.fail(error);
    for (const t of this.klines.values()) t.fail(error);
  }
}
