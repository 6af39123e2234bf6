/**
 * @module connector/venues/sim/order-book
 * Our resting limit orders on one market: per side, price levels kept best-first, each level a
 * FIFO (an insertion-ordered Set, so cancel is O(1)). Levels are keyed by integer tick index so
 * comparisons on the hot path are plain number compares; money math stays in Decimal elsewhere.
 */
import type { Side } from '../../../core/exchange.types.js';
import type { OrderRecord } from './order-record.js';

/** One side of the book: levels best-first (bids descending, asks ascending). */
export class BookSide {
  /** Tick indices of non-empty levels, best first. */
  readonly prices: number[] = [];
  private readonly levels = new Map<number, Set<OrderRecord>>();
  private readonly isBid: boolean;

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  /** Appends the order to the back of its price level. */
  add(o: OrderRecord): void {
    let level = this.levels.get(o.priceTicks);
    if (level === undefined) {
      level = new Set();
      this.levels.set(o.priceTicks, level);
      this.prices.splice(this.insertIndex(o.priceTicks), 0, o.priceTicks);
    }
    level.add(o);
  }

  /** Removes the order; false when it was not resting here. */
  remove(o: OrderRecord): boolean {
    const level = this.levels.get(o.priceTicks);
    if (level === undefined || !level.delete(o)) return false;
    if (level.size === 0) {
      this.levels.delete(o.priceTicks);
      this.prices.splice(this.insertIndex(o.priceTicks) - 1, 1);
    }
    return true;
  }

  /** The FIFO at a price level (empty when none). */
  level(ticks: number): ReadonlySet<OrderRecord> {
    return this.levels.get(ticks) ?? EMPTY;
  }

  /** True when a price `a` is better than `b` for this side (higher bid, lower ask). */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Index after every level at least as good as `ticks` (binary search). */
  private insertIndex(ticks: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(ticks, this.prices[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

const EMPTY: ReadonlySet<OrderRecord> = new Set();

/** Both sides of one market. */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);

  /** The side an order of `side` rests on. */
  own(side: Side): BookSide {
    return side === 'BUY' ? this.bids : this.asks;
  }

  /** The side an order of `side` trades against. */
  opposite(side: Side): BookSide {
    return side === 'BUY' ? this.asks : this.bids;
  }
}
