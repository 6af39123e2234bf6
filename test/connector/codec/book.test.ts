/**
 * The order book and trade-history codec: a book survives the wire exactly (decimals as text,
 * best bid/ask filled in for other-language readers), a peer's unsorted side is refused naming
 * it, and a history query keeps "absent" as zero for the venue to default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fromProtoOrderBook,
  fromProtoTradeHistoryRequest,
  toProtoOrderBook,
  toProtoTradeHistoryRequest,
} from '../../../connector/codec/book.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { OrderBook } from '../../../core/exchange.types.js';
import { OrderBook as OrderBookProto } from '../../../proto/gen/opensqt/market_maker/v1/resources.js';

const level = (price: string, quantity: string) => ({ price: dec(price), quantity: dec(quantity) });

const book: OrderBook = {
  exchange: 'binance-usdm',
  symbol: 'BTCUSDT',
  bids: [level('99999.9', '1.5'), level('99999.8', '0.001')],
  asks: [level('100000.1', '0.8')],
  timeMs: 1_750_000_000_123,
  sequence: 1_027_024,
};

describe('order book codec', () => {
  it('round-trips a book through its bytes exactly, with best bid and ask on the wire', () => {
    const proto = toProtoOrderBook(book);
    const decoded = fromProtoOrderBook(
      OrderBookProto.decode(OrderBookProto.encode(proto).finish()),
    );

    assert.deepEqual([proto.bestBid?.value, proto.bestAsk?.value], ['99999.9', '100000.1']);
    assert.deepEqual(
      decoded.bids.map((l) => [l.price.toFixed(), l.quantity.toFixed()]),
      [
        ['99999.9', '1.5'],
        ['99999.8', '0.001'],
      ],
    );
    assert.equal(decoded.asks[0]?.price.toFixed(), '100000.1');
    assert.deepEqual(
      [decoded.exchange, decoded.symbol, decoded.timeMs, decoded.sequence],
      ['binance-usdm', 'BTCUSDT', 1_750_000_000_123, 1_027_024],
    );
  });

  it('leaves best bid and ask unset on an empty side', () => {
    const proto = toProtoOrderBook({ ...book, bids: [], asks: [] });
    assert.deepEqual([proto.bestBid, proto.bestAsk], [undefined, undefined]);
  });

  it("refuses a peer's side that is not sorted best first, naming the side", () => {
    const proto = toProtoOrderBook({ ...book, bids: [...book.bids].reverse() });
    assert.throws(
      () => fromProtoOrderBook(proto),
      (e: unknown) =>
        e instanceof ExchangeError && e.field === 'bids' && /not below 99999\.8/.test(e.message),
    );
  });

  it('names a malformed level decimal by its position', () => {
    const proto = toProtoOrderBook(book);
    proto.asks[0] = { price: { value: 'abc' }, quantity: { value: '1' } };
    assert.throws(
      () => fromProtoOrderBook(proto),
      (e: unknown) => e instanceof ExchangeError && e.field === 'asks[0].price',
    );
  });
});

describe('trade history request codec', () => {
  it('carries every bound and keeps absent ones as zero', () => {
    const full = { symbol: 'BTCUSDT', startTimeMs: 1, endTimeMs: 2, limit: 3, cursor: 'abc' };
    assert.deepEqual(fromProtoTradeHistoryRequest(toProtoTradeHistoryRequest(full)), full);
    assert.deepEqual(fromProtoTradeHistoryRequest(toProtoTradeHistoryRequest({ symbol: 'X' })), {
      symbol: 'X',
      startTimeMs: 0,
      endTimeMs: 0,
      limit: 0,
      cursor: '',
    });
  });
});
