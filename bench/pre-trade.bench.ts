/**
 * @module bench/pre-trade.bench
 * What the pre-trade checks add to tick → intent. The path without them: a grid-slot actor (as
 * the slot set builds it) gets `slot.open` and emits `command.submitOrder` (the baseline, the same
 * measurement as bench/engine's machine row). The path with them: the same, and the emitted
 * command is turned into an OrderIntent (decimal parse of its price and quantity) and passed
 * through `PreTradeChecker.check` against an ExposureBook holding 50 symbols, each with a position
 * at mark and 20 resting orders, until the check returns its verdict (a pass: every check runs,
 * the order-rate bucket included). Batches of the two paths alternate so machine noise falls on
 * both. A third path is the engine's own gate as the symbol actor calls it
 * (`EngineRisk.check(command)`: the intent built from the command, the checks, the exposure book
 * updated with the passed order, which the sample then drops again as its cancel would), over
 * the same 50 busy symbols. Also timed alone: `check` on a prebuilt intent.
 *
 * Run alone with `node --import tsx bench/pre-trade.bench.ts`; BENCH_PRETRADE_SAMPLES sets the
 * samples per path (default 20,000).
 */
import { fileURLToPath } from 'node:url';

import { createActor } from 'xstate';

import { Registry } from 'prom-client';

import { EngineRisk } from '../actors/engine/engine-risk.js';
import { gridConfigFromWire, gridConfigSchema } from '../actors/engine/symbol.config.js';
import { ExposureBook } from '../actors/risk/exposure-book.js';
import { riskConfigSchema } from '../actors/risk/risk.config.js';
import { createRiskMetrics } from '../actors/risk/risk.metrics.js';
import { VirtualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { PreTradeChecker, type OrderIntent } from '../actors/risk/pre-trade.js';
import { dec } from '../core/decimal.js';
import type { SymbolId } from '../core/types.js';
import { gridSlotMachine, type SubmitOrderCommand } from '../machines/grid-slot.machine.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const SAMPLES = Number(process.env.BENCH_PRETRADE_SAMPLES ?? 20_000);
const BATCH = 1_000;
const SYMBOLS = 50;
const ORDERS_PER_SYMBOL = 20;
const GOAL_ADDED_P99_MS = 0.05;

/** A book as busy as a 50-symbol engine: positions at mark and resting grid orders. */
function busyBook(book: ExposureBook = new ExposureBook()): ExposureBook {
  for (let s = 0; s < SYMBOLS; s++) {
    const symbol = s === 0 ? 'BTCUSDT' : `SYM${s}USDT`;
    book.price(symbol, dec('100000'));
    book.position(symbol, dec('0.01'), dec('100000'));
    for (let o = 0; o < ORDERS_PER_SYMBOL; o++) {
      book.orderResting({
        clientOrderId: `${symbol}-${o}`,
        symbol,
        side: o % 2 === 0 ? 'BUY' : 'SELL',
        price: dec(100_000 + (o % 2 === 0 ? -1 : 1) * (o + 1) * 100),
        quantity: dec('0.001'),
        reduceOnly: o % 2 === 1,
      });
    }
  }
  return book;
}

function checker(): PreTradeChecker {
  return new PreTradeChecker({
    maxOrderNotional: dec('10000'),
    maxPositionNotional: dec('1000000'),
    maxGrossExposure: dec('100000000'),
    priceBandPct: dec('5'),
    maxOpenOrdersPerSymbol: 1_000,
    maxOpenOrdersTotal: 100_000,
    // Never the limiting factor here, so every sample is a full pass
    globalOrdersPerSecond: 1_000_000_000,
    symbolOrdersPerSecond: 1_000_000_000,
  });
}

function intentOf(command: SubmitOrderCommand): OrderIntent {
  return {
    symbol: command.symbol,
    side: command.side,
    price: dec(command.price),
    quantity: dec(command.quantity),
    role: command.reduceOnly ? 'close' : 'open',
  };
}

/** The engine's risk gate over 50 busy symbols, with limits that never deny here. */
async function engineGate(): Promise<EngineRisk> {
  const clock = new VirtualClock();
  const risk = await EngineRisk.open({
    config: riskConfigSchema.parse({
      limits: {
        max_position_notional: '1000000',
        max_gross_exposure: '100000000',
        max_open_orders_per_symbol: 1_000,
        max_open_orders_total: 100_000,
        order_rate: { global_per_second: 1_000_000_000, symbol_per_second: 1_000_000_000 },
      },
    }),
    store: { save: (_k, _s, v) => Promise.resolve(v + 1), loadAll: () => Promise.resolve([]) },
    clock,
    log: createLogger('bench', 'silent'),
    metrics: createRiskMetrics(new Registry()),
    onState: () => undefined,
    onError: (e) => {
      throw e;
    },
  });
  const grid = gridConfigFromWire(
    gridConfigSchema.parse({ levels_below: 20, interval: '100', order_quantity: '0.001' }),
  );
  for (let s = 0; s < SYMBOLS; s++)
    risk.addSymbol(s === 0 ? 'BTCUSDT' : `SYM${s}USDT`, grid, dec('100000'));
  busyBook(risk.view);
  return risk;
}

/** Baseline and with-checks samples of tick → intent, in alternating batches. */
async function measure(
  samples: number,
): Promise<{ base: number[]; checked: number[]; gated: number[]; alone: number[] }> {
  const slot = createActor(gridSlotMachine, {
    input: {
      namespace: 'BNCH',
      symbol: 'BTCUSDT' as SymbolId,
      slotIndex: -1,
      mode: 'long',
      anchorPrice: '100000',
      interval: '100',
      tickSize: '0.1',
      orderQuantity: '0.001',
    },
  }).start();
  const book = busyBook();
  const checks = checker();
  const gate = await engineGate();
  let mode: 'base' | 'checks' | 'gate' = 'base';
  let doneAt = 0n;
  let verdictSeen: unknown = 'none';
  let now = 0;
  slot.on('command.submitOrder', (command) => {
    if (mode === 'checks') verdictSeen = checks.check(intentOf(command), book, now++);
    if (mode === 'gate') verdictSeen = gate.check(command);
    doneAt = process.hrtime.bigint();
  });
  const once = (): number => {
    const start = process.hrtime.bigint();
    slot.send({ type: 'slot.open', marketPrice: '100000' });
    const took = Number(doneAt - start) / 1e6;
    const order = slot.getSnapshot().context.order;
    if (!order) throw new Error('the slot did not open');
    slot.send({ type: 'order.canceled', clientOrderId: order.clientOrderId });
    gate.view.orderGone('BTCUSDT', order.clientOrderId);
    return took;
  };
  const base: number[] = [];
  const checked: number[] = [];
  const gated: number[] = [];
  const modes = ['base', 'checks', 'gate'] as const;
  for (let warm = 0; warm < 3_000; warm++) {
    mode = modes[warm % 3] ?? 'base';
    once();
  }
  while (base.length < samples) {
    mode = 'base';
    for (let i = 0; i < BATCH; i++) base.push(once());
    mode = 'checks';
    for (let i = 0; i < BATCH; i++) checked.push(once());
    mode = 'gate';
    for (let i = 0; i < BATCH; i++) gated.push(once());
  }
  if (verdictSeen !== null) throw new Error(`the check denied: ${JSON.stringify(verdictSeen)}`);

  const intent = intentOf({
    type: 'command.submitOrder',
    clientOrderId: 'x',
    symbol: 'BTCUSDT',
    slotIndex: -1,
    side: 'BUY',
    price: '99900',
    quantity: '0.001',
    postOnly: true,
    reduceOnly: false,
  } as SubmitOrderCommand);
  const alone: number[] = [];
  for (let i = 0; i < samples + 2_000; i++) {
    const start = process.hrtime.bigint();
    checks.check(intent, book, now++);
    if (i >= 2_000) alone.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { base, checked, gated, alone };
}

/**
 * Runs the benchmark.
 * @returns its table rows
 */
export async function run(): Promise<Row[]> {
  const { base, checked, gated, alone } = await measure(SAMPLES);
  const rows: Row[] = [];
  for (const p of [50, 99]) {
    const b = percentile(base, p);
    const c = percentile(checked, p);
    rows.push({
      metric: `tick→intent p${p}: without / with pre-trade checks`,
      original: '—',
      goal: '—',
      measured: `${ms(b)} / ${ms(c)}`,
      ratio: `${(c / b).toFixed(2)}x`,
      met: true,
    });
  }
  const added = percentile(checked, 99) - percentile(base, 99);
  rows.push({
    metric: 'added by pre-trade checks, p99 (with − without)',
    original: '—',
    goal: `≤ ${GOAL_ADDED_P99_MS} ms`,
    measured: ms(added),
    ratio: '',
    met: added <= GOAL_ADDED_P99_MS,
  });
  const gateAdded = percentile(gated, 99) - percentile(base, 99);
  rows.push({
    metric: `tick→intent p50 / p99 through the engine's gate (EngineRisk.check)`,
    original: '—',
    goal: '—',
    measured: `${ms(percentile(gated, 50))} / ${ms(percentile(gated, 99))}`,
    ratio: `${(percentile(gated, 99) / percentile(base, 99)).toFixed(2)}x`,
    met: true,
  });
  rows.push({
    metric: "added by the engine's gate, p99 (gate − without)",
    original: '—',
    goal: `≤ ${GOAL_ADDED_P99_MS} ms`,
    measured: ms(gateAdded),
    ratio: '',
    met: gateAdded <= GOAL_ADDED_P99_MS,
  });
  rows.push({
    metric: `check() alone p50 / p99 (${SYMBOLS} symbols × ${ORDERS_PER_SYMBOL} resting orders)`,
    original: '—',
    goal: `≤ ${GOAL_ADDED_P99_MS} ms p99`,
    measured: `${ms(percentile(alone, 50))} / ${ms(percentile(alone, 99))}`,
    ratio: '',
    met: percentile(alone, 99) <= GOAL_ADDED_P99_MS,
  });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`pre-trade benchmark on ${machineDescription()}\n`);
  console.log(markdownTable(await run()));
}
