/**
 * The stream supervisor on its own: reconnect schedule, logging, stale marking, resync after a
 * gap, one watch loop shared by every subscriber of a feed, and streams that retrying cannot fix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import {
  DEFAULT_STREAM_BACKOFF_MS,
  StreamRegistry,
} from '../../../../connector/venues/ccxt/stream-supervisor.js';
import { ExchangeError, toExchangeError } from '../../../../core/errors.js';
import { eventually } from '../../../support/grpc-harness.js';

function setup() {
  const logs: { level: number; msg: string; waitMs?: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const waits: number[] = [];
  const staleMarks: [string, boolean][] = [];
  const registry = new StreamRegistry({
    venue: 'test-venue',
    logger,
    backoffMs: DEFAULT_STREAM_BACKOFF_MS,
    toError: toExchangeError,
    onStale: (feed, stale) => staleMarks.push([feed, stale]),
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { logs, waits, staleMarks, registry };
}

describe('StreamRegistry supervisor', () => {
  it('retries a failing feed on 3, 5, 10, then 30 s, logs each failure, and resyncs once back', async () => {
    const { logs, waits, staleMarks, registry } = setup();
    let calls = 0;
    const watch = async () => {
      calls++;
      if (calls <= 5) throw new ExchangeError('NETWORK', `connection closed (${calls})`);
      if (calls > 6) await new Promise(() => undefined);
      return [calls];
    };
    const values: number[] = [];
    let resyncs = 0;

    const sub = registry.subscribe('price:BTCUSDT', watch, {
      next: (v) => values.push(v),
      error: (e) => assert.fail(e),
      resync: () => resyncs++,
    });
    await eventually(() => values.length === 1, 'the first value after the failures');

    assert.deepEqual(waits, [3000, 5000, 10000, 30000, 30000]);
    assert.deepEqual(values, [6]);
    assert.equal(resyncs, 1);
    assert.deepEqual(staleMarks.at(0), ['price:BTCUSDT', true]);
    assert.deepEqual(staleMarks.at(-1), ['price:BTCUSDT', false]);
    const warnings = logs.filter((l) => l.level === 40);
    assert.equal(warnings.length, 5);
    assert.deepEqual(
      warnings.map((l) => l.waitMs),
      [3000, 5000, 10000, 30000, 30000],
    );
    assert.match(warnings[0]?.msg ?? '', /stream connection error/);
    sub.close();
    assert.deepEqual(registry.feeds(), []);
  });

  it('runs one watch loop per feed for all its subscribers and stops with the last one', async () => {
    const { registry } = setup();
    let calls = 0;
    let release: (() => void) | undefined;
    const watch = async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return ['tick'];
    };
    const a: string[] = [];
    const b: string[] = [];

    const subA = registry.subscribe('orders', watch, {
      next: (v) => a.push(v),
      error: () => undefined,
    });
    const subB = registry.subscribe('orders', watch, {
      next: (v) => b.push(v),
      error: () => undefined,
    });
    release?.();
    await eventually(() => a.length === 1 && b.length === 1, 'both subscribers served');

    assert.equal(calls, 2, 'one loop: the first call delivered, the second is waiting');
    subA.close();
    assert.deepEqual(registry.feeds(), ['orders']);
    subB.close();
    assert.deepEqual(registry.feeds(), []);
  });

  it('ends the stream with the error when retrying cannot help', async () => {
    const { registry, waits } = setup();
    const errors: ExchangeError[] = [];

    registry.subscribe(
      'funding:DOGEUSDT',
      async () => {
        throw new ExchangeError('UNKNOWN_SYMBOL', 'symbol: DOGEUSDT is not a market');
      },
      { next: () => assert.fail('no value expected'), error: (e) => errors.push(e) },
    );
    await eventually(() => errors.length === 1, 'the stream error');

    assert.equal(errors[0]?.reason, 'UNKNOWN_SYMBOL');
    assert.deepEqual(waits, []);
    assert.deepEqual(registry.feeds(), []);
  });
});
