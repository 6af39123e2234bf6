/**
 * @module core/order-book
 * What every producer and consumer of L2 depth shares: the level bounds of a book request, the
 * top of a book, and trimming a deeper book to the levels a caller asked for. Books are plain
 * domain values (`OrderBook`); the math over them lives in actors/book.
 */
import type { Decimal } from './decimal.js';
import { invalidArgument } from './errors.js';
import type { BookLevel, OrderBook } from './exchange.types.js';

/** Levels per side when a request asks for 0. */
export const DEFAULT_BOOK_LEVELS = 20;
/** Most levels per side any request may ask for; venues cap it further to their own limit. */
export const MAX_BOOK_LEVELS = 5000;

/**
 * The levels per side a book request means.
 * @param levels as requested; 0 or absent means `DEFAULT_BOOK_LEVELS`
 * @throws {ExchangeError} INVALID_ARGUMENT naming `levels` when it is not an integer in 0..5000
 */
export function resolveBookLevels(levels: number | undefined): number {
  if (levels === undefined || levels === 0) return DEFAULT_BOOK_LEVELS;
  if (!Number.isInteger(levels) || levels < 0 || levels > MAX_BOOK_LEVELS) {
    throw invalidArgument(
      'levels',
      `must be an integer from 1 to ${MAX_BOOK_LEVELS} (0 means ${DEFAULT_BOOK_LEVELS}), was ${levels}`,
    );
  }
  return levels;
}

/** Best bid price, or undefined when the bid side is empty. */
export function bestBid(book: OrderBook): Decimal | undefined {
  return book.bids[0]?.price;
}

/** Best ask price, or undefined when the ask side is empty. */
export function bestAsk(book: OrderBook): Decimal | undefined {
  return book.asks[0]?.price;
}

/** The book with at most `levels` per side (the same object when it is not deeper). */
export function trimBook(book: OrderBook, levels: number): OrderBook {
  if (book.bids.length <= levels && book.asks.length <= levels) return book;
  return { ...book, bids: book.bids.slice(0, levels), asks: book.asks.slice(0, levels) };
}

/**
 * Why `levels` is not a valid side of a book (sorted best first, strictly, positive quantities),
 * or null when it is.
 * @param descending true for bids (highest first), false for asks
 */
export function sideProblem(levels: readonly BookLevel[], descending: boolean): string | null {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as BookLevel;
    if (!level.quantity.gt(0)) return `level ${i} has quantity ${level.quantity.toFixed()}`;
    if (!level.price.gt(0)) return `level ${i} has price ${level.price.toFixed()}`;
    const previous = levels[i - 1];
    if (previous === undefined) continue;
    const ordered = descending ? level.price.lt(previous.price) : level.price.gt(previous.price);
    if (!ordered) {
      return `level ${i} price ${level.price.toFixed()} is not ${descending ? 'below' : 'above'} ${previous.price.toFixed()}`;
    }
  }
  return null;
}
