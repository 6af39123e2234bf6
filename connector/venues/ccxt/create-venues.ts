/**
 * @module connector/venues/ccxt/create-venues
 * Builds and starts the configured ccxt venues. ccxt (~0.4 s and ~100 MB to import) is loaded
 * with a dynamic import only when at least one venue is configured. Start-up loads the venue's
 * markets and, when credentials are set, makes one signed call: a rejected key stops start-up
 * with a message naming the venue; no credentials at all gives a public-data-only venue.
 */
import type * as CcxtNamespace from 'ccxt';
import type { Exchange as CcxtInstance } from 'ccxt';
import { WallClock, type Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/logger.js';
import type { MarketKind } from '../../../core/exchange.types.js';
import { instrument } from './ccxt-instance.js';
import { loadMarkets } from './ccxt-market-data.js';
import type { CcxtVenueConfig, CcxtVenuesConfig } from './ccxt-venue.config.js';
import { CcxtExchange } from './ccxt.exchange.js';
import { readCredentials } from './credentials.js';
import { VenueContext } from './venue-context.js';
import { venueProfile, type VenueId } from './venue-profiles.js';

type CcxtModule = typeof CcxtNamespace;
type CcxtConstructor = new (config: Record<string, unknown>) => CcxtInstance;

/** Hooks for tests and embedding; production passes none. */
export interface CcxtVenueDeps {
  /** Where credentials are read from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /**
   * Extra ccxt constructor settings per venue, deep-merged last: URL overrides,
   * `fetchImplementation`, `httpAgent`, `options` (tests point ccxt at loopback emulators).
   */
  readonly ccxtOverrides?: (venue: string, id: VenueId) => Record<string, unknown>;
}

/** Requests (in ccxt cost units) a venue may send back to back before pacing starts. */
const RATE_LIMIT_BURST = 10;

let ccxtModule: Promise<CcxtModule> | undefined;

/** ccxt, imported on first use and shared by every venue. */
function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt');
  return ccxtModule;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** `base` with `extra` merged in, plain objects recursively (ccxt merges urls/options likewise). */
function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/**
 * Builds one venue and starts it (markets, credential check).
 * @param name our venue name, e.g. "binance-usdm"
 * @throws {Error} naming the venue when credentials are partial or rejected, or markets fail
 */
export async function createCcxtVenue(
  name: string,
  config: CcxtVenueConfig,
  logger: Logger,
  deps: CcxtVenueDeps = {},
): Promise<CcxtExchange> {
  const profile = venueProfile(config.exchange);
  const kind = config.market ?? (Object.keys(profile.markets)[0] as MarketKind);
  const lookup = readCredentials(name, profile, deps.env ?? process.env, config.env_prefix);
  const ccxt = await loadCcxt();
  const Constructor = (ccxt.pro as unknown as Record<string, CcxtConstructor>)[profile.id];
  if (Constructor === undefined) throw new Error(`${name}: ccxt has no exchange "${profile.id}"`);
  const settings = deepMerge(
    {
      ...(lookup.credentials ?? {}),
      enableRateLimit: config.rate_limit,
      // Orders must not queue behind each other: where ccxt allows it (Binance, Bitget, Gate,
      // Bybit) a rolling window passes a burst at once; ccxt pins OKX to a leaky bucket, whose
      // default capacity of 1 would space orders ~110 ms apart, so the bucket holds a burst
      rateLimiterAlgorithm: 'rollingWindow',
      tokenBucket: { capacity: RATE_LIMIT_BURST, tokens: RATE_LIMIT_BURST },
      options: {
        ...profile.options,
        defaultType: kind === 'spot' ? 'spot' : 'swap',
        fetchMarkets: { types: profile.markets[kind] },
      },
      // We never read currencies; keyed loadMarkets would otherwise download them
      has: { fetchCurrencies: false },
    },
    deps.ccxtOverrides?.(name, profile.id) ?? {},
  );
  const ex = new Constructor(settings);
  if (config.sandbox) ex.setSandboxMode(true);
  if (config.demo) ex.enableDemoTrading(true);

  const ctx = new VenueContext({
    name,
    kind,
    ex,
    profile,
    clock: deps.clock ?? new WallClock(),
    logger: logger.child({ venue: name }),
    credentialHint: lookup.hint,
    hooks: instrument(ex),
  });
  const venue = new CcxtExchange(ctx, {
    streamBackoffMs: config.stream_backoff_ms,
    fundingPollMs: config.funding_poll_ms,
  });
  try {
    await loadMarkets(ctx);
    if (lookup.credentials !== null) {
      const balance = await ctx.privateCall(() => ex.fetchBalance());
      ex.uid ||= profile.accountUid?.(balance.info) ?? '';
    }
  } catch (e) {
    await venue.close();
    const reason = ctx.toError(e);
    const what =
      reason.reason === 'AUTHENTICATION' || reason.reason === 'PERMISSION_DENIED'
        ? `API key rejected; check ${profile.envPrefix}_API_* (or env_prefix)`
        : 'cannot start';
    throw new Error(`venue ${name} (${profile.id}): ${what}: ${reason.message}`, { cause: e });
  }
  logger.info(
    {
      venue: name,
      exchange: profile.id,
      kind,
      markets: ctx.book.size,
      trading: ctx.hasCredentials,
    },
    ctx.hasCredentials ? 'ccxt venue ready' : 'ccxt venue ready in public-data-only mode',
  );
  return venue;
}

/**
 * Builds and starts every configured venue, in parallel; none configured imports nothing.
 * @throws {Error} the first venue that cannot start (the others are closed)
 */
export async function createCcxtVenues(
  config: CcxtVenuesConfig,
  logger: Logger,
  deps: CcxtVenueDeps = {},
): Promise<Map<string, CcxtExchange>> {
  const entries = Object.entries(config);
  const results = await Promise.allSettled(
    entries.map(([name, venue]) => createCcxtVenue(name, venue, logger, deps)),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(
      results.map((r) => (r.status === 'fulfilled' ? r.value.close() : Promise.resolve())),
    );
    throw failed.reason;
  }
  const venues = new Map<string, CcxtExchange>();
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') venues.set(entries[i]?.[0] ?? r.value.name, r.value);
  });
  return venues;
}
