/**
 * @module bench/grid-window.bench
 * What the trailing window costs per tick against the static grid, measured in the same run.
 * Each sample is one quoting pass exactly as the symbol actor runs it (planGrid, then quoteGrid
 * over a slot set of 20 buy levels, every slot resting an entry): the static grid (the window the
 * config fixed; the baseline), the trailing grid on a price that stays within one level (the
 * window is recomputed, nothing moves), the trailing grid with inventory skew, and the trailing
 * grid on a price that moves the window one level on every tick (one entry pulled and one placed
 * per pass, the slot machines included). Venue acknowledgements are fed between passes, outside
 * the timed region. Batches of the paths alternate so machine noise falls on all of them.
 *
 * Run alone with `node --import tsx bench/grid-window.bench.ts`; BENCH_GRID_SAMPLES sets the
 * samples per path (default 5,000).
 */
import { fileURLToPath } from 'node:url';

import { VirtualClock } from '../core/clock.js';
import type { SymbolId } from '../core/types.js';
import type { GridSlotCommand } from '../machines/grid-slot.machine.js';
import { gridWindow } from '../actors/engine/grid-builder.js';
import { planGrid } from '../actors/engine/grid-planner.js';
import { quoteGrid } from '../actors/engine/grid-quoter.js';
import { RefusalCooldown } from '../actors/engine/refusal-cooldown.js';
import { SlotSet, type GridLattice } from '../actors/engine/slot-set.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfig,
} from '../actors/engine/symbol.config.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const SAMPLES = Number(process.env.BENCH_GRID_SAMPLES ?? 5_000);
const BATCH = 250;
const LEVELS = 20;
const GOAL_STEADY_P99_MS = 0.5;

const lattice: GridLattice = {
  anchorPrice: '100000',
  interval: '100',
  tickSize: '0.1',
  mode: 'long',
  orderQuantity: '0.001',
};

const config = (extra: Record<string, unknown>): GridConfig =>
  gridConfigFromWire(
    gridConfigSchema.parse({
      levels_below: LEVELS,
      levels_above: 0,
      interval: '100',
      order_quantity: '0.001',
      anchor_price: '100000',
      ...extra,
    }),
  );

/** Acknowledges what a pass emitted: placements accepted, cancels done. */
function acknowledge(slots: SlotSet, commands: readonly GridSlotCommand[]): void {
  for (const c of commands) {
    const event =
      c.type === 'command.submitOrder'
        ? ({ type: 'order.accepted', clientOrderId: c.clientOrderId } as const)
        : ({
            type: 'order.canceled',
            clientOrderId: c.clientOrderId,
            filledQuantity: '0',
          } as const);
    slots.send(c.slotIndex, event);
  }
}

/** One grid and the prices it is quoted at, tick after tick. */
interface Path {
  readonly name: string;
  readonly grid: GridConfig;
  readonly prices: readonly string[];
  slots: SlotSet;
  tick: number;
  readonly samples: number[];
}

function path(name: string, grid: GridConfig, prices: readonly string[]): Path {
  const window = grid.trailing ? [] : gridWindow(grid);
  const slots = new SlotSet('BTCUSDT' as SymbolId, lattice, window, null, 'BNCH');
  return { name, grid, prices, slots, tick: 0, samples: [] };
}

function pass(p: Path, cooldown: RefusalCooldown, record: boolean): void {
  const price = p.prices[p.tick++ % p.prices.length]!;
  const start = process.hrtime.bigint();
  const plan = planGrid(p.grid, p.slots, price, null);
  const commands = quoteGrid(p.slots, price, cooldown, {
    ...(plan.window && { window: plan.window }),
    draining: plan.draining,
  });
  const took = Number(process.hrtime.bigint() - start) / 1e6;
  acknowledge(p.slots, commands);
  // A pass that pulled an entry reopens it once the cancel is in: quote again, untimed
  if (commands.some((c) => c.type === 'command.cancelOrder')) {
    acknowledge(
      p.slots,
      quoteGrid(p.slots, price, cooldown, plan.window ? { window: plan.window } : {}),
    );
  }
  if (record) p.samples.push(took);
}

function measure(samples: number): Path[] {
  const cooldown = new RefusalCooldown({ initialMs: 1_000, maxMs: 60_000 }, new VirtualClock());
  // Within one level: 100040 and 100020 both centre on level 0
  const steady = ['100040', '100020'];
  // 100040 centres on level 0, 100160 on level 2: the window moves on every tick
  const moving = ['100040', '100160'];
  const paths = [
    path('static grid (baseline)', config({}), steady),
    path('trailing, window still', config({ trailing: {} }), steady),
    path(
      'trailing + skew, window still',
      config({ trailing: {}, inventory_skew: { factor: '0.01' } }),
      steady,
    ),
    path('trailing, window moves every tick', config({ trailing: {} }), moving),
  ];
  for (const p of paths) for (let warm = 0; warm < 1_000; warm++) pass(p, cooldown, false);
  while (paths[0]!.samples.length < samples) {
    for (const p of paths) for (let i = 0; i < BATCH; i++) pass(p, cooldown, true);
  }
  return paths;
}

/**
 * Runs the benchmark.
 * @returns its table rows
 */
export async function run(): Promise<Row[]> {
  const paths = measure(SAMPLES);
  const base = paths[0]!;
  const rows: Row[] = [];
  for (const p of paths) {
    const p50 = percentile(p.samples, 50);
    const p99 = percentile(p.samples, 99);
    const steady = p !== paths[3];
    rows.push({
      metric: `quote pass, ${LEVELS} levels: ${p.name}, p50 / p99`,
      original: '—',
      goal: steady ? `≤ ${GOAL_STEADY_P99_MS} ms p99` : '—',
      measured: `${ms(p50)} / ${ms(p99)}`,
      ratio:
        p === base
          ? ''
          : `${(p50 / percentile(base.samples, 50)).toFixed(2)}x / ${(p99 / percentile(base.samples, 99)).toFixed(2)}x`,
      met: !steady || p99 <= GOAL_STEADY_P99_MS,
    });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`grid window benchmark on ${machineDescription()}\n`);
  console.log(markdownTable(await run()));
}
