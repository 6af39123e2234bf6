/**
 * @module actors/risk/exposure-book
 * An in-memory {@link RiskView}: per-symbol and total exposure kept as running aggregates, so a
 * pre-trade check reads O(1) numbers. The order ledger feeds it (an order of ours resting or gone,
 * a position at mark, a price, the trading states) or implements the port itself over its own
 * index; either way the aggregates follow one rule: exposure = |position| × mark + notional of
 * resting orders that would grow the position, in quote units.
 */
import type { Decimal } from '../../core/decimal.js';
import { ZERO } from '../../core/decimal.js';
import type { Side } from '../../core/types.js';
import { stricterTradingState, type TradingState } from '../../machines/trading-state.machine.js';
import type { ExposureTotals, RiskView, SymbolExposure } from './pre-trade.js';

/** A resting order of ours, as the book needs it. */
export interface RestingOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Limit price, quote units. */
  readonly price: Decimal;
  /** Remaining (unfilled) quantity, base units. */
  readonly quantity: Decimal;
  /** True for reduce-only orders that close the position. */
  readonly reduceOnly: boolean;
}

interface SymbolBook {
  position: Decimal;
  markPrice: Decimal | null;
  lastPrice: Decimal | null;
  openingNotional: Decimal;
  closingQuantity: Decimal;
  orders: Map<string, RestingOrder>;
  state: TradingState;
  /** This symbol's contribution to the gross exposure, as last added to the total. */
  gross: Decimal;
}

/** Per-symbol exposure, totals and trading states in memory. */
export class ExposureBook implements RiskView {
  readonly #symbols = new Map<string, SymbolBook>();
  #gross: Decimal = ZERO;
  #openOrders = 0;
  #globalState: TradingState = 'ACTIVE';

  // -- FEED --

  /** An order of ours rests on the venue (placed, or its remaining quantity changed). */
  orderResting(order: RestingOrder): void {
    const book = this.#book(order.symbol);
    this.#drop(book, order.clientOrderId);
    book.orders.set(order.clientOrderId, order);
    this.#openOrders += 1;
    if (order.reduceOnly) book.closingQuantity = book.closingQuantity.add(order.quantity);
    else book.openingNotional = book.openingNotional.add(order.quantity.mul(order.price));
    this.#regross(book);
  }

  /** An order of ours no longer rests (filled, canceled, rejected, expired). */
  orderGone(symbol: string, clientOrderId: string): void {
    const book = this.#book(symbol);
    this.#drop(book, clientOrderId);
    this.#regross(book);
  }

  /** The position and its mark price. */
  position(symbol: string, size: Decimal, markPrice: Decimal | null): void {
    const book = this.#book(symbol);
    book.position = size;
    if (markPrice !== null) book.markPrice = markPrice;
    this.#regross(book);
  }

  /** The venue's mark price of a symbol (from its position report). */
  mark(symbol: string, markPrice: Decimal): void {
    const book = this.#book(symbol);
    book.markPrice = markPrice;
    this.#regross(book);
  }

  /** The last price of a symbol (also the mark when the venue reports none). */
  price(symbol: string, price: Decimal): void {
    const book = this.#book(symbol);
    book.lastPrice = price;
    this.#regross(book);
  }

  /** A symbol's own trading state. */
  symbolState(symbol: string, state: TradingState): void {
    this.#book(symbol).state = state;
  }

  /** The global trading state. */
  globalState(state: TradingState): void {
    this.#globalState = state;
  }

  /** Forgets a symbol removed from trading. */
  remove(symbol: string): void {
    const book = this.#symbols.get(symbol);
    if (!book) return;
    this.#gross = this.#gross.sub(book.gross);
    this.#openOrders -= book.orders.size;
    this.#symbols.delete(symbol);
  }

  // -- RISK VIEW --

  tradingState(symbol: string): TradingState {
    const own = this.#symbols.get(symbol)?.state ?? 'ACTIVE';
    return stricterTradingState(own, this.#globalState);
  }

  lastPrice(symbol: string): Decimal | null {
    return this.#symbols.get(symbol)?.lastPrice ?? null;
  }

  exposure(symbol: string): SymbolExposure {
    const book = this.#symbols.get(symbol);
    if (!book) {
      return {
        position: ZERO,
        markPrice: null,
        openingOrdersNotional: ZERO,
        closingOrdersQuantity: ZERO,
        openOrders: 0,
      };
    }
    return {
      position: book.position,
      markPrice: book.markPrice ?? book.lastPrice,
      openingOrdersNotional: book.openingNotional,
      closingOrdersQuantity: book.closingQuantity,
      openOrders: book.orders.size,
    };
  }

  totals(): ExposureTotals {
    return { grossExposure: this.#gross, openOrders: this.#openOrders };
  }

  /** Each symbol's gross exposure, quote units (for the exposure gauges and GET /risk). */
  perSymbol(): Map<string, Decimal> {
    return new Map([...this.#symbols].map(([symbol, book]) => [symbol, book.gross]));
  }

  // -- INTERNAL --

  #book(symbol: string): SymbolBook {
    let book = this.#symbols.get(symbol);
    if (!book) {
      book = {
        position: ZERO,
        markPrice: null,
        lastPrice: null,
        openingNotional: ZERO,
        closingQuantity: ZERO,
        orders: new Map(),
        state: 'ACTIVE',
        gross: ZERO,
      };
      this.#symbols.set(symbol, book);
    }
    return book;
  }

  #drop(book: SymbolBook, clientOrderId: string): void {
    const prior = book.orders.get(clientOrderId);
    if (!prior) return;
    book.orders.delete(clientOrderId);
    this.#openOrders -= 1;
    if (prior.reduceOnly) book.closingQuantity = book.closingQuantity.sub(prior.quantity);
    else book.openingNotional = book.openingNotional.sub(prior.quantity.mul(prior.price));
  }

  #regross(book: SymbolBook): void {
    const mark = book.markPrice ?? book.lastPrice;
    const positionNotional = mark === null ? ZERO : book.position.abs().mul(mark);
    const gross: Decimal = positionNotional.add(book.openingNotional);
    this.#gross = this.#gross.sub(book.gross).add(gross);
    book.gross = gross;
  }
}
