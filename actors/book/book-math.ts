/**
 * @module actors/book/book-math
 * Order-book math over one symbol's L2 depth, exact in decimal.js: top of book and spread, depth
 * imbalance, the fill a taker order of a given size would get (VWAP, the worst level it reaches,
 * slippage against the touch), the liquidity within a distance of mid, and the two prices the
 * engine needs for dynamic slippage (REQ-RISK-002): the best price a maker order can rest at
 * without crossing, and a taker's limit price from its expected fill bounded by a price band.
 * Pure functions: no I/O, no clock; the same inputs give the same digits in any thread.
 */
import { Decimal, ZERO } from '../../core/decimal.js';
import type { BookLevel, Side } from '../../core/exchange.types.js';

/** Decimal places of a VWAP (quotients of exact sums cannot all be exact). */
export const PRICE_PLACES = 12;
/** Decimal places of ratios: basis points, imbalance. */
export const RATIO_PLACES = 6;

const BPS = new Decimal(10_000);
const TWO = new Decimal(2);

const ratio = (value: Decimal): Decimal =>
  value.toDecimalPlaces(RATIO_PLACES, Decimal.ROUND_HALF_EVEN);

/** Best prices, mid and spread; undefined parts when a side is empty. */
export interface TopOfBook {
  readonly bestBid: Decimal | undefined;
  readonly bestAsk: Decimal | undefined;
  /** (bid + ask) / 2, exact. */
  readonly mid: Decimal | undefined;
  /** ask - bid, exact (negative for a crossed book). */
  readonly spread: Decimal | undefined;
  /** spread / mid in basis points. */
  readonly spreadBps: Decimal | undefined;
}

export function topOfBook(bids: readonly BookLevel[], asks: readonly BookLevel[]): TopOfBook {
  const bestBid = bids[0]?.price;
  const bestAsk = asks[0]?.price;
  if (bestBid === undefined || bestAsk === undefined) {
    return { bestBid, bestAsk, mid: undefined, spread: undefined, spreadBps: undefined };
  }
  const mid = bestBid.add(bestAsk).div(TWO);
  const spread = bestAsk.sub(bestBid);
  return { bestBid, bestAsk, mid, spread, spreadBps: ratio(spread.div(mid).mul(BPS)) };
}

/**
 * Depth imbalance of the first `levels` of each side: (bid qty - ask qty) / (bid qty + ask qty),
 * from -1 (all asks) to 1 (all bids); undefined for an empty book.
 */
export function imbalance(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  levels: number,
): Decimal | undefined {
  const sum = (side: readonly BookLevel[]) =>
    side.slice(0, levels).reduce((total, l) => total.add(l.quantity), ZERO);
  const b = sum(bids);
  const a = sum(asks);
  const total = b.add(a);
  return total.isZero() ? undefined : ratio(b.sub(a).div(total));
}

/** What a taker order of `size` would get against one side of the book. */
export interface FillEstimate {
  /** Base quantity asked for. */
  readonly size: Decimal;
  /** Base quantity the visible depth covers (at most `size`). */
  readonly filled: Decimal;
  /** True when the depth covers the whole size. */
  readonly complete: boolean;
  /** Sum of price x quantity over the levels taken, exact. */
  readonly quote: Decimal;
  /** quote / filled, to `PRICE_PLACES`; undefined when nothing fills. */
  readonly vwap: Decimal | undefined;
  /** The last level reached: the limit price that fills `filled` at once. */
  readonly worstPrice: Decimal | undefined;
  /** How much worse than the touch the VWAP is, in basis points (>= 0). */
  readonly slippageBps: Decimal | undefined;
}

/**
 * The fill of a taker order walking `levels` best first.
 * @param levels the side the taker trades against: asks for a buy, bids for a sell
 * @param size base quantity, > 0
 */
export function estimateFill(levels: readonly BookLevel[], size: Decimal): FillEstimate {
  let left = size;
  let quote = ZERO;
  let worstPrice: Decimal | undefined;
  for (const level of levels) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, level.quantity);
    quote = quote.add(take.mul(level.price));
    left = left.sub(take);
    worstPrice = level.price;
  }
  const filled = size.sub(left);
  const touch = levels[0]?.price;
  if (filled.isZero() || touch === undefined) {
    return {
      size,
      filled,
      complete: false,
      quote,
      vwap: undefined,
      worstPrice,
      slippageBps: undefined,
    };
  }
  const vwap = quote.div(filled).toDecimalPlaces(PRICE_PLACES, Decimal.ROUND_HALF_EVEN);
  // Worse means higher for a buy (asks ascend) and lower for a sell (bids descend)
  const away = quote.div(filled).sub(touch).abs();
  return {
    size,
    filled,
    complete: left.isZero(),
    quote,
    vwap,
    worstPrice,
    slippageBps: ratio(away.div(touch).mul(BPS)),
  };
}

/** Resting liquidity of one side within a distance of mid. */
export interface Liquidity {
  readonly base: Decimal;
  /** Sum of price x quantity, exact. */
  readonly quote: Decimal;
}

/**
 * Liquidity of one side at prices within `bps` of `mid` (both ends inclusive).
 * @param isBid true for bids (at or above mid x (1 - bps)), false for asks
 */
export function liquidityWithin(
  levels: readonly BookLevel[],
  mid: Decimal,
  bps: Decimal,
  isBid: boolean,
): Liquidity {
  return liquidityBands(levels, mid, [bps], isBid)[0] as Liquidity;
}

/**
 * Liquidity of one side within each of several distances of `mid`, in one walk of the side
 * (the widest band of a deep book spans hundreds of levels; walking it once per band would
 * repeat the same sums).
 * @param bandsBps distances in basis points, any order
 * @returns one entry per band, in the order given
 */
export function liquidityBands(
  levels: readonly BookLevel[],
  mid: Decimal,
  bandsBps: readonly Decimal[],
  isBid: boolean,
): Liquidity[] {
  const order = bandsBps.map((_, i) => i).sort((a, b) => bandsBps[a]!.cmp(bandsBps[b]!));
  const out: Liquidity[] = new Array<Liquidity>(bandsBps.length);
  let base = ZERO;
  let quote = ZERO;
  let li = 0;
  for (const bi of order) {
    const distance = mid.mul(bandsBps[bi]!).div(BPS);
    const bound = isBid ? mid.sub(distance) : mid.add(distance);
    for (; li < levels.length; li++) {
      const level = levels[li] as BookLevel;
      if (isBid ? level.price.lt(bound) : level.price.gt(bound)) break;
      base = base.add(level.quantity);
      quote = quote.add(level.quantity.mul(level.price));
    }
    out[bi] = { base, quote };
  }
  return out;
}

/**
 * The best price a maker (post-only) order can rest at without crossing: the wanted price, or
 * one tick inside the opposite touch when the wanted one would take liquidity.
 * @param tick the symbol's price tick
 */
export function bestNonCrossingPrice(
  side: Side,
  price: Decimal,
  top: Pick<TopOfBook, 'bestBid' | 'bestAsk'>,
  tick: Decimal,
): Decimal {
  if (side === 'BUY') {
    return top.bestAsk === undefined ? price : Decimal.min(price, top.bestAsk.sub(tick));
  }
  return top.bestBid === undefined ? price : Decimal.max(price, top.bestBid.add(tick));
}

/**
 * A taker order's limit price: the worst level its expected fill reaches, never beyond the price
 * band around mid (mid x (1 +/- bandBps)); the band itself when the depth cannot fill the size.
 * @returns undefined when the book has no mid to anchor the band
 */
export function takerLimitPrice(
  side: Side,
  fill: FillEstimate,
  mid: Decimal | undefined,
  bandBps: Decimal,
): Decimal | undefined {
  if (mid === undefined) return undefined;
  const band = mid.mul(bandBps).div(BPS);
  if (side === 'BUY') {
    const cap = mid.add(band);
    return fill.complete && fill.worstPrice !== undefined ? Decimal.min(fill.worstPrice, cap) : cap;
  }
  const floor = mid.sub(band);
  return fill.complete && fill.worstPrice !== undefined
    ? Decimal.max(fill.worstPrice, floor)
    : floor;
}
