/**
 * @module client-order-id
 * Deterministic client order ids for grid slots, and the parser that reads them back.
 *
 * An id is a pure function of (symbol, slot index, side, generation), so replaying the same events
 * after a crash mints the same ids and the venue's duplicate check catches a double submit. The
 * slot bumps its generation on every placement, so no id is ever reused. Ids use only
 * [A-Za-z0-9], which Binance, Bybit, Gate and Bitget accept and OKX requires, and stay within 26
 * characters so that Gate's `t-` prefix still fits its 28 (OKX allows 32, the others more).
 *
 * Layout: `osq` + symbol tag (6 × [0-9A-Z]) + side (`b`|`s`) + slot sign (`p`|`m`) + |slot| (1–6
 * digits) + `g` + generation (1–8 digits). `osqSF4RCCsp12g7` is BTCUSDT slot 12's 7th order, a
 * sell.
 */
import type { ClientOrderId, Side } from '../core/types.js';

/** Marks an order as ours; recovery treats any id without it as foreign. */
export const CLIENT_ORDER_ID_PREFIX = 'osq';

/** Longest id we mint: Gate's 28 less its `t-` prefix, the tightest of the venues we trade. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 26;

/** Largest |slot index| an id can carry (six digits). */
export const MAX_SLOT_INDEX = 999_999;

/** Largest generation an id can carry (eight digits: years of placements for one slot). */
export const MAX_GENERATION = 99_999_999;

const TAG_LENGTH = 6;
const TAG_SPACE = 36 ** TAG_LENGTH;
const ID_PATTERN = /^osq([0-9A-Z]{6})([bs])([pm])(0|[1-9][0-9]{0,5})g([1-9][0-9]{0,7})$/;

/** What an id of ours says about the order it names. */
export interface ClientOrderIdParts {
  /** `symbolTag(symbol)` of the symbol the order was minted for. */
  readonly symbolTag: string;
  readonly slotIndex: number;
  readonly side: Side;
  /** The slot's placement counter when the order was minted; starts at 1. */
  readonly generation: number;
}

/**
 * A fixed-width tag for a symbol: FNV-1a 32-bit reduced to six base-36 digits. The venue files
 * every order under its symbol already; the tag only keeps ids of different symbols apart and
 * lets recovery check that an id was minted for the symbol it is looking at.
 * @param symbol - exchange-native symbol, e.g. BTCUSDT
 * @returns six characters of [0-9A-Z]
 */
export function symbolTag(symbol: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    hash ^= symbol.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % TAG_SPACE).toString(36).toUpperCase().padStart(TAG_LENGTH, '0');
}

/**
 * Mints the client order id for one placement by one slot.
 * @param symbol - exchange-native symbol, e.g. BTCUSDT
 * @param slotIndex - lattice level of the slot; may be negative
 * @param side - side of the order
 * @param generation - the slot's placement counter for this order, from 1
 * @returns the id, at most 26 characters of [A-Za-z0-9]
 * @throws {RangeError} when slotIndex or generation is not an integer in range
 */
export function clientOrderIdFor(
  symbol: string,
  slotIndex: number,
  side: Side,
  generation: number,
): ClientOrderId {
  if (!Number.isSafeInteger(slotIndex) || Math.abs(slotIndex) > MAX_SLOT_INDEX) {
    throw new RangeError(
      `slotIndex must be an integer within ±${MAX_SLOT_INDEX}, was ${slotIndex}`,
    );
  }
  if (!Number.isSafeInteger(generation) || generation < 1 || generation > MAX_GENERATION) {
    throw new RangeError(
      `generation must be an integer in 1..${MAX_GENERATION}, was ${generation}`,
    );
  }
  const head = `${CLIENT_ORDER_ID_PREFIX}${symbolTag(symbol)}${side === 'BUY' ? 'b' : 's'}`;
  const slot = `${slotIndex < 0 ? 'm' : 'p'}${Math.abs(slotIndex)}`;
  return `${head}${slot}g${generation}` as ClientOrderId;
}

/**
 * Reads an id back into its parts. Only the exact form `clientOrderIdFor` produces is accepted,
 * so parse and mint are inverse and a foreign id never passes for ours.
 * @param id - any client order id seen on the venue
 * @returns the parts, or null when the id is not one of ours
 */
export function parseClientOrderId(id: string): ClientOrderIdParts | null {
  const m = ID_PATTERN.exec(id);
  if (!m) return null;
  const [, tag = '', sideCode, sign, digits = '', generation = ''] = m;
  if (sign === 'm' && digits === '0') return null;
  const magnitude = Number(digits);
  return {
    symbolTag: tag,
    side: sideCode === 'b' ? 'BUY' : 'SELL',
    slotIndex: sign === 'm' ? -magnitude : magnitude,
    generation: Number(generation),
  };
}

/**
 * True when `id` is one of ours and was minted for `symbol`.
 * @param id - any client order id seen on the venue
 * @param symbol - exchange-native symbol the order is filed under
 * @returns whether recovery should adopt the order
 */
export function isClientOrderIdFor(id: string, symbol: string): boolean {
  return parseClientOrderId(id)?.symbolTag === symbolTag(symbol);
}
