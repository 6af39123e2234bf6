/**
 * @module server/live/pnl-ledger
 * Realized and unrealized PnL of one symbol from the fills the live server sees, by the
 * average-cost method futures venues use: a fill that adds to the position moves the entry price
 * to the size-weighted average; a fill that reduces it realizes (fill - entry) per unit closed;
 * a fill larger than the position closes it and opens the rest at the fill price. Starts from the
 * venue's position at connect time, so PnL counts from when the server started.
 */
import { Decimal, ZERO } from '../../core/decimal.js';
import type { Side, Trade } from '../../core/exchange.types.js';

/** What the ledger has counted; all money in the quote asset. */
export interface PnlSummary {
  /** Signed position the fills add up to. */
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  readonly realized: Decimal;
  readonly fees: Decimal;
  readonly buys: number;
  readonly sells: number;
  /** When counting started, epoch ms. */
  readonly sinceMs: number;
}

/** Trade ids remembered to ignore a fill reported twice (stream replay after a resync). */
const SEEN_TRADES_LIMIT = 10_000;

/** PnL of one symbol; feed it every fill once. */
export class PnlLedger {
  private size = ZERO;
  private entry = ZERO;
  private realized = ZERO;
  private fees = ZERO;
  private buys = 0;
  private sells = 0;
  private readonly seen = new Set<string>();

  /**
   * @param quoteAsset fees in other assets (e.g. BNB discounts) are not money of this ledger
   * @param sinceMs when counting starts, epoch ms
   */
  private readonly quoteAsset: string;
  private readonly sinceMs: number;
  constructor(quoteAsset: string, sinceMs: number) {
    this.quoteAsset = quoteAsset;
    this.sinceMs = sinceMs;
  }

  /**
   * Takes the venue's position as the starting point (before any fill is applied).
   * @param size signed base quantity
   * @param entryPrice the venue's average entry price
   */
  seed(size: Decimal, entryPrice: Decimal): void {
    this.size = size;
    this.entry = size.isZero() ? ZERO : entryPrice;
  }

  /** Marks fills as already reflected in the seeded position, so they are never applied. */
  markSeen(tradeIds: Iterable<string>): void {
    for (const id of tradeIds) this.remember(id);
  }

  /** True when this trade was applied or marked seen. */
  has(tradeId: string): boolean {
    return this.seen.has(tradeId);
  }

  /**
   * Applies one fill.
   * @returns false when the fill was already applied (nothing changes)
   */
  apply(trade: Trade): boolean {
    if (this.seen.has(trade.tradeId)) return false;
    this.remember(trade.tradeId);
    this.applyFill(trade.side, trade.quantity, trade.price);
    if (trade.feeAsset === '' || trade.feeAsset === this.quoteAsset) {
      this.fees = this.fees.add(trade.fee);
    }
    if (trade.side === 'BUY') this.buys++;
    else this.sells++;
    return true;
  }

  summary(): PnlSummary {
    return {
      size: this.size,
      entryPrice: this.entry,
      realized: this.realized,
      fees: this.fees,
      buys: this.buys,
      sells: this.sells,
      sinceMs: this.sinceMs,
    };
  }

  private applyFill(side: Side, quantity: Decimal, price: Decimal): void {
    const delta = side === 'BUY' ? quantity : quantity.neg();
    const adds = this.size.isZero() || this.size.isNegative() === delta.isNegative();
    if (adds) {
      const total = this.size.abs().add(quantity);
      this.entry = this.size.abs().mul(this.entry).add(quantity.mul(price)).div(total);
    } else {
      const closed = Decimal.min(quantity, this.size.abs());
      const perUnit = this.size.isNegative() ? this.entry.sub(price) : price.sub(this.entry);
      this.realized = this.realized.add(closed.mul(perUnit));
      if (quantity.gt(this.size.abs())) this.entry = price;
    }
    this.size = this.size.add(delta);
    if (this.size.isZero()) this.entry = ZERO;
  }

  private remember(tradeId: string): void {
    this.seen.add(tradeId);
    // Sets iterate in insertion order, so the first key is the oldest id
    if (this.seen.size > SEEN_TRADES_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
