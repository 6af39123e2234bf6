/**
 * @module connector/venues/sim/sim-config
 * The simulated venue's one config object: a zod schema with documented defaults, validated when
 * the venue is built so a bad key fails at construction with its path ("book.levels: ...").
 * Money values are decimal strings (numbers are accepted and converted) so no float reaches the
 * ledgers; the price process parameters are plain numbers because that process is float by nature.
 */
import { z } from 'zod';
import { ConfigError, describeIssues } from '../../../core/config-file.js';
import { checkDecimal, parseDecimal } from '../../../core/decimal.js';
import { DEFAULT_SIM_SYMBOLS, MARKET_CATALOG } from './sim-markets.js';
import { perpVenuesSchema } from './sim-venues.config.js';

/** A non-negative decimal given as a string ("100000") or a number; output is the plain string. */
const nonNegativeDecimal = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    // The one decimal grammar and bounds (core/decimal): no hex, underscores or huge exponents
    .superRefine((v, ctx) => {
      const problem = checkDecimal(v);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      else if (parseDecimal(v).lt(0)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a non-negative decimal ${what}, e.g. "100000"`,
        });
      }
    });

const balances = z.record(z.string().regex(/^[A-Z0-9]{2,10}$/), nonNegativeDecimal('amount'));

const feeSchedule = (makerBps: number, takerBps: number) =>
  z
    .object({
      /** Fee on fills that added liquidity, basis points of the fill's quote value. */
      makerBps: z.number().min(0).max(1000).default(makerBps),
      /** Fee on fills that took liquidity, basis points of the fill's quote value. */
      takerBps: z.number().min(0).max(1000).default(takerBps),
    })
    .strict()
    .prefault({});

const knownSymbols = Object.keys(MARKET_CATALOG);

export const simVenueConfigSchema = z
  .object({
    /** PRNG seed: same seed + same clock steps = identical prices, funding and volumes. */
    seed: z.number().int().default(42),
    /** Symbols listed on both markets, a subset of the built-in catalog. */
    symbols: z
      .array(z.enum(knownSymbols as [string, ...string[]]))
      .min(1)
      .default([...DEFAULT_SIM_SYMBOLS]),
    /** Spot start price per symbol (quote units); catalog default when absent. */
    startPrices: z.record(z.string(), z.number().positive()).default({}),
    /** Milliseconds between price-process steps (wall or virtual clock). */
    tickIntervalMs: z.number().int().positive().default(250),
    price: z
      .object({
        /** Annualised drift of the log price, as a fraction (0.1 = +10 %/year). */
        driftPerYear: z.number().default(0),
        /** Annualised volatility of the log price, as a fraction (0.6 = 60 %/year). */
        volatilityPerYear: z.number().min(0).default(0.6),
        /** Probability of a jump on any one step, 0..1. */
        jumpProbability: z.number().min(0).max(1).default(0.0005),
        /** Size of a jump as a fraction of price (sign is random). */
        jumpSizeFraction: z.number().min(0).max(0.5).default(0.004),
        /** Long-run mean of the perp basis (perp / spot - 1), basis points. */
        basisMeanBps: z.number().default(1),
        /** Stationary standard deviation of the basis, basis points. */
        basisVolatilityBps: z.number().min(0).default(3),
        /** Half-life of basis mean reversion, milliseconds. */
        basisHalfLifeMs: z
          .number()
          .positive()
          .default(2 * 3_600_000),
      })
      .strict()
      .prefault({}),
    book: z
      .object({
        /** Distance of the synthetic best bid/ask from mid, in ticks. */
        halfSpreadTicks: z.number().int().min(1).default(1),
        /** Synthetic price levels per side. */
        levels: z.number().int().min(1).max(500).default(20),
        /** Gap between synthetic levels, in ticks. */
        levelSpacingTicks: z.number().int().min(1).default(1),
        /** Synthetic liquidity per level, quote units (converted to base at the level price). */
        depthQuotePerLevel: nonNegativeDecimal('quote amount').default('50000'),
        /**
         * Synthetic traded volume per step, quote units. It is the kline volume and the budget of
         * maker fills for resting orders the price moved through, so big orders fill over steps.
         */
        tradeVolumeQuotePerTick: nonNegativeDecimal('quote amount').default('25000'),
      })
      .strict()
      .prefault({}),
    fees: z
      .object({ futures: feeSchedule(2, 5), spot: feeSchedule(10, 10) })
      .strict()
      .prefault({}),
    futures: z
      .object({
        /** Starting USDT wallet balance. */
        walletBalance: nonNegativeDecimal('USDT amount').default('100000'),
        /** Default leverage for every symbol. */
        leverage: z.number().int().min(1).max(125).default(10),
        /** Per-symbol leverage overrides. */
        leverageBySymbol: z.record(z.string(), z.number().int().min(1).max(125)).default({}),
        /** Maintenance margin as a fraction of position notional (0.005 = 0.5 %). */
        maintenanceMarginRate: nonNegativeDecimal('fraction').default('0.005'),
        /** Liquidate every position when margin balance falls below maintenance margin. */
        liquidation: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    spot: z
      .object({
        /** Starting free balances of the spot (cash) account. */
        balances: balances.default({ USDT: '100000', BTC: '1', ETH: '10', SOL: '100' }),
        /** Starting free balances of the spot margin account. */
        marginBalances: balances.default({ USDT: '10000' }),
        /** Max margin leverage: liabilities may reach equity x (leverage - 1). */
        marginMaxLeverage: z.number().min(1).max(20).default(3),
        /** Interest per day on a margin loan, fraction of the amount borrowed, by asset. */
        borrowInterestPerDay: z
          .record(z.string().regex(/^[A-Z0-9]{2,10}$/), nonNegativeDecimal('fraction'))
          .default({ USDT: '0.0002', BTC: '0.00005', ETH: '0.00005' }),
        /** Interest per day on a loan of an asset borrowInterestPerDay does not list. */
        defaultBorrowInterestPerDay: nonNegativeDecimal('fraction').default('0.0001'),
      })
      .strict()
      .prefault({}),
    funding: z
      .object({
        /** Funding period, milliseconds; settlement times are multiples of it since the epoch. */
        intervalMs: z
          .number()
          .int()
          .positive()
          .default(8 * 3_600_000),
        /** Absolute cap on a funding rate, as a fraction. */
        maxRate: nonNegativeDecimal('fraction').default('0.003'),
        /** Settled rates preloaded per symbol so history queries work at startup. */
        historyLength: z.number().int().min(0).max(1000).default(90),
        /** Milliseconds between funding stream updates between settlements. */
        publishIntervalMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    /** 1m candles preloaded per market and symbol (1500 = 25 hours). */
    klineHistoryMinutes: z.number().int().min(1).max(20_000).default(1500),
    /**
     * Open orders allowed per account and symbol; more is ORDER_REJECTED. 0 = unlimited (the
     * default, so benchmarks can rest any number of orders); 200 mimics Binance.
     */
    maxOpenOrdersPerSymbol: z.number().int().min(0).default(0),
    /** Closed orders kept for getOrder; older ones are forgotten (their client ids are not). */
    retainClosedOrders: z.number().int().positive().default(100_000),
    /** More perpetual venues by name (own funding interval, basis, fees, account); see sim-venues.config. */
    perpVenues: perpVenuesSchema,
  })
  .strict();

/** The validated, defaulted config; see the schema for units and defaults. */
export type SimVenueConfig = z.output<typeof simVenueConfigSchema>;
/** What callers may pass: every key optional at every depth. */
export type SimVenueConfigInput = z.input<typeof simVenueConfigSchema>;

/**
 * Validates and defaults a config.
 * @throws {ConfigError} listing every bad key as "key.path: reason"
 */
export function parseSimVenueConfig(input: SimVenueConfigInput = {}): SimVenueConfig {
  const result = simVenueConfigSchema.safeParse(input);
  if (!result.success)
    throw new ConfigError('simulated venue config', describeIssues(result.error));
  return Object.freeze(result.data);
}
