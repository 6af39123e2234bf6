/**
 * The orchestrator against the simulated venue: supervision (a symbol that keeps throwing is
 * restarted with backoff, then marked failed, while another keeps trading) and durable runtime
 * changes of the active set.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { EngineStore } from '../../../actors/engine/engine.store.js';
import { durableOrderGateway } from '../../../actors/engine/order-gateway.js';
import {
  Orchestrator,
  type OrchestratorOptions,
} from '../../../actors/engine/orchestrator.actor.js';
import { SymbolRequestError } from '../../../actors/engine/symbol-admission.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfigWire,
} from '../../../actors/engine/symbol.config.js';
import type { SymbolId } from '../../../core/types.js';
import { clientOrderIdPrefix } from '../../../machines/client-order-id.js';
import {
  createTestVenue,
  eventually,
  openEngineTestBed,
  TEST_NAMESPACE,
  TEST_POLICY,
  type EngineTestBed,
  type TestVenue,
} from './harness.js';
import { BTC, openOrderIds, SMALL_GRID } from './symbol-fixture.js';

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

/** A store whose snapshot saves of `symbol` always throw, as a broken handler would. */
function failingFor(store: EngineStore, symbol: SymbolId): EngineStore {
  return {
    ...store,
    symbols: {
      ...store.symbols,
      saveSnapshot: (s, document, version, orders) =>
        s === symbol
          ? Promise.reject(new Error(`disk full while saving ${s}`))
          : store.symbols.saveSnapshot(s, document, version, orders),
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
    ...overrides,
  });
}

describe('Orchestrator', () => {
  let bed: EngineTestBed;

  beforeEach(async () => {
    bed = await openEngineTestBed();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('restarts a throwing symbol with backoff, marks it failed after 5 failures, and keeps the other trading', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const orch = orchestrator(bed, venue, { store: failingFor(bed.store, ETH) });
    const eth = () => orch.symbols().find((s) => s.symbol === ETH);
    await orch.restore([
      { symbol: BTC, grid: grid(SMALL_GRID) },
      { symbol: ETH, grid: grid(ETH_GRID) },
    ]);
    orch.resume();

    await eventually(() => eth()?.failures === 1, 'the first failure');
    venue.clock.advance(999);
    assert.deepEqual([eth()?.state, eth()?.restarts], ['restarting', 0]);
    venue.clock.advance(1);
    await eventually(() => eth()?.failures === 2, 'the second failure, after a restart');
    for (const [failures, backoffMs] of [
      [3, 2_000],
      [4, 4_000],
      [5, 8_000],
    ] as const) {
      venue.clock.advance(backoffMs - 1);
      assert.equal(eth()?.failures, failures - 1, `waits ${backoffMs} ms`);
      venue.clock.advance(1);
      await eventually(() => eth()?.failures === failures, `failure ${failures}`);
    }

    assert.deepEqual([eth()?.state, eth()?.restarts], ['failed', 4]);
    assert.match(eth()?.lastError ?? '', /disk full while saving ETHUSDT/);
    venue.clock.advance(120_000);
    assert.equal(eth()?.restarts, 4);
    const stored = await bed.store.activeSymbols.list();
    assert.deepEqual(
      stored.map((s) => [s.symbol, s.status]),
      [
        [BTC, 'active'],
        [ETH, 'failed'],
      ],
    );
    orch.publishMetrics();
    const metrics = await bed.metrics.registry.metrics();
    assert.match(metrics, /market_maker_symbol_state\{symbol="ETHUSDT",state="failed"\} 1/);
    assert.match(metrics, /market_maker_symbol_restarts_total\{symbol="ETHUSDT"\} 4/);
    // Its first placements went out with the snapshot they carried (saved in the commit that
    // started their workflows); no restart placed anything again, and once it failed its orders
    // were cancelled rather than left resting unmanaged
    const prefix = clientOrderIdPrefix(TEST_NAMESPACE, ETH);
    const ethIds = venue.placements
      .map((p) => p.clientOrderId)
      .filter((id) => id.startsWith(prefix));
    assert.ok(ethIds.length > 0, 'ETH placed its first buys');
    assert.equal(new Set(ethIds).size, ethIds.length, `an ETH id was placed twice: ${ethIds}`);
    await eventually(() => eth()?.cleanup?.state === 'cancelled', 'the failed symbol cleaned up');
    assert.deepEqual(await openOrderIds(venue, ETH), []);

    const btc = () => orch.symbols().find((s) => s.symbol === BTC);
    assert.equal(btc()?.state, 'trading');
    venue.sim.setSpotPrice(BTC, '99880');
    await eventually(
      () => btc()?.actor?.slots.find((s) => s.index === -1)?.state === 'closing.resting',
      'BTC still trading: the close of level -1',
    );
    await orch.stop();
  });

  it('adds and removes symbols at runtime, durably', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const orch = orchestrator(bed, venue);
    await orch.restore([{ symbol: BTC, grid: grid(SMALL_GRID) }]);
    orch.resume();

    assert.deepEqual(await orch.addSymbol(ETH, grid(ETH_GRID)), { outcome: 'added', carried: [] });
    await eventually(async () => (await openOrderIds(venue, ETH)).length === 2, 'ETH buys');
    assert.equal((await orch.addSymbol(ETH, grid(ETH_GRID))).outcome, 'unchanged');
    assert.equal(await orch.removeSymbol(ETH), true);
    assert.equal(await orch.removeSymbol(ETH), false);

    assert.deepEqual(await openOrderIds(venue, ETH), []);
    assert.deepEqual(
      orch.symbols().map((s) => s.symbol),
      [BTC],
    );
    await orch.stop();
    const again = orchestrator(bed, venue);
    await again.restore([{ symbol: ETH, grid: grid(ETH_GRID) }]);
    assert.deepEqual(
      again.symbols().map((s) => s.symbol),
      [BTC],
    );
  });

  it('refuses a symbol the venue does not list, or a grid its filters reject, naming the field', async () => {
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const orch = orchestrator(bed, venue);
    await orch.restore([]);

    await assert.rejects(orch.addSymbol('XRPUSDT' as SymbolId, grid(SMALL_GRID)), (e) => {
      assert.ok(e instanceof SymbolRequestError);
      assert.equal(e.kind, 'invalid');
      assert.match(e.problems[0] ?? '', /^symbol: XRPUSDT is not listed on sim/);
      return true;
    });
    await assert.rejects(
      orch.addSymbol(BTC, grid({ ...SMALL_GRID, interval: '0.05', order_quantity: '0.0015' })),
      (e) => {
        assert.ok(e instanceof SymbolRequestError);
        assert.deepEqual(
          e.problems.map((p) => p.split(':')[0]),
          ['grid.interval', 'grid.order_quantity'],
        );
        return true;
      },
    );
    assert.deepEqual(await bed.store.activeSymbols.list(), []);
  });
});
