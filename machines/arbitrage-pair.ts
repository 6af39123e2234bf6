/**
 * @module arbitrage-pair
 * The vocabulary of a funding-rate arbitrage pair, shared by the position machine, the decision
 * functions and the engine: two legs named `a` and `b` (the order of the pair's config), each a
 * spot or perpetual market on one venue, and the direction of a position (which leg is long).
 *
 * Positive funding on a spot/perp pair means long spot + short perp; negative funding means short
 * spot on margin (borrowed) + long perp (REQ-ARB-006/007). A pair of two perps on two venues is
 * long the leg whose funding costs less and short the one that pays more.
 */

/** The two legs of a pair, in the order the pair's config lists them. */
export type LegKey = 'a' | 'b';

/** The kind of market a leg trades: spot (funding-free) or a perpetual swap. */
export type LegMarket = 'spot' | 'perp';

/** Every leg key, in config order. */
export const LEG_KEYS: readonly LegKey[] = ['a', 'b'];

/** Where a leg trades: a venue name as clients select it (`x-exchange`), a market and a symbol. */
export interface PairLeg {
  /** Venue name the connector serves, e.g. "sim", "sim-spot", "binance-usdm". */
  readonly venue: string;
  readonly market: LegMarket;
  /** Exchange-native symbol, e.g. BTCUSDT. */
  readonly symbol: string;
}

/**
 * The other leg of the pair.
 * @param leg - one leg
 * @returns the leg that is not `leg`
 */
export function otherLeg(leg: LegKey): LegKey {
  return leg === 'a' ? 'b' : 'a';
}

/**
 * True for the funding-rate direction that needs a margin borrow: a short on a spot leg.
 * @param market - market of the leg
 * @param long - whether the leg is the long one
 * @returns whether orders that open this leg go to the margin account
 */
export function needsMargin(market: LegMarket, long: boolean): boolean {
  return market === 'spot' && !long;
}
