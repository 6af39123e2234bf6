import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { StreamSink } from '../../../core/stream.js';
import type { Account, Candle } from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import { MarketView } from '../../../server/live/market-view.js';
import type { LiveMessage } from '../../../server/live/messages.js';
import { UpstreamFeed } from '../../../server/live/upstream-feed.js';
import { fakeVenue } from '../../support/grpc-harness.js';
import { eventually, silent } from './support/live-harness.js';

const account: Account = {
  totalWalletBalance: dec('1000'),
  totalMarginBalance: dec('1000'),
  availableBalance: dec('1000'),
  positions: [],
  accountLeverage: 1,
  isUnified: false,
  totalMaintenanceMargin: dec('0'),
};

const candle = (minute: number): Candle => ({
  symbol: 'BTCUSDT',
  open: dec('1'),
  high: dec('1'),
  low: dec('1'),
  close: dec('1'),
  volume: dec('1'),
  openTimeMs: minute * 60_000,
  isClosed: false,
});

interface GatedVenue {
  readonly exchange: Exchange;
  readonly sinks: StreamSink<unknown>[];
  readonly counts: { snapshots: number; subscriptions: number };
  /** Snapshot calls from now on wait for `release()`. */
  hold(): void;
  release(): void;
}

/** A venue whose snapshot calls can be held, counting subscriptions and snapshots. */
function gatedVenue(): GatedVenue {
  const sinks: StreamSink<unknown>[] = [];
  const counts = { snapshots: 0, subscriptions: 0 };
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const subscribe = (sink: StreamSink<never>) => {
    counts.subscriptions++;
    sinks.push(sink as StreamSink<unknown>);
    return { close: () => undefined };
  };
  const getHistoricalKlines = async (): Promise<Candle[]> => {
    counts.snapshots++;
    await gate;
    return [candle(counts.snapshots)];
  };
  return {
    sinks,
    counts,
    hold: () => (gate = new Promise((r) => (open = r))),
    release: () => open(),
    exchange: fakeVenue('gated', {
      getSymbolInfo: async () => ({ quoteAsset: 'USDT' }) as never,
      getHistoricalKlines,
      getOpenOrders: async () => [],
      getAccount: async () => account,
      getPositions: async () => [],
      subscribeKlines: (_s, _i, sink) => subscribe(sink),
      subscribeOrders: (sink) => subscribe(sink),
      subscribeAccount: (sink) => subscribe(sink),
      subscribePositions: (_s, sink) => subscribe(sink),
    }),
  };
}

function feed(t: TestContext, connect: () => Promise<Exchange>) {
  const broadcast: LiveMessage[] = [];
  let snapshots = 0;
  const f = new UpstreamFeed({
    connect,
    symbol: 'BTCUSDT',
    interval: '1m',
    intervalSeconds: 60,
    historyLimit: 10,
    createView: (quoteAsset) =>
      new MarketView({ symbol: 'BTCUSDT', quoteAsset, historyLimit: 10, sinceMs: 0 }),
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    onMessages: (m) => broadcast.push(...m),
    onSnapshot: () => snapshots++,
    logger: silent,
  });
  t.after(() => f.close());
  f.start();
  return { feed: f, broadcast, snapshots: () => snapshots };
}

describe('UpstreamFeed', () => {
  it('coalesces resyncs that arrive during a reload into one more reload', async (t) => {
    const venue = gatedVenue();
    const { feed: f, snapshots } = feed(t, async () => venue.exchange);
    await eventually(() => f.status().upstream === 'live', 'live');
    venue.hold();

    for (const sink of venue.sinks) sink.resync?.();
    await eventually(() => venue.counts.snapshots === 2, 'the first reload to start');
    for (const sink of venue.sinks) sink.resync?.();
    venue.release();
    await eventually(() => snapshots() === 3, 'the coalesced reload');

    assert.equal(venue.counts.snapshots, 3);
    assert.equal(venue.counts.subscriptions, 4, 'a resync never resubscribes');
  });

  it('buffers stream events during a reload and applies them after the snapshot', async (t) => {
    const venue = gatedVenue();
    const { feed: f, broadcast } = feed(t, async () => venue.exchange);
    await eventually(() => f.status().upstream === 'live', 'live');
    venue.hold();
    venue.sinks[0]?.resync?.();
    await eventually(() => venue.counts.snapshots === 2, 'the reload to start');

    venue.sinks[0]?.next(candle(5));
    assert.equal(broadcast.filter((m) => m.type === 'kline').length, 0);
    venue.release();
    await eventually(() => broadcast.some((m) => m.type === 'kline'), 'the buffered kline');

    const history = JSON.parse(f.marketView?.snapshotFrames()?.[0] ?? '{}') as {
      data: { time: number }[];
    };
    assert.deepEqual(
      history.data.map((c) => c.time),
      [120, 300],
    );
  });

  it('resubscribes every stream after one fails and reports reconnecting, then live', async (t) => {
    const venue = gatedVenue();
    const { feed: f, broadcast, snapshots } = feed(t, async () => venue.exchange);
    await eventually(() => f.status().upstream === 'live', 'live');

    venue.sinks[1]?.error(new ExchangeError('EXCHANGE_UNAVAILABLE', 'connector went away'));
    const down = f.status();
    await eventually(() => snapshots() === 2, 'a fresh snapshot');

    assert.deepEqual([down.upstream, down.message], ['reconnecting', 'connector went away']);
    assert.equal(venue.counts.subscriptions, 8);
    assert.deepEqual(
      broadcast.filter((m) => m.type === 'status').map((m) => m.data.upstream),
      ['reconnecting'],
    );
    assert.equal(f.status().upstream, 'live');
  });

  it('keeps trying to connect until the venue is reachable', async (t) => {
    const venue = gatedVenue();
    let tries = 0;
    const { feed: f } = feed(t, async () => {
      if (++tries < 3) throw new Error(`connector unreachable (try ${tries})`);
      return venue.exchange;
    });
    await eventually(() => tries === 2, 'a second try');
    const meanwhile = f.status();
    await eventually(() => f.status().upstream === 'live', 'live');

    assert.equal(meanwhile.upstream, 'connecting');
    assert.match(meanwhile.message, /^connector unreachable \(try [12]\)$/);
    assert.equal(f.status().exchange, 'gated');
    assert.equal(tries, 3);
  });
});
