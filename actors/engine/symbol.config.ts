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
  })
  .strict()
  .refine((g) => g.levels_below + g.levels_above > 0, {
    message: 'a grid needs at least one level: set levels_below or levels_above above 0',
    path: ['levels_below'],
  });

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
  });
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
    a.anchorPrice === b.anchorPrice
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
