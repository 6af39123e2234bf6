/**
 * @module server/rpc/position-math
 * Positions and realized PnL replayed from the fills of our orders, per (venue, symbol), with the
 * average-cost method venues use for perpetuals: a fill that adds to the position moves the
 * entry price to the quantity-weighted average; a fill against it realizes
 * (price − entry) × closed quantity (sign of the position) and, when it crosses zero, opens the
 * rest at its own price. Fees count against PnL when paid in the quote asset (the symbol ends
 * with it, e.g. USDT of BTCUSDT); fees in another asset cannot be priced here and are left out.
 * Pure: decimal.js only, no I/O.
 */
import { dec, Decimal, ZERO } from '../../core/decimal.js';
import type { FillRecord } from '../../actors/store/fills.repo.js';

/** One (venue, symbol) position and its PnL as the fills built it. */
export interface PositionFigures {
  readonly venue: string;
  readonly symbol: string;
  /** Signed base units: positive long, negative short, zero flat. */
  readonly quantity: Decimal;
  /** Average entry price of the open quantity, quote units; zero when flat. */
  readonly entryPrice: Decimal;
  /** Realized PnL before fees within the range, quote units. */
  readonly realizedGross: Decimal;
  /** Quote-asset fees of the fills within the range. */
  readonly fees: Decimal;
  /** realizedGross − fees. */
  readonly realizedNet: Decimal;
  /** Fills within the range that closed some quantity. */
  readonly closingTrades: number;
  /** Closing fills whose realized PnL beat their own fee. */
  readonly wins: number;
  /** Closing fills whose realized PnL did not cover their own fee. */
  readonly losses: number;
  /** Losing closing fills in a row at the end of the range (the original's consecutive losses). */
  readonly lossStreak: number;
  /** When the open position was opened (first fill from flat), epoch ms; 0 when flat. */
  readonly openedAtMs: number;
  /** Execution time of the last fill, epoch ms; 0 without fills. */
  readonly updatedAtMs: number;
}

/** The part of history PnL is counted over: [fromMs, toMs), 0 = unbounded. */
export interface PnlRange {
  readonly fromMs: number;
  readonly toMs: number;
}

interface Running {
  venue: string;
  symbol: string;
  quantity: Decimal;
  entry: Decimal;
  gross: Decimal;
  fees: Decimal;
  closing: number;
  wins: number;
  losses: number;
  lossStreak: number;
  openedAtMs: number;
  updatedAtMs: number;
}

/** The key positions are filed under. */
export function positionKey(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}

/** True when `feeAsset` is the quote asset of `symbol` (BTCUSDT pays fees in USDT). */
export function isQuoteFee(symbol: string, feeAsset: string): boolean {
  return feeAsset !== '' && feeAsset.length < symbol.length && symbol.endsWith(feeAsset);
}

/**
 * Replays fills into positions; fills must be in execution order (the repo's order).
 * @param fills - fills of our orders, oldest first; those at or after `range.toMs` are ignored
 * @param range - the window PnL, fees and trade counts are counted over (positions use all fills)
 * @param step - told the position after each fill replayed (position history)
 * @returns figures per (venue, symbol), in first-fill order
 */
export function replayFills(
  fills: readonly FillRecord[],
  range: PnlRange = { fromMs: 0, toMs: 0 },
  step?: (fill: FillRecord, position: PositionFigures) => void,
): Map<string, PositionFigures> {
  const running = new Map<string, Running>();
  for (const fill of fills) {
    if (range.toMs > 0 && fill.tsEvent >= range.toMs) continue;
    const key = positionKey(fill.venue, fill.symbol);
    let r = running.get(key);
    if (!r) {
      r = fresh(fill.venue, fill.symbol);
      running.set(key, r);
    }
    apply(r, fill, fill.tsEvent >= range.fromMs);
    step?.(fill, figures(r));
  }
  return new Map([...running].map(([key, r]) => [key, figures(r)]));
}

/** A (venue, symbol) without fills: flat, nothing realized. */
export function flatPosition(venue: string, symbol: string): PositionFigures {
  return figures(fresh(venue, symbol));
}

function fresh(venue: string, symbol: string): Running {
  return {
    venue,
    symbol,
    quantity: ZERO,
    entry: ZERO,
    gross: ZERO,
    fees: ZERO,
    closing: 0,
    wins: 0,
    losses: 0,
    lossStreak: 0,
    openedAtMs: 0,
    updatedAtMs: 0,
  };
}

function apply(r: Running, fill: FillRecord, counted: boolean): void {
  const quantity = dec(fill.quantity);
  const price = dec(fill.price);
  const delta = fill.side === 'BUY' ? quantity : quantity.neg();
  const fee = isQuoteFee(fill.symbol, fill.feeAsset) ? dec(fill.fee) : ZERO;
  let realized = ZERO;
  let closed = false;
  if (r.quantity.isZero() || r.quantity.isNegative() === delta.isNegative()) {
    if (r.quantity.isZero()) r.openedAtMs = fill.tsEvent;
    const total = r.quantity.abs().add(quantity);
    r.entry = r.quantity.abs().mul(r.entry).add(quantity.mul(price)).div(total);
  } else {
    closed = true;
    const closedQuantity = Decimal.min(quantity, r.quantity.abs());
    realized = closedQuantity.mul(price.sub(r.entry)).mul(r.quantity.isNegative() ? -1 : 1);
    if (quantity.gt(r.quantity.abs())) {
      r.entry = price;
      r.openedAtMs = fill.tsEvent;
    }
  }
  r.quantity = r.quantity.add(delta);
  if (r.quantity.isZero()) {
    r.entry = ZERO;
    r.openedAtMs = 0;
  }
  r.updatedAtMs = Math.max(r.updatedAtMs, fill.tsEvent);
  if (!counted) return;
  r.gross = r.gross.add(realized);
  r.fees = r.fees.add(fee);
  if (closed) {
    r.closing++;
    if (realized.sub(fee).gt(0)) {
      r.wins++;
      r.lossStreak = 0;
    } else {
      r.losses++;
      r.lossStreak++;
    }
  }
}

function figures(r: Running): PositionFigures {
  return {
    venue: r.venue,
    symbol: r.symbol,
    quantity: r.quantity,
    entryPrice: r.entry,
    realizedGross: r.gross,
    fees: r.fees,
    realizedNet: r.gross.sub(r.fees),
    closingTrades: r.closing,
    wins: r.wins,
    losses: r.losses,
    lossStreak: r.lossStreak,
    openedAtMs: r.openedAtMs,
    updatedAtMs: r.updatedAtMs,
  };
}

/**
 * Unrealized PnL of a position at `mark`: quantity × (mark − entry).
 * @returns zero when flat
 */
export function unrealizedPnl(position: PositionFigures, mark: Decimal): Decimal {
  return position.quantity.isZero() ? ZERO : position.quantity.mul(mark.sub(position.entryPrice));
}

/**
 * Unrealized PnL as a percentage of the entry notional (|quantity| × entry).
 * @returns null when flat (no notional to divide by)
 */
export function unrealizedPct(position: PositionFigures, mark: Decimal): Decimal | null {
  const notional = position.quantity.abs().mul(position.entryPrice);
  return notional.isZero() ? null : unrealizedPnl(position, mark).div(notional).mul(100);
}
