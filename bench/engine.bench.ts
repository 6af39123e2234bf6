/**
 * @module bench/engine.bench
 * Latency of the trading engine, from a price tick to the order it causes, at three depths:
 *
 * 1. Machine: a grid-slot actor (createActor of the machine, as the slot set builds it) is sent
 *    `slot.open` with a market price that lets it open; measured until `command.submitOrder` is
 *    emitted, then the slot is reset with `order.canceled`. Pure and in-process. Floor: a bare
 *    XState machine with one transition and one emit, measured the same way in the same run.
 * 2. Tick to order accepted: a real SymbolActor over a database (embedded PGlite in a temp dir;
 *    also a real PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set) with DBOS, the
 *    durable order workflows, a StreamRouter on the order stream and a RemoteExchange to the
 *    connector in a child process (bench/support/connector-host.ts, simulated venue). A grid of
 *    20 buy levels far below the venue's market; each sample starts from a quiet engine (nothing
 *    in the mailbox, no snapshot save running), offers the actor a price that lets exactly one
 *    more level open, and measures until the placement step calls the venue (the engine's own
 *    share: the one commit that starts the workflow, DBOS's step bookkeeping), until the venue's
 *    NEW update for that order reaches the symbol's mailbox over the gRPC order stream, and until
 *    the placement workflow's result does. After each pass the orders are canceled through the
 *    engine and it starts over. Floor: a bare RemoteExchange.placeOrder round trip to the same
 *    connector. PGlite is also given as a ratio to PostgreSQL.
 * 3. 50 symbols × 10 ticks/s in one process over one PGlite database with DBOS: each symbol
 *    (10-level long grid) gets a mean-reverting random-walk price every 100 ms (symbols spread
 *    evenly over the period); orders go through the durable workflows to an in-process stub
 *    venue (bench/support/engine-venue.ts) that fills them when the price crosses. Event lag is
 *    the time from offering a price to the symbol's mailbox until the actor asks for its next
 *    message (prices are conflated, so a superseded price counts from its first offer).
 *
 * Tunable with BENCH_MACHINE_SAMPLES, BENCH_ENGINE_ROUNDS and BENCH_ENGINE_SECONDS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { assign, createActor, emit, setup } from 'xstate';

import { StreamRouter } from '../actors/engine/stream-router.js';
import type { SymbolMessage } from '../actors/engine/symbol.messages.js';
import { WallClock } from '../core/clock.js';
import { connectRemoteExchange } from '../connector/exchange.client.js';
import type { Exchange } from '../core/exchange.port.js';
import { dec, toPlain } from '../core/decimal.js';
import { gridSlotMachine } from '../machines/grid-slot.machine.js';
import type { SymbolId } from '../core/types.js';
import type { HostCommand, HostReply } from './support/connector-host.js';
import {
  now,
  openEngineBed,
  postgresServerUrl,
  ProbeMailbox,
  startBenchSymbol,
  until,
  type BedKind,
  type BenchSymbol,
  type EngineBed,
} from './support/engine-bed.js';
import { StubVenue } from './support/engine-venue.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const MACHINE_SAMPLES = Number(process.env.BENCH_MACHINE_SAMPLES ?? 20_000);
/** Passes over the 20-level grid of the tick→accepted row (20 samples each). */
const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 25);
const LEVELS = 20;
const LOAD_SECONDS = Number(process.env.BENCH_ENGINE_SECONDS ?? 15);
const LOAD_WARMUP_SECONDS = 2;
const LOAD_SYMBOLS = 50;
const TICKS_PER_SECOND = 10;

// -- 1. MACHINE --

/** Times `open` (which must fire `onEmit` synchronously) `samples` times, resetting between. */
function timeEmits(
  samples: number,
  subscribe: (onEmit: () => void) => void,
  open: () => void,
  reset: () => void,
): number[] {
  let emittedAt = 0n;
  subscribe(() => (emittedAt = process.hrtime.bigint()));
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    open();
    out.push(Number(emittedAt - start) / 1e6);
    reset();
  }
  return out;
}

function machineLatency(samples: number): { slot: number[]; floor: number[] } {
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
  const bare = createActor(
    setup({
      types: {
        context: {} as { n: number },
        events: {} as { type: 'go' } | { type: 'reset' },
        emitted: {} as { type: 'out'; n: number },
      },
    }).createMachine({
      context: { n: 0 },
      initial: 'idle',
      states: {
        idle: {
          on: {
            go: {
              target: 'busy',
              actions: [assign({ n: ({ context }) => context.n + 1 }), emit({ type: 'out', n: 1 })],
            },
          },
        },
        busy: { on: { reset: 'idle' } },
      },
    }),
  ).start();
  const runSlot = (count: number) =>
    timeEmits(
      count,
      (onEmit) => slot.on('command.submitOrder', onEmit),
      () => slot.send({ type: 'slot.open', marketPrice: '100000' }),
      () => {
        const order = slot.getSnapshot().context.order;
        if (!order) throw new Error('the slot did not open');
        slot.send({ type: 'order.canceled', clientOrderId: order.clientOrderId });
      },
    );
  const runBare = (count: number) =>
    timeEmits(
      count,
      (onEmit) => bare.on('out', onEmit),
      () => bare.send({ type: 'go' }),
      () => bare.send({ type: 'reset' }),
    );
  // Warm both up first (JIT), then measure; the slot's generation bounds how often it reopens
  const warm = Math.min(2_000, samples);
  runSlot(warm);
  runBare(warm);
  const floor = runBare(samples);
  const result = runSlot(samples);
  slot.stop();
  bare.stop();
  return { slot: result, floor };
}

// -- 2. TICK TO ORDER ACCEPTED --

class ConnectorHost {
  readonly #waiters: ((reply: HostReply) => void)[] = [];
  readonly child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: HostReply) => this.#waiters.shift()?.(reply));
  }
  static async start(): Promise<{ host: ConnectorHost; port: number }> {
    const child = fork(fileURLToPath(new URL('./support/connector-host.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    const host = new ConnectorHost(child);
    const ready = await new Promise<HostReply>((resolve) => host.#waiters.push(resolve));
    if (ready.type !== 'ready') throw new Error(`connector host said ${ready.type}`);
    return { host, port: ready.connectorPort };
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'stop' } satisfies HostCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

interface AcceptedSamples {
  /** Tick offered → the placement step calling the venue's placeOrder. */
  readonly toVenue: number[];
  /** Tick offered → the venue's NEW update in the symbol's mailbox. */
  readonly toNew: number[];
  /** Tick offered → the placement workflow's result posted to the symbol's mailbox. */
  readonly toPlaced: number[];
  /** Bare RemoteExchange.placeOrder round trips to the same connector. */
  readonly floor: number[];
}

/** A grid far under the venue's market, so its post-only buys rest. */
async function farGrid(exchange: Exchange, symbol: SymbolId) {
  const market = (await exchange.getLatestPrice(symbol)).toNumber();
  const info = await exchange.getSymbolInfo(symbol);
  const tick = info.tickSize.toNumber();
  const interval = Math.max(1, Math.round(market / 1000 / tick)) * tick;
  const anchor = Math.round((market * 0.5) / interval) * interval;
  const notional = Math.max(info.minNotional.toNumber() * 2, 20);
  const steps = Math.ceil(notional / (anchor - LEVELS * interval) / info.stepSize.toNumber());
  return {
    anchor,
    interval,
    quantity: toPlain(info.stepSize.mul(steps)),
    price: (level: number) => toPlain(dec(anchor).add(dec(interval).mul(level))),
  };
}

async function tickToAccepted(
  bed: EngineBed,
  exchange: Exchange,
  symbol: SymbolId,
): Promise<AcceptedSamples> {
  let venueCalledAt = 0;
  // The order workflows reach the venue through this port: it stamps the moment they call it
  const timed = new Proxy(exchange, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'placeOrder') return value.bind(target);
      return (...args: unknown[]) => {
        venueCalledAt = now();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  bed.useVenue(timed);
  const grid = await farGrid(exchange, symbol);
  const mailbox = new ProbeMailbox(64);
  const clock = new WallClock();
  // Prices come from the bench only; the router carries the venue's order stream
  const router = new StreamRouter({
    exchange,
    clock,
    log: bed.log,
    mailboxOf: (s) => (s === symbol ? mailbox : undefined),
    symbols: () => [],
  });
  router.start();
  const bottom = grid.price(-LEVELS - 1);
  const offer = (price: string) => mailbox.offerPrice({ price, timeMs: Date.now() });
  offer(bottom);
  const running = await startBenchSymbol(
    bed,
    exchange,
    symbol,
    {
      levels_below: LEVELS,
      levels_above: 0,
      interval: toPlain(dec(grid.interval)),
      order_quantity: grid.quantity,
      mode: 'long',
      anchor_price: toPlain(dec(grid.anchor)),
    },
    mailbox,
  );
  const toVenue: number[] = [];
  const toNew: number[] = [];
  const toPlaced: number[] = [];
  try {
    await until(
      () => running.actor.view().phase === 'trading' && mailbox.idle,
      'the symbol trading',
    );
    console.error('engine: symbol trading');
    for (let round = 0; round < ROUNDS; round++) {
      for (let level = LEVELS; level >= 1; level--) {
        // Half an interval over level -level: it opens, the level above does not
        const price = toPlain(dec(grid.price(-level)).add(dec(grid.interval).div(2)));
        await until(() => mailbox.idle && !running.actor.saving, 'a quiet engine');
        const { newAt, placedAt } = awaitAnswers(mailbox);
        const start = now();
        offer(price);
        const [atNew, atPlaced] = await Promise.all([newAt, placedAt]);
        toVenue.push(venueCalledAt - start);
        toNew.push(atNew - start);
        toPlaced.push(atPlaced - start);
        await until(() => mailbox.idle, 'the result handled');
      }
      await cancelEverything(running, mailbox, () => offer(bottom));
    }
  } finally {
    await running.stop();
    router.stop();
  }
  const floor = await placeFloor(exchange, symbol, grid.price(-LEVELS), grid.quantity);
  return { toVenue, toNew, toPlaced, floor };
}

/** Promises of the time the next NEW order update and the next placement result arrive. */
function awaitAnswers(mailbox: ProbeMailbox) {
  const newAt = new Promise<number>((resolve) => {
    mailbox.onOrder = (message) => {
      if (message.update.order.status !== 'NEW') return;
      mailbox.onOrder = null;
      resolve(now());
    };
  });
  const placedAt = new Promise<number>((resolve, reject) => {
    mailbox.onPost = (message: SymbolMessage) => {
      if (message.kind !== 'placed') return;
      mailbox.onPost = null;
      if (message.result.outcome === 'placed') resolve(now());
      else reject(new Error(`placement ${message.result.outcome}: ${JSON.stringify(message)}`));
    };
  });
  return { newAt, placedAt };
}

/** Parks the market under the grid, then cancels every order through the engine. */
async function cancelEverything(running: BenchSymbol, mailbox: ProbeMailbox, park: () => void) {
  park();
  await until(() => mailbox.idle, 'the parking price handled');
  mailbox.post({ kind: 'cancelAll' });
  await until(
    () => running.actor.view().slots.every((s) => s.state === 'free' && s.order === null),
    'every slot free again',
    15_000,
    2,
  );
}

async function placeFloor(exchange: Exchange, symbol: SymbolId, price: string, quantity: string) {
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const start = now();
    const order = await exchange.placeOrder({
      symbol,
      side: 'BUY',
      type: 'LIMIT',
      price: dec(price),
      quantity: dec(quantity),
      clientOrderId: `benchfloor${symbol}${i}`,
    });
    samples.push(now() - start);
    await exchange.cancelOrder(symbol, order.orderId);
  }
  return samples.slice(50);
}

// -- 3. MANY SYMBOLS --

interface LoadResult {
  /** Event lag of every price handled after the warm-up, ms. */
  readonly lags: number[];
  /** Prices offered after the warm-up. */
  readonly offered: number;
  /** Orders the stub venue accepted over the whole run. */
  readonly orders: number;
}

async function manySymbols(bed: EngineBed): Promise<LoadResult> {
  const mailboxes = new Map<string, ProbeMailbox>();
  const venue = new StubVenue((update) => {
    void mailboxes.get(update.order.symbol)?.put({ kind: 'order', update });
  });
  bed.useVenue(venue.exchange);
  const symbols = Array.from(
    { length: LOAD_SYMBOLS },
    (_, i) => `S${String(i).padStart(2, '0')}USDT` as SymbolId,
  );
  const prices = symbols.map(() => 100.3);
  for (const symbol of symbols) venue.setPrice(symbol, dec('100.3'));
  const running: BenchSymbol[] = [];
  try {
    for (const symbol of symbols) {
      const mailbox = new ProbeMailbox(64);
      mailboxes.set(symbol, mailbox);
      const grid = {
        levels_below: 5,
        levels_above: 5,
        interval: '1',
        order_quantity: '1',
        mode: 'long',
        anchor_price: '100',
      } as const;
      running.push(await startBenchSymbol(bed, venue.exchange, symbol, grid, mailbox));
    }
    // A fixed-seed walk, pulled back towards 100 so every symbol keeps crossing its levels
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const groups = 10;
    const periodMs = 1000 / TICKS_PER_SECOND;
    let offered = 0;
    let fire = 0;
    const timer = setInterval(() => {
      const group = fire++ % groups;
      for (let i = group; i < symbols.length; i += groups) {
        const symbol = symbols[i] as SymbolId;
        const last = prices[i] as number;
        const next = Math.round((last + (random() - 0.5) * 0.8 + 0.05 * (100 - last)) * 100) / 100;
        prices[i] = next;
        const price = next.toFixed(2);
        venue.setPrice(symbol, dec(price));
        mailboxes.get(symbol)?.offerPrice({ price, timeMs: Date.now() });
        offered++;
      }
    }, periodMs / groups);
    await new Promise((r) => setTimeout(r, LOAD_WARMUP_SECONDS * 1000));
    for (const mailbox of mailboxes.values()) mailbox.priceLags.length = 0;
    offered = 0;
    await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
    clearInterval(timer);
    const lags = [...mailboxes.values()].flatMap((m) => m.priceLags);
    const counted = offered;
    return { lags, offered: counted, orders: venue.placed };
  } finally {
    await Promise.all(running.map((r) => r.stop()));
  }
}

// -- REPORT --

function row(
  metric: string,
  original: string,
  goal: string,
  goalMs: number,
  p: number,
  samples: number[],
  floor?: number[],
): Row {
  const value = percentile(samples, p);
  const ratio = floor ? `${(value / percentile(floor, p)).toFixed(2)}x` : '';
  return { metric, original, goal, measured: ms(value), ratio, met: value <= goalMs };
}

/** Runs the engine benchmark and returns its rows. */
export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  console.error('engine: machine');
  const machine = machineLatency(MACHINE_SAMPLES);
  rows.push(
    row('tick→intent (grid-slot machine) p50', '—', '—', Infinity, 50, machine.slot, machine.floor),
    row(
      'tick→intent (grid-slot machine) p99',
      '—',
      '≤ 0.2 ms',
      0.2,
      99,
      machine.slot,
      machine.floor,
    ),
  );

  const { host, port } = await ConnectorHost.start();
  const exchange = await connectRemoteExchange(`127.0.0.1:${port}`);
  const kinds: [BedKind, SymbolId][] = [['pglite', 'BTCUSDT' as SymbolId]];
  if (postgresServerUrl()) kinds.push(['postgres', 'ETHUSDT' as SymbolId]);
  const accepted = new Map<BedKind, AcceptedSamples>();
  try {
    for (const [kind, symbol] of kinds) {
      console.error(`engine: tick→accepted on ${kind}`);
      const bed = await openEngineBed(kind);
      console.error('engine: bed open');
      try {
        const samples = await tickToAccepted(bed, exchange, symbol);
        accepted.set(kind, samples);
        const db = kind === 'pglite' ? 'embedded PGlite, no real Postgres' : 'PostgreSQL';
        const lite = kind === 'pglite';
        const label = `tick→order accepted (${db}; NEW update back over gRPC)`;
        const venue = `tick→venue call (${db}; the engine's share, one commit)`;
        const placed = `tick→placement workflow result (${db})`;
        const { toVenue, toNew, toPlaced, floor } = samples;
        rows.push(
          row(`${venue} p50`, '—', '—', Infinity, 50, toVenue),
          row(`${venue} p99`, '—', '—', Infinity, 99, toVenue),
          lite
            ? row(`${label} p50`, '—', '≤ 1.3 × PostgreSQL', Infinity, 50, toNew, floor)
            : row(`${label} p50`, '—', '≤ 3 ms', 3, 50, toNew, floor),
          lite
            ? row(`${label} p99`, '—', '≤ 1.3 × PostgreSQL', Infinity, 99, toNew, floor)
            : row(`${label} p99`, '—', '≤ 10 ms', 10, 99, toNew, floor),
          row(`${placed} p50`, '—', '—', Infinity, 50, toPlaced, floor),
          row(`${placed} p99`, '—', '—', Infinity, 99, toPlaced, floor),
        );
        if (lite) {
          console.error(`engine: ${LOAD_SYMBOLS} symbols for ${LOAD_SECONDS} s`);
          const load = await manySymbols(bed);
          const what = `event lag, ${LOAD_SYMBOLS} symbols × ${TICKS_PER_SECOND} ticks/s (PGlite, in-process venue)`;
          const handled = `${load.lags.length} of ${load.offered} ticks handled (others conflated); ${load.orders} orders`;
          rows.push(
            row(`${what} p50`, '—', '—', Infinity, 50, load.lags),
            row(`${what} p99; ${handled}`, '—', '≤ 20 ms', 20, 99, load.lags),
          );
        }
      } finally {
        await bed.close();
      }
    }
    const lite = accepted.get('pglite');
    const pg = accepted.get('postgres');
    if (lite && pg) {
      for (const p of [50, 99]) {
        const ratio = percentile(lite.toNew, p) / percentile(pg.toNew, p);
        rows.push({
          metric: `tick→order accepted p${p}, PGlite ÷ PostgreSQL`,
          original: '—',
          goal: '≤ 1.3x',
          measured: `${ratio.toFixed(2)}x`,
          ratio: '',
          met: ratio <= 1.3,
        });
      }
    }
  } finally {
    await exchange.close();
    await host.stop();
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`running engine benchmark on ${machineDescription()} ...`);
  console.log(`\n${markdownTable(await run())}\n`);
}
