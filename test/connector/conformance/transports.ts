/**
 * @module test/connector/conformance/transports
 * The ways the engine can reach a venue, each built fresh per case on a simulated venue with a
 * virtual clock: in-process (the adapter itself) and RemoteExchange over a real gRPC connector.
 * Both wrap the venue with `withResilience`, in-process directly and remote inside the server.
 */
import type { TestContext } from 'node:test';
import { VirtualClock } from '../../../core/clock.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { withResilience } from '../../../connector/resilient.exchange.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../../connector/venues/sim/index.js';
import { eventually, remote, startSimConnector } from '../../support/grpc-harness.js';

/** What a conformance case works with. */
export interface ConformanceEnv {
  /** The futures market ("sim") as the transport exposes it. */
  readonly exchange: Exchange;
  /** The spot market ("sim-spot") as the transport exposes it. */
  readonly spot: Exchange;
  /** Drives the venue's prices, candles and funding. */
  readonly clock: VirtualClock;
  /** Scenario control of the venue behind the transport. */
  readonly venue: SimulatedVenue;
  /** Resolves once `count` stream subscriptions are live at the venue. */
  subscribed(count: number): Promise<void>;
}

export interface Transport {
  readonly name: string;
  start(t: TestContext): Promise<ConformanceEnv>;
}

const SEED = 7;

export const inProcess: Transport = {
  name: 'in-process sim',
  async start(t) {
    const clock = new VirtualClock();
    const venue = createSimulatedVenue({ seed: SEED }, clock);
    t.after(() => venue.close());
    return {
      exchange: withResilience(venue.exchange('futures')),
      spot: withResilience(venue.exchange('spot')),
      clock,
      venue,
      // In-process subscriptions are live as soon as subscribe returns
      subscribed: async () => undefined,
    };
  },
};

export const overGrpc: Transport = {
  name: 'RemoteExchange over gRPC',
  async start(t) {
    const clock = new VirtualClock();
    const sim = await startSimConnector(t, { clock, config: { seed: SEED } });
    const address = sim.server.address;
    return {
      exchange: await remote(t, address),
      spot: await remote(t, address, { exchange: 'sim-spot' }),
      clock,
      venue: sim.venue,
      subscribed: (count) =>
        eventually(() => sim.server.streams().subscribers >= count, `${count} live subscriptions`),
    };
  },
};

export const TRANSPORTS: readonly Transport[] = [inProcess, overGrpc];
