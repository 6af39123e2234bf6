/**
 * The orchestrator's symbol lifecycle against the simulated venue: concurrent adds and removes
 * of one symbol apply one at a time and the last removal leaves none of its orders on the venue;
 * a connector outage stops a symbol without counting against it, and the symbol resumes by
 * itself, its orders managed, once the connector answers; a symbol given up on has its orders
 * cancelled, or reported as unmanaged when the venue refuses; a symbol whose lease was lost to
 * another engine (scale-out) stops without a restart or an alert.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { LeaseLostError } from '../../../actors/cluster/fences.js';
import type { EngineStore } from '../../../actors/engine/engine.store.js';
import type { Mailbox } from '../../../actors/engine/mailbox.js';
import { durableOrderGateway } from '../../../actors/engine/order-gateway.js';
import {
  Orchestrator,
  type OrchestratorOptions,
} from '../../../actors/engine/orchestrator.actor.js';
import { SymbolRequestError } from '../../../actors/engine/symbol-admission.js';
import { SymbolActor } from '../../../actors/engine/symbol.actor.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfigWire,
} from '../../../actors/engine/symbol.config.js';
import type { SymbolMessage } from '../../../actors/engine/symbol.messages.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { SymbolId } from '../../../core/types.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  TEST_POLICY,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import { BTC, openOrderIds, SMALL_GRID } from './symbol-fixture.js';
import { ConfigError } from '../../../core/config-file.js';

const ETH = 'ETHUSDT' as SymbolId;
const ETH_GRID: GridConfigWire = {
  levels_below: 2,
  levels_above: 0,
  interval: '5',
  order_quantity: '0.01',
  mode: 'long',
  anchor_price: '3500',
};
const grid = (wire: GridConfigWire) => gridConfigFromWire(gridConfigSchema.parse(wire));

/** A venue port that, while `refusing` is set, refuses every request/response call with it. */
function refusable(inner: Exchange) {
  const state: { refusing: ExchangeError | null; cancelsRefused: boolean } = {
    refusing: null,
    cancelsRefused: false,
  };
  const exchange = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const name = String(property);
      if (name.startsWith('subscribe') || name === 'isReachable') return value.bind(target);
      return (...args: unknown[]): unknown => {
        const cancel = name.startsWith('cancel');
        if (state.refusing) return Promise.reject(state.refusing);
        if (cancel && state.cancelsRefused) {
          return Promise.reject(new ExchangeError('INTERNAL', 'venue bug: cancel refused'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { exchange, state };
}

/** Counts optimistic-lock conflicts on snapshot saves: two writers of one symbol. */
function countingStale(store: EngineStore, stale: { count: number }): EngineStore {
  return {
    ...store,
    symbols: {
      ...store.symbols,
      saveSnapshot: async (symbol, document, version, intents) => {
        try {
          return await store.symbols.saveSnapshot(symbol, document, version, intents);
        } catch (e) {
          if ((e as Error).name === 'StaleSnapshotError') stale.count++;
          throw e;
        }
      },
    },
  };
}

function orchestrator(
  bed: EngineTestBed,
  venue: TestVenue,
  overrides: Partial<OrchestratorOptions> = {},
): Orchestrator {
  return new Orchestrator({
    exchange: venue.exchange,
    orders: durableOrderGateway,
    store: bed.store,
    clock: venue.clock,
    log: bed.log,
    metrics: bed.metrics,
    policy: { maxFailures: 5, windowMs: 600_000, initialBackoffMs: 1_000, maxBackoffMs: 60_000 },
    symbolPolicy: TEST_POLICY,
    entriesPaused: false,
    stopGraceMs: 2_000,
    ...overrides,
  });
}

/** Lets promises settle between virtual-clock steps. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('Orchestrator symbol lifecycle', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('serialises concurrent adds and removes of one symbol and removes it only when the venue shows none of its orders', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const stale = { count: 0 };
    const orch = orchestrator(bed, venue, { store: countingStale(bed.store, stale) });
    await orch.restore([{ symbol: BTC, grid: grid(SMALL_GRID) }]);
    orch.resume();

    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        [0, 1, 2, 3].map(async (worker) => {
          if ((worker + round) % 2 === 0) {
            outcomes.push((await orch.addSymbol(ETH, grid(ETH_GRID))).outcome);
          } else {
            outcomes.push((await orch.removeSymbol(ETH)) ? 'removed' : 'absent');
          }
        }),
      );
    }
    assert.ok(outcomes.includes('added') && outcomes.includes('removed'), outcomes.join());
    await orch.addSymbol(ETH, grid(ETH_GRID));
    await eventually(async () => (await openOrderIds(venue, ETH)).length === 2, 'ETH buys').catch(
      async (e: Error) => {
        const view = orch.symbols().find((s) => s.symbol === ETH);
        throw new Error(
          `${e.message}: ${JSON.stringify(view)} open ${JSON.stringify(await openOrderIds(venue, ETH))} outcomes ${outcomes.join()}`,
        );
      },
    );
    assert.equal(await orch.removeSymbol(ETH), true);

    assert.deepEqual(await openOrderIds(venue, ETH), [], 'none of its orders left on the venue');
    for (let i = 0; i < 5; i++) {
      venue.clock.advance(1_000);
      await settle();
    }
    assert.deepEqual(await openOrderIds(venue, ETH), [], 'and none placed after the removal');
    assert.equal(stale.count, 0, 'never two writers of one symbol');
    assert.deepEqual(
      orch.symbols().map((s) => s.symbol),
      [BTC],
    );
    const metrics = await bed.metrics.registry.metrics();
    assert.doesNotMatch(metrics, /market_maker_orders_active\{symbol="ETHUSDT"\}/);
    assert.equal(orch.symbols()[0]?.state, 'trading', 'the other symbol traded throughout');
    await orch.stop();
  });

  it('does not count a connector outage against a symbol, and resumes it with its orders managed', async () => {
    const venue = createTestVenue();
    const { exchange, state } = refusable(venue.exchange);
    bed.useVenue(exchange);
    const mailboxes = new Map<SymbolId, Mailbox<SymbolMessage>>();
    const orch = orchestrator(
      bed,
      { ...venue, exchange },
      {
        policy: { maxFailures: 3, windowMs: 600_000, initialBackoffMs: 500, maxBackoffMs: 4_000 },
        createActor: (deps, options) => {
          mailboxes.set(options.symbol, options.mailbox);
          return new SymbolActor(deps, options);
        },
      },
    );
    await orch.restore([{ symbol: BTC, grid: grid(SMALL_GRID) }]);
    orch.resume();
    const btc = () => orch.symbols().find((s) => s.symbol === BTC);
    await eventually(() => btc()?.state === 'trading', 'BTC trading');
    await eventually(async () => (await openOrderIds(venue, BTC)).length === 2, 'BTC buys');
    const before = await openOrderIds(venue, BTC);

    // The connector refuses the engine for a while; the order stream had a gap meanwhile
    state.refusing = new ExchangeError('AUTHENTICATION', 'invalid API key');
    mailboxes.get(BTC)?.post({ kind: 'reconcile', trigger: 'timer' });
    await eventually(() => btc()?.state === 'waiting', 'BTC waiting for the connector');
    for (let second = 0; second < 20; second++) {
      venue.clock.advance(1_000);
      await settle();
    }
    assert.equal(orch.connector().status().state, 'down');
    assert.match(orch.connector().status().reason ?? '', /invalid API key/);
    assert.deepEqual(
      [btc()?.state, btc()?.failures, btc()?.waitingFor],
      ['waiting', 0, 'connector'],
    );
    assert.ok((btc()?.outages ?? 0) >= 1);

    state.refusing = null;
    venue.clock.advance(1_000);
    await eventually(() => btc()?.state === 'trading', 'BTC trading again');
    assert.equal(btc()?.failures, 0);
    const slots = btc()?.actor?.slots ?? [];
    assert.deepEqual(
      slots.flatMap((s) => (s.order ? [s.order.clientOrderId] : [])).sort(),
      before,
      'the same orders, managed by the resumed actor',
    );
    const metrics = await bed.metrics.registry.metrics();
    assert.match(metrics, /market_maker_connector_outages_total 1/);
    assert.match(metrics, /market_maker_symbol_outage_waits_total\{symbol="BTCUSDT"\} [1-9]/);
    await orch.stop();
  });

  it('cancels the orders of a symbol it gives up on, or reports them unmanaged when the venue refuses', async () => {
    for (const refuseCancels of [false, true]) {
      if (refuseCancels) {
        // A new venue restarts its order numbering: give it a database of its own too
        await bed.close();
        bed = await openEngineTestBed();
      }
      const venue = createTestVenue();
      const { exchange, state } = refusable(venue.exchange);
      bed.useVenue(exchange);
      let breakSaves = false;
      const store: EngineStore = {
        ...bed.store,
        symbols: {
          ...bed.store.symbols,
          saveSnapshot: (symbol, document, version, intents) =>
            breakSaves && symbol === ETH
              ? Promise.reject(new Error(`disk full while saving ${symbol}`))
              : bed.store.symbols.saveSnapshot(symbol, document, version, intents),
        },
      };
      const orch = orchestrator(
        bed,
        { ...venue, exchange },
        {
          store,
          policy: { maxFailures: 2, windowMs: 600_000, initialBackoffMs: 10, maxBackoffMs: 20 },
        },
      );
      await orch.restore([{ symbol: ETH, grid: grid(ETH_GRID) }]);
      orch.resume();
      await eventually(async () => (await openOrderIds(venue, ETH)).length === 2, 'ETH buys');

      breakSaves = true;
      state.cancelsRefused = refuseCancels;
      venue.sim.setSpotPrice(ETH, '3493');
      const eth = () => orch.symbols().find((s) => s.symbol === ETH);
      await eventually(() => {
        venue.clock.advance(20);
        return eth()?.state === 'failed';
      }, 'ETH failed');
      const cleanup = await eventually(() => {
        const c = eth()?.cleanup;
        return c && c.state !== 'cancelling' ? c : undefined;
      }, 'the failed symbol cleaned up');
      const metrics = await bed.metrics.registry.metrics();
      if (refuseCancels) {
        assert.equal(cleanup.state, 'unmanaged');
        assert.deepEqual(cleanup.remaining, await openOrderIds(venue, ETH));
        // Every order still resting is reported (a buy, and the close of what the fill bought)
        assert.ok(cleanup.remaining.length > 0, 'some orders could not be cancelled');
        assert.match(cleanup.message, /nobody manages them/);
        assert.match(
          metrics,
          new RegExp(
            `market_maker_unmanaged_orders\\{symbol="ETHUSDT"\\} ${cleanup.remaining.length}`,
          ),
        );
      } else {
        assert.equal(cleanup.state, 'cancelled');
        assert.deepEqual(await openOrderIds(venue, ETH), [], 'no order of the failed symbol rests');
        assert.match(metrics, /market_maker_unmanaged_orders\{symbol="ETHUSDT"\} 0/);
      }
      state.cancelsRefused = false;
      await orch.stop();
      await bed.store.activeSymbols.remove(ETH);
      await venue.sim.close();
    }
  });

  it('stops a symbol whose save was fenced off by a lost lease, without a restart or an alert', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    let leaseLost = false;
    const store: EngineStore = {
      ...bed.store,
      symbols: {
        ...bed.store.symbols,
        saveSnapshot: (symbol, document, version, intents) =>
          leaseLost && symbol === ETH
            ? Promise.reject(new LeaseLostError(symbol, 'engine-a'))
            : bed.store.symbols.saveSnapshot(symbol, document, version, intents),
      },
    };
    const troubles: string[] = [];
    const orch = orchestrator(bed, venue, {
      store,
      policy: { maxFailures: 2, windowMs: 600_000, initialBackoffMs: 10, maxBackoffMs: 20 },
      onSymbolTrouble: (trouble) => troubles.push(`${trouble.symbol} ${trouble.kind}`),
    });
    await orch.restore([{ symbol: ETH, grid: grid(ETH_GRID) }]);
    orch.resume();
    await eventually(async () => (await openOrderIds(venue, ETH)).length === 2, 'ETH buys');

    leaseLost = true;
    venue.sim.setSpotPrice(ETH, '3493');
    const eth = () => orch.symbols().find((s) => s.symbol === ETH);
    await eventually(() => {
      venue.clock.advance(20);
      return eth()?.state === 'waiting';
    }, 'ETH stopped');
    for (let i = 0; i < 20; i++) venue.clock.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const view = eth();
    assert.deepEqual(
      [view?.state, view?.waitingFor, view?.failures, view?.restarts, view?.actor],
      ['waiting', 'lease', 0, 0, null],
      'stopped for the lease keeper: no failure counted, no restart',
    );
    assert.deepEqual(troubles, [], 'no alert: losing a lease is no failure');
    leaseLost = false;
    await orch.stop();
    await bed.store.activeSymbols.remove(ETH);
    await venue.sim.close();
  });

  it('answers a removal the venue cannot confirm with unavailable and keeps the symbol', async () => {
    const venue = createTestVenue();
    const { exchange, state } = refusable(venue.exchange);
    bed.useVenue(exchange);
    const orch = orchestrator(
      bed,
      { ...venue, exchange },
      {
        removalSweep: { rounds: 2, initialBackoffMs: 10, maxBackoffMs: 10 },
      },
    );
    await orch.restore([{ symbol: ETH, grid: grid(ETH_GRID) }]);
    orch.resume();
    await eventually(async () => (await openOrderIds(venue, ETH)).length === 2, 'ETH buys');

    state.cancelsRefused = true;
    await assert.rejects(orch.removeSymbol(ETH), (e) => {
      assert.ok(e instanceof SymbolRequestError);
      assert.equal(e.kind, 'unavailable');
      assert.match(e.problems[0] ?? '', /ETHUSDT was not removed/);
      return true;
    });
    state.cancelsRefused = false;
    assert.deepEqual(
      orch.symbols().map((s) => s.symbol),
      [ETH],
    );
    await eventually(async () => {
      const slots = orch.symbols()[0]?.actor?.slots ?? [];
      const working = slots.flatMap((s) => (s.order ? [s.order.clientOrderId] : [])).sort();
      const open = await openOrderIds(venue, ETH);
      return open.length === 2 && working.join() === open.join();
    }, 'ETH managing its orders again');
    assert.equal(await orch.removeSymbol(ETH), true);
    assert.deepEqual(await openOrderIds(venue, ETH), []);
    await orch.stop();
  });
  it('refuses a grid the safety checker rejects, naming the parameter and the numbers, and trades nothing of it', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const safety = {
      maxLeverage: 10,
      maxBalanceUsePct: dec('80'),
      makerFeeRate: dec('0.0002'),
    };
    const orch = orchestrator(bed, venue, { safety });
    await orch.restore([]);
    orch.resume();

    // 10 apart at 100000: a round trip earns 0.01 and pays 0.04 in maker fees
    await assert.rejects(orch.addSymbol(BTC, grid({ ...SMALL_GRID, interval: '10' })), (e) => {
      assert.ok(e instanceof SymbolRequestError);
      assert.equal(e.kind, 'invalid');
      assert.match(
        e.problems[0] ?? '',
        /^grid\.interval: a round trip at level 99990 earns 0\.01 but pays 0\.0399/,
      );
      return true;
    });
    // 100 levels of 1 BTC need ~1,000,000 of margin at leverage 10; 80,000 is usable
    await assert.rejects(
      orch.addSymbol(BTC, grid({ ...SMALL_GRID, levels_below: 100, order_quantity: '1' })),
      (e) => {
        assert.ok(e instanceof SymbolRequestError);
        assert.match(e.problems.join('\n'), /^grid\.order_quantity: 100 levels × 1 need/m);
        return true;
      },
    );
    assert.deepEqual(orch.symbols(), []);
    assert.equal((await orch.addSymbol(BTC, grid(SMALL_GRID))).outcome, 'added');
    await orch.stop();
  });

  it('refuses to seed a config grid the safety checker rejects, naming it, and stores nothing', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const safety = { maxLeverage: 10, maxBalanceUsePct: dec('80'), makerFeeRate: dec('0.0002') };
    const orch = orchestrator(bed, venue, { safety });
    await assert.rejects(
      orch.restore([
        { symbol: BTC, grid: grid(SMALL_GRID) },
        { symbol: ETH, grid: grid({ ...ETH_GRID, interval: '0.5' }) },
      ]),
      (e) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.problems.length, 1, e.problems.join('\n'));
        assert.match(e.problems[0] ?? '', /^symbols\[1\] \(ETHUSDT\) grid\.interval: a round trip/);
        return true;
      },
    );
    assert.deepEqual(await bed.store.activeSymbols.list(), []);
  });
});
