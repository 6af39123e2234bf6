/**
 * @module test/connector/ccxt/binance.harness
 * Starts the Binance emulator on a VirtualClock and real ccxt venues pointed at it: USD-M
 * futures and spot. REST keeps ccxt's real URLs (so Binance's host-specific error maps apply)
 * and is rewritten to the emulator by `fetchImplementation`; WebSocket URLs are overridden.
 * Everything started is closed after the test.
 */
import { Agent } from 'node:http';
import type { TestContext } from 'node:test';
import { VirtualClock } from '../../../../core/clock.js';
import type { CcxtExchange } from '../../../../connector/venues/ccxt/ccxt.exchange.js';
import { ccxtVenueSchema } from '../../../../connector/venues/ccxt/ccxt-venue.config.js';
import { createCcxtVenue } from '../../../../connector/venues/ccxt/create-venues.js';
import { silentLogger } from '../../../support/grpc-harness.js';
import { BinanceEmulator, EMULATOR_KEY, EMULATOR_SECRET } from './emulators/binance.emulator.js';

export interface BinanceHarness {
  readonly clock: VirtualClock;
  readonly emulator: BinanceEmulator;
  /** USD-M futures venue (ccxt binanceusdm). */
  readonly futures: CcxtExchange;
  /** Spot venue (ccxt binance). */
  readonly spot: CcxtExchange;
  /** Runs `cleanup` after the test, before the venues and the emulator close. */
  defer(cleanup: () => Promise<void>): void;
}

export interface BinanceHarnessOptions {
  readonly names?: { readonly futures: string; readonly spot: string };
  readonly env?: NodeJS.ProcessEnv;
  readonly streamBackoffMs?: readonly number[];
  /** ccxt options merged in, e.g. a short listenKeyRefreshRate. */
  readonly options?: Record<string, unknown>;
}

export const EMULATOR_ENV = { BINANCE_API_KEY: EMULATOR_KEY, BINANCE_API_SECRET: EMULATOR_SECRET };

/** ccxt settings pointing a Binance venue at `emulator`. */
export function binanceOverrides(emulator: BinanceEmulator, options: Record<string, unknown> = {}) {
  const base = emulator.server.httpUrl;
  return {
    fetchImplementation: (url: string, init: RequestInit) =>
      fetch(url.replace(/^https:\/\/(fapi|api)\.binance\.com/, base), init),
    // ccxt dials plain ws:// only through an explicit agent
    httpAgent: new Agent(),
    urls: {
      api: { ws: { future: `${emulator.server.wsUrl}/ws`, spot: `${emulator.server.wsUrl}/ws` } },
    },
    options,
  };
}

export async function startBinanceHarness(
  t: TestContext,
  opts: BinanceHarnessOptions = {},
): Promise<BinanceHarness> {
  const clock = new VirtualClock();
  // Closed last-started first: venues before the emulator, so no socket is cut under a venue
  const cleanups: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const emulator = await new BinanceEmulator(clock).start();
  cleanups.push(() => emulator.close());
  const names = opts.names ?? { futures: 'binance-usdm', spot: 'binance-spot' };
  const deps = {
    env: opts.env ?? EMULATOR_ENV,
    clock,
    ccxtOverrides: () => binanceOverrides(emulator, opts.options),
  };
  const backoff = { stream_backoff_ms: opts.streamBackoffMs ?? [20, 50] };
  const futures = await createCcxtVenue(
    names.futures,
    ccxtVenueSchema.parse({ exchange: 'binanceusdm', ...backoff }),
    silentLogger,
    deps,
  );
  cleanups.push(() => futures.close());
  const spot = await createCcxtVenue(
    names.spot,
    ccxtVenueSchema.parse({ exchange: 'binance', ...backoff }),
    silentLogger,
    deps,
  );
  cleanups.push(() => spot.close());
  return { clock, emulator, futures, spot, defer: (cleanup) => void cleanups.push(cleanup) };
}
