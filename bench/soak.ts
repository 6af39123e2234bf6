/**
 * @module bench/soak
 * `npm run soak -- --minutes N [--stress] [--tick-ms MS] [--sample-seconds S]`: runs the whole
 * stack (bench/soak-stack) on a fast simulated market for N minutes while dashboard clients and
 * gRPC stream subscriptions come and go, samples RSS, heap, handles, open fds and event-loop lag
 * of every process from its /metrics, then checks that the engine's working orders are exactly
 * the venue's open orders (no order update lost) and that every process stops cleanly. Prints
 * the trend per hour and a verdict; exits 1 on FAIL. `--stress` runs the market 10x faster.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { WebSocket } from 'ws';

import { connectRemoteExchange } from '../connector/exchange.client.js';
import { buckets, judge, type ProcessVerdict } from './soak-report.js';
import { scrape, type Sample } from './soak-sampler.js';
import { ROOT, startStack, type Stack } from './soak-stack.js';
import { machineDescription } from './support/stats.js';

const SYMBOLS = [
  { symbol: 'BTCUSDT', interval: '20', quantity: '0.001' },
  { symbol: 'ETHUSDT', interval: '2', quantity: '0.01' },
];
/** Slot states in which nothing is on its way to or from the venue. */
const SETTLED = new Set(['free', 'opening.resting', 'closing.resting']);

interface Options {
  readonly minutes: number;
  readonly tickMs: number;
  readonly sampleMs: number;
  readonly stress: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      stress: { type: 'boolean', default: false },
      'tick-ms': { type: 'string' },
      'sample-seconds': { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0))
    throw new Error(`--minutes: must be a positive number, was ${values.minutes}`);
  const normalTick = 50;
  const tickMs = Number(values['tick-ms'] ?? (values.stress ? normalTick / 10 : normalTick));
  if (!(tickMs >= 1)) throw new Error(`--tick-ms: must be at least 1, was ${values['tick-ms']}`);
  const defaultSample = minutes <= 2 ? 2 : minutes <= 15 ? 5 : 15;
  const sampleMs = Number(values['sample-seconds'] ?? defaultSample) * 1000;
  return { minutes, tickMs, sampleMs, stress: values.stress };
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

/** Polls until the engine's working orders equal the venue's open orders; the result. */
async function ordersAgree(stack: Stack, timeoutMs: number): Promise<string | undefined> {
  const remote = await connectRemoteExchange(stack.connector.address, { connectAttempts: 3 });
  const deadline = Date.now() + timeoutMs;
  let last = 'never settled';
  try {
    while (Date.now() < deadline) {
      const status = (await (await fetch(`${stack.engine.adminUrl}/status`)).json()) as {
        symbols: SymbolStatus[];
      };
      const agreed = await Promise.all(
        status.symbols.map(async (s) => {
          const slots = s.actor?.slots ?? [];
          if (!slots.every((slot) => SETTLED.has(slot.state))) return false;
          const engine = slots.flatMap((slot) => (slot.order ? [slot.order.clientOrderId] : []));
          const venue = (await remote.getOpenOrders(s.symbol)).map((o) => o.clientOrderId);
          const same = engine.sort().join() === venue.sort().join();
          if (!same) last = `${s.symbol}: engine [${engine.join()}] venue [${venue.join()}]`;
          return same;
        }),
      );
      if (agreed.length > 0 && agreed.every(Boolean)) return undefined;
      await sleep(100);
    }
    return last;
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
    `soak: ${opts.minutes} min, price step every ${opts.tickMs} ms${opts.stress ? ' (stress: 10x)' : ''}, sampling every ${opts.sampleMs / 1000} s on ${machineDescription()}`,
  );
  const stack = await startStack({
    dir,
    tickIntervalMs: opts.tickMs,
    volatilityPerYear: 5,
    grids: SYMBOLS,
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
