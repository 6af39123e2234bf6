/**
 * @module core/decimal
 * The one decimal module: every price, quantity, fee, PnL and rate is a decimal.js value in memory
 * and a plain decimal string ("45000", "0.0005", never "1e-7") on the wire and in JSON.
 */
import { Decimal } from 'decimal.js';

// 40 significant digits keep balance x price products exact for every venue we trade; exponent
// thresholds are widened so toString() never switches to scientific notation for money.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

export { Decimal };

/** Anything a decimal can be built from without losing precision (never a float from arithmetic). */
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);

/**
 * Parses a decimal from a string or Decimal.
 * @throws {Error} when the input is not a finite decimal number
 */
export function dec(value: DecimalInput): Decimal {
  const d = value instanceof Decimal ? value : new Decimal(value);
  if (!d.isFinite()) throw new Error(`not a finite decimal, was ${String(value)}`);
  return d;
}

/** Plain decimal string with trailing zeros stripped: "1.50" -> "1.5", "1e3" -> "1000". */
export function toPlain(value: Decimal): string {
  return value.toFixed();
}

/** True when `value` is an exact multiple of `step` (a positive step). */
export function isMultipleOf(value: Decimal, step: Decimal): boolean {
  return step.isZero() || value.mod(step).isZero();
}

/** Rounds `value` down (toward zero) to a multiple of `step`. */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  return step.isZero() ? value : value.divToInt(step).mul(step);
}

/** Rounds `value` up (away from zero) to a multiple of `step`. */
export function ceilToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  const q = value.div(step);
  return (q.isInteger() ? q : q.trunc().add(value.isNegative() ? -1 : 1)).mul(step);
}
