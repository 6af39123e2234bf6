/**
 * @module bench/connector.bench
 * Latency and throughput of the exchange-connector through the real path: RemoteExchange (client
 * codec, deadline) → gRPC on loopback → service → simulated venue, with the connector in its own
 * process as in production. A bare grpc-js echo service measured in the same run is the floor.
 *
 * Measures: GetAccount p50/p95/p99; PlaceOrder and PlaceOrder+CancelOrder p50/p95/p99 (limit orders
 * resting far from the market); orders/s with 16 concurrent callers; price-stream latency from the
 * venue's tick to client receipt; order-stream messages/s delivered to 1 and to 10 subscribers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { connectRemoteExchange } from '../connector/exchange.client.js';
import type { Exchange } from '../core/exchange.port.js';
import { dec, type Decimal } from '../core/decimal.js';
import type { HostCommand, HostReply } from './support/connector-host.js';
import { EchoClient } from './support/echo.floor.js';
import { ms, percentile, perSecond, type Row } from './support/stats.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5000);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = 16;
/** Orders per BatchPlaceOrders call in the batch throughput row (a grid places levels together). */
const BATCH_SIZE = 10;
const STREAM_MESSAGES = Number(process.env.BENCH_STREAM_MESSAGES ?? 20000);
/** Same order of size as an encoded Order, so the floor moves comparable bytes. */
const PAYLOAD = Buffer.alloc(160, 7);

type Echo = InstanceType<typeof EchoClient>;

class Host {
  private readonly waiters: ((reply: HostReply) => void)[] = [];
  readonly child: ChildProcess;
  constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: HostReply) => this.waiters.shift()?.(reply));
  }
  static async start(): Promise<{ host: Host; ready: HostReply & { type: 'ready' } }> {
    const child = fork(fileURLToPath(new URL('./support/connector-host.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    const host = new Host(child);
    const ready = (await host.next()) as HostReply & { type: 'ready' };
    return { host, ready };
  }
  next(): Promise<HostReply> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  /** Asks the host to shut down gracefully and waits for it to exit. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'stop' } satisfies HostCommand);
    await exited;
  }
  async send(command: HostCommand): Promise<HostReply> {
    const reply = this.next();
    this.child.send(command);
    return reply;
  }
}

async function timeEach(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

async function throughput(seconds: number, callers: number, fn: () => Promise<unknown>) {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        await fn();
        done++;
      }
    }),
  );
  return done / seconds;
}

const echoUnary = (client: Echo): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    client.makeUnaryRequest<Buffer, Buffer>(
      '/bench.Echo/Echo',
      (b) => b,
      (b) => b,
      PAYLOAD,
      (e, r) => (e ? reject(e) : resolve(r as Buffer)),
    ),
  );

/** Messages/s delivered in total to `subscribers` echo streams of `count` messages each. */
async function echoStream(address: string, subscribers: number, count: number): Promise<number> {
  const clients = Array.from(
    { length: subscribers },
    () => new EchoClient(address, grpc.credentials.createInsecure()),
  );
  const request = Buffer.from(PAYLOAD);
  request.writeUInt32BE(count, 0);
  const start = performance.now();
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          const call = client.makeServerStreamRequest<Buffer, Buffer>(
            '/bench.Echo/Stream',
            (b) => b,
            (b) => b,
            request,
          );
          call.on('data', () => {});
          call.on('end', resolve);
          call.on('error', reject);
        }),
    ),
  );
  const elapsed = (performance.now() - start) / 1000;
  clients.forEach((c) => c.close());
  return (subscribers * count) / elapsed;
}

/** Messages/s delivered in total to `subscribers` order streams while the venue produces `count` updates. */
async function orderStream(host: Host, address: string, subscribers: number, count: number) {
  const exchanges = await Promise.all(
    Array.from({ length: subscribers }, () => connectRemoteExchange(address)),
  );
  let received = 0;
  let failure: Error | undefined;
  let first = 0;
  let last = 0;
  const subs = exchanges.map((exchange) =>
    exchange.subscribeOrders({
      next: () => {
        if (received === 0) first = performance.now();
        received++;
        last = performance.now();
      },
      error: (e) => (failure = e),
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  const started = performance.now();
  await host.send({ cmd: 'orders', count, batch: 200 });
  const expected = subscribers * count;
  while (received < expected && failure === undefined && performance.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  subs.forEach((s) => s.close());
  await Promise.all(exchanges.map((e) => e.close()));
  if (failure) throw failure;
  if (received < expected) throw new Error(`order stream delivered ${received} of ${expected}`);
  return expected / ((last - Math.min(first, started)) / 1000);
}

async function priceLatency(host: Host, exchange: Exchange, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  let resolveNext: ((at: number) => void) | undefined;
  const sub = exchange.subscribePrice(['BTCUSDT'], {
    next: () => resolveNext?.(performance.timeOrigin + performance.now()),
    error: (e) => {
      throw e;
    },
  });
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < samples; i++) {
    const received = new Promise<number>((resolve) => (resolveNext = resolve));
    const reply = await host.send({ cmd: 'tick' });
    const at = await received;
    if (reply.type === 'ticked') latencies.push(at - reply.sentAtMs);
  }
  sub.close();
  return latencies;
}

function row(
  metric: string,
  original: string,
  goal: string,
  goalMs: number,
  samples: number[],
  floor?: number[],
): Row {
  const value = percentile(samples, metric.includes('p99') ? 99 : metric.includes('p95') ? 95 : 50);
  const ratio = floor
    ? `${(value / percentile(floor, metric.includes('p99') ? 99 : metric.includes('p95') ? 95 : 50)).toFixed(2)}x`
    : '';
  return { metric, original, goal, measured: ms(value), ratio, met: value <= goalMs };
}

/** Runs the connector benchmark and returns its rows. */
export async function run(): Promise<Row[]> {
  const { host, ready } = await Host.start();
  const address = `127.0.0.1:${ready.connectorPort}`;
  const echoAddress = `127.0.0.1:${ready.echoPort}`;
  const exchange = await connectRemoteExchange(address);
  const echo = new EchoClient(echoAddress, grpc.credentials.createInsecure());
  try {
    const price: Decimal = (await exchange.getLatestPrice('BTCUSDT')).mul('0.5').toDecimalPlaces(1);
    let id = 0;
    const place = () =>
      exchange.placeOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: dec('0.001'),
        price,
        clientOrderId: `bench${id++}`,
      });

    console.error('warm');
    await timeEach(1000, () => exchange.getAccount());
    await timeEach(1000, () => echoUnary(echo));
    const echoFloor = await timeEach(SAMPLES, () => echoUnary(echo));
    const account = await timeEach(SAMPLES, () => exchange.getAccount());
    const placeSamples: number[] = [];
    const pairs = await timeEach(SAMPLES, async () => {
      const start = process.hrtime.bigint();
      const order = await place();
      placeSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
      await exchange.cancelOrder('BTCUSDT', order.orderId);
    });
    console.error('tp');
    const ordersPerSecond = await throughput(THROUGHPUT_SECONDS, CONCURRENCY, place);
    const batchRequests = () =>
      Array.from({ length: BATCH_SIZE }, () => ({
        symbol: 'BTCUSDT',
        side: 'BUY' as const,
        type: 'LIMIT' as const,
        quantity: dec('0.001'),
        price,
        clientOrderId: `bench${id++}`,
      }));
    const batchesPerSecond = await throughput(THROUGHPUT_SECONDS, CONCURRENCY, () =>
      exchange.batchPlaceOrders(batchRequests()),
    );
    const echoPerSecond = await throughput(THROUGHPUT_SECONDS, CONCURRENCY, () => echoUnary(echo));
    console.error('lat');
    const streamLatency = await priceLatency(host, exchange, Math.min(SAMPLES, 2000));
    console.error('s1');
    const stream1 = await orderStream(host, address, 1, STREAM_MESSAGES);
    const stream10 = await orderStream(host, address, 10, Math.round(STREAM_MESSAGES / 2));
    const echoStream1 = await echoStream(echoAddress, 1, STREAM_MESSAGES);
    const echoStream10 = await echoStream(echoAddress, 10, Math.round(STREAM_MESSAGES / 2));

    return [
      row('GetAccount p50', '< 2 ms', '≤ 0.3 ms', 0.3, account, echoFloor),
      row('GetAccount p99', '< 5 ms', '≤ 1 ms', 1, account, echoFloor),
      row('PlaceOrder p50', '< 3 ms', '≤ 0.5 ms', 0.5, placeSamples, echoFloor),
      row('PlaceOrder p95', '< 8 ms', '—', Infinity, placeSamples, echoFloor),
      row('PlaceOrder p99', '< 10 ms', '≤ 2 ms', 2, placeSamples, echoFloor),
      row('PlaceOrder+CancelOrder p50', '—', '—', Infinity, pairs),
      row('PlaceOrder+CancelOrder p99', '—', '—', Infinity, pairs),
      {
        metric: 'PlaceOrder p50 vs echo floor',
        original: '< 2 ms overhead',
        goal: '≤ 1.5x',
        measured: `${ms(percentile(placeSamples, 50))} vs ${ms(percentile(echoFloor, 50))}`,
        ratio: `${(percentile(placeSamples, 50) / percentile(echoFloor, 50)).toFixed(2)}x`,
        met: percentile(placeSamples, 50) / percentile(echoFloor, 50) <= 1.5,
      },
      row('price stream latency p50', '< 1 ms', '≤ 0.3 ms', 0.3, streamLatency),
      row('price stream latency p99', '< 3 ms', '—', Infinity, streamLatency),
      {
        metric: `orders/s, ${CONCURRENCY} concurrent callers`,
        original: '> 1,000/s',
        goal: '≥ 10,000/s',
        measured: perSecond(ordersPerSecond),
        ratio: `${(ordersPerSecond / echoPerSecond).toFixed(2)}x of ${perSecond(echoPerSecond)}`,
        met: ordersPerSecond >= 10_000,
      },
      {
        metric: `orders/s via BatchPlaceOrders of ${BATCH_SIZE}, ${CONCURRENCY} callers`,
        original: '> 1,000/s',
        goal: '≥ 10,000/s',
        measured: perSecond(batchesPerSecond * BATCH_SIZE),
        ratio: `${((batchesPerSecond * BATCH_SIZE) / echoPerSecond).toFixed(2)}x of ${perSecond(echoPerSecond)}`,
        met: batchesPerSecond * BATCH_SIZE >= 10_000,
      },
      {
        metric: 'order stream msgs/s, 1 subscriber',
        original: '> 5,000/s',
        goal: '≥ 100,000/s',
        measured: perSecond(stream1),
        ratio: `${(stream1 / echoStream1).toFixed(2)}x of ${perSecond(echoStream1)}`,
        met: stream1 >= 100_000,
      },
      {
        metric: 'order stream msgs/s, 10 subscribers (total)',
        original: '> 5,000/s',
        goal: '≥ 100,000/s',
        measured: perSecond(stream10),
        ratio: `${(stream10 / echoStream10).toFixed(2)}x of ${perSecond(echoStream10)}`,
        met: stream10 >= 100_000,
      },
    ];
  } finally {
    echo.close();
    await exchange.close();
    await host.stop();
  }
}
