/**
 * @module actors/book/level-codec
 * Book levels across a thread boundary without text: each decimal travels as decimal.js's own
 * documented representation (sign `s`, exponent `e`, base-1e7 digit words `d`) in one
 * Float64Array per side, which is transferred rather than copied, and is rebuilt through the
 * Decimal constructor's copy path. Exact (every word is an integer below 1e7) and free of the
 * toFixed/parse round trip that would otherwise cost more than the math it moves off the
 * main thread.
 */
import { Decimal } from '../../core/decimal.js';
import type { BookLevel } from '../../core/exchange.types.js';

/** decimal.js's representation of a finite value. */
interface DecimalParts {
  readonly s: number;
  readonly e: number;
  readonly d: readonly number[];
}

/** What the Decimal constructor recognises as a Decimal to copy (decimal.js `isDecimalInstance`). */
const DECIMAL_TAG = '[object Decimal]';

function partsOf(value: Decimal): DecimalParts {
  const parts = value as unknown as { s: number; e: number; d: number[] | null };
  if (parts.d === null) throw new Error(`book level is not finite: ${value.toString()}`);
  return { s: parts.s, e: parts.e, d: parts.d };
}

/**
 * Packs levels: [count, then per level its price and its quantity as s, e, word count, words].
 * @throws {Error} for a level that is not finite (a decoded book never has one)
 */
export function packLevels(levels: readonly BookLevel[]): Float64Array {
  let size = 1;
  for (const level of levels) {
    size += 6 + partsOf(level.price).d.length + partsOf(level.quantity).d.length;
  }
  const out = new Float64Array(size);
  out[0] = levels.length;
  let at = 1;
  const put = (value: Decimal): void => {
    const { s, e, d } = partsOf(value);
    out[at++] = s;
    out[at++] = e;
    out[at++] = d.length;
    for (const word of d) out[at++] = word;
  };
  for (const level of levels) {
    put(level.price);
    put(level.quantity);
  }
  return out;
}

/** Rebuilds the levels `packLevels` packed, digit for digit. */
export function unpackLevels(packed: Float64Array): BookLevel[] {
  const count = packed[0] ?? 0;
  const levels: BookLevel[] = new Array<BookLevel>(count);
  let at = 1;
  const take = (): Decimal => {
    const s = packed[at++] as number;
    const e = packed[at++] as number;
    const n = packed[at++] as number;
    const d = Array.from(packed.subarray(at, at + n));
    at += n;
    return new Decimal({ s, e, d, toStringTag: DECIMAL_TAG } as unknown as Decimal);
  };
  for (let i = 0; i < count; i++) {
    const price = take();
    levels[i] = { price, quantity: take() };
  }
  return levels;
}
