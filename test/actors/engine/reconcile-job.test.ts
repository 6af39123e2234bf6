/**
 * Reconciliation as a running job: when it asks for runs (a timer, coalesced, a failed run
 * retried with backoff), how it judges the position (small divergences accepted, a large one
 * confirmed then pausing entries until it resolves, each published as a typed event), and a
 * symbol actor on the simulated venue doing all of it: the timer, a stream reconnect, a run the
 * venue fails, a manual position that pauses entries and lets them resume once it is gone.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { DivergenceWatch } from '../../../actors/engine/divergence-watch.js';
import { createEngineMetrics } from '../../../actors/engine/engine.metrics.js';
import { ReconcileJob } from '../../../actors/engine/reconcile-job.js';
import type {
  PositionDivergence,
  ReconcileTrigger,
} from '../../../actors/engine/symbol.messages.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createLogger } from '../../../core/logger.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  TEST_POLICY,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import { BTC, openOrderIds, startSymbol } from './symbol-fixture.js';

const log = createLogger('reconcile-job-test', 'silent');

describe('ReconcileJob', () => {
  it('asks for a run every interval, one queued at a time', () => {
    const clock = new VirtualClock();
    const posted: ReconcileTrigger[] = [];
    const job = new ReconcileJob({
      symbol: BTC,
      clock,
      intervalMs: 60_000,
      metrics: createEngineMetrics(),
      log,
      post: (trigger) => posted.push(trigger),
    });
    job.start();
    clock.advance(59_999);
    assert.deepEqual(posted, []);
    clock.advance(1);
    clock.advance(60_000);
    assert.deepEqual(posted, ['timer'], 'a second run was queued while the first waited');
    job.taken();
    clock.advance(60_000);
    assert.deepEqual(posted, ['timer', 'timer']);
    job.stop();
    job.taken();
    clock.advance(600_000);
    assert.equal(posted.length, 2);
  });

  it('retries a failed run with backoff from 1 s, capped at the interval, and counts it', async () => {
    const clock = new VirtualClock();
    const metrics = createEngineMetrics();
    const posted: [ReconcileTrigger, number][] = [];
    const job = new ReconcileJob({
      symbol: BTC,
      clock,
      intervalMs: 5_000,
      metrics,
      log,
      post: (trigger) => posted.push([trigger, clock.now()]),
    });
    const start = clock.now();
    const down = new ExchangeError('EXCHANGE_UNAVAILABLE', 'venue down');
    const waits = [1, 2, 3, 4].map(() => {
      const wait = job.failed('timer', down);
      clock.advance(wait);
      job.taken();
      return wait;
    });
    job.succeeded('retry');

    assert.deepEqual(waits, [1_000, 2_000, 4_000, 5_000]);
    assert.deepEqual(
      posted.map(([trigger, at]) => [trigger, at - start]),
      [
        ['retry', 1_000],
        ['retry', 3_000],
        ['retry', 7_000],
        ['retry', 12_000],
      ],
    );
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      /market_maker_reconcile_runs_total\{symbol="BTCUSDT",trigger="timer",outcome="failed"\} 4/,
    );
    assert.match(
      text,
      /market_maker_reconcile_runs_total\{symbol="BTCUSDT",trigger="retry",outcome="ok"\} 1/,
    );
  });
});

describe('DivergenceWatch', () => {
  function watch() {
    const published: PositionDivergence[] = [];
    const metrics = createEngineMetrics();
    const w = new DivergenceWatch({
      symbol: BTC,
      capacity: dec('0.006'),
      tolerancePct: 10,
      clock: new VirtualClock(),
      metrics,
      log,
      publish: (d) => published.push(d),
    });
    const check = (venue: string, grid: string) =>
      w.assess({ venue, grid, matches: dec(venue).eq(grid) });
    return { w, published, metrics, check };
  }

  it('accepts a small divergence as the venue truth, telling it once per figure', () => {
    const { published, check } = watch();
    assert.equal(check('0.003', '0.003'), 'none');
    assert.equal(check('0.0035', '0.003'), 'none');
    assert.equal(check('0.0035', '0.003'), 'none');
    assert.deepEqual(
      published.map((d) => [d.severity, d.divergence, d.divergencePct]),
      [['small', '0.0005', '8.3333']],
    );
  });

  it('pauses entries on a large divergence seen twice in a row, and resumes when it is gone', async () => {
    const { w, published, metrics, check } = watch();
    assert.equal(check('0.004', '0.003'), 'confirm');
    assert.equal(w.paused, false);
    assert.equal(check('0.004', '0.003'), 'pause');
    assert.equal(check('0.004', '0.003'), 'none');
    assert.equal(w.paused, true);
    assert.match(
      await metrics.registry.metrics(),
      /market_maker_position_divergence_paused\{symbol="BTCUSDT"\} 1/,
    );
    assert.equal(check('0.003', '0.003'), 'resume');
    assert.deepEqual(
      published.map((d) => [d.severity, d.venue, d.grid]),
      [
        ['large', '0.004', '0.003'],
        ['resolved', '0.003', '0.003'],
      ],
    );
  });

  it('forgets a large divergence that the second look does not confirm', () => {
    const { published, check } = watch();
    assert.equal(check('0.004', '0.003'), 'confirm');
    assert.equal(check('0.003', '0.003'), 'none');
    assert.equal(check('0.004', '0.003'), 'confirm');
    assert.deepEqual(published, []);
  });
});

/** Makes the next `count` open-order queries fail as if the venue were down. */
function flakyOpenOrders(venue: TestVenue) {
  let failures = 0;
  const exchange = new Proxy(venue.exchange, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== 'getOpenOrders' || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        if (failures > 0) {
          failures--;
          return Promise.reject(new ExchangeError('EXCHANGE_UNAVAILABLE', 'venue down'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Exchange;
  return { exchange, failNext: (count: number) => void (failures = count) };
}

describe('reconciliation as a running job of a symbol actor', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  const runs = async (trigger: string, outcome = 'ok') => {
    const text = await bed.metrics.registry.metrics();
    const match = new RegExp(
      `market_maker_reconcile_runs_total\\{symbol="BTCUSDT",trigger="${trigger}",outcome="${outcome}"\\} (\\d+)`,
    ).exec(text);
    return Number(match?.[1] ?? 0);
  };

  it('reconciles on its timer, after a stream reconnect, and again after a run the venue failed', async () => {
    const venue = createTestVenue();
    const flaky = flakyOpenOrders(venue);
    const tested: TestVenue = { ...venue, exchange: flaky.exchange };
    bed.useVenue(flaky.exchange);
    const btc = await startSymbol(bed, tested);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    assert.equal(await runs('start'), 1);

    venue.clock.advance(60_000);
    await eventually(async () => (await runs('timer')) === 1, 'the timer run');

    venue.sim.faults.dropStreams();
    await eventually(() => {
      venue.clock.advance(500);
      return runs('stream').then((n) => n >= 1);
    }, 'the run after the order stream reconnected');

    flaky.failNext(1);
    venue.clock.advance(60_000);
    await eventually(async () => (await runs('timer', 'failed')) === 1, 'the failed run');
    assert.equal(btc.actor.view().phase, 'trading', 'a failed run does not fail the symbol');
    venue.clock.advance(1_000);
    await eventually(async () => (await runs('retry')) === 1, 'the retry, a second later');
    await btc.stop();
  });

  it('pauses entries on a confirmed large position divergence and resumes once it is gone', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const found: PositionDivergence[] = [];
    const policy = {
      ...TEST_POLICY,
      onPositionDivergence: (d: PositionDivergence) => found.push(d),
    };
    const btc = await startSymbol(bed, venue, undefined, BTC, policy);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    // A manual trade the grid knows nothing of: 0.005 against a capacity of 0.002
    const manual = venue.sim.exchange('futures');
    await manual.placeOrder({ symbol: BTC, side: 'BUY', type: 'MARKET', quantity: dec('0.005') });
    venue.clock.advance(60_000);
    await eventually(async () => (await runs('timer')) === 1, 'the timer run');
    venue.clock.advance(2_000);
    await eventually(
      () => btc.actor.view().divergencePaused,
      'entries paused after the second look',
    );
    // The grid's resting entries are pulled while paused
    await eventually(async () => (await openOrderIds(venue)).length === 0, 'entries canceled');
    assert.deepEqual(
      found.map((d) => [d.severity, d.venue, d.grid]),
      [['large', '0.005', '0']],
    );

    await manual.placeOrder({
      symbol: BTC,
      side: 'SELL',
      type: 'MARKET',
      quantity: dec('0.005'),
      reduceOnly: true,
    });
    venue.clock.advance(60_000);
    await eventually(() => !btc.actor.view().divergencePaused, 'entries resumed');
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'the buys back');
    assert.equal(found.at(-1)?.severity, 'resolved');
    await btc.stop();
  });
});
