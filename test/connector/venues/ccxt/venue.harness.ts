/**
 * @module test/connector/ccxt/venue.harness
 * Starts one real ccxt venue against a loopback emulator: REST keeps ccxt's real URLs (so every
 * host-dependent code path stays as in production) and `fetchImplementation` rewrites the host
 * to the emulator; WebSocket URLs are overridden. Closed after the test.
 */
import { Agent } from 'node:http';
import type { TestContext } from 'node:test';
import type { CcxtExchange } from '../../../../connector/venues/ccxt/ccxt.exchange.js';
import { ccxtVenueSchema } from '../../../../connector/venues/ccxt/ccxt-venue.config.js';
import { createCcxtVenue } from '../../../../connector/venues/ccxt/create-venues.js';
import { silentLogger } from '../../../support/grpc-harness.js';
import type { LoopbackServer } from './emulators/loopback-server.js';

export interface VenueUnderTest {
  /** Our venue config (`venues.<name>` in the connector config). */
  readonly config: Record<string, unknown>;
  readonly server: LoopbackServer;
  /** The venue's real REST origins, e.g. /^https:\/\/www\.okx\.com/. */
  readonly hosts: RegExp;
  /** `urls` overrides for the WebSocket endpoints, given the emulator's ws:// origin. */
  readonly wsUrls: (wsOrigin: string) => Record<string, unknown>;
  readonly env: NodeJS.ProcessEnv;
  readonly options?: Record<string, unknown>;
}

/**
 * Starts the venue on the (started) emulator. After the test the venue closes first, then the
 * emulator, so no live socket is cut under a running venue.
 */
export async function startVenue(t: TestContext, venue: VenueUnderTest): Promise<CcxtExchange> {
  const started: CcxtExchange[] = [];
  t.after(async () => {
    for (const exchange of started) await exchange.close();
    await venue.server.close();
  });
  const exchange = await createCcxtVenue(
    'venue-under-test',
    ccxtVenueSchema.parse(venue.config),
    silentLogger,
    {
      env: venue.env,
      ccxtOverrides: () => ({
        fetchImplementation: (url: string, init: RequestInit) =>
          fetch(url.replace(venue.hosts, venue.server.httpUrl), init),
        // ccxt dials plain ws:// only through an explicit agent
        httpAgent: new Agent(),
        urls: { api: venue.wsUrls(venue.server.wsUrl) },
        options: venue.options ?? {},
      }),
    },
  );
  started.push(exchange);
  return exchange;
}
