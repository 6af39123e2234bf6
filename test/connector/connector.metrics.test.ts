/**
 * The connector's metrics over a real gRPC connector: stream fan-out (subscribers, topics,
 * conflation, slow cuts) counted by the hub, venue calls and streams counted by the port
 * decorator, and the /metrics and /health listener.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Metric } from 'prom-client';

import { createConnectorMetrics, topicLabels } from '../../connector/connector.metrics.js';
import { instrumentVenue } from '../../connector/instrumented.exchange.js';
import { createMetricsApp } from '../../connector/metrics.server.js';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, OrderUpdate, PriceChange } from '../../core/exchange.types.js';
import type { StreamSink } from '../../core/stream.js';
import { eventually, fakeVenue, rawClient, startConnector } from '../support/grpc-harness.js';

/** The value of the series of `metric` whose labels include `labels`; 0 when absent. */
async function valueOf(metric: Metric, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return match?.value ?? 0;
}

const price = (symbol: string, i: number): PriceChange => ({
  exchange: 'sim',
  symbol,
  price: dec(90000 + i),
  timeMs: i,
});

const ORDER: Order = {
  orderId: '1',
  clientOrderId: 'osq-1',
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: dec('90000'),
  quantity: dec('0.01'),
  executedQty: dec(0),
  avgPrice: dec(0),
  status: 'NEW',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 1,
  updateTimeMs: 1,
  trades: [],
};

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('connector metrics', () => {
  it('splits a topic key into bounded venue and stream labels', () => {
    assert.deepEqual(topicLabels('binance-usdm|klines|BTCUSDT|1m'), {
      venue: 'binance-usdm',
      stream: 'klines',
    });
    assert.deepEqual(topicLabels('odd'), { venue: 'odd', stream: 'unknown' });
  });

  it('counts every conflated price update of a slow subscriber and reports subscribers', async (t) => {
    const metrics = createConnectorMetrics();
    const sinks = new Map<string, StreamSink<PriceChange>>();
    const venue = fakeVenue('sim', {
      subscribePrice: (symbols, sink) => {
        for (const symbol of symbols) sinks.set(symbol, sink);
        return { close: () => undefined };
      },
    });
    const server = await startConnector(t, venue, { streamQueueLimit: 200, metrics });
    const call = rawClient(t, server.address).subscribePrice({ symbols: ['BTCUSDT', 'ETHUSDT'] });
    let received = 0;
    call.on('data', () => received++);
    call.on('error', () => undefined);
    await eventually(() => server.streams().topics === 2, 'both upstreams');
    const labels = { venue: 'sim', stream: 'price' };
    assert.equal(await valueOf(metrics.streamSubscribers, labels), 2, 'one per topic joined');
    assert.equal(await valueOf(metrics.upstreamTopics, labels), 2);
    call.pause();

    const total = 4000;
    for (let i = 0; i < total; i += 100) {
      for (let j = i; j < i + 100; j++) {
        const symbol = j % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT';
        sinks.get(symbol)?.next(price(symbol, j));
      }
      await tick();
    }
    call.resume();
    const conflated = async () => valueOf(metrics.messagesConflated, labels);
    const settled = async () => received + (await conflated()) === total;
    const deadline = Date.now() + 5000;
    while (!(await settled()) && Date.now() < deadline) await tick();

    assert.ok((await conflated()) > 0, 'the paused reader had updates conflated');
    assert.equal(received + (await conflated()), total, 'each update delivered or conflated');
    call.cancel();
    await eventually(() => server.streams().topics === 0, 'the topics to close');
    assert.equal(await valueOf(metrics.streamSubscribers, labels), 0);
  });

  it('counts an order-stream subscriber cut as too slow', async (t) => {
    const metrics = createConnectorMetrics();
    let orders: StreamSink<OrderUpdate> | undefined;
    const venue = fakeVenue('sim', {
      subscribeOrders: (sink) => {
        orders = sink;
        return { close: () => undefined };
      },
    });
    const server = await startConnector(t, venue, { streamQueueLimit: 100, metrics });
    const call = rawClient(t, server.address).subscribeOrders({});
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    await eventually(() => server.streams().subscribers === 1, 'the subscriber');
    call.pause();

    const update = (i: number): OrderUpdate => ({
      exchange: 'sim',
      order: { ...ORDER, orderId: String(i + 1), updateTimeMs: i },
    });
    for (let i = 0; server.streams().subscribers === 1 && i < 100_000; i++) {
      orders?.next(update(i));
      if (i % 200 === 0) await tick();
    }

    assert.equal(server.streams().subscribers, 0, 'the slow subscriber was cut');
    assert.equal(await valueOf(metrics.subscribersCut, { venue: 'sim', stream: 'orders' }), 1);
  });

  it('measures venue calls per method class and counts failures by reason', async () => {
    const metrics = createConnectorMetrics();
    let clock = 0;
    // A plain object, not fakeVenue: the decorator probes for optional methods
    const venue = {
      name: 'okx',
      getLatestPrice: async () => {
        clock += 7;
        return dec(1);
      },
      placeOrder: async () => {
        clock += 40;
        throw new ExchangeError('RATE_LIMITED', 'slow down');
      },
    } as unknown as Exchange;
    const measured = instrumentVenue(venue, metrics, () => clock);

    await measured.getLatestPrice('BTCUSDT');
    await assert.rejects(measured.placeOrder({} as never), ExchangeError);

    const { values } = await metrics.requestDuration.get();
    const sum = (cls: string) =>
      values.find((v) => v.metricName?.endsWith('_sum') && v.labels.method_class === cls)?.value;
    assert.equal(sum('market_data'), 7);
    assert.equal(sum('orders'), 40);
    assert.equal(
      await valueOf(metrics.requestErrors, {
        venue: 'okx',
        method_class: 'orders',
        reason: 'RATE_LIMITED',
      }),
      1,
    );
    assert.equal(measured.name, 'okx');
  });

  it('counts stream updates, reconnects and error ends, passing each on', async () => {
    const metrics = createConnectorMetrics();
    let sink: StreamSink<PriceChange> | undefined;
    const venue = fakeVenue('sim', {
      subscribePrice: (_symbols, s) => {
        sink = s;
        return { close: () => undefined };
      },
    });
    const seen: string[] = [];
    instrumentVenue(venue, metrics).subscribePrice(['BTCUSDT'], {
      next: () => seen.push('next'),
      error: (e) => seen.push(`error ${e.reason}`),
      resync: () => seen.push('resync'),
    });

    sink?.next(price('BTCUSDT', 1));
    sink?.resync?.();
    sink?.next(price('BTCUSDT', 2));
    sink?.error(new ExchangeError('NETWORK', 'socket closed'));

    assert.deepEqual(seen, ['next', 'resync', 'next', 'error NETWORK']);
    const labels = { venue: 'sim', stream: 'price' };
    assert.equal(await valueOf(metrics.upstreamMessages, labels), 2);
    assert.equal(await valueOf(metrics.upstreamReconnects, labels), 1);
    assert.equal(await valueOf(metrics.upstreamErrors, { ...labels, reason: 'NETWORK' }), 1);
  });

  it('reports the rate-limit budget a venue says it used', async () => {
    const metrics = createConnectorMetrics();
    const venue = Object.assign(fakeVenue('binance', { getTickers: async () => [] }), {
      rateLimitUsage: () => 0.25,
    });

    await instrumentVenue(venue, metrics).getTickers();

    assert.equal(await valueOf(metrics.rateLimitUsed, { venue: 'binance' }), 0.25);
  });

  it('serves /metrics in the Prometheus format and /health from the default venue', async () => {
    const metrics = createConnectorMetrics();
    let reachable = true;
    metrics.observe({ venues: () => [{ name: 'sim', reachable }], topics: () => [] });
    const app = createMetricsApp({ registry: metrics.registry, healthy: () => reachable });

    const scrape = await app.request('/metrics');
    const text = await scrape.text();
    const healthy = await app.request('/health');
    reachable = false;
    const down = await app.request('/health');
    const downScrape = await (await app.request('/metrics')).text();

    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(text, /^exchange_connector_venue_up\{venue="sim"\} 1$/m);
    assert.match(downScrape, /^exchange_connector_venue_up\{venue="sim"\} 0$/m);
    assert.equal(healthy.status, 200);
    assert.equal(down.status, 503);
  });
});
