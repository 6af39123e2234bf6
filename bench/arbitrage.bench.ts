/**
 * @module bench/arbitrage.bench
 * Funding-rate arbitrage's two latencies (issue 11):
 * - **funding update → entry decision**: a pair's decision as its actor takes it on every feed
 *   update (`decidePair`: both legs read from a live FundingMonitor watching the simulated venue,
 *   staleness judged, the pure decision) until it says `enter`. Floor: the pure
 *   `decideArbitrage` on prebuilt leg views, in the same run.
 * - **entry cycle (both legs accepted)**: a pair's entry as a DBOS cycle workflow on the queue
 *   partitioned by pair (open the spot leg, then the perp leg sized from it, each one venue step)
 *   on PGlite, and on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set; the
 *   simulated venues run in process so the figure is the engine's own. Also the **leg gap**: from
 *   the first leg's answer to the second leg reaching the venue, the time the pair is unhedged.
 *   Floor: the same two placements called directly on the venues. Each entry is followed by an
 *   exit cycle (not timed) so the pair is flat again.
 *
 * Run alone with `node --import tsx bench/arbitrage.bench.ts`; BENCH_ARB_CYCLES sets the entries
 * per database (default 60), BENCH_ARB_DECISIONS the decisions (default 20,000).
 */
import { fileURLToPath } from 'node:url';

import { createActor } from 'xstate';

import { parseArbitragePair, thresholdsOf } from '../actors/arbitrage/arbitrage.config.js';
import { FundingMonitor } from '../actors/arbitrage/funding-monitor.js';
import { decidePair, positionView } from '../actors/arbitrage/pair-decision.js';
import {
  resetPairCycleQueue,
  runPairCycle,
  type PairCycleResult,
} from '../actors/arbitrage/pair-cycle.workflow.js';
import { INCARNATION, registerOrderVenue } from '../actors/workflows/order.context.js';
import { createSimulatedVenue } from '../connector/venues/sim/index.js';
import { VirtualClock } from '../core/clock.js';
import { dec } from '../core/decimal.js';
import type { Exchange } from '../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../core/exchange.types.js';
import { createLogger } from '../core/logger.js';
import { decideArbitrage } from '../machines/arbitrage-decision.js';
import {
  arbitragePositionMachine,
  type ArbitragePositionInput,
} from '../machines/arbitrage-position.machine.js';
import { openEngineBed, postgresServerUrl, type BedKind } from './support/engine-bed.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const CYCLES = Number(process.env.BENCH_ARB_CYCLES ?? 60);
const DECISIONS = Number(process.env.BENCH_ARB_DECISIONS ?? 20_000);
const GOAL_DECISION_P99_MS = 0.5;
const GOAL_ENTRY_P50_MS = 150;
const GOAL_GAP_P99_MS = 25;

const WIRE = {
  pair: 'bench-basis',
  strategy: 'arbitrage',
  legs: [
    { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT' },
    { venue: 'sim', market: 'perp', symbol: 'BTCUSDT' },
  ],
  quantity: '0.01',
  thresholds: { min_hold_hours: 0, reentry_cooldown_minutes: 0, hold_through_funding_minutes: 0 },
  feeds: { funding_stale_ms: 3_600_000, price_stale_ms: 3_600_000 },
};

function simulated() {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue(
    {
      symbols: ['BTCUSDT'],
      price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 10, basisVolatilityBps: 0 },
    },
    clock,
  );
  return { clock, venue };
}

async function measureDecisions() {
  const parsed = parseArbitragePair(WIRE);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const { config } = parsed;
  const { clock, venue } = simulated();
  const monitor = new FundingMonitor({
    venue: (name) => venue.exchangeNamed(name),
    clock,
    log: createLogger('arb-bench', 'silent'),
  });
  monitor.watch(config.legs.a);
  monitor.watch(config.legs.b);
  const ready = () => {
    const b = monitor.snapshot(config.legs.b);
    return b.intervalMs !== null && b.rate.gt(0) && monitor.snapshot(config.legs.a).price !== null;
  };
  for (let i = 0; i < 600 && !ready(); i++) {
    clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const position = createActor(arbitragePositionMachine, {
    input: {
      pairId: config.pairId,
      legs: {
        a: { ...config.legs.a, stepSize: '0.00001' },
        b: { ...config.legs.b, stepSize: '0.001' },
      },
      firstLeg: 'a',
      hedgeTolerance: '0.001',
    },
  }).getSnapshot();
  const view = positionView(position, null);
  const now = clock.now();
  const staleness = { fundingStaleMs: config.fundingStaleMs, priceStaleMs: config.priceStaleMs };
  const legs = {
    a: monitor.legView(config.legs.a, staleness, now),
    b: monitor.legView(config.legs.b, staleness, now),
  };
  const thresholds = thresholdsOf(config);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < DECISIONS + 2_000; i++) {
    let start = performance.now();
    const decision = decidePair(monitor, config, view, now);
    const took = performance.now() - start;
    if (decision.action !== 'enter') throw new Error(`decided ${JSON.stringify(decision)}`);
    start = performance.now();
    decideArbitrage(legs, view, thresholds, now);
    const bare = performance.now() - start;
    if (i >= 2_000) {
      ours.push(took);
      floor.push(bare);
    }
  }
  monitor.close();
  await venue.close();
  return { ours, floor };
}

/** A venue that stamps when each placement arrives and when it answers. */
function stamping(venue: Exchange, log: { id: string; inAt: number; outAt: number }[]): Exchange {
  return new Proxy(venue, {
    get(target, property) {
      if (property === 'placeOrder') {
        return async (request: PlaceOrderRequest): Promise<Order> => {
          const inAt = performance.now();
          const order = await target.placeOrder(request);
          log.push({ id: request.clientOrderId ?? '', inAt, outAt: performance.now() });
          return order;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function measureCycles(kind: BedKind) {
  const bed = await openEngineBed(kind);
  resetPairCycleQueue();
  const { venue } = simulated();
  const placed: { id: string; inAt: number; outAt: number }[] = [];
  const spot = stamping(venue.exchangeNamed('sim-spot'), placed);
  const perp = stamping(venue.exchangeNamed('sim'), placed);
  registerOrderVenue(spot, 'sim-spot');
  registerOrderVenue(perp, 'sim');
  const input: ArbitragePositionInput = {
    pairId: 'bench-basis',
    legs: {
      a: { venue: 'sim-spot', market: 'spot', symbol: 'BTCUSDT', stepSize: '0.00001' },
      b: { venue: 'sim', market: 'perp', symbol: 'BTCUSDT', stepSize: '0.001' },
    },
    firstLeg: 'a',
    hedgeTolerance: '0.001',
  };
  const assets = { a: { base: 'BTC', quote: 'USDT' }, b: { base: 'BTC', quote: 'USDT' } };
  let snapshot: unknown = null;
  let cycle = 0;
  const run = async (event: Parameters<typeof runPairCycle>[0]['event']) => {
    const result: PairCycleResult = await runPairCycle({
      pairId: 'bench-basis',
      cycle: ++cycle,
      machineInput: input,
      snapshot,
      event,
      assets,
      incarnation: INCARNATION,
    });
    snapshot = result.snapshot;
    return result;
  };
  const entries: number[] = [];
  const gaps: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < CYCLES + 5; i++) {
    placed.length = 0;
    const start = performance.now();
    const entry = await run({
      type: 'arb.enter',
      long: 'a',
      quantity: '0.01',
      nextFundingTimeMs: 1_767_225_600_000,
      atMs: i,
    });
    const took = performance.now() - start;
    if (entry.executions.length !== 2) throw new Error('the entry did not place both legs');
    const [first, second] = placed;
    if (i >= 5 && first && second) {
      entries.push(took);
      gaps.push(second.inAt - first.outAt);
    }
    await run({ type: 'arb.exit' });
    const bare = performance.now();
    await spot.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.01'),
      clientOrderId: `floor-a-${kind}-${i}`,
    });
    await perp.placeOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: dec('0.01'),
      clientOrderId: `floor-b-${kind}-${i}`,
    });
    if (i >= 5) floor.push(performance.now() - bare);
  }
  await venue.close();
  await bed.close();
  return { entries, gaps, floor };
}

/**
 * Runs the benchmark.
 * @returns its table rows
 */
export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const { ours, floor } = await measureDecisions();
  for (const p of [50, 99]) {
    const o = percentile(ours, p);
    const f = percentile(floor, p);
    rows.push({
      metric: `funding update → entry decision p${p}`,
      original: '—',
      goal: p === 99 ? `≤ ${GOAL_DECISION_P99_MS} ms` : '—',
      measured: ms(o),
      ratio: `${(o / f).toFixed(2)}x`,
      met: p !== 99 || o <= GOAL_DECISION_P99_MS,
    });
  }
  const kinds: BedKind[] = postgresServerUrl() ? ['pglite', 'postgres'] : ['pglite'];
  for (const kind of kinds) {
    const { entries, gaps, floor: bare } = await measureCycles(kind);
    const p50 = percentile(entries, 50);
    rows.push({
      metric: `entry cycle, both legs accepted, p50 / p99 (${kind})`,
      original: '—',
      goal: `≤ ${GOAL_ENTRY_P50_MS} ms p50`,
      measured: `${ms(p50)} / ${ms(percentile(entries, 99))}`,
      ratio: `${(p50 / percentile(bare, 50)).toFixed(1)}x`,
      met: p50 <= GOAL_ENTRY_P50_MS,
    });
    const gap = percentile(gaps, 99);
    rows.push({
      metric: `leg gap (first leg answered → second leg at the venue) p50 / p99 (${kind})`,
      original: '—',
      goal: `≤ ${GOAL_GAP_P99_MS} ms p99`,
      measured: `${ms(percentile(gaps, 50))} / ${ms(gap)}`,
      ratio: '',
      met: gap <= GOAL_GAP_P99_MS,
    });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`arbitrage benchmark on ${machineDescription()}\n`);
  console.log(markdownTable(await run()));
  process.exit(0);
}
