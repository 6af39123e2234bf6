/**
 * @module test/actors/arbitrage/funding-monitor
 * The funding monitor against the simulated venue on a virtual clock (the real port, rates,
 * settlements and intervals) and against scripted venues for the failure paths: a perp leg's
 * rate, next funding time and ACTUAL interval (4 h here, never an assumed 8 h); a spot leg with
 * no funding judged by its price feed (the original's spot legs went stale one TTL after start);
 * staleness per feed; ended streams resubscribed with doubling backoff, counted, and given up
 * after the limit; resync refetching the snapshot; one shared feed per leg.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';

import { createArbitrageMetrics } from '../../../actors/arbitrage/arbitrage.metrics.js';
import {
  FundingMonitor,
  type FeedKey,
  type FundingMonitorOptions,
} from '../../../actors/arbitrage/funding-monitor.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { FundingRate, PriceChange } from '../../../core/exchange.types.js';
import type { StreamSink } from '../../../core/stream.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { eventually, silentLogger } from '../../support/grpc-harness.js';
import { scriptedExchange } from '../../support/scripted-exchange.js';

const H = 3_600_000;
const PERP: FeedKey = { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' };
const SPOT: FeedKey = { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' };
const STALENESS = { fundingStaleMs: 180_000, priceStaleMs: 30_000 };

function monitorOn(
  t: TestContext,
  venues: Record<string, Exchange>,
  clock: VirtualClock,
  options: FundingMonitorOptions = {},
) {
  const registry = new Registry();
  const metrics = createArbitrageMetrics(registry);
  const monitor = new FundingMonitor(
    { venue: (name) => venues[name] as Exchange, clock, log: silentLogger, metrics },
    options,
  );
  t.after(() => monitor.close());
  const retries = async (venue: string, feed: string) => {
    const metric = await registry.getSingleMetric('market_maker_arb_feed_retries_total')?.get();
    return (
      metric?.values.find((v) => v.labels.venue === venue && v.labels.feed === feed)?.value ?? 0
    );
  };
  return { monitor, retries };
}

function simVenue(t: TestContext, clock: VirtualClock) {
  const venue = createSimulatedVenue(
    { symbols: ['BTCUSDT'], funding: { intervalMs: 4 * H, historyLength: 6 } },
    clock,
  );
  t.after(() => venue.close());
  return { sim: venue.exchange('futures'), 'sim-spot': venue.exchange('spot') };
}

/** A fake feed whose streams the test drives by hand. */
function handFed(overrides: Partial<Exchange> = {}) {
  const sinks = {
    price: [] as StreamSink<PriceChange>[],
    funding: [] as StreamSink<FundingRate>[],
  };
  const calls = { funding: 0, history: 0 };
  const exchange = scriptedExchange({
    getLatestPrice: async () => dec('100000'),
    getFundingRate: async (symbol) => {
      calls.funding++;
      return {
        exchange: 'fake',
        symbol,
        rate: dec('0.0001'),
        predictedRate: dec('0.0001'),
        nextFundingTimeMs: Date.UTC(2026, 0, 1, 8),
        timeMs: 0,
      };
    },
    getHistoricalFundingRates: async () => {
      calls.history++;
      return [];
    },
    subscribePrice: (_symbols, sink) => {
      sinks.price.push(sink);
      return { close: () => undefined };
    },
    subscribeFundingRate: (_symbol, sink) => {
      sinks.funding.push(sink);
      return { close: () => undefined };
    },
    ...overrides,
  });
  return { exchange, sinks, calls };
}

describe('FundingMonitor on the simulated venue', () => {
  it("reads a perp leg's rate, next funding time and the venue's actual 4 h interval", async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const venues = simVenue(t, clock);
    const { monitor } = monitorOn(t, venues, clock);

    monitor.watch(PERP);
    await eventually(() => monitor.snapshot(PERP).status === 'live', 'a live perp leg');

    const venueRate = await venues.sim.getFundingRate('BTCUSDT');
    const s = monitor.snapshot(PERP);
    assert.deepEqual(
      [s.intervalMs, s.nextFundingTimeMs, s.rate.toFixed()],
      [4 * H, Date.UTC(2026, 0, 1, 4), venueRate.rate.toFixed()],
    );
    assert.ok(s.price?.gt(0));
    assert.equal(monitor.legView(PERP, STALENESS).feedProblem, null);

    // The settlement at 04:00 moves the schedule on by the interval, seen on the stream
    clock.advance(3 * H + 60_000);
    await eventually(
      () => monitor.snapshot(PERP).nextFundingTimeMs === Date.UTC(2026, 0, 1, 8),
      'the next settlement',
    );
    assert.equal(monitor.snapshot(PERP).intervalMs, 4 * H);
    assert.equal(monitor.legView(PERP, STALENESS).feedProblem, null);
  });

  it('gives a spot leg no funding and keeps it fresh by its price feed alone', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const { monitor } = monitorOn(t, simVenue(t, clock), clock);

    monitor.watch(SPOT);
    await eventually(() => monitor.snapshot(SPOT).status === 'live', 'a live spot leg');
    clock.advance(10 * H); // far beyond any funding staleness: spot never streams funding

    const view = monitor.legView(SPOT, STALENESS);
    assert.deepEqual(
      [view.market, view.rate.toFixed(), view.nextFundingTimeMs, view.intervalMs, view.feedProblem],
      ['spot', '0', 0, null, null],
    );
    assert.equal(monitor.snapshot(SPOT).priceAtMs, clock.now());
  });
});

describe('FundingMonitor staleness', () => {
  it('reports a missing feed until data arrives, then stale once it stops', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const fake = handFed();
    const { monitor } = monitorOn(t, { fake: fake.exchange }, clock);
    const key: FeedKey = { venue: 'fake', market: 'perp', symbol: 'BTCUSDT' };

    monitor.watch(key);
    assert.equal(monitor.legView(key, STALENESS).feedProblem, 'FEED_MISSING');
    await eventually(() => monitor.snapshot(key).status === 'live', 'the first snapshot');
    assert.equal(monitor.legView(key, STALENESS).feedProblem, null);

    clock.advance(STALENESS.priceStaleMs + 1);
    assert.equal(monitor.legView(key, STALENESS).feedProblem, 'FEED_STALE');
    for (const sink of fake.sinks.price)
      sink.next({ exchange: 'fake', symbol: 'BTCUSDT', price: dec('1'), timeMs: 0 });
    assert.equal(monitor.legView(key, STALENESS).feedProblem, null);

    // Prices keep coming but funding stopped: still stale (REQ-ARB-002)
    clock.advance(STALENESS.fundingStaleMs);
    for (const sink of fake.sinks.price)
      sink.next({ exchange: 'fake', symbol: 'BTCUSDT', price: dec('1'), timeMs: 0 });
    assert.equal(monitor.legView(key, STALENESS).feedProblem, 'FEED_STALE');
    assert.equal(monitor.snapshot(key).intervalMs, null, 'no interval is ever assumed');
  });

  it('learns the interval from the stream when a settlement moves the next funding time', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const fake = handFed();
    const { monitor } = monitorOn(t, { fake: fake.exchange }, clock);
    const key: FeedKey = { venue: 'fake', market: 'perp', symbol: 'BTCUSDT' };
    monitor.watch(key);
    await eventually(() => fake.sinks.funding.length === 1, 'the funding stream');

    const next = Date.UTC(2026, 0, 1, 9);
    fake.sinks.funding[0]?.next({
      exchange: 'fake',
      symbol: 'BTCUSDT',
      rate: dec('-0.0002'),
      predictedRate: dec('0'),
      nextFundingTimeMs: next,
      timeMs: 0,
    });

    const s = monitor.snapshot(key);
    assert.deepEqual([s.intervalMs, s.nextFundingTimeMs, s.rate.toFixed()], [H, next, '-0.0002']);
  });
});

describe('FundingMonitor resubscription', () => {
  it('resubscribes an ended stream after a snapshot, with doubling backoff, counted', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const fake = handFed();
    const { monitor, retries } = monitorOn(t, { fake: fake.exchange }, clock, {
      retryInitialMs: 100,
    });
    const key: FeedKey = { venue: 'fake', market: 'perp', symbol: 'BTCUSDT' };
    monitor.watch(key);
    await eventually(() => fake.sinks.funding.length === 1, 'the funding stream');

    fake.sinks.funding[0]?.error(new ExchangeError('EXCHANGE_UNAVAILABLE', 'connector restarted'));
    assert.equal(monitor.snapshot(key).status, 'retrying');
    clock.advance(99);
    assert.equal(fake.sinks.funding.length, 1);
    clock.advance(1);
    await eventually(() => fake.sinks.funding.length === 2, 'a new funding stream');
    assert.equal(fake.calls.funding, 2, 'a fresh snapshot before the new stream');
    assert.equal(await retries('fake', 'funding'), 1);
    assert.equal(monitor.snapshot(key).status, 'live');
  });

  it('gives up after maxRetries attempts in a row and stays failed', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    let attempts = 0;
    const fake = handFed({
      getLatestPrice: async () => {
        attempts++;
        throw new ExchangeError('EXCHANGE_UNAVAILABLE', 'down');
      },
    });
    const { monitor, retries } = monitorOn(t, { fake: fake.exchange }, clock, {
      retryInitialMs: 100,
      maxRetries: 3,
    });
    const key: FeedKey = { venue: 'fake', market: 'spot', symbol: 'BTCUSDT' };
    monitor.watch(key);

    for (const [n, delay] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      await eventually(
        () => attempts === n && monitor.snapshot(key).status === 'retrying',
        `retry ${n} scheduled`,
      );
      clock.advance(delay);
    }
    await eventually(() => monitor.snapshot(key).status === 'failed', 'giving up');
    clock.advance(H);
    assert.equal(attempts, 4);
    assert.equal(await retries('fake', 'price'), 3);
    assert.equal(monitor.legView(key, STALENESS).feedProblem, 'FEED_MISSING');
  });

  it('refetches the funding snapshot when the stream says it resynced', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    const fake = handFed();
    const { monitor } = monitorOn(t, { fake: fake.exchange }, clock);
    monitor.watch({ venue: 'fake', market: 'perp', symbol: 'BTCUSDT' });
    await eventually(() => fake.sinks.funding.length === 1, 'the funding stream');

    fake.sinks.funding[0]?.resync?.();
    await eventually(
      () => fake.calls.funding === 2 && fake.calls.history === 2,
      'a second snapshot',
    );
    assert.equal(fake.sinks.funding.length, 1, 'the stream itself stays');
  });

  it('keeps one feed per leg for all watchers and stops it with the last', async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 1));
    let closed = 0;
    const fake = handFed({
      subscribePrice: () => ({ close: () => void closed++ }),
    });
    const { monitor } = monitorOn(t, { fake: fake.exchange }, clock);
    const key: FeedKey = { venue: 'fake', market: 'spot', symbol: 'BTCUSDT' };
    monitor.watch(key);
    monitor.watch(key);
    await eventually(() => monitor.snapshot(key).status === 'live', 'a live leg');

    monitor.unwatch(key);
    assert.equal(closed, 0);
    monitor.unwatch(key);
    assert.equal(closed, 1);
    assert.throws(() => monitor.snapshot(key), /not watched/);
  });
});
