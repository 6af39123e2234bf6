/**
 * @module connector/venues/ccxt/ccxt-venue.config
 * The `venues:` section of configs/exchange_connector.yaml: each key is our venue name (the
 * `x-exchange` value), each value picks a ccxt exchange and market kind. Credentials are never
 * in this file: they come from `<PREFIX>_API_KEY` / `_API_SECRET` / `_API_PASSWORD`.
 */
import { z } from 'zod';
import { VENUE_IDS, venueProfile } from './venue-profiles.js';
import { DEFAULT_STREAM_BACKOFF_MS } from './stream-supervisor.js';

export const ccxtVenueSchema = z
  .object({
    /** ccxt exchange id: binance (spot + margin), binanceusdm, bitget, gate, okx, bybit. */
    exchange: z.enum(VENUE_IDS),
    /** Market kind; defaults to the only (or first) kind the exchange id trades. */
    market: z.enum(['spot', 'futures']).optional(),
    /** Trade on the venue's testnet (ccxt setSandboxMode). */
    sandbox: z.boolean().default(false),
    /** Trade on the venue's demo environment (ccxt enableDemoTrading). */
    demo: z.boolean().default(false),
    /** Credential variable prefix; default per exchange (BINANCE, BITGET, GATE, OKX, BYBIT). */
    env_prefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'upper-case letters, digits and _, e.g. BINANCE_TESTNET')
      .optional(),
    /** Client-side rate limiting (ccxt rolling window: bursts pass, sustained load is paced). */
    rate_limit: z.boolean().default(true),
    /** Funding poll period in ms on venues without a funding stream (Bitget, Gate, Bybit). */
    funding_poll_ms: z.number().int().min(1000).default(60_000),
    /** Stream reconnect waits in ms; the last one repeats. */
    stream_backoff_ms: z
      .array(z.number().int().min(0))
      .min(1)
      .default([...DEFAULT_STREAM_BACKOFF_MS]),
  })
  .strict()
  .superRefine((venue, ctx) => {
    const profile = venueProfile(venue.exchange);
    const kinds = Object.keys(profile.markets);
    if (venue.market !== undefined && !kinds.includes(venue.market)) {
      ctx.addIssue({
        code: 'custom',
        path: ['market'],
        message: `${venue.exchange} trades ${kinds.join(' and ')} only${venue.exchange === 'binance' ? '; use exchange: binanceusdm for USDT perpetuals' : ''}`,
      });
    }
    if (venue.sandbox && venue.exchange === 'binanceusdm') {
      ctx.addIssue({
        code: 'custom',
        path: ['sandbox'],
        message: 'Binance retired the USD-M futures testnet (ccxt refuses it); use demo: true',
      });
    }
    if (venue.sandbox && venue.demo) {
      ctx.addIssue({ code: 'custom', path: ['demo'], message: 'choose sandbox or demo, not both' });
    }
  });

const VENUE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Venue name → venue; names are what callers send as `x-exchange`. */
export const ccxtVenuesSchema = z
  .record(z.string(), ccxtVenueSchema)
  .superRefine((venues, ctx) => {
    for (const name of Object.keys(venues)) {
      if (!VENUE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'a venue name is lower-case letters, digits and -, e.g. binance-usdm',
        });
      }
    }
  })
  .default({});

export type CcxtVenueConfig = z.output<typeof ccxtVenueSchema>;
export type CcxtVenuesConfig = z.output<typeof ccxtVenuesSchema>;
