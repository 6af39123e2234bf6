/**
 * @module test/server/live/support/live-harness
 * A real live server on 127.0.0.1:0 over the simulated venue (virtual clock, so a test decides
 * when the market moves), and dashboard clients built on the `ws` package that record every
 * message. Everything started here is stopped after the test.
 */
import type { TestContext } from 'node:test';
import { WebSocket, type ClientOptions } from 'ws';
import { VirtualClock } from '../../../../core/clock.js';
import type { Exchange } from '../../../../core/exchange.port.js';
import { createLogger } from '../../../../core/logger.js';
import {
  createSimulatedVenue,
  type SimulatedVenue,
} from '../../../../connector/venues/sim/index.js';
import { liveServerConfigSchema } from '../../../../server/live/live.config.js';
import { startLiveServer, type LiveServer } from '../../../../server/live/live-server.js';
import { eventually } from '../../../support/grpc-harness.js';

export { eventually };

/** A logger that writes nothing. */
export const silent = createLogger('live-test', 'silent');

/** Config input as a test writes it: any subset of the file's sections. */
export type ConfigInput = Record<string, Record<string, unknown>>;

/** Parses a test config: port 0, silent logs, fast upstream retries, plus `overrides`. */
export function testConfig(overrides: ConfigInput = {}) {
  return liveServerConfigSchema.parse({
    ...overrides,
    server: { port: 0, ...overrides.server },
    logging: { level: 'silent' },
    upstream: { initial_backoff_ms: 10, max_backoff_ms: 50, ...overrides.upstream },
  });
}

/** What `startLive` started. */
export interface LiveHarness {
  readonly server: LiveServer;
  readonly venue: SimulatedVenue;
  readonly clock: VirtualClock;
  readonly exchange: Exchange;
  /** ws://127.0.0.1:port/ws */
  readonly wsUrl: string;
}

/** A simulated venue (BTCUSDT only) and a live server on it, live before this resolves. */
export async function startLive(
  t: TestContext,
  overrides: ConfigInput = {},
  connect?: (exchange: Exchange) => () => Promise<Exchange>,
): Promise<LiveHarness> {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue({ seed: 7, symbols: ['BTCUSDT'] }, clock);
  const exchange = venue.exchange('futures');
  const server = await startLiveServer({
    config: testConfig(overrides),
    connect: connect?.(exchange) ?? (async () => exchange),
    logger: silent,
  });
  t.after(async () => {
    await server.close();
    await venue.close();
  });
  await eventually(() => server.feed.status().upstream === 'live', 'the upstream to go live');
  return { server, venue, clock, exchange, wsUrl: `ws://127.0.0.1:${server.port}/ws` };
}

/** A received `{type, data}` frame. */
export interface Message {
  readonly type: string;
  // Tests read the wire shapes as a page would: untyped JSON
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly data: any;
}

/** A dashboard client that keeps every message it receives. */
export class DashboardClient {
  readonly messages: Message[] = [];
  closeCode: number | undefined;
  closeReason = '';

  readonly ws: WebSocket;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Message));
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a client; closed (terminated) after the test. */
  static async open(
    t: TestContext,
    url: string,
    options?: ClientOptions,
  ): Promise<DashboardClient> {
    const ws = new WebSocket(url, options);
    const client = new DashboardClient(ws);
    t.after(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  types(): string[] {
    return this.messages.map((m) => m.type);
  }

  /** Messages of `type`, in arrival order. */
  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Waits until `count` messages have arrived. */
  async received(count: number, timeoutMs = 3000): Promise<void> {
    await eventually(() => this.messages.length >= count, `${count} messages`, timeoutMs);
  }

  /** Waits for a message matching `match` after index `from`; resolves with it. */
  async waitFor(match: (m: Message) => boolean, what: string, from = 0, timeoutMs = 3000) {
    let found: Message | undefined;
    await eventually(
      () => (found = this.messages.slice(from).find(match)) !== undefined,
      what,
      timeoutMs,
    );
    return found as Message;
  }

  async closed(timeoutMs = 3000): Promise<void> {
    await eventually(() => this.closeCode !== undefined, 'the socket to close', timeoutMs);
  }
}

/** The upgrade response status of a refused WebSocket connection. */
export function refusedStatus(url: string, options?: ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the connection was accepted'));
    });
    ws.once('error', () => undefined);
  });
}
