/**
 * The risk monitor: the kline signal with persistence and the any/all policy (KlineMonitor), and
 * the actor around it (preload of window + 1 candles, stream, bounded resubscription).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { KlineMonitor, type MonitorChange } from '../../../actors/risk/kline-monitor.js';
import { RiskMonitorActor, type KlineSource } from '../../../actors/risk/risk-monitor.actor.js';
import { monitorConfigSchema } from '../../../actors/risk/risk.config.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Candle } from '../../../core/exchange.types.js';
import type { StreamSink } from '../../../core/stream.js';

const MINUTE = 60_000;
const WINDOW = 3;

function candle(symbol: string, i: number, volume: string, close: string, isClosed = true): Candle {
  return {
    symbol,
    open: dec(close),
    high: dec(close),
    low: dec(close),
    close: dec(close),
    volume: dec(volume),
    openTimeMs: i * MINUTE,
    isClosed,
  };
}

const calmHistory = (symbol: string) => [0, 1, 2, 3].map((i) => candle(symbol, i, '100', '100'));

function monitor(policy: 'any' | 'all' = 'any', persistMs = 30_000, recoveryThreshold = 1) {
  return new KlineMonitor({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    averageWindow: WINDOW,
    volumeMultiplier: dec('3'),
    persistMs,
    policy,
    recoveryThreshold,
  });
}

describe('KlineMonitor', () => {
  it('needs window + 1 candles before it signals', () => {
    const m = monitor('any', 0);
    assert.equal(m.preloadCount, 4);
    m.preload(
      'BTCUSDT',
      [candle('BTCUSDT', 0, '100', '100'), candle('BTCUSDT', 1, '999', '50')],
      0,
    );
    assert.equal(m.triggered, false);
    assert.match(m.signals()[0]?.detail ?? '', /warming up: 2 of 4 candles/);
  });

  it('reacts to the forming candle, but only after the signal persisted', () => {
    const m = monitor('any', 30_000);
    m.preload('BTCUSDT', calmHistory('BTCUSDT'), 0);
    m.preload('ETHUSDT', calmHistory('ETHUSDT'), 0);
    // A forming candle of minute 4 with heavy volume and a lower close
    assert.equal(m.onCandle(candle('BTCUSDT', 4, '400', '95', false), 4 * MINUTE), null);
    assert.equal(m.signals()[0]?.raw, true);
    assert.equal(m.tick(4 * MINUTE + 29_999), null, 'not yet: one spike does not count');
    const change = m.tick(4 * MINUTE + 30_000);
    assert.equal(change?.type, 'monitor.triggered');
    assert.match(change?.reason ?? '', /market anomaly \(any\) on BTCUSDT/);
    assert.match(
      m.signals()[0]?.detail ?? '',
      /volume 400 > 3 × avg 100, close 95 < avg 100 \(forming\)/,
    );
  });

  it('forgets a spike that ends before it persisted', () => {
    const m = monitor('any', 30_000);
    m.preload('BTCUSDT', calmHistory('BTCUSDT'), 0);
    m.onCandle(candle('BTCUSDT', 4, '400', '95', false), 0);
    m.onCandle(candle('BTCUSDT', 4, '400', '101', false), 10_000);
    assert.equal(m.tick(60_000), null);
    assert.equal(m.triggered, false);
  });

  it('with policy all, waits for every symbol, and recovers when enough are calm', () => {
    const m = monitor('all', 0, 1);
    m.preload('BTCUSDT', calmHistory('BTCUSDT'), 0);
    m.preload('ETHUSDT', calmHistory('ETHUSDT'), 0);
    assert.equal(m.onCandle(candle('BTCUSDT', 4, '400', '95', false), 1), null);
    const triggered = m.onCandle(candle('ETHUSDT', 4, '500', '90', false), 2);
    assert.equal(triggered?.type, 'monitor.triggered');
    const recovered = m.onCandle(candle('ETHUSDT', 4, '500', '120', true), 3);
    assert.deepEqual(recovered, {
      type: 'monitor.recovered',
      reason: '1 of 2 symbols calm (ETHUSDT)',
      atMs: 3,
    } satisfies MonitorChange);
  });

  it('with policy any, stays triggered while any symbol is still anomalous', () => {
    const m = monitor('any', 0, 1);
    m.preload('BTCUSDT', calmHistory('BTCUSDT'), 0);
    m.preload('ETHUSDT', calmHistory('ETHUSDT'), 0);
    m.onCandle(candle('BTCUSDT', 4, '400', '95', false), 1);
    assert.equal(m.triggered, true);
    assert.equal(m.tick(2), null, 'ETH being calm is not enough while BTC is anomalous');
    assert.equal(
      m.onCandle(candle('BTCUSDT', 4, '400', '100', true), 3)?.type,
      'monitor.recovered',
    );
  });

  it('keeps window + 1 candles, replacing the forming one and closing a missed close', () => {
    const m = monitor('any', 0);
    m.preload('BTCUSDT', calmHistory('BTCUSDT'), 0);
    m.onCandle(candle('BTCUSDT', 4, '10', '100', false), 0);
    m.onCandle(candle('BTCUSDT', 4, '20', '100', false), 0);
    m.onCandle(candle('BTCUSDT', 5, '30', '100', false), 0);
    m.onCandle(candle('BTCUSDT', 2, '9999', '1', true), 0); // stale, ignored
    assert.equal(m.signals()[0]?.candles, 4);
    assert.match(m.signals()[0]?.detail ?? '', /volume 30 .* avg 73\.33333333/);
  });
});

/** A venue that serves klines from memory and lets the test drive the stream. */
class FakeKlines implements KlineSource {
  sinks: StreamSink<Candle>[] = [];
  preloadFailures = 0;
  preloads: { symbol: string; interval: string; limit: number }[] = [];

  async getHistoricalKlines(
    symbol: string,
    interval: string,
    limit: number,
  ): Promise<readonly Candle[]> {
    this.preloads.push({ symbol, interval, limit });
    if (this.preloadFailures > 0) {
      this.preloadFailures -= 1;
      throw new ExchangeError('TIMEOUT', 'klines timed out');
    }
    return calmHistory(symbol).slice(-limit);
  }

  subscribeKlines(_symbols: readonly string[], _interval: string, sink: StreamSink<Candle>) {
    this.sinks.push(sink);
    return { close: () => undefined };
  }
}

describe('RiskMonitorActor', () => {
  const config = monitorConfigSchema.parse({
    enabled: true,
    symbols: ['BTCUSDT'],
    average_window: WINDOW,
    persist_ms: 5_000,
    recovery_threshold: 1,
  });
  const setup = () => {
    const clock = new VirtualClock(10 * MINUTE);
    const venue = new FakeKlines();
    const changes: MonitorChange[] = [];
    const retries: string[] = [];
    const actor = new RiskMonitorActor({
      exchange: venue,
      clock,
      logger: pino({ level: 'silent' }),
      config,
      onChange: (c) => changes.push(c),
      onRetry: (what) => retries.push(what),
      maxResubscribes: 2,
      initialBackoffMs: 100,
    });
    return { clock, venue, changes, retries, actor };
  };

  it('preloads window + 1 candles, then triggers from the stream after the signal persists', async () => {
    const { clock, venue, changes, actor } = setup();
    await actor.start();
    assert.deepEqual(venue.preloads, [{ symbol: 'BTCUSDT', interval: '1m', limit: 4 }]);
    assert.equal(actor.status, 'watching');

    venue.sinks[0]?.next(candle('BTCUSDT', 4, '400', '95', false));
    clock.advance(4_000);
    assert.equal(changes.length, 0);
    clock.advance(1_000);
    assert.equal(changes[0]?.type, 'monitor.triggered');
    actor.stop();
  });

  it('retries a failed preload with backoff, counting each retry', async () => {
    const { clock, venue, retries, actor } = setup();
    venue.preloadFailures = 1;
    const started = actor.start();
    for (let i = 0; i < 10 && actor.status === 'starting'; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(100);
    }
    await started;
    assert.equal(venue.preloads.length, 2);
    assert.deepEqual(retries, ['preload']);
    actor.stop();
  });

  it('resubscribes a lost stream a bounded number of times, then reports failed', async () => {
    const { clock, venue, retries, actor } = setup();
    await actor.start();
    venue.sinks[0]?.error(new ExchangeError('NETWORK', 'gone'));
    clock.advance(100);
    assert.equal(venue.sinks.length, 2, 'resubscribed after the backoff');
    venue.sinks[1]?.error(new ExchangeError('NETWORK', 'gone'));
    clock.advance(200);
    venue.sinks[2]?.error(new ExchangeError('NETWORK', 'gone'));
    assert.equal(actor.status, 'failed');
    assert.deepEqual(retries, ['resubscribe', 'resubscribe']);
    actor.stop();
  });
});
