/**
 * The risk layer in front of a symbol actor, against the simulated venue in-process (virtual
 * clock, real durable order workflows, real store, the engine's EngineRisk and RiskControl):
 * pre-trade denials keep an entry un-placed but let a close through, a halt cancels every order
 * of ours and places nothing until resumed, a price crash trips the drawdown breaker, and the
 * breaker and the halt survive a restart of the risk layer.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { EngineRisk } from '../../../actors/engine/engine-risk.js';
import { Mailbox } from '../../../actors/engine/mailbox.js';
import { RiskControl } from '../../../actors/engine/risk-control.js';
import type { SymbolMessage } from '../../../actors/engine/symbol.messages.js';
import { riskConfigSchema } from '../../../actors/risk/risk.config.js';
import { RiskStatesRepo } from '../../../actors/store/risk-states.repo.js';
import type { Alert } from '../../../actors/alerts/alert.types.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  TEST_POLICY,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import {
  BTC,
  openOrderIds,
  SMALL_GRID,
  startSymbol,
  type RunningSymbol,
} from './symbol-fixture.js';
import { gridConfigFromWire, gridConfigSchema } from '../../../actors/engine/symbol.config.js';

interface RiskBed {
  readonly risk: EngineRisk;
  readonly control: RiskControl;
  readonly alerts: Alert[];
  readonly btc: RunningSymbol;
}

async function startWithRisk(
  bed: EngineTestBed,
  venue: TestVenue,
  riskConfig: unknown,
): Promise<RiskBed> {
  const config = riskConfigSchema.parse(riskConfig);
  const mailbox = new Mailbox<SymbolMessage>(64);
  const alerts: Alert[] = [];
  const sink = {
    raise: (alert: Alert) => {
      alerts.push(alert);
      return Promise.resolve();
    },
  };
  const risk = await EngineRisk.open({
    config,
    store: new RiskStatesRepo(bed.db.sql),
    clock: venue.clock,
    log: bed.log,
    metrics: bed.metrics.risk,
    alerts: sink,
    onState: (_symbol, state, reason) => mailbox.post({ kind: 'risk', state, reason }),
    onError: (e) => {
      throw e;
    },
  });
  const control = await RiskControl.open({
    risk,
    limits: config.limits,
    store: new RiskStatesRepo(bed.db.sql),
    clock: venue.clock,
    log: bed.log,
    alerts: sink,
    pnl: () => Promise.resolve({ quoteAsset: 'USDT', symbols: [] }),
  });
  risk.addSymbol(BTC, gridConfigFromWire(gridConfigSchema.parse(SMALL_GRID)), null);
  const btc = await startSymbol(
    bed,
    venue,
    SMALL_GRID,
    BTC,
    { ...TEST_POLICY, risk },
    {
      onPrice: (symbol, price) => risk.price(symbol, price),
      onAccount: (account) => risk.account(account),
    },
    mailbox,
  );
  return { risk, control, alerts, btc };
}

async function denials(bed: EngineTestBed, reason: string): Promise<number> {
  const metric = await bed.metrics.risk.denials.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('Symbol actor behind the risk layer', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('denies an entry over the global exposure cap, keeps it un-placed, and lets the close through', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    // One entry is 0.001 × ~99900 ≈ 100 USDT: the second one would pass the 150 cap
    const { btc, risk } = await startWithRisk(bed, venue, {
      limits: { max_gross_exposure: '150' },
    });

    await eventually(async () => (await openOrderIds(venue)).length === 1, 'one resting buy');
    await eventually(async () => (await denials(bed, 'GLOBAL_EXPOSURE')) > 0, 'a denial');
    assert.equal(venue.placements.length, 1, 'the denied entry never reached the venue');
    const denied = [btc.slot(-1), btc.slot(-2)].find((s) => s?.order === null);
    assert.equal(denied?.lastRejectReason, 'GLOBAL_EXPOSURE');

    // The resting buy fills: its close reduces the position, so the cap does not hold it back
    const buy = (await venue.exchange.getOpenOrders(BTC))[0];
    venue.sim.setSpotPrice(BTC, buy?.price.sub(20).toFixed() ?? '0');
    await eventually(
      async () => (await venue.exchange.getOpenOrders(BTC)).some((o) => o.side === 'SELL'),
      'the close resting on the venue',
    );
    assert.ok(risk.report().exposure.grossTotal !== '0');
    await btc.stop();
    await risk.stop();
  });

  it('cancels every order of ours on a halt, places nothing while halted, and trades again on resume', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const { btc, risk, control, alerts } = await startWithRisk(bed, venue, {});
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    assert.deepEqual(await control.hold('global', 'halt', 'test'), { ok: true });
    await eventually(async () => (await openOrderIds(venue)).length === 0, 'every order cancelled');
    const placed = venue.placements.length;
    venue.sim.setSpotPrice(BTC, '100050');
    venue.clock.advance(2_000);
    venue.sim.setSpotPrice(BTC, '100000');
    await eventually(() => btc.actor.view().tradingState === 'HALTED', 'the actor halted');
    assert.equal(venue.placements.length, placed, 'nothing placed while halted');
    assert.ok(alerts.some((a) => a.kind === 'operator_action'));

    assert.deepEqual(await control.resumeScope('global', 'test'), { ok: true });
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'entries again');
    await btc.stop();
    await risk.stop();
  });

  it('trips the drawdown breaker on a crash: entries stop, resting entries are cancelled, the state survives a restart', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const config = { breakers: { drawdown: { max_drawdown_pct: '3' } } };
    const first = await startWithRisk(bed, venue, config);
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');

    // Level -1 fills, then the market crashes 5 % under it
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => first.btc.slot(-1)?.state === 'closing.resting', 'level -1 holding');
    venue.sim.setSpotPrice(BTC, '92000');
    await eventually(
      () =>
        first.risk.report().breakers.find((b) => b.breaker === 'drawdown' && b.state === 'open'),
      'the drawdown breaker open',
    );
    await eventually(() => first.btc.actor.view().tradingState === 'HALTED', 'the symbol halted');
    await eventually(
      async () => (await venue.exchange.getOpenOrders(BTC)).length === 0,
      'every order of ours cancelled',
    );
    assert.ok(first.alerts.some((a) => a.kind === 'breaker_tripped'));
    // A manual reset is refused while the drawdown still holds
    const reset = await first.control.reset('drawdown', BTC, 'test');
    assert.equal(reset.ok, false);
    await first.btc.stop();
    await first.risk.stop();

    // A new risk layer over the same database still has the breaker open and the symbol halted
    const second = await startWithRisk(bed, venue, config);
    const breaker = second.risk.report().breakers.find((b) => b.breaker === 'drawdown');
    assert.equal(breaker?.state, 'open');
    assert.equal(second.risk.state(BTC), 'HALTED');
    venue.clock.advance(2_000);
    venue.sim.setSpotPrice(BTC, '92010');
    await eventually(() => second.btc.actor.view().phase === 'trading', 'trading again');
    assert.equal((await venue.exchange.getOpenOrders(BTC)).length, 0, 'nothing placed');
    await second.btc.stop();
    await second.risk.stop();
  });
  it('flattens: pulls every order, closes the inventory through the market, then halts', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const { btc, risk, control } = await startWithRisk(bed, venue, {});
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'two resting buys');
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(() => btc.slot(-1)?.state === 'closing.resting', 'level -1 holding');

    assert.deepEqual(await control.hold('global', 'flatten', 'test'), { ok: true });
    await eventually(
      () => risk.report().trading.find((t) => t.scope === 'global')?.state === 'HALTED',
      'the flatten done and the engine halted',
    );
    const [position] = await venue.exchange.getPositions(BTC);
    assert.equal(position?.size.toFixed() ?? '0', '0');
    assert.deepEqual(await openOrderIds(venue), []);
    assert.equal(btc.slot(-1)?.position, '0');
    // Resume is allowed once halted
    assert.deepEqual(await control.resumeScope('global', 'test'), { ok: true });
    venue.sim.setSpotPrice(BTC, '100000');
    await eventually(async () => (await openOrderIds(venue)).length === 2, 'entries again');
    await btc.stop();
    await risk.stop();
  });
});
