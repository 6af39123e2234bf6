/**
 * @module core/decimal
 * The one decimal module: every price, quantity, fee, PnL and rate is a decimal.js value in memory
 * and a plain decimal string ("45000", "0.0005", never "1e-7") on the wire and in JSON.
 *
 * Every decimal string enters through `parseDecimal` (or `dec`, which uses it): exactly the
 * google.type.Decimal grammar (`[+|-] digits [. digits] [e|E [+|-] digits]`, no hex, binary,
 * underscores, whitespace, Infinity or NaN, which decimal.js alone would take) within bounds
 * checked before decimal.js does any arithmetic or formatting. Without the bounds one 37-byte
 * "1e199999999" made `toFixed()` build a 200-million-digit string and took the process down.
 */
import { Decimal } from 'decimal.js';
import { quoteInput } from './errors.js';

// 40 significant digits keep balance x price products exact for every venue we trade; exponent
// thresholds are widened so toString() never switches to scientific notation for money.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

export { Decimal };

/** Anything a decimal can be built from without losing precision (never a float from arithmetic). */
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);

/** What a decimal may be; anything outside is refused before decimal.js computes with it. */
export const DECIMAL_LIMITS = {
  /** Longest accepted text, in characters: the plain form of any accepted value fits. */
  maxTextLength: 128,
  /** Most significant digits: the arithmetic precision, so no input is rounded silently. */
  maxSignificantDigits: 40,
  /** Largest decimal exponent of a nonzero value: |value| < 1e30. */
  maxExponent: 29,
  /**
   * Smallest decimal exponent of a nonzero value: |value| >= 1e-60. Far below any tick, so the
   * residue of 40-digit arithmetic on small prices still crosses the wire and the database.
   */
  minExponent: -60,
  /** Longest plain string (`toPlain`) of an accepted value: "-0.", 59 zeros, 40 digits. */
  maxPlainLength: 102,
} as const;

/** A decimal string refused by the grammar or the bounds; the message says which and why. */
export class DecimalFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecimalFormatError';
  }
}

// google.type.Decimal: [Sign] Significand [Exponent]; Significand = Digits ['.'] [Digits] | '.' Digits
const GRAMMAR = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:Infinity|NaN)$/i;
/** Exponent digits beyond this are out of range whatever the significand (|exponent| < 1e6). */
const MAX_EXPONENT_DIGITS = 6;
/** decimal.js keeps 7 decimal digits per element of `d`: shorter arrays cannot exceed the limit. */
const SAFE_DIGIT_WORDS = Math.floor(DECIMAL_LIMITS.maxSignificantDigits / 7);

/**
 * Why `text` is not an acceptable decimal, or undefined when it is (for validators that collect
 * problems instead of throwing). Quotes at most a short prefix of the text.
 */
export function checkDecimal(text: string): string | undefined {
  if (text.length > DECIMAL_LIMITS.maxTextLength) {
    return `${quoteInput(text)} is too long for a decimal: at most ${DECIMAL_LIMITS.maxTextLength} characters`;
  }
  if (NON_FINITE.test(text)) return `${quoteInput(text)} is not a finite decimal number`;
  if (!GRAMMAR.test(text)) {
    return `${quoteInput(text)} is not a decimal number; send digits with an optional sign, point and exponent, such as "0.01"`;
  }
  const e = text.search(/[eE]/);
  if (
    e >= 0 &&
    text.length - e - 1 - (/[+-]/.test(text[e + 1] ?? '') ? 1 : 0) > MAX_EXPONENT_DIGITS
  ) {
    return outOfRange(text);
  }
  return boundsProblem(new Decimal(text), text);
}

/**
 * Parses a decimal string: exactly the google.type.Decimal grammar, within `DECIMAL_LIMITS`.
 * @throws {DecimalFormatError} saying what is wrong, quoting at most a short prefix of `text`
 */
export function parseDecimal(text: string): Decimal {
  if (text.length > DECIMAL_LIMITS.maxTextLength || !GRAMMAR.test(text)) {
    throw new DecimalFormatError(checkDecimal(text) ?? 'not a decimal');
  }
  const e = text.search(/[eE]/);
  if (
    e >= 0 &&
    text.length - e - 1 - (/[+-]/.test(text[e + 1] ?? '') ? 1 : 0) > MAX_EXPONENT_DIGITS
  ) {
    throw new DecimalFormatError(outOfRange(text));
  }
  const d = new Decimal(text);
  const problem = boundsProblem(d, text);
  if (problem !== undefined) throw new DecimalFormatError(problem);
  return d;
}

/**
 * A decimal from a string (through `parseDecimal`), a finite number or a Decimal, within bounds.
 * @throws {DecimalFormatError} when the input is not a decimal or is out of bounds
 */
export function dec(value: DecimalInput): Decimal {
  if (typeof value === 'string') return parseDecimal(value);
  const d = value instanceof Decimal ? value : new Decimal(value);
  const problem = boundsProblem(d, String(value));
  if (problem !== undefined) throw new DecimalFormatError(problem);
  return d;
}

function outOfRange(text: string): string {
  return `${quoteInput(text)} is out of range: a decimal must be zero or between 1e${DECIMAL_LIMITS.minExponent} and 1e${DECIMAL_LIMITS.maxExponent + 1} in size`;
}

/** Bounds of a parsed value; O(1) except for the digit count of long values. */
function boundsProblem(d: Decimal, text: string): string | undefined {
  if (!d.isFinite()) return `${quoteInput(text)} is not a finite decimal number`;
  if (d.isZero()) return undefined;
  if (d.e > DECIMAL_LIMITS.maxExponent || d.e < DECIMAL_LIMITS.minExponent) return outOfRange(text);
  if (d.d.length > SAFE_DIGIT_WORDS) {
    const digits = d.sd();
    if (digits > DECIMAL_LIMITS.maxSignificantDigits) {
      return `${quoteInput(text)} has ${digits} significant digits; at most ${DECIMAL_LIMITS.maxSignificantDigits} are kept`;
    }
  }
  return undefined;
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
