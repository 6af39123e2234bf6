/**
 * @module actors/engine/symbol.config
 * The grid config of one traded symbol, as the YAML config, the admin API and the active-symbols
 * table all spell it (snake_case JSON), and the frozen camelCase object the symbol actor takes.
 * One schema serves all three, so a field means the same thing everywhere and a bad value is
 * reported with the same "field: reason" text by the config loader and by `POST /symbols`.
 */
import { z } from 'zod';

import type { SymbolInfo } from '../../core/exchange.types.js';
import { checkDecimal, dec, isMultipleOf, toPlain } from '../../core/decimal.js';
import type { GridMode } from '../../machines/grid-lattice.js';
import type { SymbolId } from '../../core/types.js';

/** Most levels one side of a grid may have: each level is one resting order on the venue. */
export const MAX_GRID_LEVELS = 100;

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** Longest decimal string a grid field takes: 20 integer digits and 18 decimals fit. */
export const MAX_DECIMAL_CHARS = 40;

const positiveDecimal = (example: string, unit: string) =>
  z
    .string({ error: `must be a decimal string in ${unit}, e.g. "${example}"` })
    .regex(PLAIN_DECIMAL, `must be a plain decimal string in ${unit}, e.g. "${example}"`)
    // Zod runs every check; a string the regex refused gets no second complaint here. The
    // bounds (length, digits, magnitude) are core/decimal's, checked before any arithmetic.
    .superRefine((v, ctx) => {
      if (v.length > MAX_DECIMAL_CHARS) {
        const message = `must be at most ${MAX_DECIMAL_CHARS} characters (was ${v.length} characters), e.g. "${example}"`;
        ctx.addIssue({ code: 'custom', message });
        return;
      }
      if (!PLAIN_DECIMAL.test(v)) return;
      const problem = checkDecimal(v);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      else if (!dec(v).gt(0)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be greater than zero (${unit}), e.g. "${example}"`,
        });
      }
    });

const levels = (side: string) =>
  z
    .number({ error: `must be a whole number of levels ${side} the anchor, e.g. 3` })
    .int(`must be a whole number of levels ${side} the anchor, e.g. 3`)
    .min(0, `must be 0 or more levels ${side} the anchor`)
    .max(MAX_GRID_LEVELS, `must be at most ${MAX_GRID_LEVELS} levels ${side} the anchor`);

/** An exchange-native symbol such as BTCUSDT. */
export const symbolIdSchema = z
  .string({ error: 'must be an exchange symbol such as "BTCUSDT"' })
  .regex(/^[A-Z0-9]{2,24}$/, 'must be an exchange symbol in capitals, such as "BTCUSDT"')
  .transform((s) => s as SymbolId);

/** `grid.trailing`: the window re-centres on the price; optional bounds pin it to a range. */
const trailingSchema = z
  .object({
    /** The window's centre stays within the anchor level ± this many levels; default unbounded. */
    max_drift_levels: z
      .number({ error: 'must be a whole number of levels, e.g. 20' })
      .int('must be a whole number of levels, e.g. 20')
      .min(1, 'must be at least 1 level')
      .max(100_000, 'must be at most 100000 levels')
      .optional(),
    /** No entry below this price, quote units; default none. */
    lower_price: positiveDecimal('90000', 'quote units').optional(),
    /** No entry above this price, quote units; default none. */
    upper_price: positiveDecimal('110000', 'quote units').optional(),
  })
  .strict()
  .refine(
    (t) =>
      t.lower_price === undefined ||
      t.upper_price === undefined ||
      dec(t.lower_price).lt(t.upper_price),
    { message: 'must be below trailing.upper_price', path: ['lower_price'] },
  );

/** `grid.dynamic_interval`: new lattices use max(interval, ATR × atr_scale). */
const dynamicIntervalSchema = z
  .object({
    /** Multiplier on the average true range. */
    atr_scale: positiveDecimal('0.5', 'a multiple of the ATR'),
    /** Closed candles the ATR averages over; default 14. */
    atr_window: z
      .number({ error: 'must be a whole number of candles, e.g. 14' })
      .int('must be a whole number of candles, e.g. 14')
      .min(2, 'must be at least 2 candles')
      .max(500, 'must be at most 500 candles')
      .default(14),
    /** Candle length the ATR is measured on; default 1m. */
    candle_interval: z
      .enum(['1m', '3m', '5m', '15m', '30m', '1h', '4h'], {
        error: 'must be one of 1m, 3m, 5m, 15m, 30m, 1h, 4h',
      })
      .default('1m'),
    /** Largest interval a lattice may get, quote units; default 10 × interval. */
    max_interval: positiveDecimal('500', 'quote units').optional(),
  })
  .strict();

/** `grid.inventory_skew`: centre = price × (1 − inventory × factor), capped. */
const inventorySkewSchema = z
  .object({
    /** Fraction of the price the centre moves per base unit held, e.g. "0.01". */
    factor: positiveDecimal('0.01', 'fraction of the price per base unit'),
    /** The most the centre moves either way, percent of the price; default 2. */
    max_shift_pct: positiveDecimal('2', 'percent of the price')
      .refine((v) => !/^\d+(\.\d+)?$/.test(v) || dec(v).lte(50), 'must be at most 50 (percent)')
      .default('2'),
  })
  .strict();

/** The wire (snake_case) grid config; every field is documented with its unit and default. */
export const gridConfigSchema = z
  .object({
    /** Lattice levels under the anchor that get a slot (buy side); default 3. */
    levels_below: levels('below').default(3),
    /** Lattice levels over the anchor that get a slot; default 3. */
    levels_above: levels('above').default(3),
    /** Distance between levels in quote units; a multiple of the venue's tick size. */
    interval: positiveDecimal('50', 'quote units'),
    /** Size of every opening order in BASE units (BTC for BTCUSDT), never quote notional. */
    order_quantity: positiveDecimal('0.001', 'base units'),
    /** `long` buys to open and sells to close; `neutral` also opens shorts above the market. */
    mode: z.enum(['long', 'neutral'], { error: 'must be "long" or "neutral"' }).default('long'),
    /** Price of level 0 in quote units; default: the market price at the first start. */
    anchor_price: positiveDecimal('100000', 'quote units').optional(),
    /** Trailing window (off when absent): the window follows the price on the same lattice. */
    trailing: trailingSchema.optional(),
    /** Volatility-widened interval for new lattices (off when absent). */
    dynamic_interval: dynamicIntervalSchema.optional(),
    /** Inventory skew of the trailing window's centre (off when absent; needs `trailing`). */
    inventory_skew: inventorySkewSchema.optional(),
    /**
     * Dynamic slippage (REQ-RISK-002), basis points of the level price: an entry whose level
     * would cross the order book is placed at the best non-crossing price when that is within
     * this distance of its level, else skipped. Absent: 0, a crossing entry is skipped.
     */
    max_slippage_bps: z
      .number({ error: 'must be a number of basis points, e.g. 5' })
      .min(0, 'must be 0 or more basis points')
      .max(1000, 'must be at most 1000 basis points (10 %)')
      .optional(),
  })
  .strict()
  .refine((g) => g.levels_below + g.levels_above > 0, {
    message: 'a grid needs at least one level: set levels_below or levels_above above 0',
    path: ['levels_below'],
  })
  .refine((g) => g.inventory_skew === undefined || g.trailing !== undefined, {
    message:
      "skews the trailing window's centre: add a trailing section (e.g. trailing: {}) or remove inventory_skew",
    path: ['inventory_skew'],
  })
  .refine(
    (g) =>
      g.dynamic_interval?.max_interval === undefined ||
      !dec(g.dynamic_interval.max_interval).lt(g.interval),
    {
      message: 'must be at least grid.interval: the dynamic interval never goes under it',
      path: ['dynamic_interval', 'max_interval'],
    },
  );

/** A grid config as written in YAML and JSON. */
export type GridConfigWire = z.input<typeof gridConfigSchema>;

/** The grid config the symbol actor takes; prices are decimal strings in quote units. */
export interface GridConfig {
  readonly levelsBelow: number;
  readonly levelsAbove: number;
  readonly interval: string;
  /** Base units. */
  readonly orderQuantity: string;
  readonly mode: GridMode;
  /** Null: anchor at the market price when the grid is first built. */
  readonly anchorPrice: string | null;
  /** Trailing window; absent or null: the window stays where the config puts it. */
  readonly trailing?: TrailingConfig | null;
  /** Volatility-widened interval of new lattices; absent or null: off. */
  readonly dynamicInterval?: DynamicIntervalConfig | null;
  /** Inventory skew of the trailing centre; absent or null: off. */
  readonly inventorySkew?: InventorySkewConfig | null;
  /** Dynamic slippage bound of a crossing entry, basis points; absent: 0. */
  readonly maxSlippageBps?: number;
}

/** `grid.trailing` in frozen form; null fields are unbounded. */
export interface TrailingConfig {
  readonly maxDriftLevels: number | null;
  /** Quote units. */
  readonly lowerPrice: string | null;
  /** Quote units. */
  readonly upperPrice: string | null;
}

/** `grid.dynamic_interval` in frozen form. */
export interface DynamicIntervalConfig {
  readonly atrScale: string;
  readonly atrWindow: number;
  /** Candle length, e.g. "1m". */
  readonly candleInterval: string;
  /** Quote units; 10 × interval unless configured. */
  readonly maxInterval: string;
}

/** `grid.inventory_skew` in frozen form. */
export interface InventorySkewConfig {
  /** Fraction of the price per base unit held. */
  readonly factor: string;
  /** Percent of the price. */
  readonly maxShiftPct: string;
}

/** One traded symbol with its grid, as the YAML `symbols` list and `POST /symbols` take it. */
export const symbolEntrySchema = z
  .object({ symbol: symbolIdSchema, grid: gridConfigSchema })
  .strict();

/**
 * Reads a validated wire config into the frozen form.
 * @param wire - output of `gridConfigSchema`
 * @returns the grid config, amounts normalised ("50.0" becomes "50")
 */
export function gridConfigFromWire(wire: z.output<typeof gridConfigSchema>): GridConfig {
  return Object.freeze({
    levelsBelow: wire.levels_below,
    levelsAbove: wire.levels_above,
    interval: dec(wire.interval).toFixed(),
    orderQuantity: dec(wire.order_quantity).toFixed(),
    mode: wire.mode,
    anchorPrice: wire.anchor_price === undefined ? null : dec(wire.anchor_price).toFixed(),
    // The optional features appear only when configured, so a plain grid reads as before
    ...(wire.trailing && {
      trailing: Object.freeze({
        maxDriftLevels: wire.trailing.max_drift_levels ?? null,
        lowerPrice: plainOrNull(wire.trailing.lower_price),
        upperPrice: plainOrNull(wire.trailing.upper_price),
      }),
    }),
    ...(wire.dynamic_interval && {
      dynamicInterval: Object.freeze({
        atrScale: dec(wire.dynamic_interval.atr_scale).toFixed(),
        atrWindow: wire.dynamic_interval.atr_window,
        candleInterval: wire.dynamic_interval.candle_interval,
        maxInterval: dec(
          wire.dynamic_interval.max_interval ?? dec(wire.interval).mul(10),
        ).toFixed(),
      }),
    }),
    ...(wire.inventory_skew && {
      inventorySkew: Object.freeze({
        factor: dec(wire.inventory_skew.factor).toFixed(),
        maxShiftPct: dec(wire.inventory_skew.max_shift_pct).toFixed(),
      }),
    }),
    ...(wire.max_slippage_bps !== undefined && { maxSlippageBps: wire.max_slippage_bps }),
  });
}

function plainOrNull(value: string | undefined): string | null {
  return value === undefined ? null : dec(value).toFixed();
}

/**
 * The wire form of a grid config, as stored in `active_symbols.config` and shown by the API.
 * @param grid - a grid config
 * @returns snake_case JSON that `gridConfigSchema` reads back to the same config
 */
export function gridConfigToWire(grid: GridConfig): z.output<typeof gridConfigSchema> {
  return {
    levels_below: grid.levelsBelow,
    levels_above: grid.levelsAbove,
    interval: grid.interval,
    order_quantity: grid.orderQuantity,
    mode: grid.mode,
    ...(grid.anchorPrice === null ? {} : { anchor_price: grid.anchorPrice }),
    ...(grid.trailing ? { trailing: trailingToWire(grid.trailing) } : {}),
    ...(grid.dynamicInterval
      ? {
          dynamic_interval: {
            atr_scale: grid.dynamicInterval.atrScale,
            atr_window: grid.dynamicInterval.atrWindow,
            candle_interval: grid.dynamicInterval.candleInterval as '1m',
            max_interval: grid.dynamicInterval.maxInterval,
          },
        }
      : {}),
    ...(grid.inventorySkew
      ? {
          inventory_skew: {
            factor: grid.inventorySkew.factor,
            max_shift_pct: grid.inventorySkew.maxShiftPct,
          },
        }
      : {}),
    ...(grid.maxSlippageBps !== undefined && { max_slippage_bps: grid.maxSlippageBps }),
  };
}

function trailingToWire(t: TrailingConfig): NonNullable<z.output<typeof trailingSchema>> {
  return {
    ...(t.maxDriftLevels === null ? {} : { max_drift_levels: t.maxDriftLevels }),
    ...(t.lowerPrice === null ? {} : { lower_price: t.lowerPrice }),
    ...(t.upperPrice === null ? {} : { upper_price: t.upperPrice }),
  };
}

/**
 * Parses a stored config (the `active_symbols.config` JSON).
 * @param stored - JSON read from the database
 * @returns the grid config
 * @throws {Error} naming the first bad field when the stored JSON is not a valid grid config
 */
export function parseStoredGridConfig(stored: unknown): GridConfig {
  const parsed = gridConfigSchema.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`stored grid config ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return gridConfigFromWire(parsed.data);
}

/**
 * True when two configs build the same grid (same lattice, size, mode and window).
 * @param a - one config
 * @param b - the other
 * @returns whether they are equal field by field
 */
export function sameGridConfig(a: GridConfig, b: GridConfig): boolean {
  return (
    a.levelsBelow === b.levelsBelow &&
    a.levelsAbove === b.levelsAbove &&
    a.interval === b.interval &&
    a.orderQuantity === b.orderQuantity &&
    a.mode === b.mode &&
    a.anchorPrice === b.anchorPrice &&
    JSON.stringify(gridConfigToWire(a)) === JSON.stringify(gridConfigToWire(b))
  );
}

/**
 * Checks a grid against the venue's filters for the symbol, and that every level it quotes has a
 * positive price, so a grid whose orders the venue would refuse is turned away before it trades.
 * @param grid - the grid config
 * @param info - the venue's symbol info (tick, step, minimums)
 * @param referencePrice - a current price, for the minimum notional check (quote units)
 * @param anchorPrice - where level 0 will sit (quote units); default the configured anchor, else
 *   the reference price rounded to the tick, as a new lattice is anchored
 * @returns one "field: reason" per problem; empty when the grid fits
 */
export function venueFitProblems(
  grid: GridConfig,
  info: SymbolInfo,
  referencePrice: string,
  anchorPrice: string = grid.anchorPrice ?? toPlain(dec(referencePrice).toNearest(info.tickSize)),
): string[] {
  const problems: string[] = [];
  const tick = toPlain(info.tickSize);
  const step = toPlain(info.stepSize);
  if (!isMultipleOf(dec(grid.interval), info.tickSize)) {
    problems.push(
      `grid.interval: must be a multiple of the tick size ${tick}, was ${grid.interval}`,
    );
  }
  if (grid.anchorPrice !== null && !isMultipleOf(dec(grid.anchorPrice), info.tickSize)) {
    problems.push(
      `grid.anchor_price: must be a multiple of the tick size ${tick}, was ${grid.anchorPrice}`,
    );
  }
  const lowest = dec(anchorPrice).sub(dec(grid.interval).mul(grid.levelsBelow));
  if (grid.levelsBelow > 0 && !lowest.gt(0)) {
    const most = dec(anchorPrice).div(grid.interval).ceil().sub(1).toNumber();
    problems.push(
      `grid.levels_below: the lowest level would be at ${toPlain(lowest)} (anchor ${anchorPrice} ` +
        `- ${grid.levelsBelow} x interval ${grid.interval}); every level must be above 0: use at ` +
        `most ${Math.max(0, most)} levels below, or a smaller interval`,
    );
  }
  const quantity = dec(grid.orderQuantity);
  if (!isMultipleOf(quantity, info.stepSize)) {
    problems.push(
      `grid.order_quantity: must be a multiple of the step size ${step}, was ${grid.orderQuantity}`,
    );
  }
  if (quantity.lt(info.minQuantity)) {
    problems.push(
      `grid.order_quantity: must be at least ${toPlain(info.minQuantity)}, was ${grid.orderQuantity}`,
    );
  }
  const notional = quantity.mul(grid.anchorPrice ?? referencePrice);
  if (notional.lt(info.minNotional)) {
    problems.push(
      `grid.order_quantity: ${grid.orderQuantity} x price ${grid.anchorPrice ?? referencePrice} ` +
        `is below the minimum order value ${toPlain(info.minNotional)}; raise the quantity`,
    );
  }
  return problems;
}
