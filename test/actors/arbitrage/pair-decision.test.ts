/**
 * @module test/actors/arbitrage/pair-decision
 * The arbitrage parts composed on the simulated venues, the way the pair actor will run them:
 * the funding monitor feeds `decidePair`, an entry decision goes to the position machine, its leg
 * orders go to the venues through `legOrderRequest` and come back through `legOrderReport`.
 * Covers a two-perp pair across venues with different funding intervals (funding paid at the
 * second venue's settlement), positive funding on spot/perp with the hedge leg partially filled
 * (compensation from the executed quantity), negative funding on a margin short, a rejected hedge
 * leg (back to flat with an alert), and a stale funding feed blocking the entry.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createActor } from 'xstate';

import {
  parseArbitragePair,
  type ArbitragePairConfig,
} from '../../../actors/arbitrage/arbitrage.config.js';
import { FundingMonitor } from '../../../actors/arbitrage/funding-monitor.js';
import {
  legOrderRefusal,
  legOrderReport,
  legOrderRequest,
} from '../../../actors/arbitrage/leg-orders.js';
import { decidePair, enterEvent, positionView } from '../../../actors/arbitrage/pair-decision.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { toExchangeError } from '../../../core/errors.js';
import {
  createSimulatedVenue,
  type SimulatedVenue,
  type SimVenueConfigInput,
} from '../../../connector/venues/sim/index.js';
import {
  arbitragePositionMachine,
  type ArbitrageControlEvent,
  type PlaceLegOrderCommand,
} from '../../../machines/arbitrage-position.machine.js';
import { parseArbitrageOrderId } from '../../../machines/arbitrage-order-id.js';
import { eventually, silentLogger } from '../../support/grpc-harness.js';

const H = 3_600_000;
const QUIET = { volatilityPerYear: 0, jumpProbability: 0, basisVolatilityBps: 0 };

function world(t: TestContext, config: SimVenueConfigInput) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 30));
  const venue = createSimulatedVenue(
    { symbols: ['BTCUSDT'], tickIntervalMs: 1000, ...config },
    clock,
  );
  t.after(() => venue.close());
  const monitor = new FundingMonitor({
    venue: (name) => venue.exchangeNamed(name),
    clock,
    log: silentLogger,
  });
  t.after(() => monitor.close());
  return { clock, venue, monitor };
}

/** Watches both legs and waits until their streams run. */
async function watchLive(monitor: FundingMonitor, config: ArbitragePairConfig): Promise<void> {
  monitor.watch(config.legs.a);
  monitor.watch(config.legs.b);
  await eventually(
    () => [config.legs.a, config.legs.b].every((l) => monitor.snapshot(l).status === 'live'),
    'both legs live',
  );
}

function pairConfig(raw: Record<string, unknown>): ArbitragePairConfig {
  const parsed = parseArbitragePair({ strategy: 'arbitrage', ...raw });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.join('; '));
  return parsed.config;
}

/** The pair's machine wired to the venues: each leg order is placed and its answer fed back. */
async function startPair(venue: SimulatedVenue, config: ArbitragePairConfig) {
  const info = {
    a: await venue.exchangeNamed(config.legs.a.venue).getSymbolInfo(config.legs.a.symbol),
    b: await venue.exchangeNamed(config.legs.b.venue).getSymbolInfo(config.legs.b.symbol),
  };
  const leg = (k: 'a' | 'b') => ({ ...config.legs[k], stepSize: info[k].stepSize.toFixed() });
  const actor = createActor(arbitragePositionMachine, {
    input: {
      pairId: config.pairId,
      legs: { a: leg('a'), b: leg('b') },
      firstLeg: config.firstLeg,
      hedgeTolerance: info.a.stepSize.gt(info.b.stepSize)
        ? info.a.stepSize.toFixed()
        : info.b.stepSize.toFixed(),
    },
  });
  const queue: PlaceLegOrderCommand[] = [];
  const placed: PlaceLegOrderCommand[] = [];
  const alerts: string[] = [];
  actor.on('command.placeOrder', (c) => queue.push(c));
  actor.on('command.alert', (c) => alerts.push(c.reason));
  actor.start();
  const send = async (event: ArbitrageControlEvent) => {
    actor.send(event);
    for (let c = queue.shift(); c; c = queue.shift()) {
      placed.push(c);
      const exchange = venue.exchangeNamed(c.venue);
      try {
        actor.send(
          legOrderReport(await exchange.placeOrder(legOrderRequest(c)), info[c.leg].baseAsset),
        );
      } catch (e) {
        const refusal = legOrderRefusal(c.clientOrderId, toExchangeError(e));
        assert.ok(refusal, `transient failure of ${c.clientOrderId}`);
        actor.send(refusal);
      }
    }
  };
  return { actor, placed, alerts, send };
}

async function positionOf(venue: SimulatedVenue, name: string): Promise<string> {
  const [p] = await venue.exchangeNamed(name).getPositions('BTCUSDT');
  return p?.size.toFixed() ?? '0';
}

describe('arbitrage parts composed on the simulated venues', () => {
  it('enters two perps across venues, earns the 1 h venue funding, and exits flat', async (t) => {
    const { clock, venue, monitor } = world(t, {
      price: { ...QUIET, basisMeanBps: 0 },
      perpVenues: {
        'sim-perp2': {
          funding: { intervalMs: H },
          price: { basisMeanBps: 20, basisVolatilityBps: 0 },
        },
      },
    });
    const config = pairConfig({
      pair: 'btc-x',
      legs: [
        { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
        { venue: 'sim-perp2', market: 'perp', symbol: 'BTCUSDT' },
      ],
      quantity: '0.5',
    });
    await watchLive(monitor, config);
    clock.advance(61_000); // premium samples, then a funding publication
    await eventually(
      () => monitor.snapshot(config.legs.b).rate.eq('0.002'),
      'the 20 bps premium as funding',
    );

    const pair = await startPair(venue, config);
    const decision = decidePair(
      monitor,
      config,
      positionView(pair.actor.getSnapshot(), null),
      clock.now(),
    );
    assert.ok(decision.action === 'enter', JSON.stringify(decision));
    assert.equal(decision.long, 'a');
    assert.equal(decision.spread.apr.toFixed(), '17.52'); // 0.002 x 8760: the 1 h interval, not 8 h
    assert.equal(decision.nextFundingTimeMs, Date.UTC(2026, 0, 1, 1));

    await pair.send(enterEvent(decision, config, clock.now()));
    assert.ok(pair.actor.getSnapshot().matches('hedged'));
    assert.deepEqual(
      [await positionOf(venue, 'sim'), await positionOf(venue, 'sim-perp2')],
      ['0.5', '-0.5'],
    );
    const open = await venue
      .exchangeNamed('sim')
      .getOrder({ symbol: 'BTCUSDT', clientOrderId: pair.placed[0]?.clientOrderId });
    assert.equal(
      parseArbitrageOrderId(open.clientOrderId)?.fundingMinuteMs,
      Date.UTC(2026, 0, 1, 1),
    );

    const wallet = (await venue.exchangeNamed('sim-perp2').getAccount()).totalWalletBalance;
    clock.advance(Date.UTC(2026, 0, 1, 1) - clock.now());
    // The short leg receives 0.5 x 100200 x 0.002 at the 1 h venue's settlement
    assert.equal(
      (await venue.exchangeNamed('sim-perp2').getAccount()).totalWalletBalance
        .sub(wallet)
        .toFixed(),
      '100.2',
    );

    await pair.send({ type: 'arb.exit' });
    assert.ok(pair.actor.getSnapshot().matches('flat'));
    assert.deepEqual(
      [await positionOf(venue, 'sim'), await positionOf(venue, 'sim-perp2')],
      ['0', '0'],
    );
    assert.deepEqual(
      pair.placed.map((c) => [c.purpose, c.venue, c.side, c.quantity, c.reduceOnly]),
      [
        ['open', 'sim', 'BUY', '0.5', false],
        ['hedge', 'sim-perp2', 'SELL', '0.5', false],
        ['close', 'sim-perp2', 'BUY', '0.5', true],
        ['match', 'sim', 'SELL', '0.5', true],
      ],
    );
  });

  it('compensates a partially filled hedge leg from the executed quantity on positive funding', async (t) => {
    const { clock, venue, monitor } = world(t, { price: { ...QUIET, basisMeanBps: 10 } });
    const config = pairConfig({
      pair: 'btc-basis',
      legs: [
        { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
        { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
      ],
      quantity: '0.5',
    });
    await watchLive(monitor, config);
    clock.advance(61_000);
    await eventually(() => monitor.snapshot(config.legs.b).rate.eq('0.001'), 'positive funding');
    const pair = await startPair(venue, config);
    const decision = decidePair(
      monitor,
      config,
      positionView(pair.actor.getSnapshot(), null),
      clock.now(),
    );
    assert.ok(decision.action === 'enter' && decision.long === 'a', JSON.stringify(decision));

    venue.faultsOf('sim').partialFillNextPlacements(1, '0.6');
    const btcBefore = await venue.exchange('spot').getBalance('BTC');
    await pair.send(enterEvent(decision, config, clock.now()));

    assert.ok(pair.actor.getSnapshot().matches('hedged'));
    assert.deepEqual(pair.alerts, ['ENTRY_COMPENSATING']);
    assert.deepEqual(
      pair.placed.map((c) => [c.purpose, c.venue, c.side, c.quantity]),
      [
        ['open', 'sim-spot', 'BUY', '0.5'],
        ['hedge', 'sim', 'SELL', '0.5'],
        ['unwind', 'sim-spot', 'SELL', '0.2'],
      ],
    );
    assert.equal((await venue.exchange('spot').getBalance('BTC')).sub(btcBefore).toFixed(), '0.3');
    assert.equal(await positionOf(venue, 'sim'), '-0.3');
  });

  it('shorts spot on margin against a long perp on negative funding, and repays on exit', async (t) => {
    const { clock, venue, monitor } = world(t, { price: { ...QUIET, basisMeanBps: -10 } });
    const config = pairConfig({
      pair: 'btc-basis',
      legs: [
        { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
        { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
      ],
      quantity: '0.1',
    });
    await watchLive(monitor, config);
    clock.advance(61_000);
    await eventually(() => monitor.snapshot(config.legs.b).rate.eq('-0.001'), 'negative funding');
    const pair = await startPair(venue, config);
    const decision = decidePair(
      monitor,
      config,
      positionView(pair.actor.getSnapshot(), null),
      clock.now(),
    );
    assert.ok(decision.action === 'enter' && decision.long === 'b', JSON.stringify(decision));

    await pair.send(enterEvent(decision, config, clock.now()));
    const borrowed = () =>
      venue
        .spotBalances(true)
        .find((h) => h.asset === 'BTC')
        ?.borrowed.toFixed();
    assert.equal(borrowed(), '0.1');
    assert.equal(await positionOf(venue, 'sim'), '0.1');

    await pair.send({ type: 'arb.exit' });
    assert.ok(pair.actor.getSnapshot().matches('flat'));
    assert.equal(borrowed(), '0');
    assert.deepEqual(
      pair.placed.map((c) => [c.purpose, c.side, c.useMargin]),
      [
        ['open', 'SELL', true],
        ['hedge', 'BUY', false],
        ['close', 'SELL', false],
        ['match', 'BUY', true],
      ],
    );
  });

  it('unwinds the first leg to flat with an alert when the hedge leg is rejected', async (t) => {
    const { venue } = world(t, { price: { ...QUIET, basisMeanBps: 10 } });
    const config = pairConfig({
      pair: 'btc-basis',
      legs: [
        { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
        { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
      ],
      quantity: '0.2',
    });
    const pair = await startPair(venue, config);
    venue.faultsOf('sim').rejectNextPlacements(1);
    const btc = await venue.exchange('spot').getBalance('BTC');

    await pair.send({
      type: 'arb.enter',
      long: 'a',
      quantity: '0.2',
      nextFundingTimeMs: Date.UTC(2026, 0, 1, 8),
      atMs: 0,
    });

    assert.ok(pair.actor.getSnapshot().matches('flat'));
    assert.deepEqual(pair.alerts, ['ENTRY_COMPENSATING']);
    assert.deepEqual(
      pair.placed.map((c) => [c.purpose, c.side, c.quantity]),
      [
        ['open', 'BUY', '0.2'],
        ['hedge', 'SELL', '0.2'],
        ['unwind', 'SELL', '0.2'],
      ],
    );
    assert.ok((await venue.exchange('spot').getBalance('BTC')).eq(btc));
    assert.equal(await positionOf(venue, 'sim'), '0');
  });

  it('blocks the entry when a leg funding feed goes stale', async (t) => {
    const { clock, venue, monitor } = world(t, {
      price: { ...QUIET, basisMeanBps: 0 },
      perpVenues: {
        'sim-perp2': {
          funding: { intervalMs: H },
          price: { basisMeanBps: 20, basisVolatilityBps: 0 },
        },
      },
    });
    const config = pairConfig({
      pair: 'btc-x',
      legs: [
        { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
        { venue: 'sim-perp2', market: 'perp', symbol: 'BTCUSDT' },
      ],
      quantity: '0.5',
      feeds: { funding_stale_ms: 120_000 },
    });
    await watchLive(monitor, config);
    clock.advance(61_000);
    await eventually(() => monitor.snapshot(config.legs.b).rate.eq('0.002'), 'funding');
    const flat = positionView(
      createActor(arbitragePositionMachine, {
        input: {
          pairId: 'btc-x',
          firstLeg: 'a',
          hedgeTolerance: '0.001',
          legs: {
            a: { ...config.legs.a, stepSize: '0.001' },
            b: { ...config.legs.b, stepSize: '0.001' },
          },
        },
      }).getSnapshot(),
      null,
    );
    assert.equal(decidePair(monitor, config, flat, clock.now()).action, 'enter');

    // The second venue goes unreachable: its streams end and every resubscription fails
    venue.faultsOf('sim-perp2').setUnreachable(true);
    clock.advance(121_000);
    const decision = decidePair(monitor, config, flat, clock.now());
    assert.deepEqual(
      [decision.action, decision.action === 'hold' && decision.reason],
      ['hold', 'FEED_STALE'],
    );
    assert.ok(dec(monitor.snapshot(config.legs.b).fundingAtMs ?? 0).lt(clock.now() - 120_000));
  });
});
