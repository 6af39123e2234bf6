/**
 * @module arbitrage-order-id
 * Deterministic client order ids for the orders of a funding-rate arbitrage pair, and the parser
 * that reads them back (REQ-ARB-003).
 *
 * An id is a pure function of (pair, leg, purpose, funding time, generation). The generation is
 * the pair's placement counter, persisted with the position machine, so every placement gets a
 * new id (no `_0` ids that collide on the second emergency exit, as in the original) and replaying
 * the same events after a crash mints the same ids, which the venue's duplicate check catches. The
 * funding time is the next funding time of the decision that started the cycle, so an order is
 * traceable to the funding period it was placed for; 0 when no funding time applies.
 *
 * Layout (at most 23 characters of [A-Za-z0-9], within Gate's 26 after its `t-` prefix, leaving
 * room for a namespace): `osa` + pair tag (5 × [0-9A-Z]) + leg (`a`|`b`) + purpose (1 letter) +
 * funding minute (6 × base-36 [0-9a-z]: minutes since the epoch) + generation (1–7 digits).
 * `osaK3F9Zaoht0xc017` is pair K3F9Z, leg a, the opening order, generation 17.
 */
import type { ClientOrderId } from '../core/types.js';
import type { LegKey } from './arbitrage-pair.js';

/** Marks an order as an arbitrage order of ours; grid ids start with `osq`. */
export const ARBITRAGE_ORDER_ID_PREFIX = 'osa';

/** Longest id minted here. */
export const ARBITRAGE_ORDER_ID_MAX_LENGTH = 23;

/** Largest generation an id can carry (seven digits). */
export const MAX_ARBITRAGE_GENERATION = 9_999_999;

/** Why an arbitrage order was placed; each has a one-letter code in the id. */
export type LegOrderPurpose = 'open' | 'hedge' | 'unwind' | 'close' | 'match' | 'repair';

const PURPOSE_CODE: Readonly<Record<LegOrderPurpose, string>> = {
  open: 'o',
  hedge: 'h',
  unwind: 'u',
  close: 'c',
  match: 'm',
  repair: 'r',
};
const CODE_PURPOSE = new Map(
  Object.entries(PURPOSE_CODE).map(([purpose, code]) => [code, purpose as LegOrderPurpose]),
);

const TAG_LENGTH = 5;
const TAG_SPACE = 36 ** TAG_LENGTH;
const MINUTE_MS = 60_000;
const MINUTE_WIDTH = 6;
const MAX_MINUTE = 36 ** MINUTE_WIDTH - 1;
const ID_PATTERN = /^osa([0-9A-Z]{5})([ab])([ohucmr])([0-9a-z]{6})([1-9][0-9]{0,6})$/;

/** What an arbitrage id says about the order it names. */
export interface ArbitrageOrderIdParts {
  /** `pairTag(pairId)` of the pair the order was minted for. */
  readonly pairTag: string;
  readonly leg: LegKey;
  readonly purpose: LegOrderPurpose;
  /** The funding time the id carries, rounded down to the minute; 0 when none applied. */
  readonly fundingMinuteMs: number;
  readonly generation: number;
}

/**
 * A fixed-width tag for a pair id: FNV-1a 32-bit reduced to five base-36 digits. It keeps the
 * ids of different pairs on one venue apart and lets recovery check whom an order belongs to.
 * @param pairId - the configured pair id, e.g. "btc-basis"
 * @returns five characters of [0-9A-Z]
 */
export function pairTag(pairId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pairId.length; i++) {
    hash ^= pairId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % TAG_SPACE).toString(36).toUpperCase().padStart(TAG_LENGTH, '0');
}

/**
 * Mints the client order id of one placement by an arbitrage pair.
 * @param pairId - the configured pair id
 * @param leg - the leg the order trades
 * @param purpose - why the order is placed
 * @param fundingTimeMs - next funding time of the decision behind the order (epoch ms), 0 if none
 * @param generation - the pair's placement counter for this order, from 1
 * @returns the id, at most 23 characters of [A-Za-z0-9]
 * @throws {RangeError} when the funding time or generation is out of range
 */
export function arbitrageOrderIdFor(
  pairId: string,
  leg: LegKey,
  purpose: LegOrderPurpose,
  fundingTimeMs: number,
  generation: number,
): ClientOrderId {
  if (!Number.isSafeInteger(fundingTimeMs) || fundingTimeMs < 0) {
    throw new RangeError(`fundingTimeMs must be a non-negative integer, was ${fundingTimeMs}`);
  }
  const minute = Math.floor(fundingTimeMs / MINUTE_MS);
  if (minute > MAX_MINUTE)
    throw new RangeError(`fundingTimeMs is too far out, was ${fundingTimeMs}`);
  if (
    !Number.isSafeInteger(generation) ||
    generation < 1 ||
    generation > MAX_ARBITRAGE_GENERATION
  ) {
    throw new RangeError(
      `generation must be an integer in 1..${MAX_ARBITRAGE_GENERATION}, was ${generation}`,
    );
  }
  const stamp = minute.toString(36).padStart(MINUTE_WIDTH, '0');
  const id = `${ARBITRAGE_ORDER_ID_PREFIX}${pairTag(pairId)}${leg}${PURPOSE_CODE[purpose]}${stamp}${generation}`;
  return id as ClientOrderId;
}

/**
 * Reads an id back into its parts. Only the exact form `arbitrageOrderIdFor` produces is
 * accepted, so parse and mint are inverse and a grid or foreign id never passes for ours.
 * @param id - any client order id seen on a venue
 * @returns the parts, or null when the id is not an arbitrage id of ours
 */
export function parseArbitrageOrderId(id: string): ArbitrageOrderIdParts | null {
  const m = ID_PATTERN.exec(id);
  if (!m) return null;
  const [, tag = '', leg, code = '', stamp = '', generation = ''] = m;
  const purpose = CODE_PURPOSE.get(code);
  if (purpose === undefined) return null;
  return {
    pairTag: tag,
    leg: leg === 'a' ? 'a' : 'b',
    purpose,
    fundingMinuteMs: parseInt(stamp, 36) * MINUTE_MS,
    generation: Number(generation),
  };
}

/**
 * True when `id` is an arbitrage id minted for `pairId`.
 * @param id - any client order id seen on a venue
 * @param pairId - the configured pair id
 * @returns whether recovery should treat the order as the pair's own
 */
export function isArbitrageOrderIdFor(id: string, pairId: string): boolean {
  return parseArbitrageOrderId(id)?.pairTag === pairTag(pairId);
}
