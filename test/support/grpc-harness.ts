/**
 * @module test/support/grpc-harness
 * Real grpc-js connectors on 127.0.0.1:0 for connector tests: over hand-written fake venues, or
 * over the simulated venue on a virtual or wall clock, plus a raw generated client for calls that
 * must bypass RemoteExchange (bad requests, metadata checks). Every start registers its cleanup
 * with the test context, so no server, channel or timer outlives its test.
 */
import type { TestContext } from 'node:test';
import {
  ChannelCredentials,
  Metadata,
  type ClientReadableStream,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  startConnectorServer,
  type ConnectorServer,
  type ConnectorServerOptions,
} from '../../connector/connector.server.js';
import {
  connectRemoteExchange,
  type RemoteExchangeOptions,
} from '../../connector/exchange.client.js';
import { VirtualClock, type Clock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import { createLogger } from '../../core/logger.js';
import { withResilience } from '../../connector/resilient.exchange.js';
import {
  createSimulatedVenue,
  type SimulatedVenue,
  type SimVenueConfigInput,
} from '../../connector/venues/sim/index.js';
import { ExchangeServiceClient } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';

export const silentLogger = createLogger('test', 'silent');

/**
 * A venue with only the given methods; any other call throws, naming the method, so a test
 * notices a call it did not expect.
 */
export function fakeVenue(name: string, methods: Partial<Exchange>): Exchange {
  return new Proxy(methods as Exchange, {
    get(target, property) {
      if (property === 'name') return name;
      const value = (target as unknown as Record<string | symbol, unknown>)[property];
      if (value !== undefined) return value;
      if (property === 'isReachable') return () => true;
      if (property === 'then') return undefined;
      return () => {
        throw new Error(`fake venue ${name}: unexpected call to ${String(property)}`);
      };
    },
  });
}

/** Starts a connector over `venues` (the first is the default); shut down after the test. */
export async function startConnector(
  t: TestContext,
  venues: Exchange | readonly Exchange[],
  options: Partial<ConnectorServerOptions> = {},
): Promise<ConnectorServer> {
  const list = Array.isArray(venues) ? venues : [venues as Exchange];
  const server = await startConnectorServer({
    venues: new Map(list.map((v) => [v.name, v])),
    defaultVenue: list[0]?.name ?? '',
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    ...options,
  });
  t.after(() => server.shutdown(0));
  return server;
}

export interface SimConnector {
  readonly venue: SimulatedVenue;
  readonly clock: Clock;
  /** The in-process futures market ("sim"), wrapped as the connector serves it. */
  readonly futures: Exchange;
  /** The in-process spot market ("sim-spot"), wrapped as the connector serves it. */
  readonly spot: Exchange;
  readonly server: ConnectorServer;
}

/**
 * Starts a connector over a simulated venue ("sim" by default, "sim-spot" via x-exchange), each
 * market wrapped with `withResilience` as in production. Time is a VirtualClock unless given.
 */
export async function startSimConnector(
  t: TestContext,
  options: {
    readonly clock?: Clock;
    readonly config?: SimVenueConfigInput;
    readonly server?: Partial<ConnectorServerOptions>;
  } = {},
): Promise<SimConnector> {
  const clock = options.clock ?? new VirtualClock();
  const venue = createSimulatedVenue({ seed: 7, ...options.config }, clock);
  const futures = withResilience(venue.exchange('futures'));
  const spot = withResilience(venue.exchange('spot'));
  const server = await startConnector(t, [futures, spot], options.server);
  // Registered after the server's shutdown, so streams end with the shutdown status first
  t.after(() => venue.close());
  return { venue, clock, futures, spot, server };
}

/**
 * A generated client on `address`, closed after the test. Each has its own connection: clients
 * sharing one would share its HTTP/2 flow-control window, so a paused stream would stall the rest.
 */
export function rawClient(t: TestContext, address: string): ExchangeServiceClient {
  const client = new ExchangeServiceClient(address, ChannelCredentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  t.after(() => client.close());
  return client;
}

/** RemoteExchange on `address` with fast test backoffs, closed after the test. */
export async function remote(
  t: TestContext,
  address: string,
  options: RemoteExchangeOptions = {},
): Promise<Exchange> {
  const exchange = await connectRemoteExchange(address, {
    connectAttempts: 3,
    initialBackoffMs: 20,
    streamInitialBackoffMs: 20,
    streamMaxBackoffMs: 200,
    ...options,
  });
  t.after(() => exchange.close());
  return exchange;
}

/** Metadata with the given pairs. */
export function metadata(pairs: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  for (const [key, value] of Object.entries(pairs)) md.set(key, value);
  return md;
}

type UnaryStarter<R> = (
  md: Metadata,
  options: { deadline: number },
  done: (e: ServiceError | null, r?: R) => void,
) => unknown;

/** Runs a unary call with a 2 s deadline; resolves to its response or its ServiceError. */
export function unaryResult<R>(
  start: UnaryStarter<R>,
  md: Metadata = new Metadata(),
): Promise<{ response?: R; error?: ServiceError }> {
  return new Promise((resolve) => {
    start(md, { deadline: Date.now() + 2000 }, (error, response) =>
      resolve(error ? { error } : { response }),
    );
  });
}

/** Collects a server stream's messages until it ends; resolves with them and its status. */
export function streamResult<M>(
  call: ClientReadableStream<M>,
): Promise<{ messages: M[]; status: StatusObject }> {
  const messages: M[] = [];
  call.on('data', (m: M) => messages.push(m));
  call.on('error', () => undefined);
  return new Promise((resolve) => call.on('status', (status) => resolve({ messages, status })));
}

/** The first value of metadata `key`, as a string. */
export function header(md: Metadata | undefined, key: string): string | undefined {
  const value = md?.get(key)[0];
  return value === undefined ? undefined : String(value);
}

/** The one polling helper (core/eventually), re-exported where tests already import it. */
export { eventually } from '../../core/eventually.js';
