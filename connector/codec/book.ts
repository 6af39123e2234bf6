/**
 * @module connector/codec/book
 * Order books and trade history on the wire (RPCs added after v1): OrderBook with its levels and
 * best bid/ask, and the GetTradeHistory request and page. Decoding a book from a peer checks its
 * sides are sorted best first, because everything downstream (book math, best price) relies on it.
 */
import type {
  GetTradeHistoryRequest as GetTradeHistoryRequestProto,
  GetTradeHistoryResponse as GetTradeHistoryResponseProto,
} from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import type {
  OrderBook as OrderBookProto,
  OrderBookLevel as OrderBookLevelProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { invalidArgument } from '../../core/errors.js';
import type {
  BookLevel,
  OrderBook,
  TradeHistoryPage,
  TradeHistoryQuery,
} from '../../core/exchange.types.js';
import { sideProblem } from '../../core/order-book.js';
import { fromProtoTrade, toProtoTrade } from './orders.js';
import {
  fromProtoDecimal,
  fromProtoMs,
  toProtoDecimal,
  toProtoMs,
  toProtoOptionalDecimal,
} from './scalars.js';

const toProtoLevel = (level: BookLevel): OrderBookLevelProto => ({
  price: toProtoDecimal(level.price),
  quantity: toProtoDecimal(level.quantity),
});

export function toProtoOrderBook(book: OrderBook): OrderBookProto {
  return {
    exchange: book.exchange,
    symbol: book.symbol,
    bids: book.bids.map(toProtoLevel),
    asks: book.asks.map(toProtoLevel),
    bestBid: toProtoOptionalDecimal(book.bids[0]?.price),
    bestAsk: toProtoOptionalDecimal(book.asks[0]?.price),
    timestamp: toProtoMs(book.timeMs),
    sequence: toProtoMs(book.sequence),
  };
}

function fromProtoSide(levels: readonly OrderBookLevelProto[], side: 'bids' | 'asks') {
  const decoded = levels.map((level, i) => ({
    price: fromProtoDecimal(level.price, `${side}[${i}].price`),
    quantity: fromProtoDecimal(level.quantity, `${side}[${i}].quantity`),
  }));
  const problem = sideProblem(decoded, side === 'bids');
  if (problem !== null) {
    throw invalidArgument(side, `must be sorted best first with positive quantities: ${problem}`);
  }
  return decoded;
}

/**
 * @throws {ExchangeError} INVALID_ARGUMENT naming the malformed decimal, or the side that is not
 *   sorted best first with positive quantities
 */
export function fromProtoOrderBook(book: OrderBookProto): OrderBook {
  return {
    exchange: book.exchange,
    symbol: book.symbol,
    bids: fromProtoSide(book.bids, 'bids'),
    asks: fromProtoSide(book.asks, 'asks'),
    timeMs: fromProtoMs(book.timestamp),
    sequence: fromProtoMs(book.sequence),
  };
}

export function toProtoTradeHistoryRequest(query: TradeHistoryQuery): GetTradeHistoryRequestProto {
  return {
    symbol: query.symbol,
    startTime: toProtoMs(query.startTimeMs ?? 0),
    endTime: toProtoMs(query.endTimeMs ?? 0),
    limit: query.limit ?? 0,
    cursor: query.cursor ?? '',
  };
}

/** Zeros and empty strings stay "absent": the venue applies its defaults and validates. */
export function fromProtoTradeHistoryRequest(
  request: GetTradeHistoryRequestProto,
): TradeHistoryQuery {
  return {
    symbol: request.symbol,
    startTimeMs: fromProtoMs(request.startTime),
    endTimeMs: fromProtoMs(request.endTime),
    limit: request.limit,
    cursor: request.cursor,
  };
}

export function toProtoTradeHistoryPage(page: TradeHistoryPage): GetTradeHistoryResponseProto {
  return { trades: page.trades.map(toProtoTrade), nextCursor: page.nextCursor };
}

/** @throws {ExchangeError} INVALID_ARGUMENT when a trade's decimal or side is malformed */
export function fromProtoTradeHistoryPage(page: GetTradeHistoryResponseProto): TradeHistoryPage {
  return { trades: page.trades.map(fromProtoTrade), nextCursor: page.nextCursor };
}
