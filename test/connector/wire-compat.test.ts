/**
 * Proves our generated types speak the ORIGINAL wire contract (original-facts §1.1): messages built
 * byte by byte with the original field numbers decode into the right fields, and our encodings put
 * each field under the original number, so Go and Python peers interoperate unchanged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { OrderUpdate as OrderUpdateProto } from '../../proto/gen/opensqt/market_maker/v1/events.js';
import { ExchangeServiceService } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import {
  Account as AccountProto,
  Order as OrderProto,
  PlaceOrderRequest as PlaceOrderRequestProto,
  Trade as TradeProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';

const varint = (w: BinaryWriter, field: number, value: number | bigint) =>
  w.uint32((field << 3) | WireType.Varint).int64(value);
const str = (w: BinaryWriter, field: number, value: string) =>
  w.uint32((field << 3) | WireType.LengthDelimited).string(value);
/** A google.type.Decimal: one string at field 1. */
const decimal = (w: BinaryWriter, field: number, value: string) =>
  str(w.uint32((field << 3) | WireType.LengthDelimited).fork(), 1, value).join();
/** A google.protobuf.Timestamp: seconds at 1, nanos at 2. */
const timestamp = (w: BinaryWriter, field: number, ms: number) =>
  varint(
    varint(w.uint32((field << 3) | WireType.LengthDelimited).fork(), 1, Math.floor(ms / 1000)),
    2,
    (ms % 1000) * 1_000_000,
  ).join();

type Fields = Map<number, unknown[]>;

/** Reads a message generically: field number → raw values (nested messages as Fields). */
function readFields(bytes: Uint8Array, nested: readonly number[] = []): Fields {
  const reader = new BinaryReader(bytes);
  const fields: Fields = new Map();
  while (reader.pos < reader.len) {
    const [no, type] = reader.tag();
    let value: unknown;
    if (type === WireType.Varint) value = BigInt(reader.int64());
    else if (type === WireType.LengthDelimited) {
      const raw = reader.bytes();
      value = nested.includes(no) ? readFields(raw) : new TextDecoder().decode(raw);
    } else value = reader.skip(type);
    fields.set(no, [...(fields.get(no) ?? []), value]);
  }
  return fields;
}

/** The string inside a Decimal read with `readFields`. */
const decimalAt = (fields: Fields, no: number): unknown =>
  (fields.get(no)?.[0] as Fields | undefined)?.get(1)?.[0];

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe('wire compatibility with the original contract', () => {
  it('decodes an Order built with the original field numbers', () => {
    const w = new BinaryWriter();
    varint(w, 1, 8389765n);
    str(w, 2, 'osq-1');
    str(w, 3, 'ETHUSDC');
    varint(w, 4, 2); // ORDER_SIDE_SELL
    varint(w, 5, 1); // ORDER_TYPE_LIMIT
    decimal(w, 6, '3100.5');
    decimal(w, 7, '0.01');
    decimal(w, 8, '0.004');
    decimal(w, 9, '3100.5');
    varint(w, 10, 2); // ORDER_STATUS_PARTIALLY_FILLED
    timestamp(w, 11, T0);
    varint(w, 12, T0 + 5);
    const trade = w.uint32((13 << 3) | WireType.LengthDelimited).fork();
    str(trade, 1, 'tr-9');
    varint(trade, 2, 8389765n);
    decimal(trade, 6, '0.004');
    timestamp(trade, 9, T0 + 5);
    trade.join();

    const order = OrderProto.decode(w.finish());

    assert.equal(order.orderId, 8389765n);
    assert.equal(order.clientOrderId, 'osq-1');
    assert.equal(order.symbol, 'ETHUSDC');
    assert.equal(order.side, 2);
    assert.equal(order.type, 1);
    assert.deepEqual(
      [order.price, order.quantity, order.executedQty, order.avgPrice],
      [{ value: '3100.5' }, { value: '0.01' }, { value: '0.004' }, { value: '3100.5' }],
    );
    assert.equal(order.status, 2);
    assert.deepEqual(order.createdAt, new Date(T0));
    assert.equal(order.updateTime, BigInt(T0 + 5));
    assert.equal(order.trades[0]?.tradeId, 'tr-9');
    assert.equal(order.trades[0]?.orderId, 8389765n);
    assert.deepEqual(order.trades[0]?.quantity, { value: '0.004' });
    assert.deepEqual(order.trades[0]?.timestamp, new Date(T0 + 5));
  });

  it('decodes a PlaceOrderRequest built with the original field numbers', () => {
    const w = new BinaryWriter();
    str(w, 1, 'BTCUSDT');
    varint(w, 2, 1);
    varint(w, 3, 1);
    varint(w, 4, 4); // TIME_IN_FORCE_GTX
    decimal(w, 5, '0.002');
    decimal(w, 6, '95000');
    varint(w, 7, 1);
    varint(w, 8, 1);
    str(w, 9, 'osq-2');
    varint(w, 10, 1);

    const request = PlaceOrderRequestProto.decode(w.finish());

    assert.deepEqual(request, {
      symbol: 'BTCUSDT',
      side: 1,
      type: 1,
      timeInForce: 4,
      quantity: { value: '0.002' },
      price: { value: '95000' },
      reduceOnly: true,
      postOnly: true,
      clientOrderId: 'osq-2',
      useMargin: true,
    });
  });

  it('decodes an OrderUpdate and an Account built with the original field numbers', () => {
    const u = new BinaryWriter();
    str(u, 1, 'binance');
    varint(u, 2, 77n);
    str(u, 3, 'osq-3');
    str(u, 4, 'BTCUSDT');
    varint(u, 5, 1);
    varint(u, 6, 2);
    varint(u, 7, 3);
    decimal(u, 8, '0');
    decimal(u, 9, '0.5');
    decimal(u, 10, '0.5');
    decimal(u, 11, '95001');
    varint(u, 12, T0);
    str(u.uint32((13 << 3) | WireType.LengthDelimited).fork(), 1, 'tr-1').join();
    const update = OrderUpdateProto.decode(u.finish());
    assert.equal(update.exchange, 'binance');
    assert.equal(update.orderId, 77n);
    assert.equal(update.clientOrderId, 'osq-3');
    assert.deepEqual([update.side, update.type, update.status], [1, 2, 3]);
    assert.deepEqual(update.avgPrice, { value: '95001' });
    assert.equal(update.updateTime, BigInt(T0));
    assert.equal(update.lastTrade?.tradeId, 'tr-1');

    const a = new BinaryWriter();
    decimal(a, 1, '1000');
    decimal(a, 2, '1010');
    decimal(a, 3, '900');
    str(a.uint32((4 << 3) | WireType.LengthDelimited).fork(), 1, 'ETHUSDT').join();
    varint(a, 5, 20);
    varint(a, 6, 1);
    decimal(a, 7, '0.9');
    varint(a, 8, 2);
    decimal(a, 9, '995');
    decimal(a, 10, '12');
    const account = AccountProto.decode(a.finish());
    assert.deepEqual(account.totalWalletBalance, { value: '1000' });
    assert.deepEqual(account.availableBalance, { value: '900' });
    assert.equal(account.positions[0]?.symbol, 'ETHUSDT');
    assert.equal(account.accountLeverage, 20);
    assert.equal(account.isUnified, true);
    assert.deepEqual(account.healthScore, { value: '0.9' });
    assert.equal(account.marginMode, 2);
    assert.deepEqual(account.adjustedEquity, { value: '995' });
    assert.deepEqual(account.totalMaintenanceMargin, { value: '12' });
  });

  it('encodes Order and PlaceOrderRequest fields under the original numbers', () => {
    const bytes = OrderProto.encode({
      orderId: 8389765n,
      clientOrderId: 'osq-1',
      symbol: 'ETHUSDC',
      side: 1,
      type: 1,
      price: { value: '3100' },
      quantity: { value: '0.01' },
      executedQty: { value: '0' },
      avgPrice: { value: '0' },
      status: 1,
      createdAt: new Date(T0),
      updateTime: BigInt(T0),
      trades: [],
    }).finish();
    const order = readFields(bytes, [6, 7, 8, 9]);
    assert.deepEqual(order.get(1), [8389765n]);
    assert.deepEqual(order.get(2), ['osq-1']);
    assert.deepEqual(order.get(3), ['ETHUSDC']);
    assert.deepEqual([order.get(4), order.get(5), order.get(10)], [[1n], [1n], [1n]]);
    assert.equal(decimalAt(order, 6), '3100');
    assert.equal(decimalAt(order, 7), '0.01');
    assert.deepEqual(order.get(12), [BigInt(T0)]);
    assert.ok(order.has(11), 'created_at is a Timestamp at field 11');

    const request = readFields(
      PlaceOrderRequestProto.encode({
        symbol: 'BTCUSDT',
        side: 2,
        type: 2,
        timeInForce: 1,
        quantity: { value: '0.5' },
        price: undefined,
        reduceOnly: true,
        postOnly: false,
        clientOrderId: 'osq-9',
        useMargin: true,
      }).finish(),
      [5, 6],
    );
    assert.deepEqual(request.get(1), ['BTCUSDT']);
    assert.deepEqual([request.get(2), request.get(3), request.get(4)], [[2n], [2n], [1n]]);
    assert.equal(decimalAt(request, 5), '0.5');
    assert.equal(request.has(6), false, 'an absent price is not sent');
    assert.deepEqual([request.get(7), request.get(9), request.get(10)], [[1n], ['osq-9'], [1n]]);
  });

  it('serves all 28 original ExchangeService methods under their paths, plus the three additions', () => {
    const rpcs = [
      'GetName',
      'GetType',
      'PlaceOrder',
      'BatchPlaceOrders',
      'CancelOrder',
      'BatchCancelOrders',
      'CancelAllOrders',
      'GetOrder',
      'GetOpenOrders',
      'GetAccount',
      'GetPositions',
      'GetBalance',
      'GetLatestPrice',
      'GetTickers',
      'GetOpenInterest',
      'GetHistoricalKlines',
      'FetchExchangeInfo',
      'GetSymbolInfo',
      'GetSymbols',
      'GetFundingRate',
      'GetFundingRates',
      'GetHistoricalFundingRates',
      'SubscribeFundingRate',
      'SubscribePrice',
      'SubscribeOrders',
      'SubscribeKlines',
      'SubscribeAccount',
      'SubscribePositions',
    ];
    // Added after v1; original clients never call them
    const additions = ['GetOrderBook', 'SubscribeOrderBook', 'GetTradeHistory'];
    const all = [...rpcs, ...additions];
    const paths = Object.values(ExchangeServiceService).map((m) => m.path);
    assert.deepEqual(
      [...paths].sort(),
      all.map((rpc) => `/opensqt.market_maker.v1.ExchangeService/${rpc}`).sort(),
    );
    const streaming = Object.values(ExchangeServiceService)
      .filter((m) => m.responseStream)
      .map((m) => m.path.split('/').pop());
    assert.deepEqual(streaming.sort(), all.filter((r) => r.startsWith('Subscribe')).sort());
  });

  it('decodes a Trade of an original peer as a taker fill, and adds is_maker at a new number', () => {
    const w = new BinaryWriter();
    str(w, 1, 'tr-1');
    varint(w, 2, 42n);
    str(w, 3, 'BTCUSDT');
    varint(w, 4, 1);
    decimal(w, 5, '95000.5');
    decimal(w, 6, '0.002');
    const original = TradeProto.decode(w.finish());

    const ours = readFields(TradeProto.encode({ ...original, isMaker: true }).finish(), [5, 6]);

    assert.equal(original.isMaker, false);
    assert.equal(original.tradeId, 'tr-1');
    assert.deepEqual(original.price, { value: '95000.5' });
    // Fields 1-10 keep their numbers; the flag rides at 11, which original decoders skip
    assert.deepEqual(ours.get(11), [1n]);
    assert.deepEqual(ours.get(1), ['tr-1']);
    assert.equal(decimalAt(ours, 5), '95000.5');
  });
});
