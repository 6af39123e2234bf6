/**
 * @module test/actors/arbitrage/pair-cycle.workflow
 * Pair cycles as DBOS workflows on simulated venues (spot "sim-spot", perp "sim"): an entry
 * buys spot then shorts the perp by what the spot buy executed; a rejected second leg is
 * compensated by unwinding exactly the first leg's executed quantity; a partial first leg sizes
 * the second to match; an exit closes both; a cycle started again under its number returns the
 * recorded result without reaching a venue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  pairCycleWorkflowId,
  resetPairCycleQueue,
  runPairCycle,
  startedPairCycle,
  type PairCycleInput,
  type PairCycleResult,
} from '../../../actors/arbitrage/pair-cycle.workflow.js';
import {
  bindOrderWorkflows,
  INCARNATION,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../../connector/venues/sim/index.js';
import { VirtualClock } from '../../../core/clock.js';
import type { ArbitragePositionInput } from '../../../machines/arbitrage-position.machine.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const FUNDING_AT = Date.UTC(2026, 0, 1, 8);
const ASSETS = { a: { base: 'BTC', quote: 'USDT' }, b: { base: 'BTC', quote: 'USDT' } };

function machineInput(pairId: string): ArbitragePositionInput {
  return {
    pairId,
    legs: {
      a: { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT', stepSize: '0.00001' },
      b: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '0.001' },
    },
    firstLeg: 'a',
    hedgeTolerance: '0.001',
  };
}

const enter = (quantity: string) =>
  ({ type: 'arb.enter', long: 'a', quantity, nextFundingTimeMs: FUNDING_AT, atMs: 1 }) as const;

for (const kind of TEST_DATABASE_KINDS) {
  describe(`pair cycle workflow (${kind})`, () => {
    let db: TestDatabase;
    let venue: SimulatedVenue;

    before(async () => {
      db = await openTestDatabase(kind);
      venue = createSimulatedVenue(
        {
          symbols: ['BTCUSDT'],
          price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0 },
        },
        new VirtualClock(),
      );
      for (const name of ['sim', 'sim-spot']) registerOrderVenue(venue.exchangeNamed(name), name);
      bindOrderWorkflows({ retry: { initialBackoffMs: 1, maxBackoffMs: 2 } });
      resetPairCycleQueue();
      await launchDurableRuntime({
        databaseUrl: db.url,
        appName: 'arb-cycle-test',
        logLevel: 'error',
      });
    });

    after(async () => {
      await shutdownDurableRuntime();
      unbindOrderWorkflows();
      venue.close();
      await db.close();
    });

    const cycle = (pairId: string, n: number, snapshot: unknown, event: PairCycleInput['event']) =>
      runPairCycle({
        pairId,
        cycle: n,
        machineInput: machineInput(pairId),
        snapshot,
        event,
        assets: ASSETS,
        incarnation: INCARNATION,
      });

    const positions = (result: PairCycleResult) => {
      const { legs } = (
        result.snapshot as { context: { legs: Record<string, { position: string }> } }
      ).context;
      return { a: legs.a?.position, b: legs.b?.position };
    };
    const stateOf = (result: PairCycleResult) => (result.snapshot as { value: unknown }).value;

    it('enters long spot / short perp, the perp sized from the spot executed, then exits', async () => {
      const entry = await cycle('enter-exit', 1, null, enter('0.01'));
      assert.equal(stateOf(entry), 'hedged');
      assert.deepEqual(
        entry.executions.map((e) => [e.leg, e.side, e.status, e.useMargin, e.reduceOnly]),
        [
          ['a', 'BUY', 'FILLED', false, false],
          ['b', 'SELL', 'FILLED', false, false],
        ],
      );
      const [spot, perp] = entry.executions;
      assert.ok(spot && perp);
      // The perp follows what the spot leg holds after its base-asset fee, on the perp's step
      assert.ok(Number(perp.quantity) <= Number(spot.executedQty));
      assert.equal(entry.executions[0]?.clientOrderId.startsWith('osa'), true);

      const exit = await cycle('enter-exit', 2, entry.snapshot, { type: 'arb.exit' });
      assert.equal(stateOf(exit), 'flat');
      assert.ok(exit.executions.some((e) => e.leg === 'b' && e.side === 'BUY' && e.reduceOnly));
      assert.ok(exit.executions.some((e) => e.leg === 'a' && e.side === 'SELL'));
    });

    it('compensates a rejected second leg by unwinding exactly what the first executed', async () => {
      venue.faultsOf('sim')?.rejectNextPlacements(1);
      const result = await cycle('compensate', 1, null, enter('0.01'));
      assert.equal(stateOf(result), 'flat');
      const [open, hedge, unwind] = result.executions;
      assert.equal(open?.status, 'FILLED');
      assert.equal(hedge?.status, 'REFUSED');
      assert.equal(unwind?.side, 'SELL');
      assert.equal(unwind?.leg, 'a');
      assert.deepEqual(positions(result), { a: '0', b: '0' });
      // Sized from the first leg's holding (executed minus its base fee), never the request
      assert.equal(Number(unwind?.quantity), Number(open?.executedQty) - Number(open?.feeBase));
      assert.deepEqual(
        result.alerts.map((a) => a.reason),
        ['ENTRY_COMPENSATING'],
      );
    });

    it('sizes the second leg from a partially filled first leg', async () => {
      venue.faultsOf('sim-spot')?.partialFillNextPlacements(1, '0.5');
      const result = await cycle('partial', 1, null, enter('0.02'));
      assert.equal(stateOf(result), 'hedged');
      const [open, hedge] = result.executions;
      assert.equal(open?.executedQty, '0.01');
      assert.ok(Number(hedge?.quantity) <= 0.01 && Number(hedge?.quantity) >= 0.009);
    });

    it('answers a cycle started again under its number with the recorded result', async () => {
      const first = await cycle('replay', 1, null, enter('0.01'));
      const again = await cycle('replay', 1, null, enter('0.05'));
      assert.deepEqual(again, first);
      assert.deepEqual(await startedPairCycle('replay', 1), first);
      assert.equal(await startedPairCycle('replay', 2), null);
      assert.equal(pairCycleWorkflowId('replay', 1), 'arb-cycle:replay:1');
    });
  });
}
