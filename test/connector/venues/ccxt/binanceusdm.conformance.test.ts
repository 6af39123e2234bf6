/**
 * The shared Exchange conformance cases, run against the real ccxt binanceusdm code talking to
 * the loopback Binance emulator: in-process, and over a real gRPC connector with RemoteExchange.
 * The venues are named "sim" / "sim-spot" because the shared cases assert those names (venue
 * names are config keys, so this is a legal configuration, not a special case).
 */
import { describe, it } from 'node:test';
import type { CcxtExchange } from '../../../../connector/venues/ccxt/ccxt.exchange.js';
import { withResilience } from '../../../../connector/resilient.exchange.js';
import { CONFORMANCE_CASES, type ConformanceEnv } from '../../../../connector/conformance/index.js';
import { freshEnv, type Transport } from '../../conformance/transports.js';
import { eventually, remote, startConnector } from '../../../support/grpc-harness.js';
import { startBinanceHarness, type BinanceHarness } from './binance.harness.js';
import { PRIVATE_FEEDS } from '../../../../connector/venues/ccxt/ccxt-streams.js';

const CASES = CONFORMANCE_CASES;

/**
 * Live stream subscriptions as the venue sees them: each public stream the emulator was asked
 * for, and each private feed once the user-data socket is open (Binance sends every private
 * channel over that one socket, with no per-channel subscribe).
 */
function live(h: BinanceHarness, venue: CcxtExchange): number {
  const { public: pub, userData } = h.emulator.streams.subscriptions();
  const privateFeeds = venue.streams().feeds.filter((f) => PRIVATE_FEEDS.includes(f)).length;
  return pub + (userData > 0 ? privateFeeds : 0);
}

async function harness(t: Parameters<Transport['start']>[0]) {
  return startBinanceHarness(t, { names: { futures: 'sim', spot: 'sim-spot' } });
}

const inProcess: Transport = {
  name: 'ccxt binanceusdm in-process',
  async start(t): Promise<ConformanceEnv> {
    const h = await harness(t);
    return freshEnv(h.clock, withResilience(h.futures), withResilience(h.spot), (count) =>
      eventually(() => live(h, h.futures) >= count, `${count} live subscriptions`),
    );
  },
};

const overGrpc: Transport = {
  name: 'ccxt binanceusdm over gRPC',
  async start(t): Promise<ConformanceEnv> {
    const h = await harness(t);
    const server = await startConnector(t, [withResilience(h.futures), withResilience(h.spot)]);
    // The connector stops before the venues it serves (shutdown is idempotent)
    h.defer(() => server.shutdown(0));
    return freshEnv(
      h.clock,
      await remote(t, server.address),
      await remote(t, server.address, { exchange: 'sim-spot' }),
      (count) => eventually(() => live(h, h.futures) >= count, `${count} live subscriptions`),
    );
  },
};

for (const transport of [inProcess, overGrpc]) {
  describe(`Exchange conformance: ${transport.name} (Binance emulator)`, () => {
    for (const conformanceCase of CASES) {
      it(conformanceCase.name, async (t) => {
        await conformanceCase.run(await transport.start(t));
      });
    }
  });
}
