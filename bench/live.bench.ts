/**
 * @module bench/live.bench
 * The live server's fan-out with 1000 WebSocket clients on loopback. The server runs in its own
 * process as in production (this file, forked with LIVE_BENCH_ROLE=host), on the simulated venue
 * with a virtual clock so the bench decides when the market moves; the clients run here.
 *
 * Measures:
 * - broadcast latency: from just before one venue price step (the upstream event) in the server
 *   process to each client receiving the resulting `kline` frame, p50/p99 over every client and
 *   step, with 100 and with 1000 clients (`BENCH_LIVE_TICKS` steps each, default 200);
 * - memory per client: the server's RSS and JS heap + buffers growth from 0 to 1000 connected
 *   clients that got their snapshot, after GC, divided by 1000;
 * - CPU while idle: the server's CPU time over `BENCH_IDLE_SECONDS` (default 10) with 1000 clients
 *   connected and no market movement (keepalive at the default 30 s ping interval), measured
 *   from 2 s after the last broadcast; its floor is an empty Node process measured the same way.
 * Floor: a bare `ws` server in the same process sending a frame of the same size to the same
 * number of clients, without Hono, the market view or the mapping.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { VirtualClock } from '../core/clock.js';
import { createSimulatedVenue } from '../connector/venues/sim/index.js';
import { liveServerConfigSchema } from '../server/live/live.config.js';
import { startLiveServer } from '../server/live/live-server.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const CLIENTS = 1000;
const FEW_CLIENTS = 100;
const TICKS = Number(process.env.BENCH_LIVE_TICKS ?? 200);
const WARMUP_TICKS = 20;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const P99_GOAL_MS = 20;
const MEMORY_GOAL_BYTES = 64 * 1024;
const IDLE_CPU_GOAL_PERCENT = 1;

type HostCommand =
  | { readonly cmd: 'tick' }
  | { readonly cmd: 'floorTick' }
  | { readonly cmd: 'memory' }
  | { readonly cmd: 'idle'; readonly ms: number }
  | { readonly cmd: 'stop' };

type HostReply =
  | { readonly type: 'ready'; readonly livePort: number; readonly floorPort: number }
  | { readonly type: 'ticked'; readonly sentAtMs: number }
  | { readonly type: 'memory'; readonly rss: number; readonly heap: number }
  | { readonly type: 'idle'; readonly cpuPercent: number };

/** Epoch milliseconds with microsecond resolution, comparable across processes on one machine. */
const preciseNowMs = (): number => performance.timeOrigin + performance.now();

/** This process's CPU use over `ms`, in percent of one core. */
async function cpuPercentOver(ms: number): Promise<number> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) / 1000 / (performance.now() - start)) * 100;
}

// -- SERVER PROCESS --

async function host(): Promise<void> {
  const send = (reply: HostReply): void => void process.send?.(reply);
  const venue = createSimulatedVenue({ seed: 7, symbols: ['BTCUSDT'] }, new VirtualClock());
  const exchange = venue.exchange('futures');
  const config = liveServerConfigSchema.parse({
    server: { port: 0, rate_limit: { per_second: 1_000_000, burst: 1_000_000 } },
    performance: { max_clients: CLIENTS },
    logging: { level: 'warn' },
  });
  const server = await startLiveServer({ config, connect: async () => exchange });
  while (server.feed.status().upstream !== 'live') await new Promise((r) => setTimeout(r, 10));
  const floor = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => floor.once('listening', r));
  const floorFrame = Buffer.from(
    JSON.stringify({
      type: 'kline',
      data: { time: 1767225600, open: '1', high: '1', low: '1', close: '1', volume: '1' },
    }).padEnd(120),
  );

  process.on('message', async (command: HostCommand) => {
    if (command.cmd === 'tick') {
      const sentAtMs = preciseNowMs();
      venue.step();
      send({ type: 'ticked', sentAtMs });
    } else if (command.cmd === 'floorTick') {
      const sentAtMs = preciseNowMs();
      for (const ws of floor.clients) ws.send(floorFrame, { binary: false });
      send({ type: 'ticked', sentAtMs });
    } else if (command.cmd === 'memory') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      const m = process.memoryUsage();
      send({ type: 'memory', rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers });
    } else if (command.cmd === 'idle') {
      // Let the collector finish with the garbage of the latency rounds first
      await new Promise((r) => setTimeout(r, 2000));
      globalThis.gc?.();
      send({ type: 'idle', cpuPercent: await cpuPercentOver(command.ms) });
    } else {
      floor.close();
      await server.close();
      await venue.close();
      process.exit(0);
    }
  });
  send({
    type: 'ready',
    livePort: server.port,
    floorPort: (floor.address() as { port: number }).port,
  });
}

// -- BENCH PROCESS --

class Host {
  private readonly waiters: ((reply: HostReply) => void)[] = [];
  readonly child: ChildProcess;
  constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: HostReply) => this.waiters.shift()?.(reply));
  }
  next(): Promise<HostReply> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  async send(command: HostCommand): Promise<HostReply> {
    const reply = this.next();
    this.child.send(command);
    return reply;
  }
}

/** Clients that note when each `kline` frame arrives (before parsing anything). */
class Audience {
  readonly sockets: WebSocket[] = [];
  private arrivals: number[] = [];
  private expected = 0;
  private done: (() => void) | undefined;

  async connect(url: string, count: number): Promise<void> {
    for (let opened = 0; opened < count;) {
      const batch = Math.min(100, count - opened);
      await Promise.all(Array.from({ length: batch }, () => this.open(url)));
      opened += batch;
    }
  }

  /** Resolves once every client got one more kline; returns the arrival times. */
  awaitRound(): { arrived: Promise<number[]> } {
    this.arrivals = [];
    this.expected = this.sockets.length;
    const arrived = new Promise<number[]>((resolve) => {
      this.done = () => resolve(this.arrivals);
    });
    return { arrived };
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.length = 0;
  }

  private open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let snapshot = url.endsWith('/ws');
      ws.on('message', (data: Buffer) => {
        const at = preciseNowMs();
        // The live server's snapshot ends with `status`; the floor sends no snapshot
        if (snapshot) {
          if (data.includes('"type":"status"')) {
            snapshot = false;
            resolve();
          }
          return;
        }
        if (!data.includes('"type":"kline"')) return;
        this.arrivals.push(at);
        if (this.arrivals.length === this.expected) this.done?.();
      });
      ws.once('open', () => {
        this.sockets.push(ws);
        if (!snapshot) resolve();
      });
      ws.once('error', reject);
    });
  }
}

/** Latency samples (ms) of `ticks` broadcasts to everyone in `audience`. */
async function broadcastLatency(host: Host, audience: Audience, cmd: 'tick' | 'floorTick') {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP_TICKS + TICKS; i++) {
    const round = audience.awaitRound();
    const reply = (await host.send({ cmd })) as HostReply & { type: 'ticked' };
    const arrivals = await round.arrived;
    if (i >= WARMUP_TICKS) for (const at of arrivals) samples.push(at - reply.sentAtMs);
  }
  return samples;
}

/** Idle CPU of a Node process that does nothing (same loader), measured like the server's. */
function emptyProcessIdle(): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LIVE_BENCH_ROLE: 'empty' },
  });
  return new Promise((resolve) => child.once('message', (percent: number) => resolve(percent)));
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Runs the benchmark and returns its rows. */
export async function run(): Promise<Row[]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, LIVE_BENCH_ROLE: 'host', LOG_LEVEL: 'warn' },
  });
  const host = new Host(child);
  const ready = (await host.next()) as HostReply & { type: 'ready' };
  const liveUrl = `ws://127.0.0.1:${ready.livePort}/ws`;
  const floorUrl = `ws://127.0.0.1:${ready.floorPort}`;
  try {
    const floor = new Audience();
    await floor.connect(floorUrl, CLIENTS);
    const floorSamples = await broadcastLatency(host, floor, 'floorTick');
    floor.close();

    const before = (await host.send({ cmd: 'memory' })) as HostReply & { type: 'memory' };
    const live = new Audience();
    await live.connect(liveUrl, FEW_CLIENTS);
    const few = await broadcastLatency(host, live, 'tick');
    await live.connect(liveUrl, CLIENTS - FEW_CLIENTS);
    const after = (await host.send({ cmd: 'memory' })) as HostReply & { type: 'memory' };
    const many = await broadcastLatency(host, live, 'tick');
    const [idle, emptyIdle] = await Promise.all([
      host.send({ cmd: 'idle', ms: IDLE_SECONDS * 1000 }) as Promise<HostReply & { type: 'idle' }>,
      emptyProcessIdle(),
    ]);
    live.close();

    const rssPerClient = (after.rss - before.rss) / CLIENTS;
    const heapPerClient = (after.heap - before.heap) / CLIENTS;
    const floorP99 = percentile(floorSamples, 99);
    const floorP50 = percentile(floorSamples, 50);
    const latencyRow = (clients: number, samples: number[], p: 50 | 99): Row => {
      const value = percentile(samples, p);
      return {
        metric: `broadcast latency p${p}, ${clients} clients`,
        original: p === 99 && clients === FEW_CLIENTS ? '< 50 ms (p99, 100 clients)' : '—',
        goal: p === 99 ? `≤ ${P99_GOAL_MS} ms` : '—',
        measured: ms(value),
        ratio:
          clients === CLIENTS ? `${(value / (p === 99 ? floorP99 : floorP50)).toFixed(2)}×` : '',
        met: p !== 99 || value <= P99_GOAL_MS,
      };
    };
    return [
      latencyRow(FEW_CLIENTS, few, 50),
      latencyRow(FEW_CLIENTS, few, 99),
      latencyRow(CLIENTS, many, 50),
      latencyRow(CLIENTS, many, 99),
      {
        metric: `floor: bare ws broadcast p50 / p99, ${CLIENTS} clients`,
        original: '—',
        goal: '—',
        measured: `${ms(floorP50)} / ${ms(floorP99)}`,
        ratio: '1.00×',
        met: true,
      },
      {
        metric: 'memory per client (server RSS)',
        original: '—',
        goal: `≤ ${kib(MEMORY_GOAL_BYTES)}`,
        measured: kib(rssPerClient),
        ratio: '',
        met: rssPerClient <= MEMORY_GOAL_BYTES,
      },
      {
        metric: 'memory per client (server JS heap + buffers)',
        original: '—',
        goal: `≤ ${kib(MEMORY_GOAL_BYTES)}`,
        measured: kib(heapPerClient),
        ratio: '',
        met: heapPerClient <= MEMORY_GOAL_BYTES,
      },
      {
        metric: `server CPU while idle, ${CLIENTS} clients`,
        original: '—',
        goal: `< ${IDLE_CPU_GOAL_PERCENT} %`,
        measured: `${idle.cpuPercent.toFixed(2)} % (empty Node process: ${emptyIdle.toFixed(2)} %)`,
        ratio: emptyIdle > 0 ? `${(idle.cpuPercent / emptyIdle).toFixed(2)}×` : '',
        met: idle.cpuPercent < IDLE_CPU_GOAL_PERCENT,
      },
    ];
  } finally {
    child.send({ cmd: 'stop' } satisfies HostCommand);
    await new Promise((r) => child.once('exit', r));
  }
}

if (process.env.LIVE_BENCH_ROLE === 'host') {
  await host();
} else if (process.env.LIVE_BENCH_ROLE === 'empty') {
  process.send?.(await cpuPercentOver(IDLE_SECONDS * 1000 + 2000));
  process.exit(0);
} else if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  console.log(`running live benchmark on ${machineDescription()} ...`);
  console.log(`\n${markdownTable(await run())}\n`);
}
