/**
 * @module connector/connector.metrics
 * The exchange-connector's Prometheus metrics, on a registry of their own. Labels are bounded:
 * the venue (a config key), the method class (five fixed classes, not the 28 RPCs), the stream
 * kind (six fixed kinds), the five order RPCs (fencing refusals) and the port's fixed error reasons; never a symbol, an order id or raw
 * error text. Served on the connector's metrics listener (`connector/metrics.server.ts`).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Exchange } from '../core/exchange.port.js';

/** What a venue call does, for latency and error series. */
export const METHOD_CLASSES = [
  'orders',
  'order_query',
  'account',
  'market_data',
  'reference',
] as const;
/** One of {@link METHOD_CLASSES}. */
export type MethodClass = (typeof METHOD_CLASSES)[number];

/** The request/response methods of the venue port (streams and lifecycle excluded). */
export type PortMethod = Exclude<
  keyof Exchange,
  'name' | 'isReachable' | 'close' | `subscribe${string}`
>;

/** The class of every port method; the type makes a new port method a compile error here. */
export const METHOD_CLASS: Readonly<Record<PortMethod, MethodClass>> = {
  placeOrder: 'orders',
  batchPlaceOrders: 'orders',
  cancelOrder: 'orders',
  batchCancelOrders: 'orders',
  cancelAllOrders: 'orders',
  getOrder: 'order_query',
  getOpenOrders: 'order_query',
  getAccount: 'account',
  getPositions: 'account',
  getBalance: 'account',
  getLatestPrice: 'market_data',
  getTickers: 'market_data',
  getOpenInterest: 'market_data',
  getHistoricalKlines: 'market_data',
  getFundingRate: 'market_data',
  getFundingRates: 'market_data',
  getHistoricalFundingRates: 'market_data',
  getOrderBook: 'market_data',
  getTradeHistory: 'order_query',
  getType: 'reference',
  fetchExchangeInfo: 'reference',
  getSymbolInfo: 'reference',
  getSymbols: 'reference',
};

/** The stream kinds of the port, as the `stream` label spells them. */
export const STREAM_OF = {
  subscribePrice: 'price',
  subscribeOrders: 'orders',
  subscribeKlines: 'klines',
  subscribeAccount: 'account',
  subscribePositions: 'positions',
  subscribeFundingRate: 'funding',
  subscribeOrderBook: 'book',
} as const satisfies Record<Extract<keyof Exchange, `subscribe${string}`>, string>;
/** One of the values of {@link STREAM_OF}. */
export type StreamKind = (typeof STREAM_OF)[keyof typeof STREAM_OF];

/**
 * A venue that can say how much of its request budget is used, from what the venue itself
 * reports (e.g. Binance's used-weight header); ccxt venues implement it.
 */
export interface RateLimitReporter {
  /** Used fraction of the current budget window, 0..1, or undefined when not reported. */
  rateLimitUsage(): number | undefined;
}

/** What the gauges read at scrape time; the connector server provides it once it runs. */
export interface ConnectorProbe {
  /** Every served venue and whether it is reachable now. */
  venues(): Iterable<{ readonly name: string; readonly reachable: boolean }>;
  /** Every open upstream topic and its subscriber count. */
  topics(): Iterable<{ readonly key: string; readonly subscribers: number }>;
}

/** Every metric the connector exports, on its own registry. */
export interface ConnectorMetrics {
  readonly registry: Registry;
  /** Sets where the scrape-time gauges (venue up, topics, subscribers) read their values. */
  observe(probe: ConnectorProbe): void;
  readonly requestDuration: Histogram<'venue' | 'method_class'>;
  readonly requestErrors: Counter<'venue' | 'method_class' | 'reason'>;
  readonly rateLimitUsed: Gauge<'venue'>;
  readonly venueUp: Gauge<'venue'>;
  readonly upstreamMessages: Counter<'venue' | 'stream'>;
  readonly upstreamReconnects: Counter<'venue' | 'stream'>;
  readonly upstreamErrors: Counter<'venue' | 'stream' | 'reason'>;
  readonly upstreamTopics: Gauge<'venue' | 'stream'>;
  readonly streamSubscribers: Gauge<'venue' | 'stream'>;
  readonly messagesConflated: Counter<'venue' | 'stream'>;
  readonly subscribersCut: Counter<'venue' | 'stream'>;
  /** Order calls refused FENCED (a former lease owner); `method` is one of the five order RPCs. */
  readonly fencedRequests: Counter<'venue' | 'method'>;
}

/**
 * Creates the metrics on a fresh registry.
 * @returns the metrics; serve `registry.metrics()` on /metrics
 */
export function createConnectorMetrics(): ConnectorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const venueStream = ['venue', 'stream'] as const;
  let probe: ConnectorProbe | undefined;
  return {
    registry,
    observe: (p) => {
      probe = p;
    },
    requestDuration: new Histogram({
      name: 'exchange_connector_request_duration_ms',
      help: 'Latency of venue calls (each attempt), milliseconds',
      labelNames: ['venue', 'method_class'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    requestErrors: new Counter({
      name: 'exchange_connector_request_errors_total',
      help: 'Venue calls that failed, by the port reason',
      labelNames: ['venue', 'method_class', 'reason'],
      registers,
    }),
    rateLimitUsed: new Gauge({
      name: 'exchange_connector_rate_limit_used_ratio',
      help: 'Used fraction of the request budget, as the venue last reported it (0..1)',
      labelNames: ['venue'],
      registers,
    }),
    venueUp: new Gauge({
      name: 'exchange_connector_venue_up',
      help: '1 while the venue is reachable, 0 otherwise',
      labelNames: ['venue'],
      registers,
      collect() {
        for (const v of probe?.venues() ?? []) this.set({ venue: v.name }, v.reachable ? 1 : 0);
      },
    }),
    upstreamMessages: new Counter({
      name: 'exchange_connector_upstream_messages_total',
      help: 'Updates received from venue streams',
      labelNames: venueStream,
      registers,
    }),
    upstreamReconnects: new Counter({
      name: 'exchange_connector_upstream_reconnects_total',
      help: 'Venue streams that came back after a gap (subscribers were told to resync)',
      labelNames: venueStream,
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'exchange_connector_upstream_errors_total',
      help: 'Venue streams that ended with an error, by the port reason',
      labelNames: ['venue', 'stream', 'reason'],
      registers,
    }),
    upstreamTopics: new Gauge({
      name: 'exchange_connector_upstream_topics',
      help: 'Open upstream venue subscriptions (one per venue, stream and symbol set)',
      labelNames: venueStream,
      registers,
      collect() {
        // Reset first: a topic that closed since the last scrape must read 0, not its old count
        this.reset();
        for (const [labels, count] of countTopics(probe, () => 1)) this.set(labels, count);
      },
    }),
    streamSubscribers: new Gauge({
      name: 'exchange_connector_stream_subscribers',
      help: 'gRPC stream subscribers attached to upstream topics',
      labelNames: venueStream,
      registers,
      collect() {
        this.reset();
        for (const [labels, count] of countTopics(probe, (t) => t.subscribers)) {
          this.set(labels, count);
        }
      },
    }),
    messagesConflated: new Counter({
      name: 'exchange_connector_stream_messages_conflated_total',
      help: 'Market-data updates replaced by a newer one before a slow subscriber read them',
      labelNames: venueStream,
      registers,
    }),
    subscribersCut: new Counter({
      name: 'exchange_connector_stream_subscribers_cut_total',
      help: 'Order/account streams ended with ABORTED because the subscriber fell too far behind',
      labelNames: venueStream,
      registers,
    }),
    fencedRequests: new Counter({
      name: 'exchange_connector_fenced_requests_total',
      help: 'Order calls refused FENCED: their lease token was lower than one already seen for the symbol',
      labelNames: ['venue', 'method'],
      registers,
    }),
  };
}

/**
 * The venue and stream labels of a hub topic key ("sim|price|BTCUSDT" -> sim, price).
 * @param topicKey - a key built by the exchange service: venue|stream|...
 * @returns the labels; stream "unknown" for a key of another shape
 */
export function topicLabels(topicKey: string): { venue: string; stream: string } {
  const [venue = 'unknown', stream = 'unknown'] = topicKey.split('|');
  return { venue, stream };
}

/** Sums `value` of every probed topic per (venue, stream). */
function countTopics(
  probe: ConnectorProbe | undefined,
  value: (topic: { readonly subscribers: number }) => number,
): Map<{ venue: string; stream: string }, number> {
  const sums = new Map<string, { labels: { venue: string; stream: string }; sum: number }>();
  for (const topic of probe?.topics() ?? []) {
    const labels = topicLabels(topic.key);
    const id = `${labels.venue}|${labels.stream}`;
    const entry = sums.get(id) ?? { labels, sum: 0 };
    entry.sum += value(topic);
    sums.set(id, entry);
  }
  return new Map([...sums.values()].map((e) => [e.labels, e.sum]));
}
