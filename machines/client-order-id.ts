/**
 * @module client-order-id
 * Deterministic client order ids for grid slots, and the parser that reads them back.
 *
 * An id is a pure function of (namespace, symbol, slot index, side, generation), so replaying the
 * same events after a crash mints the same ids and a double submit is recognised. The slot bumps
 * its generation on every placement, so no id is ever reused. The namespace belongs to one engine
 * instance (stored once in its database, or set in its config), so two engines trading one
 * account and symbol never mint the same id and never take each other's orders for their own.
 *
 * Ids use only [A-Za-z0-9], which Binance, Bybit, Gate and Bitget accept and OKX requires, and
 * stay within 26 characters so that Gate's `t-` prefix still fits its 28 (OKX allows 32, the
 * others more).
 *
 * Layout: `oq` + namespace (4 × [0-9A-Z]) + symbol tag (3 × [0-9A-Z]) + side (`b`|`s`) + slot
 * sign (`p`|`m`) + |slot| (1–6 digits) + `g` + generation (1–8 digits). `oqK7Q2RCCsp12g7` is
 * slot 12's 7th order, a sell, of the engine whose namespace is K7Q2, on BTCUSDT.
 *
 * Ids minted before namespaces existed (`osq` + 6-character tag + the same tail) still parse:
 * they carry no namespace and recovery treats them as this engine's own (legacy) orders.
 */
import type { ClientOrderId, Side } from '../core/types.js';

/** Marks an order as minted by an OpenSQT engine (any instance). */
export const CLIENT_ORDER_ID_PREFIX = 'oq';

/** The prefix of ids minted before namespaces existed. */
export const LEGACY_CLIENT_ORDER_ID_PREFIX = 'osq';

/** Longest id we mint: Gate's 28 less its `t-` prefix, the tightest of the venues we trade. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 26;

/** Largest |slot index| an id can carry (six digits). */
export const MAX_SLOT_INDEX = 999_999;

/** Largest generation an id can carry (eight digits: years of placements for one slot). */
export const MAX_GENERATION = 99_999_999;

/** Characters of an instance namespace. */
export const NAMESPACE_LENGTH = 4;

const NAMESPACE_PATTERN = /^[0-9A-Z]{4}$/;
const TAG_LENGTH = 3;
const LEGACY_TAG_LENGTH = 6;
const TAIL = '([bs])([pm])(0|[1-9][0-9]{0,5})g([1-9][0-9]{0,7})';
const ID_PATTERN = new RegExp(`^oq([0-9A-Z]{4})([0-9A-Z]{3})${TAIL}$`);
const LEGACY_PATTERN = new RegExp(`^osq([0-9A-Z]{6})${TAIL}$`);

/** What an id of ours says about the order it names. */
export interface ClientOrderIdParts {
  /** The minting engine's namespace; null for a legacy id (minted before namespaces). */
  readonly namespace: string | null;
  /** `symbolTag(symbol)` (or `legacySymbolTag` for a legacy id) of the order's symbol. */
  readonly symbolTag: string;
  readonly slotIndex: number;
  readonly side: Side;
  /** The slot's placement counter when the order was minted; starts at 1. */
  readonly generation: number;
}

/**
 * Why a namespace cannot be used, or null when it can.
 * @param namespace - a candidate namespace
 * @returns the reason, naming the rule
 */
export function namespaceError(namespace: string): string | null {
  return NAMESPACE_PATTERN.test(namespace)
    ? null
    : `must be ${NAMESPACE_LENGTH} characters of A-Z or 0-9, was "${namespace}"`;
}

/**
 * A fixed-width tag for a symbol: FNV-1a 32-bit reduced to `length` base-36 digits. The venue
 * files every order under its symbol already; the tag only keeps ids of different symbols apart
 * and lets recovery check that an id was minted for the symbol it is looking at.
 */
function fnvTag(symbol: string, length: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    hash ^= symbol.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 36 ** length).toString(36).toUpperCase().padStart(length, '0');
}

/**
 * The symbol tag of the current id layout.
 * @param symbol - exchange-native symbol, e.g. BTCUSDT
 * @returns three characters of [0-9A-Z]
 */
export function symbolTag(symbol: string): string {
  return fnvTag(symbol, TAG_LENGTH);
}

/**
 * The symbol tag of legacy ids (minted before namespaces).
 * @param symbol - exchange-native symbol, e.g. BTCUSDT
 * @returns six characters of [0-9A-Z]
 */
export function legacySymbolTag(symbol: string): string {
  return fnvTag(symbol, LEGACY_TAG_LENGTH);
}

/**
 * Mints the client order id for one placement by one slot.
 * @param namespace - the engine instance's namespace (see {@link namespaceError})
 * @param symbol - exchange-native symbol, e.g. BTCUSDT
 * @param slotIndex - lattice level of the slot; may be negative
 * @param side - side of the order
 * @param generation - the slot's placement counter for this order, from 1
 * @returns the id, at most 26 characters of [A-Za-z0-9]
 * @throws {RangeError} when the namespace is malformed, or slotIndex or generation is not an
 *   integer in range
 */
export function clientOrderIdFor(
  namespace: string,
  symbol: string,
  slotIndex: number,
  side: Side,
  generation: number,
): ClientOrderId {
  const bad = namespaceError(namespace);
  if (bad) throw new RangeError(`namespace ${bad}`);
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
  const head = `${CLIENT_ORDER_ID_PREFIX}${namespace}${symbolTag(symbol)}${side === 'BUY' ? 'b' : 's'}`;
  const slot = `${slotIndex < 0 ? 'm' : 'p'}${Math.abs(slotIndex)}`;
  return `${head}${slot}g${generation}` as ClientOrderId;
}

/**
 * Reads an id back into its parts. Only the exact forms `clientOrderIdFor` produces (and the
 * legacy form) are accepted, so parse and mint are inverse and a foreign id never passes for ours.
 * @param id - any client order id seen on the venue
 * @returns the parts, or null when the id is not an OpenSQT grid id
 */
export function parseClientOrderId(id: string): ClientOrderIdParts | null {
  const current = ID_PATTERN.exec(id);
  if (current) {
    const [, namespace = '', tag = '', ...tail] = current;
    return withTail(namespace, tag, tail);
  }
  const legacy = LEGACY_PATTERN.exec(id);
  if (legacy) {
    const [, tag = '', ...tail] = legacy;
    return withTail(null, tag, tail);
  }
  return null;
}

function withTail(
  namespace: string | null,
  tag: string,
  [sideCode, sign, digits = '', generation = '']: string[],
): ClientOrderIdParts | null {
  if (sign === 'm' && digits === '0') return null;
  const magnitude = Number(digits);
  return {
    namespace,
    symbolTag: tag,
    side: sideCode === 'b' ? 'BUY' : 'SELL',
    slotIndex: sign === 'm' ? -magnitude : magnitude,
    generation: Number(generation),
  };
}

/**
 * True when `id` was minted by the engine of `namespace` for `symbol`, or is a legacy id minted
 * for `symbol` (legacy ids predate namespaces, so every engine takes them as its own).
 * @param id - any client order id seen on the venue
 * @param symbol - exchange-native symbol the order is filed under
 * @param namespace - this engine's namespace
 * @returns whether recovery may adopt the order
 */
export function isClientOrderIdFor(id: string, symbol: string, namespace: string): boolean {
  const parts = parseClientOrderId(id);
  if (!parts) return false;
  if (parts.namespace === null) return parts.symbolTag === legacySymbolTag(symbol);
  return parts.namespace === namespace && parts.symbolTag === symbolTag(symbol);
}

/**
 * The prefix every id this engine mints for `symbol` starts with.
 * @param namespace - this engine's namespace
 * @param symbol - exchange-native symbol
 * @returns `oq` + namespace + symbol tag
 */
export function clientOrderIdPrefix(namespace: string, symbol: string): string {
  return `${CLIENT_ORDER_ID_PREFIX}${namespace}${symbolTag(symbol)}`;
}
