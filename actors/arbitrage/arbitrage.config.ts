/**
 * @module actors/arbitrage/arbitrage.config
 * The config of one funding-rate arbitrage pair (`strategy: arbitrage`), as the YAML config, the
 * admin API and the active-symbols table will spell it (snake_case JSON), and the frozen
 * camelCase object the pair actor takes. One schema serves all three, so a bad value is reported
 * with the same "field: reason" text everywhere. Rates, fees and APRs are fractions given as
 * decimal strings ("0.1" = 10 % a year); times are hours or minutes as the field name says.
 *
 * A pair lists exactly two legs (`a` and `b` in config order): a spot leg and a perp leg on one
 * venue or two, or two perps on two venues. Checks that need the venues (step sizes, minimum
 * quantities) run when the pair starts: see `arbitrageVenueFitProblems`.
 */
import { z } from 'zod';

import { dec, isMultipleOf, toPlain, type Decimal } from '../../core/decimal.js';
import type { SymbolInfo } from '../../core/exchange.types.js';
import type { ArbitrageThresholds } from '../../machines/arbitrage-decision.js';
import type { LegKey, LegMarket, PairLeg } from '../../machines/arbitrage-pair.js';

const PLAIN = /^\d+(\.\d+)?$/;
const SIGNED = /^-?\d+(\.\d+)?$/;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

const fraction = (example: string, what: string, { signed = false, max = '1' } = {}) =>
  z
    .string({ error: `must be a decimal string (${what}), e.g. "${example}"` })
    .regex(signed ? SIGNED : PLAIN, `must be a plain decimal string (${what}), e.g. "${example}"`)
    .refine(
      (v) => !(signed ? SIGNED : PLAIN).test(v) || dec(v).abs().lte(max),
      `must be a fraction (${what}) of at most ${max}, e.g. "${example}" for ${dec(example).mul(100).toFixed()} %`,
    );

const positive = (example: string, unit: string) =>
  z
    .string({ error: `must be a decimal string in ${unit}, e.g. "${example}"` })
    .regex(PLAIN, `must be a plain decimal string in ${unit}, e.g. "${example}"`)
    .refine((v) => !PLAIN.test(v) || dec(v).gt(0), `must be greater than zero (${unit})`);

const bps = (fallback: number, what: string) =>
  z
    .number({ error: `must be basis points of the traded value (${what}), e.g. ${fallback}` })
    .min(0, 'must be 0 or more basis points')
    .max(1000, 'must be at most 1000 basis points (10 %)')
    .default(fallback);

const legSchema = z
  .object({
    /** Venue name as the connector serves it (the `x-exchange` value), e.g. "sim-spot". */
    venue: z
      .string({ error: 'must name a venue the connector serves, e.g. "sim"' })
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a venue name such as "sim" or "binance-usdm"'),
    /** `spot` or `perp`. */
    market: z.enum(['spot', 'perp'], { error: 'must be "spot" or "perp"' }),
    /** Exchange-native symbol, e.g. BTCUSDT. */
    symbol: z
      .string({ error: 'must be an exchange symbol such as "BTCUSDT"' })
      .regex(/^[A-Z0-9]{2,24}$/, 'must be an exchange symbol in capitals, such as "BTCUSDT"'),
    /** Taker fee of the leg's venue, basis points; default 10 on spot, 5 on perps. */
    taker_fee_bps: z.number().min(0).max(1000).optional(),
    /** Expected slippage of one market order on this leg, basis points; default 5. */
    slippage_bps: bps(5, 'expected slippage'),
  })
  .strict();

const thresholdsSchema = z
  .object({
    /** Enter when the funding APR of the better direction reaches this (fraction a year). */
    entry_apr: fraction('0.1', 'APR', { max: '5' }).default('0.1'),
    /** Exit when the held direction's APR falls below this; must be below entry_apr. */
    exit_apr: fraction('0.03', 'APR', { signed: true, max: '5' }).default('0.03'),
    /** Spread-driven exits wait this long after an entry, hours. */
    min_hold_hours: z
      .number()
      .min(0)
      .max(24 * 365)
      .default(8),
    /** The horizon the entry economics assume, hours; at least min_hold_hours. */
    expected_hold_hours: z
      .number()
      .positive()
      .max(24 * 365)
      .default(72),
    /** No new entry this long after an exit, minutes. */
    reentry_cooldown_minutes: z.number().min(0).default(60),
    /** A spread-driven exit waits when a settlement that still pays is this close, minutes. */
    hold_through_funding_minutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(10),
  })
  .strict()
  .prefault({});

const feedsSchema = z
  .object({
    /** A perp's funding older than this is stale and blocks entries, ms. */
    funding_stale_ms: z.number().int().min(1000).default(180_000),
    /** A leg's price older than this is stale and blocks entries, ms. */
    price_stale_ms: z.number().int().min(100).default(30_000),
  })
  .strict()
  .prefault({});

/** The wire (snake_case) config of one pair; every field is documented with unit and default. */
export const arbitragePairSchema = z
  .object({
    /** Pair id: 1-32 of [a-z0-9-]; its tag goes into every client order id of the pair. */
    pair: z
      .string({ error: 'must be a pair id such as "btc-basis"' })
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 of [a-z0-9-], such as "btc-basis"'),
    strategy: z.literal('arbitrage', { error: 'must be "arbitrage"' }),
    /** Exactly two legs; `a` is the first, `b` the second. */
    legs: z
      .array(legSchema)
      .length(2, 'must list exactly two legs: a spot and a perp, or two perps'),
    /** Size of an entry's first order in BASE units (BTC for BTCUSDT); the second leg follows. */
    quantity: positive('0.01', 'base units'),
    /** Which leg trades first on entry (`a` or `b`); default: the spot leg, else `a`. */
    first_leg: z.enum(['a', 'b'], { error: 'must be "a" or "b"' }).optional(),
    /** Largest |a + b| still counted as hedged, base units; default: the larger step size. */
    hedge_tolerance: positive('0.001', 'base units').optional(),
    /** Allow the negative-funding direction on a spot leg: a short on margin (borrowing). */
    allow_spot_short: z.boolean().default(true),
    /** Expected interest on a spot short's borrowed coins (fraction a year). */
    borrow_apr: fraction('0.05', 'APR', { max: '5' }).default('0.05'),
    /** Repair orders in a row before the pair alerts and waits. */
    max_repair_attempts: z.number().int().min(1).max(100).default(3),
    thresholds: thresholdsSchema,
    feeds: feedsSchema,
  })
  .strict()
  .superRefine((p, ctx) => {
    const [a, b] = p.legs;
    if (a === undefined || b === undefined) return;
    if (a.market === 'spot' && b.market === 'spot') {
      ctx.addIssue({
        code: 'custom',
        path: ['legs'],
        message: 'at least one leg must be a perp; two spot legs carry no funding',
      });
    }
    if (a.venue === b.venue && a.market === b.market && a.symbol === b.symbol) {
      ctx.addIssue({
        code: 'custom',
        path: ['legs', 1],
        message: 'must differ from legs.0: a leg cannot hedge itself',
      });
    }
    if (a.market === 'perp' && b.market === 'perp' && a.venue === b.venue) {
      ctx.addIssue({
        code: 'custom',
        path: ['legs', 1, 'venue'],
        message: 'two perps must be on two venues (one venue nets them into one position)',
      });
    }
    const t = p.thresholds;
    if (SIGNED.test(t.exit_apr) && PLAIN.test(t.entry_apr) && !dec(t.exit_apr).lt(t.entry_apr)) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'exit_apr'],
        message: `must be below entry_apr ${t.entry_apr}, or the pair would churn`,
      });
    }
    if (t.expected_hold_hours < t.min_hold_hours) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'expected_hold_hours'],
        message: `must be at least min_hold_hours ${t.min_hold_hours}`,
      });
    }
  });

/** A pair config as written in YAML and JSON. */
export type ArbitragePairWire = z.input<typeof arbitragePairSchema>;

/** The pairs of one engine: ids unique, and no leg shared (a venue nets a symbol's position). */
export const arbitragePairsSchema = z.array(arbitragePairSchema).superRefine((pairs, ctx) => {
  const ids = new Map<string, number>();
  const legs = new Map<string, string>();
  pairs.forEach((p, i) => {
    if (ids.has(p.pair)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'pair'],
        message: `"${p.pair}" is already used by pair ${ids.get(p.pair)}`,
      });
    }
    ids.set(p.pair, i);
    p.legs.forEach((leg, j) => {
      const key = `${leg.venue}/${leg.market}/${leg.symbol}`;
      const owner = legs.get(key);
      if (owner !== undefined && owner !== p.pair) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'legs', j],
          message: `${key} is already a leg of pair "${owner}"`,
        });
      }
      legs.set(key, p.pair);
    });
  });
});

/** One leg as the pair actor takes it. */
export interface ArbitrageLegConfig extends PairLeg {
  /** Fraction of the traded value per trade (0.001 = 10 bps). */
  readonly takerFee: string;
  readonly slippage: string;
}

/** The config the pair actor takes; amounts are decimal strings, times ms. */
export interface ArbitragePairConfig {
  readonly pairId: string;
  readonly legs: Readonly<Record<LegKey, ArbitrageLegConfig>>;
  /** Base units. */
  readonly quantity: string;
  readonly firstLeg: LegKey;
  /** Base units; null = the larger step size of the legs, resolved at start. */
  readonly hedgeTolerance: string | null;
  readonly allowSpotShort: boolean;
  readonly borrowApr: string;
  readonly maxRepairAttempts: number;
  readonly entryApr: string;
  readonly exitApr: string;
  readonly minHoldMs: number;
  readonly expectedHoldMs: number;
  readonly reentryCooldownMs: number;
  readonly holdThroughFundingMs: number;
  readonly fundingStaleMs: number;
  readonly priceStaleMs: number;
}

const DEFAULT_TAKER_BPS: Readonly<Record<LegMarket, number>> = { spot: 10, perp: 5 };

/**
 * Reads a validated wire config into the frozen form.
 * @param wire - output of `arbitragePairSchema`
 * @returns the pair config, decimals normalised ("0.10" becomes "0.1")
 */
export function arbitragePairFromWire(
  wire: z.output<typeof arbitragePairSchema>,
): ArbitragePairConfig {
  const leg = (i: 0 | 1): ArbitrageLegConfig => {
    const l = wire.legs[i];
    if (!l) throw new Error(`legs.${i} is required`);
    const fee = l.taker_fee_bps ?? DEFAULT_TAKER_BPS[l.market];
    return Object.freeze({
      venue: l.venue,
      market: l.market,
      symbol: l.symbol,
      takerFee: toPlain(dec(fee).div(10_000)),
      slippage: toPlain(dec(l.slippage_bps).div(10_000)),
    });
  };
  const legs = { a: leg(0), b: leg(1) };
  const t = wire.thresholds;
  return Object.freeze({
    pairId: wire.pair,
    legs: Object.freeze(legs),
    quantity: toPlain(dec(wire.quantity)),
    firstLeg: wire.first_leg ?? (legs.b.market === 'spot' && legs.a.market === 'perp' ? 'b' : 'a'),
    hedgeTolerance: wire.hedge_tolerance === undefined ? null : toPlain(dec(wire.hedge_tolerance)),
    allowSpotShort: wire.allow_spot_short,
    borrowApr: toPlain(dec(wire.borrow_apr)),
    maxRepairAttempts: wire.max_repair_attempts,
    entryApr: toPlain(dec(t.entry_apr)),
    exitApr: toPlain(dec(t.exit_apr)),
    minHoldMs: Math.round(t.min_hold_hours * HOUR_MS),
    expectedHoldMs: Math.round(t.expected_hold_hours * HOUR_MS),
    reentryCooldownMs: Math.round(t.reentry_cooldown_minutes * MINUTE_MS),
    holdThroughFundingMs: Math.round(t.hold_through_funding_minutes * MINUTE_MS),
    fundingStaleMs: wire.feeds.funding_stale_ms,
    priceStaleMs: wire.feeds.price_stale_ms,
  });
}

/**
 * Validates a pair from YAML or a request body.
 * @returns the pair config, or every problem as "field: reason"
 */
export function parseArbitragePair(
  raw: unknown,
): { ok: true; config: ArbitragePairConfig } | { ok: false; problems: string[] } {
  const parsed = arbitragePairSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      ),
    };
  }
  return { ok: true, config: arbitragePairFromWire(parsed.data) };
}

/** The decision thresholds of a pair config, as decimals. */
export function thresholdsOf(config: ArbitragePairConfig): ArbitrageThresholds {
  const costs = (leg: ArbitrageLegConfig) => ({
    takerFee: dec(leg.takerFee),
    slippage: dec(leg.slippage),
  });
  return {
    entryApr: dec(config.entryApr),
    exitApr: dec(config.exitApr),
    minHoldMs: config.minHoldMs,
    expectedHoldMs: config.expectedHoldMs,
    reentryCooldownMs: config.reentryCooldownMs,
    holdThroughFundingMs: config.holdThroughFundingMs,
    allowSpotShort: config.allowSpotShort,
    borrowApr: dec(config.borrowApr),
    costs: { a: costs(config.legs.a), b: costs(config.legs.b) },
  };
}

/**
 * The hedge tolerance a pair runs with: the configured one, else the larger step size.
 * @param infos - the venues' symbol info of both legs
 */
export function hedgeToleranceOf(
  config: ArbitragePairConfig,
  infos: Readonly<Record<LegKey, SymbolInfo>>,
): Decimal {
  const step = infos.a.stepSize.gt(infos.b.stepSize) ? infos.a.stepSize : infos.b.stepSize;
  return config.hedgeTolerance === null ? step : dec(config.hedgeTolerance);
}

/**
 * Checks a pair against its venues' filters, so a pair whose orders a venue would refuse is
 * turned away before it trades.
 * @param infos - the venues' symbol info of both legs
 * @param referencePrice - a current price of the first leg, for the minimum order value (quote)
 * @returns one "field: reason" per problem; empty when the pair fits
 */
export function arbitrageVenueFitProblems(
  config: ArbitragePairConfig,
  infos: Readonly<Record<LegKey, SymbolInfo>>,
  referencePrice: Decimal,
): string[] {
  const problems: string[] = [];
  const first = infos[config.firstLeg];
  const quantity = dec(config.quantity);
  if (!isMultipleOf(quantity, first.stepSize)) {
    problems.push(
      `quantity: must be a multiple of the first leg's step size ${toPlain(first.stepSize)}, was ${config.quantity}`,
    );
  }
  for (const key of ['a', 'b'] as const) {
    if (quantity.lt(infos[key].minQuantity)) {
      problems.push(
        `quantity: must be at least leg ${key}'s minimum ${toPlain(infos[key].minQuantity)}, was ${config.quantity}`,
      );
    }
    if (quantity.mul(referencePrice).lt(infos[key].minNotional)) {
      problems.push(
        `quantity: ${config.quantity} x price ${toPlain(referencePrice)} is below leg ${key}'s minimum order value ${toPlain(infos[key].minNotional)}`,
      );
    }
  }
  const tolerance = hedgeToleranceOf(config, infos);
  for (const key of ['a', 'b'] as const) {
    if (tolerance.lt(infos[key].stepSize)) {
      problems.push(
        `hedge_tolerance: must be at least leg ${key}'s step size ${toPlain(infos[key].stepSize)}, was ${toPlain(tolerance)}`,
      );
    }
  }
  if (tolerance.gte(quantity)) {
    problems.push(
      `hedge_tolerance: must be below quantity ${config.quantity}, was ${toPlain(tolerance)}`,
    );
  }
  return problems;
}
