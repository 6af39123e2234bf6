/**
 * @module actors/risk/risk.config
 * The `risk:` section of the market-maker config: breakers (threshold, action, scope, reset
 * policy), pre-trade limits, the risk monitor and the safety checker. Every key is optional and
 * documented with its unit and default; a bad value is reported as `risk.key.path: reason`.
 * Money and percentages are decimal strings ("10" = 10 %); times are ms; counts are integers.
 */
import { z } from 'zod';

import { dec } from '../../core/decimal.js';
import type { HoldLevel } from '../../machines/trading-state.machine.js';

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** A non-negative decimal string, e.g. "10" or "0.8". */
const decimalString = (example: string, unit: string) =>
  z
    .string({ error: `must be a decimal string in ${unit}, e.g. "${example}"` })
    .regex(PLAIN_DECIMAL, `must be a plain decimal string in ${unit}, e.g. "${example}"`);

const positiveDecimal = (example: string, unit: string) =>
  decimalString(example, unit).refine(
    (v) => !PLAIN_DECIMAL.test(v) || dec(v).gt(0),
    `must be greater than zero (${unit}), e.g. "${example}"`,
  );

const percent = (example: string) =>
  positiveDecimal(example, 'percent').refine(
    (v) => !PLAIN_DECIMAL.test(v) || dec(v).lte(100),
    'must be at most 100 (percent)',
  );

const ms = (example: number) =>
  z
    .number({ error: `must be a duration in ms, e.g. ${example}` })
    .int(`must be a whole number of ms, e.g. ${example}`)
    .min(0, 'must be 0 or more ms');

const positiveMs = (example: number) =>
  ms(example).min(1, `must be at least 1 ms, e.g. ${example}`);

const count = (example: number) =>
  z
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int(`must be a whole number, e.g. ${example}`)
    .min(1, 'must be at least 1');

const action = z.enum(['reduce', 'halt', 'flatten'], {
  error: 'must be "reduce" (no new entries), "halt" (cancel our orders) or "flatten" (close)',
});
const scope = z.enum(['symbol', 'global'], { error: 'must be "symbol" or "global"' });

/** What every breaker shares: on/off, where it applies, what it does, how it resets. */
function breaker<T extends z.ZodRawShape>(
  defaults: {
    enabled: boolean;
    scope: 'symbol' | 'global';
    action: HoldLevel;
    cooldownMs: number | null;
    maxAutoResetsPerDay?: number;
  },
  fields: T,
) {
  return (
    z
      .object({
        /** Evaluate this breaker at all. */
        enabled: z.boolean().default(defaults.enabled),
        /** `symbol`: one breaker per traded symbol; `global`: one for the whole engine. */
        scope: scope.default(defaults.scope),
        /** What an open breaker does: `reduce`, `halt` or `flatten`. */
        action: action.default(defaults.action),
        /**
         * Quiet time after the condition clears before the breaker resets itself, ms; null: only
         * an operator resets it.
         */
        cooldown_ms: ms(60_000).nullable().default(defaults.cooldownMs),
        /** Trips in one UTC day after which only an operator resets it. */
        max_auto_resets_per_day: count(3).default(defaults.maxAutoResetsPerDay ?? 3),
        ...fields,
      })
      .strict()
      // Every field has a default, so an absent section is all defaults
      .prefault({} as never)
  );
}

const staleFeed = (
  enabled: boolean,
  feedScope: 'symbol' | 'global',
  maxAgeMs: number,
  act: HoldLevel,
) =>
  breaker(
    { enabled, scope: feedScope, action: act, cooldownMs: 0, maxAutoResetsPerDay: 1_000 },
    {
      /** Older than this without an update, the feed is stale, ms. */
      max_age_ms: positiveMs(maxAgeMs).default(maxAgeMs),
    },
  );

/** The breakers, one per kind. */
export const breakersConfigSchema = z
  .object({
    /** Consecutive losing round trips (net of fees on both legs). */
    loss_streak: breaker(
      { enabled: true, scope: 'symbol', action: 'reduce', cooldownMs: 3_600_000 },
      { max_consecutive_losses: count(5).default(5) },
    ),
    /**
     * Drawdown from the peak equity within a rolling window. Global: wallet balance + unrealized
     * PnL; per symbol: realized + unrealized PnL on top of the capital its grid commits.
     */
    drawdown: breaker(
      { enabled: true, scope: 'symbol', action: 'halt', cooldownMs: null },
      {
        max_drawdown_pct: percent('10').default('10'),
        window_ms: positiveMs(86_400_000).default(86_400_000),
      },
    ),
    /** Venue call latency p99 over a rolling window. */
    latency: breaker(
      { enabled: true, scope: 'global', action: 'reduce', cooldownMs: 60_000 },
      {
        max_p99_ms: positiveMs(2_000).default(2_000),
        window_ms: positiveMs(60_000).default(60_000),
        /** Fewer samples in the window than this say nothing. */
        min_samples: count(20).default(20),
      },
    ),
    /** The symbol's price stream: entries pause while it is stale and resume once fresh. */
    stale_price: staleFeed(true, 'symbol', 15_000, 'reduce'),
    /** The order stream; off by default: it is quiet whenever nothing trades. */
    stale_orders: staleFeed(false, 'global', 300_000, 'reduce'),
    /** The account stream. */
    stale_account: staleFeed(false, 'global', 120_000, 'reduce'),
    /** The position stream (REQ-METRICS-005: freeze by default). */
    stale_positions: staleFeed(false, 'symbol', 120_000, 'halt'),
    /** Funding rates (arbitrage entries). */
    stale_funding: staleFeed(false, 'symbol', 600_000, 'reduce'),
    /** Venue refusals and errors within a rolling window. */
    refusal_storm: breaker(
      { enabled: true, scope: 'symbol', action: 'reduce', cooldownMs: 300_000 },
      {
        max_refusals: count(20).default(20),
        window_ms: positiveMs(60_000).default(60_000),
      },
    ),
    /** Maintenance margin / margin balance of the account, at or above this fraction. */
    margin_ratio: breaker(
      { enabled: true, scope: 'global', action: 'flatten', cooldownMs: null },
      {
        max_margin_ratio: positiveDecimal('0.8', 'fraction').default('0.8'),
      },
    ),
    /** Distance from mark to liquidation price, as % of mark, below this. */
    liquidation_distance: breaker(
      { enabled: true, scope: 'symbol', action: 'reduce', cooldownMs: 300_000 },
      { min_distance_pct: percent('10').default('10') },
    ),
    /** Position divergence found by reconciliation, % of the venue's position. */
    position_divergence: breaker(
      { enabled: true, scope: 'symbol', action: 'halt', cooldownMs: null },
      { max_divergence_pct: percent('5').default('5') },
    ),
  })
  .strict()
  .prefault({});

/** Pre-trade limits; each one can be switched off with null. */
export const limitsConfigSchema = z
  .object({
    /** Largest notional of one opening order, quote units (USDT). */
    max_order_notional: positiveDecimal('10000', 'quote units').nullable().default('10000'),
    /** Largest exposure of one symbol: |position| at mark + resting opening orders, quote units. */
    max_position_notional: positiveDecimal('50000', 'quote units').nullable().default('50000'),
    /** REQ-RISK-003: largest gross exposure across all symbols, quote units. */
    max_gross_exposure: positiveDecimal('200000', 'quote units').nullable().default('200000'),
    /** A limit price more than this % from the last price is refused. */
    price_band_pct: percent('5').nullable().default('5'),
    /** Most resting orders of ours on one symbol. */
    max_open_orders_per_symbol: count(200).nullable().default(200),
    /** Most resting orders of ours across all symbols. */
    max_open_orders_total: count(1000).nullable().default(1000),
    /** Token-bucket order-rate throttle (NautilusTrader's default is 100/s). */
    order_rate: z
      .object({
        /** Orders per second across all symbols; also the bucket size. */
        global_per_second: count(100).default(100),
        /** Orders per second for one symbol; also the bucket size. */
        symbol_per_second: count(20).default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** The kline risk monitor (seed 2.1). */
export const monitorConfigSchema = z
  .object({
    /** Watch the market at all; off by default. */
    enabled: z.boolean().default(false),
    /** Symbols whose klines are watched (market bellwethers, not necessarily traded). */
    symbols: z
      .array(z.string().regex(/^[A-Z0-9]{2,24}$/, 'must be an exchange symbol such as "BTCUSDT"'))
      .min(1, 'must list at least one symbol')
      .max(10, 'must list at most 10 symbols')
      .default(['BTCUSDT', 'ETHUSDT']),
    /** Kline interval. */
    interval: z
      .enum(['1m', '3m', '5m', '15m'], { error: 'must be one of 1m, 3m, 5m, 15m' })
      .default('1m'),
    /** Closed candles the averages are taken over; `window + 1` candles are preloaded. */
    average_window: z.number().int().min(2, 'must be at least 2 candles').max(200).default(20),
    /** Anomaly: volume above average × this, with the close below the average close. */
    volume_multiplier: positiveDecimal('3', 'times').default('3'),
    /** A signal (or its end) must persist this long before it counts, ms. */
    persist_ms: ms(60_000).default(60_000),
    /** `any`: one anomalous symbol triggers; `all`: every watched symbol must be anomalous. */
    policy: z.enum(['any', 'all'], { error: 'must be "any" or "all"' }).default('all'),
    /** Once triggered, it clears when at least this many symbols are calm again. */
    recovery_threshold: count(1).default(1),
    /** What a trigger does to the global trading state. */
    action: action.default('reduce'),
  })
  .strict()
  .prefault({})
  .refine((m) => m.recovery_threshold <= m.symbols.length, {
    message: 'must not exceed the number of watched symbols',
    path: ['recovery_threshold'],
  });

/** The safety checker run before a grid starts. */
export const safetyConfigSchema = z
  .object({
    /** Highest account leverage a grid may start with. */
    max_leverage: count(10).max(125).default(10),
    /** Maker fee rate assumed when the venue does not say, as a fraction (0.0002 = 0.02 %). */
    maker_fee_rate: decimalString('0.0002', 'fraction').default('0.0002'),
    /** Share of the available balance the grid's margin may use, percent. */
    max_balance_use_pct: percent('80').default('80'),
  })
  .strict()
  .prefault({});

/** The order cleaner: pulls stale entries of ours (never partial fills, closes, or others'). */
export const cleanerConfigSchema = z
  .object({
    /** Run the cleaner at all; off by default (a grid's entries rest for long on purpose). */
    enabled: z.boolean().default(false),
    /** Between runs, ms. */
    interval_ms: positiveMs(60_000).default(60_000),
    /** Cap of the wait after runs that found their cancels had not taken yet, ms. */
    max_backoff_ms: positiveMs(600_000).default(600_000),
    /** Entries resting longer than this are pulled, ms; null: no age limit. */
    max_age_ms: positiveMs(3_600_000).nullable().default(null),
    /** Entries farther than this from the market are pulled, percent; null: off. */
    max_distance_pct: percent('10').nullable().default('10'),
    /** Most open orders of ours per symbol; the oldest entries above it are pulled. */
    max_open_orders_per_symbol: count(100).nullable().default(null),
    /** Most cancels per symbol and run. */
    max_cancels_per_run: count(10).default(10),
  })
  .strict()
  .prefault({});

/** The whole `risk:` section. */
export const riskConfigSchema = z
  .object({
    /** Start with new entries paused: slots still close what they hold, but open nothing. */
    entries_paused: z.boolean().default(false),
    /**
     * A flatten closes each slot's inventory with a reduce-only limit this far through the
     * market (percent), so it trades at once but never at any price.
     */
    flatten_slippage_pct: percent('1').default('1'),
    breakers: breakersConfigSchema,
    limits: limitsConfigSchema,
    monitor: monitorConfigSchema,
    safety: safetyConfigSchema,
    cleaner: cleanerConfigSchema,
  })
  .strict()
  .prefault({});

/** The validated, defaulted `risk:` section. */
export type RiskConfig = z.output<typeof riskConfigSchema>;
/** The breakers part of it. */
export type BreakersConfig = RiskConfig['breakers'];
/** The limits part of it. */
export type LimitsConfig = RiskConfig['limits'];
/** The monitor part of it. */
export type MonitorConfig = RiskConfig['monitor'];

/** Every breaker kind; a bounded set (it is a metric label). */
export const BREAKER_KINDS = [
  'loss_streak',
  'drawdown',
  'latency',
  'stale_price',
  'stale_orders',
  'stale_account',
  'stale_positions',
  'stale_funding',
  'refusal_storm',
  'margin_ratio',
  'liquidation_distance',
  'position_divergence',
] as const satisfies readonly (keyof BreakersConfig)[];
/** One of {@link BREAKER_KINDS}. */
export type BreakerKind = (typeof BREAKER_KINDS)[number];
