/**
 * @module test/connector/conformance/transports
 * The ways the engine can reach a venue, each built fresh per case on a simulated venue with a
 * virtual clock: in-process (the adapter itself) and RemoteExchange over a real gRPC connector.
 * Both wrap the venue with `withResilience`, in-process directly and remote inside the server.
 */
import type { TestContext } from 'node:test';

import type { ConformanceEnv } from '../../../connector/conformance/index.js';
import { withResilience } from '../../../connector/resilient.exchange.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { VirtualClock } from '../../../core/clock.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { eventually, remote, startSimConnector } from '../../support/grpc-harness.js';

export interface Transport {
  readonly name: string;
  start(t: TestContext): Promise<ConformanceEnv>;
}

const SEED = 7;

/** A conformance environment on a fresh simulated account driven by `clock`. */
export function freshEnv(
  clock: VirtualClock,
  exchange: Exchange,
  spot: Exchange,
  subscribed: (count: number) => Promise<unknown>,
): ConformanceEnv {
  return {
    exchange,
    spot,
    fresh: true,
    runId: 'conf-',
    patienceMs: 3000,
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    subscribed,
  };
}

export const inProcess: Transport = {
  name: 'in-process sim',
  async start(t) {
    const clock = new VirtualClock();
    const venue = createSimulatedVenue({ seed: SEED }, clock);
    t.after(() => venue.close());
    // In-process subscriptions are live as soon as subscribe returns
    return freshEnv(
      clock,
      withResilience(venue.exchange('futures')),
      withResilience(venue.exchange('spot')),
      async () => undefined,
    );
  },
};

export const overGrpc: Transport = {
  name: 'RemoteExchange over gRPC',
  async start(t) {
    const clock = new VirtualClock();
    const sim = await startSimConnector(t, { clock, config: { seed: SEED } });
    const address = sim.server.address;
    return freshEnv(
      clock,
      await remote(t, address),
      await remote(t, address, { exchange: 'sim-spot' }),
      (count) =>
        eventually(() => sim.server.streams().subscribers >= count, `${count} live subscriptions`),
    );
  },
};

export const TRANSPORTS: readonly Transport[] = [inProcess, overGrpc];
