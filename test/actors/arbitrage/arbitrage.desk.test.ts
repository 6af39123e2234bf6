/**
 * @module test/actors/arbitrage/arbitrage.desk
 * Arbitrage pairs running end to end in the engine process on simulated venues (spot "sim-spot"
 * and perp "sim"), with their cycles as DBOS workflows, on PGlite and PostgreSQL: positive funding
 * enters long spot / short perp, the settlement pays the short perp, the pair exits once the
 * funding turns below the exit threshold; a rejected second leg is compensated from the first
 * leg's executed quantity and alerted; a missing funding feed blocks entries through a trading
 * hold; a pair whose legs stay unhedged is halted and alerted; a restarted desk resumes a pair's
 * state from the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Registry } from 'prom-client';

import type { ArbitragePairWire } from '../../../actors/arbitrage/arbitrage.config.js';
import { ArbitrageDesk, PairRequestError } from '../../../actors/arbitrage/arbitrage.desk.js';
import { createArbitrageMetrics } from '../../../actors/arbitrage/arbitrage.metrics.js';
import type { Alert, AlertSink } from '../../../actors/alerts/alert.types.js';
import { ArbitragePairsRepo } from '../../../actors/store/arbitrage-pairs.repo.js';
import {
  bindOrderWorkflows,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../../connector/venues/sim/index.js';
import { VirtualClock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createLogger } from '../../../core/logger.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';
import type { TradingState } from '../../../machines/trading-state.machine.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2026, 0, 1, 0, 30);

const pairWire = (pair: string, extra: Record<string, unknown> = {}) => ({
  pair,
  strategy: 'arbitrage',
  legs: [
    { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
    { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
  ],
  quantity: '0.01',
  thresholds: {
    entry_apr: '0.1',
    exit_apr: '0.03',
    min_hold_hours: 0,
    expected_hold_hours: 72,
    reentry_cooldown_minutes: 600,
    hold_through_funding_minutes: 0,
  },
  feeds: { funding_stale_ms: 10 * MINUTE, price_stale_ms: 10 * MINUTE },
  ...extra,
});

class Alerts implements AlertSink {
  readonly raised: Alert[] = [];
  raise(alert: Alert): Promise<void> {
    this.raised.push(alert);
    return Promise.resolve();
  }
}

interface Rig {
  readonly venue: SimulatedVenue;
  readonly clock: VirtualClock;
  readonly desk: ArbitrageDesk;
  readonly alerts: Alerts;
  readonly repo: ArbitragePairsRepo;
  /** Placements of a venue fail while its name is in here. */
  readonly refusing: Set<string>;
}

/** Advances virtual time a minute at a time until `check` holds (cycles run in real time). */
async function until<T>(
  rig: Rig,
  check: () => T | false | null | undefined,
  what: string,
  minutes = 600,
): Promise<T> {
  for (let i = 0; i < minutes; i++) {
    const value = check();
    if (value !== false && value !== undefined && value !== null) return value;
    rig.clock.advance(MINUTE);
    for (let j = 0; j < 20 && rig.desk.pairs().some((p) => p.actor?.busy); j++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`not reached within ${minutes} virtual minutes: ${what}`);
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`arbitrage desk on simulated venues (${kind})`, () => {
    let db: TestDatabase;
    let rig: Rig;
    /** The engine's global trading state as the desk reads it (the kill switch). */
    let globalState: TradingState = 'ACTIVE';

    const deskOn = (
      venue: SimulatedVenue,
      clock: VirtualClock,
      alerts: Alerts,
      refusing: Set<string>,
      refusePairs: string | null = null,
    ) =>
      new ArbitrageDesk({
        openVenue: (name) => Promise.resolve(refusable(venue.exchangeNamed(name), refusing)),
        repo: new ArbitragePairsRepo(db.sql),
        clock,
        log: createLogger('arb-desk-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
        metrics: createArbitrageMetrics(new Registry()),
        alerts,
        policy: { maxFailures: 3, windowMs: HOUR, initialBackoffMs: 10, maxBackoffMs: 100 },
        guards: {
          evaluateIntervalMs: MINUTE,
          retryBackoffMs: MINUTE,
          maxRetries: 2,
          minLiquidationDistance: '0.05',
          riskCheckIntervalMs: MINUTE,
        },
        detach: (fn) => fn(),
        globalTrading: () => globalState,
        refusePairs,
      });

    before(async () => {
      db = await openTestDatabase(kind);
      const clock = new VirtualClock(START);
      const venue = createSimulatedVenue(
        {
          symbols: ['BTCUSDT', 'ETHUSDT'],
          tickIntervalMs: MINUTE,
          price: {
            volatilityPerYear: 0,
            jumpProbability: 0,
            basisMeanBps: 10,
            basisVolatilityBps: 0,
            basisHalfLifeMs: 10_000 * HOUR,
          },
          funding: { publishIntervalMs: MINUTE },
        },
        clock,
      );
      const alerts = new Alerts();
      const refusing = new Set<string>();
      bindOrderWorkflows({ retry: { initialBackoffMs: 1, maxBackoffMs: 2 } });
      const desk = deskOn(venue, clock, alerts, refusing);
      await desk.restore([]);
      await launchDurableRuntime({
        databaseUrl: db.url,
        appName: 'arb-desk-test',
        logLevel: 'error',
      });
      desk.resume();
      rig = { venue, clock, desk, alerts, repo: new ArbitragePairsRepo(db.sql), refusing };
    });

    after(async () => {
      await rig.desk.stop();
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 1_000 });
      unbindOrderWorkflows();
      await rig.venue.close();
      await db.close();
    });

    const view = (pair: string) => rig.desk.pairs().find((p) => p.pair === pair)?.actor ?? null;

    it('enters long spot / short perp on positive funding, collects it, exits below exit_apr', async () => {
      assert.deepEqual(await rig.desk.addPair(pairWire('basis')), {
        pair: 'basis',
        outcome: 'added',
      });
      const hedged = await until(
        rig,
        () => view('basis')?.position === 'hedged' && view('basis'),
        'hedged',
      );
      const [spot, perp] = hedged.legs;
      assert.ok(Number(spot?.position) > 0, 'long spot');
      assert.ok(Number(perp?.position) < 0, 'short perp');
      assert.equal(hedged.hedgeRatio.startsWith('0.9') || hedged.hedgeRatio === '1', true);

      const settlement = perp?.nextFundingTimeMs ?? 0;
      await until(
        rig,
        () => rig.clock.now() > settlement + MINUTE && (view('basis')?.settlements ?? 0) > 0,
        'a settlement',
      );
      assert.ok(Number(view('basis')?.fundingReceived) > 0, 'the short perp received funding');

      rig.venue.setPerpBasis('BTCUSDT', -10);
      await until(rig, () => view('basis')?.position === 'flat', 'the exit', 24 * 60);
      const flat = view('basis');
      assert.deepEqual(
        flat?.legs.map((l) => l.position),
        ['0', '0'],
      );
      assert.ok(flat && Number(flat.netPnl) !== 0);
      const stored = await rig.repo.load('basis');
      assert.equal((stored?.state as { cycle: number }).cycle, 2);
      assert.equal(await rig.desk.removePair('basis'), true);
      rig.venue.setPerpBasis('BTCUSDT', 10);
    });

    it('shorts spot on margin and goes long the perp on negative funding', async () => {
      rig.venue.setPerpBasis('ETHUSDT', -10);
      const eth = pairWire('eth-basis', {
        legs: [
          { venue: 'sim-spot', market: 'spot', symbol: 'ETHUSDT' },
          { venue: 'sim', market: 'perp', symbol: 'ETHUSDT' },
        ],
        quantity: '0.1',
      });
      await rig.desk.addPair(eth);
      const hedged = await until(
        rig,
        () => view('eth-basis')?.position === 'hedged' && view('eth-basis'),
        'hedged',
      );
      const [spot, perp] = hedged.legs;
      assert.ok(Number(spot?.position) < 0, 'short spot');
      assert.ok(Number(perp?.position) > 0, 'long perp');
      const borrowed = rig.venue.spotBalances(true).find((b) => b.asset === 'ETH');
      assert.ok(borrowed && Number(borrowed.borrowed) > 0, 'the short borrowed ETH on margin');
      rig.venue.setPerpBasis('ETHUSDT', 10);
      await until(rig, () => view('eth-basis')?.position === 'flat', 'the exit', 24 * 60);
      assert.equal(await rig.desk.removePair('eth-basis'), true);
    });

    it('compensates a rejected perp leg from the executed spot and alerts', async () => {
      rig.venue.faultsOf('sim').rejectNextPlacements(1);
      await rig.desk.addPair(pairWire('comp'));
      const done = await until(
        rig,
        () => view('comp')?.cycle === 1 && !view('comp')?.busy && view('comp'),
        'the entry cycle',
      );
      assert.equal(done?.position, 'flat');
      assert.deepEqual(
        done?.legs.map((l) => l.position),
        ['0', '0'],
      );
      assert.ok(rig.alerts.raised.some((a) => a.title.includes('ENTRY_COMPENSATING')));
      assert.equal(await rig.desk.removePair('comp'), true);
    });

    it('blocks entries while a funding feed is missing, through a reduce hold', async () => {
      rig.refusing.add('sim:funding');
      await rig.desk.addPair(pairWire('stale'));
      const blocked = await until(
        rig,
        () => view('stale')?.decision && view('stale'),
        'a decision',
      );
      assert.deepEqual(blocked?.decision, { action: 'hold', reason: 'FEED_MISSING' });
      assert.equal(blocked?.trading, 'REDUCING');
      assert.match(blocked?.tradingReason ?? '', /feed is missing/);
      assert.equal(blocked?.position, 'flat');
      rig.refusing.delete('sim:funding');
      await until(
        rig,
        () => view('stale')?.position === 'hedged',
        'the entry once the feed is back',
      );
      assert.equal(view('stale')?.trading, 'ACTIVE');
    });

    it('halts and alerts a pair whose legs stay unhedged after its retries', async () => {
      rig.refusing.add('sim');
      rig.refusing.add('sim-spot');
      // Both legs refuse: the exit closes nothing and the pair is retried, then halted
      rig.venue.setPerpBasis('BTCUSDT', -10);
      await until(rig, () => view('stale')?.trading === 'HALTED', 'the halt', 24 * 60);
      assert.ok(
        rig.alerts.raised.some((a) => a.severity === 'critical' && a.title.includes('halted')),
      );
      rig.refusing.clear();
    });
    it('obeys the global kill switch: no entry while HALTED, an exit while FLATTENING', async () => {
      globalState = 'HALTED';
      try {
        await rig.desk.addPair(
          pairWire('killed', {
            legs: [
              { venue: 'sim-spot', market: 'spot', symbol: 'ETHUSDT' },
              { venue: 'sim', market: 'perp', symbol: 'ETHUSDT' },
            ],
            quantity: '0.1',
          }),
        );
        // The same funding enters within minutes when the engine is active (the first case)
        for (let i = 0; i < 60; i++) {
          rig.clock.advance(MINUTE);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.equal(view('killed')?.position, 'flat', 'no entry while the engine is halted');

        globalState = 'ACTIVE';
        await until(rig, () => view('killed')?.position === 'hedged', 'the entry once resumed');
        globalState = 'FLATTENING';
        await until(
          rig,
          () => view('killed')?.position === 'flat',
          'the exit the flatten asks for',
        );
        assert.deepEqual(
          view('killed')?.legs.map((l) => l.position),
          ['0', '0'],
        );
      } finally {
        globalState = 'ACTIVE';
      }
      assert.equal(await rig.desk.removePair('killed'), true);
    });

    it('an engine under scale-out refuses pairs, naming why, and changes nothing', async () => {
      const why = 'this engine runs with cluster.enabled';
      const clustered = deskOn(rig.venue, rig.clock, rig.alerts, rig.refusing, why);
      const before = await rig.repo.list();

      await assert.rejects(
        clustered.addPair(pairWire('clustered')),
        (e: unknown) =>
          e instanceof PairRequestError && e.kind === 'conflict' && e.message.includes(why),
      );
      await assert.rejects(
        clustered.restore([pairWire('seeded') as ArbitragePairWire]),
        (e: unknown) =>
          e instanceof PairRequestError && /pairs .*seeded.* are stored/.test(e.message),
      );
      assert.deepEqual(await rig.repo.list(), before);
    });
  });
}

/** A venue whose placements fail with ORDER_REJECTED while its name is in `refusing`. */
function refusable(venue: Exchange, refusing: ReadonlySet<string>): Exchange {
  return new Proxy(venue, {
    get(target, key, receiver) {
      if (key === 'getFundingRate' || key === 'getHistoricalFundingRates') {
        if (refusing.has(`${target.name}:funding`)) {
          return () =>
            Promise.reject(
              new ExchangeError('EXCHANGE_UNAVAILABLE', 'funding held back by the test'),
            );
        }
      }
      if (key === 'placeOrder') {
        return (...args: Parameters<Exchange['placeOrder']>) =>
          refusing.has(target.name)
            ? Promise.reject(new ExchangeError('ORDER_REJECTED', 'refused by the test'))
            : target.placeOrder(...args);
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
