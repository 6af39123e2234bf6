/**
 * @module connector/stream-hub
 * Fan-out of venue streams to gRPC subscribers. There is exactly one upstream venue subscription
 * per topic (venue, stream kind, symbol/interval), shared by every subscriber and closed when the
 * last one leaves. Each update is encoded once per topic, then queued per subscriber behind grpc-js
 * backpressure:
 * - market data (price, klines, funding, positions) conflates for a slow subscriber: once
 *   `write()` returns false only the latest update per key is kept until 'drain', because only
 *   the latest value matters;
 * - orders and account never drop: a subscriber whose backlog passes its bound is ended with
 *   ABORTED / SUBSCRIBER_TOO_SLOW so it resubscribes and resyncs instead of missing a fill.
 * A topic of full snapshots (order books) also keeps its latest update per key for subscribers
 * that join later. An upstream error ends every subscriber of that topic with the error's status.
 */
import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ExchangeError, toExchangeError } from '../core/errors.js';
import { exchangeErrorToStatus, type StatusReply } from './grpc-errors.js';
import type { StreamSink, Subscription } from '../core/stream.js';

/** One upstream stream a subscriber reads: how to open it and how to encode its updates. */
export interface TopicSpec<D, P> {
  /** Identifies the upstream subscription, e.g. "sim|price|BTCUSDT". */
  readonly key: string;
  /** Opens the one venue subscription of this topic. */
  readonly open: (sink: StreamSink<D>) => Subscription;
  /** Encodes one update; called once per update whatever the number of subscribers. */
  readonly encode: (value: D) => P;
  /**
   * For streams of full snapshots (order books): the topic keeps its latest update per key and
   * sends it at once to a subscriber that joins an upstream already open, which would otherwise
   * wait for the next change to learn the current state.
   */
  readonly latestKey?: (message: P) => string;
}

/** How a subscriber that cannot keep up is treated. */
export type Delivery<P> =
  /** Keep only the latest queued update per key (market data). */
  | { readonly kind: 'conflate'; readonly keyOf: (message: P) => string }
  /** Queue everything; past the bound, end the stream with SUBSCRIBER_TOO_SLOW. */
  | { readonly kind: 'reliable' };

/** Told about what the hub does to slow subscribers (metrics). */
export interface StreamHubObserver {
  /** A queued market-data update of `topicKey` was replaced by a newer one. */
  conflated(topicKey: string): void;
  /** A subscriber of `topicKeys` was ended as too slow. */
  cut(topicKeys: readonly string[]): void;
}

export interface StreamHubOptions {
  /**
   * Updates an order/account subscriber may have queued before it is cut; default 32768. Bursts of
   * venue updates can outrun a healthy reader for a moment; a stuck one is cut well before memory
   * matters. Conflating streams keep at most this many distinct keys.
   */
  readonly queueLimit?: number;
  readonly logger: Logger;
  readonly observer?: StreamHubObserver;
}

interface Topic {
  readonly key: string;
  readonly subscribers: Set<Subscriber>;
  upstream: Subscription | undefined;
  closed: boolean;
  /** Latest update per key, kept when the spec asks for `latestKey`. */
  readonly latest: Map<string, unknown> | undefined;
}

/** Refcounted topics and their subscribers for one connector server. */
export class StreamHub {
  private readonly topics = new Map<string, Topic>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly queueLimit: number;
  private readonly log: Logger;
  private readonly observer: StreamHubObserver | undefined;

  constructor(options: StreamHubOptions) {
    this.observer = options.observer;
    this.queueLimit = options.queueLimit ?? 32_768;
    if (!(this.queueLimit > 0))
      throw new Error(`queueLimit must be positive, was ${this.queueLimit}`);
    this.log = options.logger;
  }

  /**
   * Streams `specs` to `call` until the client cancels, a topic fails or the hub closes. Sends
   * response headers once every topic is open, which tells the client the subscription is live.
   */
  attach<D, P>(
    call: ServerWritableStream<unknown, P>,
    specs: readonly TopicSpec<D, P>[],
    delivery: Delivery<P>,
  ): void {
    const subscriber = new Subscriber(call as ServerWritableStream<unknown, unknown>, {
      keyOf: delivery.kind === 'conflate' ? (delivery.keyOf as (m: unknown) => string) : undefined,
      limit: this.queueLimit,
      onEnd: (s) => this.detach(s),
      onConflated: (topic) => this.observer?.conflated(topic.key),
    });
    this.subscribers.add(subscriber);
    call.on('cancelled', () => subscriber.end(undefined));
    for (const spec of specs) {
      if (subscriber.ended) return;
      this.join(subscriber, spec as TopicSpec<unknown, unknown>);
    }
    if (!subscriber.ended) call.sendMetadata(new Metadata());
  }

  /** Ends every stream with `status` and closes every upstream subscription. */
  closeAll(status: StatusReply): void {
    for (const subscriber of [...this.subscribers]) subscriber.end(status);
  }

  /** Every open upstream topic and its subscriber count, for metrics. */
  topicStats(): { readonly key: string; readonly subscribers: number }[] {
    return [...this.topics.values()].map((t) => ({ key: t.key, subscribers: t.subscribers.size }));
  }

  /** Open upstream subscriptions and attached subscribers, for health and tests. */
  stats(): { readonly topics: number; readonly subscribers: number } {
    return { topics: this.topics.size, subscribers: this.subscribers.size };
  }

  private join(subscriber: Subscriber, spec: TopicSpec<unknown, unknown>): void {
    let topic = this.topics.get(spec.key);
    if (topic === undefined) {
      topic = {
        key: spec.key,
        subscribers: new Set(),
        upstream: undefined,
        closed: false,
        latest: spec.latestKey === undefined ? undefined : new Map(),
      };
      this.topics.set(spec.key, topic);
      topic.subscribers.add(subscriber);
      subscriber.topics.push(topic);
      this.openUpstream(topic, spec);
    } else {
      topic.subscribers.add(subscriber);
      subscriber.topics.push(topic);
      for (const message of topic.latest?.values() ?? []) subscriber.push(message, topic);
    }
  }

  private openUpstream(topic: Topic, spec: TopicSpec<unknown, unknown>): void {
    const sink: StreamSink<unknown> = {
      next: (value) => {
        if (topic.closed) return;
        let message: unknown;
        try {
          message = spec.encode(value);
        } catch (e) {
          this.log.error({ topic: topic.key, err: e }, 'cannot encode a stream update');
          this.failTopic(
            topic,
            new ExchangeError('INTERNAL', `cannot encode update of ${topic.key}`),
          );
          return;
        }
        if (topic.latest !== undefined && spec.latestKey !== undefined) {
          topic.latest.set(spec.latestKey(message), message);
        }
        for (const subscriber of topic.subscribers) subscriber.push(message, topic);
      },
      error: (e) => this.failTopic(topic, e),
    };
    try {
      const upstream = spec.open(sink);
      // The venue may have failed the stream while opening it
      if (topic.closed) upstream.close();
      else topic.upstream = upstream;
    } catch (e) {
      if (!(e instanceof ExchangeError)) {
        this.log.error({ topic: topic.key, err: e }, 'venue threw while opening a stream');
      }
      this.failTopic(topic, toExchangeError(e));
    }
  }

  private failTopic(topic: Topic, error: ExchangeError): void {
    if (topic.closed) return;
    this.log.warn({ topic: topic.key, reason: error.reason, err: error }, 'upstream stream ended');
    const status = exchangeErrorToStatus(error);
    for (const subscriber of [...topic.subscribers]) subscriber.end(status);
    this.closeTopic(topic);
  }

  private detach(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    for (const topic of subscriber.topics) {
      topic.subscribers.delete(subscriber);
      if (topic.subscribers.size === 0) this.closeTopic(topic);
    }
    if (subscriber.abortedTooSlow) {
      this.observer?.cut(subscriber.topics.map((t) => t.key));
      this.log.warn(
        { peer: subscriber.peer, topics: subscriber.topics.map((t) => t.key) },
        'stream subscriber too slow: ended with ABORTED',
      );
    }
  }

  private closeTopic(topic: Topic): void {
    if (topic.closed) return;
    topic.closed = true;
    if (this.topics.get(topic.key) === topic) this.topics.delete(topic.key);
    topic.upstream?.close();
  }
}

interface SubscriberOptions {
  readonly keyOf: ((message: unknown) => string) | undefined;
  readonly limit: number;
  readonly onEnd: (subscriber: Subscriber) => void;
  readonly onConflated: (topic: Topic) => void;
}

/** One gRPC stream: its queue behind grpc-js backpressure and its topics. */
class Subscriber {
  readonly topics: Topic[] = [];
  ended = false;
  abortedTooSlow = false;
  private blocked = false;
  // Conflating queue: insertion-ordered, latest value per key; undefined for reliable delivery
  private readonly latest: Map<string, unknown> | undefined;

  private readonly call: ServerWritableStream<unknown, unknown>;
  private readonly options: SubscriberOptions;
  constructor(call: ServerWritableStream<unknown, unknown>, options: SubscriberOptions) {
    this.call = call;
    this.options = options;
    this.latest = options.keyOf === undefined ? undefined : new Map();
  }

  get peer(): string {
    return this.call.getPeer();
  }

  push(message: unknown, topic: Topic): void {
    if (this.ended) return;
    if (this.latest === undefined) {
      // Nothing may be dropped, so waiting for 'drain' would only move the same backlog into a
      // queue of ours; grpc-js's write buffer is the queue, and its length is what we bound
      this.call.write(message);
      if (this.call.writableLength > this.options.limit) this.tooSlow();
      return;
    }
    if (!this.blocked) {
      if (!this.call.write(message)) this.waitForDrain();
      return;
    }
    const key = (this.options.keyOf as (m: unknown) => string)(message);
    if (this.latest.delete(key)) this.options.onConflated(topic);
    this.latest.set(key, message);
    if (this.latest.size > this.options.limit) {
      this.latest.delete(this.latest.keys().next().value as string);
      this.options.onConflated(topic);
    }
  }

  /** Ends the stream with `status`, or silently when the client already went away. */
  end(status: StatusReply | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.latest?.clear();
    this.options.onEnd(this);
    // grpc-js turns an 'error' event into the final status, sent after the messages in flight
    if (status !== undefined && !this.call.cancelled) this.call.emit('error', status);
  }

  private waitForDrain(): void {
    this.blocked = true;
    this.call.once('drain', () => this.flush());
  }

  private flush(): void {
    this.blocked = false;
    if (this.ended || this.latest === undefined) return;
    for (const [key, message] of this.latest) {
      this.latest.delete(key);
      if (!this.call.write(message)) return this.waitForDrain();
    }
  }

  private tooSlow(): void {
    this.abortedTooSlow = true;
    this.end(
      exchangeErrorToStatus(
        new ExchangeError(
          'SUBSCRIBER_TOO_SLOW',
          `stream subscriber too slow: more than ${this.options.limit} updates queued; resubscribe and resync from a snapshot`,
        ),
      ),
    );
  }
}
