/**
 * @module bench/soak
 * `npm run soak -- --minutes N [--symbols 1-10] [--stress] [--tick-ms MS] [--sample-seconds S]`:
 * runs the whole stack (bench/soak-stack) on a fast simulated market for N minutes while
 * dashboard clients and gRPC stream subscriptions come and go, samples RSS, heap, handles, open fds and event-loop lag
 * of every process from its /metrics, then checks that the engine's working orders are exactly
 * the venue's open orders (no order update lost) and that every process stops cleanly. Prints
 * the trend per hour, the engine's RSS against its budget (issue 8: ≤ 250 MB steady, ≤ 300 MB
 * peak, judged on runs of 10 min or more) and a verdict; exits 1 on FAIL. `--stress` runs the
 * market 10x faster.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { WebSocket } from 'ws';

import { connectRemoteExchange } from '../connector/exchange.client.js';
import {
  buckets,
  ENGINE_MEMORY_GOALS,
  judge,
  judgeEngineMemory,
  type ProcessVerdict,
} from './soak-report.js';
import { scrape, type Sample } from './soak-sampler.js';
import { ROOT, startStack, type Stack } from './soak-stack.js';
import { machineDescription } from './support/stats.js';

/**
 * Grids in the order `--symbols N` takes them: intervals of 6-9 basis points of price, so a round
 * trip earns more than the simulated venue's maker fees on both legs (2 + 2 bps); a thinner grid
 * loses on every round trip and the risk layer's loss-streak breaker rightly stops it.
 */
const GRIDS = [
  { symbol: 'BTCUSDT', interval: '60', quantity: '0.001' },
  { symbol: 'ETHUSDT', interval: '3', quantity: '0.01' },
  { symbol: 'SOLUSDT', interval: '0.15', quantity: '1' },
  { symbol: 'BNBUSDT', interval: '0.45', quantity: '0.02' },
  { symbol: 'XRPUSDT', interval: '0.0015', quantity: '5' },
  { symbol: 'DOGEUSDT', interval: '0.00025', quantity: '30' },
  { symbol: 'ADAUSDT', interval: '0.0006', quantity: '10' },
  { symbol: 'AVAXUSDT', interval: '0.03', quantity: '1' },
  { symbol: 'LINKUSDT', interval: '0.015', quantity: '0.5' },
  { symbol: 'LTCUSDT', interval: '0.07', quantity: '0.1' },
] as const;
/** Slot states in which nothing is on its way to or from the venue. */
const SETTLED = new Set(['free', 'opening.resting', 'closing.resting']);

interface Options {
  readonly minutes: number;
  readonly tickMs: number;
  readonly sampleMs: number;
  readonly stress: boolean;
  readonly symbols: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      stress: { type: 'boolean', default: false },
      'tick-ms': { type: 'string' },
      'sample-seconds': { type: 'string' },
      symbols: { type: 'string', default: '2' },
    },
  });
  const symbols = Number(values.symbols);
  if (!Number.isInteger(symbols) || symbols < 1 || symbols > GRIDS.length)
    throw new Error(
      `--symbols: must be a whole number from 1 to ${GRIDS.length}, was ${values.symbols}`,
    );
  const minutes = Number(values.minutes);
  if (!(minutes > 0))
    throw new Error(`--minutes: must be a positive number, was ${values.minutes}`);
  const normalTick = 50;
  const tickMs = Number(values['tick-ms'] ?? (values.stress ? normalTick / 10 : normalTick));
  if (!(tickMs >= 1)) throw new Error(`--tick-ms: must be at least 1, was ${values['tick-ms']}`);
  const defaultSample = minutes <= 2 ? 2 : minutes <= 15 ? 5 : 15;
  const sampleMs = Number(values['sample-seconds'] ?? defaultSample) * 1000;
  return { minutes, tickMs, sampleMs, stress: values.stress, symbols };
}

/** Opens and closes dashboard clients and gRPC subscriptions until `until`; counts cycles. */
async function churn(stack: Stack, until: number): Promise<{ ws: number; grpc: number }> {
  const remote = await connectRemoteExchange(stack.connector.address, { connectAttempts: 3 });
  const counts = { ws: 0, grpc: 0 };
  const wsUrl = `${stack.live.url.replace('http', 'ws')}/ws`;
  const wsCycle = (): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(wsUrl);
      const done = (): void => {
        clearTimeout(timer);
        ws.terminate();
        counts.ws++;
        resolve();
      };
      const timer = setTimeout(done, 2000);
      ws.once('message', () => ws.close());
      ws.once('close', done);
      ws.once('error', done);
    });
  const grpcCycle = async (): Promise<void> => {
    const subscription = remote.subscribePrice(['BTCUSDT'], {
      next: () => undefined,
      error: () => undefined,
    });
    await sleep(300);
    subscription.close();
    counts.grpc++;
  };
  try {
    while (Date.now() < until) {
      await Promise.all([wsCycle(), grpcCycle(), sleep(1000)]);
    }
  } finally {
    await remote.close();
  }
  return counts;
}

interface SymbolStatus {
  readonly symbol: string;
  readonly actor: { readonly slots: { state: string; order: { clientOrderId: string } | null }[] };
}

/**
 * Polls until each symbol's working orders in the engine have equalled the venue's open orders
 * at least once; the first symbol that never did, else undefined. Judged per symbol because the
 * market keeps trading while it is read: with ten fast grids, some symbol fills between reading
 * the engine and reading the venue on almost every poll, while a lost order update never heals.
 */
async function ordersAgree(stack: Stack, timeoutMs: number): Promise<string | undefined> {
  const remote = await connectRemoteExchange(stack.connector.address, { connectAttempts: 3 });
  const deadline = Date.now() + timeoutMs;
  const pending = new Map<string, string>();
  let seen = false;
  try {
    while (Date.now() < deadline) {
      const status = (await (await fetch(`${stack.engine.adminUrl}/status`)).json()) as {
        symbols: SymbolStatus[];
      };
      if (!seen) {
        for (const s of status.symbols) pending.set(s.symbol, 'never settled');
        seen = status.symbols.length > 0;
      }
      await Promise.all(
        status.symbols
          .filter((s) => pending.has(s.symbol))
          .map(async (s) => {
            const slots = s.actor?.slots ?? [];
            if (!slots.every((slot) => SETTLED.has(slot.state))) return;
            const engine = slots.flatMap((slot) => (slot.order ? [slot.order.clientOrderId] : []));
            const venue = (await remote.getOpenOrders(s.symbol)).map((o) => o.clientOrderId);
            if (engine.sort().join() === venue.sort().join()) pending.delete(s.symbol);
            else pending.set(s.symbol, `engine [${engine.join()}] venue [${venue.join()}]`);
          }),
      );
      if (seen && pending.size === 0) return undefined;
      await sleep(100);
    }
    const [symbol, last] = [...pending][0] ?? ['-', 'no symbol listed'];
    return `${symbol}: ${last}`;
  } finally {
    await remote.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function printTrend(name: string, samples: readonly Sample[], runMs: number, v: ProcessVerdict) {
  console.log(`\n${name}`);
  console.log('| window | RSS MB | heap MB | handles | fds | lag p99 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const [label, a] of buckets(samples, runMs)) {
    console.log(
      `| ${label} | ${a.rssMb.toFixed(1)} | ${a.heapMb.toFixed(1)} | ${a.handles.toFixed(0)} | ${a.fds.toFixed(0)} | ${a.lagMs.toFixed(1)} |`,
    );
  }
  const s = v.slopes;
  console.log(
    `trend per hour after warm-up: RSS ${s.rssMb.toFixed(1)} MB/h, heap ${s.heapMb.toFixed(1)} MB/h, handles ${s.handles.toFixed(1)}/h, fds ${s.fds.toFixed(1)}/h; max lag p99 ${v.maxLagMs.toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  const opts = options();
  const dir = mkdtempSync(join(tmpdir(), 'opensqt-soak-'));
  const runMs = opts.minutes * 60_000;
  console.log(
    `soak: ${opts.minutes} min, price step every ${opts.tickMs} ms${opts.stress ? ' (stress: 10x)' : ''}, ${opts.symbols} symbols, sampling every ${opts.sampleMs / 1000} s on ${machineDescription()}`,
  );
  const stack = await startStack({
    dir,
    tickIntervalMs: opts.tickMs,
    volatilityPerYear: 5,
    grids: GRIDS.slice(0, opts.symbols),
  });
  const samples = new Map<string, Sample[]>(stack.processes.map((p) => [p.name, []]));
  const failures: string[] = [];
  const startedAt = Date.now();
  const until = startedAt + runMs;
  let counters = new Map<string, number>();
  const churning = churn(stack, until);
  while (Date.now() < until) {
    for (const p of stack.processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        failures.push(`${p.name} exited during the soak:\n${p.tail.slice(-10).join('\n')}`);
        break;
      }
      try {
        const { sample, metrics } = await scrape(p.metricsUrl, startedAt);
        samples.get(p.name)?.push(sample);
        if (p.name === 'market-maker' || p.name === 'exchange-connector') {
          counters = new Map([...counters, ...metrics]);
        }
      } catch (e) {
        failures.push(`${p.name}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) break;
    await sleep(Math.min(opts.sampleMs, Math.max(0, until - Date.now())));
  }
  const cycles = await churning.catch((e: unknown) => {
    failures.push(`churn failed: ${(e as Error).message}`);
    return { ws: 0, grpc: 0 };
  });
  const disagreement = failures.length === 0 ? await ordersAgree(stack, 60_000) : undefined;
  if (disagreement !== undefined)
    failures.push(`orders: engine and venue disagree: ${disagreement}`);
  const exitCodes = await stack.stop();
  for (const [name, code] of Object.entries(exitCodes)) {
    if (code !== 0) failures.push(`${name} stopped with exit code ${code}`);
  }

  const actualMs = Date.now() - startedAt;
  const verdicts = stack.processes.map((p) => judge(p.name, samples.get(p.name) ?? [], runMs));
  for (const p of stack.processes) {
    const verdict = verdicts.find((v) => v.name === p.name) as ProcessVerdict;
    printTrend(p.name, samples.get(p.name) ?? [], runMs, verdict);
    failures.push(...verdict.problems.map((problem) => `${p.name}: ${problem}`));
    const errors = p.problems.filter((line) => /"level":(50|60)/.test(line));
    if (errors.length > 0)
      failures.push(`${p.name} logged ${errors.length} errors, e.g. ${errors[0]}`);
  }
  const engineMemory = judgeEngineMemory(samples.get('market-maker') ?? [], runMs);
  failures.push(...engineMemory.problems.map((problem) => `market-maker: ${problem}`));
  console.log(
    `\nengine RSS: peak ${engineMemory.peakRssMb.toFixed(0)} MB (goal ≤ ${ENGINE_MEMORY_GOALS.peakRssMb} from a fresh data directory), steady median ${engineMemory.steadyMedianRssMb.toFixed(0)} MB / p95 ${engineMemory.steadyP95RssMb.toFixed(0)} MB (goal ≤ ${ENGINE_MEMORY_GOALS.steadyRssMb})`,
  );
  const placed = counters.get('market_maker_orders_placed_total') ?? 0;
  const filled = counters.get('market_maker_orders_filled_total') ?? 0;
  const cut = counters.get('exchange_connector_stream_subscribers_cut_total') ?? 0;
  if (filled === 0) failures.push('no order filled: the market did not trade the grids');
  if (cut > 0) failures.push(`the connector cut ${cut} slow subscribers`);
  console.log(
    `\norders placed ${placed}, filled ${filled}; dashboard client cycles ${cycles.ws}, gRPC subscription cycles ${cycles.grpc}; slow subscribers cut ${cut}; engine and venue orders agree: ${disagreement === undefined && failures.every((f) => !f.startsWith('orders:')) ? 'yes' : 'no'}; ran ${(actualMs / 60_000).toFixed(1)} min`,
  );
  if (runMs < 10 * 60_000)
    console.log('memory and handle trends are judged on runs of 10 min or more');
  const verdict = failures.length === 0 ? 'PASS' : 'FAIL';
  console.log(`\nverdict: ${verdict}${failures.map((f) => `\n  - ${f}`).join('')}`);

  const results = join(ROOT, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  const file = join(results, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      options: opts,
      engineMemory,
      placed,
      filled,
      cycles,
      failures,
      verdicts,
      samples: Object.fromEntries(samples),
    }),
  );
  console.log(`samples: ${file}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(verdict === 'PASS' ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
