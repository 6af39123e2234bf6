/**
 * @module connector/venues/sim/sim-venues.config
 * Extra perpetual venues of the simulated venue (`perpVenues` in its config), for testing
 * funding-rate arbitrage across venues: each one lists the same symbols as "sim", prices them off
 * the shared spot price with a basis of its own, and has its own funding interval, fees, account,
 * order book and fault switches. Clients select one by its name with `x-exchange`.
 */
import { z } from 'zod';
import { Decimal } from '../../../core/decimal.js';

/** Names the simulator always serves; an extra venue may not take them. */
export const BUILT_IN_SIM_VENUES: readonly string[] = ['sim', 'sim-spot'];

function isNonNegativeDecimal(value: string): boolean {
  try {
    const d = new Decimal(value);
    return d.isFinite() && d.gte(0);
  } catch {
    return false;
  }
}

const nonNegative = (what: string, fallback: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .refine(isNonNegativeDecimal, `must be a non-negative decimal ${what}, e.g. "${fallback}"`)
    .default(fallback);

/** One extra perpetual venue; every key optional with the default shown. */
export const perpVenueSchema = z
  .object({
    funding: z
      .object({
        /** This venue's funding period, ms (e.g. 3600000 for a 1 h venue); default 4 h. */
        intervalMs: z
          .number()
          .int()
          .min(60_000)
          .max(24 * 3_600_000)
          .default(4 * 3_600_000),
        /** Absolute cap on a funding rate, as a fraction. */
        maxRate: nonNegative('fraction', '0.003'),
        /** Settled rates preloaded per symbol so history queries work at startup. */
        historyLength: z.number().int().min(0).max(1000).default(90),
      })
      .strict()
      .prefault({}),
    price: z
      .object({
        /** Long-run mean of this venue's perp basis against the shared spot price, bps. */
        basisMeanBps: z.number().default(3),
        /** Stationary standard deviation of the basis, bps. */
        basisVolatilityBps: z.number().min(0).default(4),
        /** Half-life of basis mean reversion, ms. */
        basisHalfLifeMs: z
          .number()
          .positive()
          .default(2 * 3_600_000),
      })
      .strict()
      .prefault({}),
    fees: z
      .object({
        makerBps: z.number().min(0).max(1000).default(2),
        takerBps: z.number().min(0).max(1000).default(5),
      })
      .strict()
      .prefault({}),
    futures: z
      .object({
        walletBalance: nonNegative('USDT amount', '100000'),
        leverage: z.number().int().min(1).max(125).default(10),
        maintenanceMarginRate: nonNegative('fraction', '0.005'),
        liquidation: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Extra perp venues by name; the names of the built-in venues are taken. */
export const perpVenuesSchema = z
  .record(z.string(), perpVenueSchema)
  .superRefine((venues, ctx) => {
    for (const name of Object.keys(venues)) {
      if (BUILT_IN_SIM_VENUES.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is a built-in venue name; pick another, e.g. "sim-perp2"',
        });
      } else if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be a venue name of [a-z0-9_-], e.g. "sim-perp2"',
        });
      }
    }
  })
  .default({});

/** One extra perp venue's validated config. */
export type PerpVenueConfig = z.output<typeof perpVenueSchema>;
