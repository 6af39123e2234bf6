import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as codec from '../../connector/codec.js';
import { ExchangeError } from '../../core/errors.js';
import type {
  Account,
  BatchItemError,
  Candle,
  FundingRate,
  Order,
  OrderUpdate,
  PlaceOrderRequest,
  PriceChange,
  SymbolInfo,
  Ticker,
  Trade,
} from '../../core/exchange.types.js';
import { Decimal, dec } from '../../core/decimal.js';
import {
  FundingUpdate as FundingUpdateProto,
  OrderUpdate as OrderUpdateProto,
  PriceChange as PriceChangeProto,
} from '../../proto/gen/opensqt/market_maker/v1/events.js';
import { BatchOrderError as BatchOrderErrorProto } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import {
  Account as AccountProto,
  Candle as CandleProto,
  FundingRate as FundingRateProto,
  Order as OrderProto,
  PlaceOrderRequest as PlaceOrderRequestProto,
  SymbolInfo as SymbolInfoProto,
  Ticker as TickerProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { OrderSide, OrderType } from '../../proto/gen/opensqt/market_maker/v1/types.js';

/** Decimals as plain strings, so equal values compare equal whatever their internal form. */
function plain(value: unknown): unknown {
  if (value instanceof Decimal) return value.toFixed();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

interface Fns<P> {
  encode(message: P): { finish(): Uint8Array };
  decode(bytes: Uint8Array): P;
}

/** Domain → proto → bytes → proto → domain. */
function throughWire<D, P>(value: D, to: (d: D) => P, fns: Fns<P>, from: (p: P) => D): D {
  return from(fns.decode(fns.encode(to(value)).finish()));
}

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

const trade: Trade = {
  tradeId: 't-1',
  orderId: '9007199254740993',
  symbol: 'BTCUSDT',
  side: 'SELL',
  price: dec('95000.5'),
  quantity: dec('0.0005'),
  fee: dec('0.0237'),
  feeAsset: 'USDT',
  isMaker: false,
  realizedPnl: dec('-1.25'),
  timeMs: T0,
};

const order: Order = {
  orderId: '9007199254740993',
  clientOrderId: 'osqBTC0001',
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: dec('95000.5'),
  quantity: dec('0.001'),
  executedQty: dec('0.0005'),
  avgPrice: dec('95000.5'),
  status: 'PARTIALLY_FILLED',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: T0 - 1000,
  updateTimeMs: T0,
  trades: [trade],
};

describe('codec', () => {
  it('round-trips an order with its trades, keeping a 64-bit id and millisecond times', () => {
    const back = throughWire(order, codec.toProtoOrder, OrderProto, codec.fromProtoOrder);
    assert.deepEqual(plain(back), plain(order));
    const proto = codec.toProtoOrder(order);
    assert.equal(proto.orderId, 9007199254740993n);
    assert.deepEqual(proto.createdAt, new Date(T0 - 1000));
    assert.equal(proto.updateTime, BigInt(T0));
  });

  it('round-trips an order update with and without its last trade', () => {
    const update: OrderUpdate = {
      exchange: 'sim',
      order: { ...order, createdAtMs: 0, trades: [] },
      lastTrade: trade,
    };
    const fns = OrderUpdateProto;
    const back = throughWire(update, codec.toProtoOrderUpdate, fns, codec.fromProtoOrderUpdate);
    assert.deepEqual(plain(back), plain(update));
    const bare = throughWire(
      { exchange: 'sim', order: update.order },
      codec.toProtoOrderUpdate,
      fns,
      codec.fromProtoOrderUpdate,
    );
    assert.equal(bare.lastTrade, undefined);
  });

  it('round-trips account, symbol info, candle, funding, ticker and price change', () => {
    const account: Account = {
      totalWalletBalance: dec('100000'),
      totalMarginBalance: dec('100012.5'),
      availableBalance: dec('90000'),
      positions: [
        {
          symbol: 'ETHUSDT',
          size: dec('-1.5'),
          entryPrice: dec('3200'),
          markPrice: dec('3190'),
          unrealizedPnl: dec('15'),
          leverage: 10,
          marginType: 'cross',
          isolatedMargin: dec('0'),
          liquidationPrice: dec('5000'),
        },
      ],
      accountLeverage: 10,
      isUnified: true,
      totalMaintenanceMargin: dec('24'),
    };
    const info: SymbolInfo = {
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      pricePrecision: 1,
      quantityPrecision: 3,
      tickSize: dec('0.1'),
      stepSize: dec('0.001'),
      minQuantity: dec('0.001'),
      minNotional: dec('5'),
    };
    const candle: Candle = {
      symbol: 'BTCUSDT',
      open: dec('1'),
      high: dec('2'),
      low: dec('0.5'),
      close: dec('1.5'),
      volume: dec('10'),
      openTimeMs: T0,
      isClosed: true,
    };
    const funding: FundingRate = {
      exchange: 'sim',
      symbol: 'BTCUSDT',
      rate: dec('0.0001'),
      predictedRate: dec('-0.00005'),
      nextFundingTimeMs: T0 + 3_600_000,
      timeMs: T0,
    };
    const ticker: Ticker = {
      symbol: 'BTCUSDT',
      priceChange: dec('-100'),
      priceChangePercent: dec('-0.001'),
      lastPrice: dec('95000'),
      volume: dec('1234.5'),
      quoteVolume: dec('117277500'),
      openInterest: dec('5000'),
      timeMs: T0,
    };
    const price: PriceChange = {
      exchange: 'sim',
      symbol: 'BTCUSDT',
      price: dec('95000.1'),
      timeMs: T0,
    };

    const cases: [unknown, unknown][] = [
      [account, throughWire(account, codec.toProtoAccount, AccountProto, codec.fromProtoAccount)],
      [
        info,
        throughWire(info, codec.toProtoSymbolInfo, SymbolInfoProto, codec.fromProtoSymbolInfo),
      ],
      [candle, throughWire(candle, codec.toProtoCandle, CandleProto, codec.fromProtoCandle)],
      [
        funding,
        throughWire(
          funding,
          codec.toProtoFundingRate,
          FundingRateProto,
          codec.fromProtoFundingRate,
        ),
      ],
      [
        funding,
        throughWire(
          funding,
          codec.toProtoFundingRate,
          FundingUpdateProto,
          codec.fromProtoFundingRate,
        ),
      ],
      [ticker, throughWire(ticker, codec.toProtoTicker, TickerProto, codec.fromProtoTicker)],
      [
        price,
        throughWire(price, codec.toProtoPriceChange, PriceChangeProto, codec.fromProtoPriceChange),
      ],
    ];
    for (const [expected, actual] of cases) assert.deepEqual(plain(actual), plain(expected));
  });

  it('round-trips a placement, with an empty price meaning a market order has none', () => {
    const market: PlaceOrderRequest = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.002'),
      reduceOnly: true,
    };
    const fns = PlaceOrderRequestProto;
    const back = throughWire(
      market,
      codec.toProtoPlaceOrderRequest,
      fns,
      codec.fromProtoPlaceOrderRequest,
    );
    assert.equal(back.price, undefined);
    assert.equal(back.timeInForce, undefined);
    assert.equal(back.clientOrderId, undefined);
    assert.equal(back.reduceOnly, true);
    assert.equal(back.quantity.toFixed(), '0.002');

    const limit: PlaceOrderRequest = {
      ...market,
      type: 'LIMIT',
      price: dec('94000'),
      timeInForce: 'GTX',
      postOnly: true,
      clientOrderId: 'osq-1',
      useMargin: true,
    };
    const limitBack = throughWire(
      limit,
      codec.toProtoPlaceOrderRequest,
      fns,
      codec.fromProtoPlaceOrderRequest,
    );
    assert.deepEqual(plain(limitBack), plain(limit));
  });

  it('rejects a placement whose side, type or quantity cannot be decoded, naming the field', () => {
    const valid = codec.toProtoPlaceOrderRequest({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('1'),
      price: dec('1'),
    });
    const cases: [Partial<PlaceOrderRequestProto>, string][] = [
      [{ side: OrderSide.ORDER_SIDE_UNSPECIFIED }, 'side'],
      [{ side: OrderSide.UNRECOGNIZED }, 'side'],
      [{ type: OrderType.ORDER_TYPE_UNSPECIFIED }, 'type'],
      [{ quantity: undefined }, 'quantity'],
      [{ quantity: { value: '' } }, 'quantity'],
      [{ quantity: { value: 'one' } }, 'quantity'],
      [{ price: { value: '1,5' } }, 'price'],
      [{ price: { value: 'Infinity' } }, 'price'],
      [{ timeInForce: 9 as PlaceOrderRequestProto['timeInForce'] }, 'time_in_force'],
    ];
    for (const [change, field] of cases) {
      assert.throws(
        () => codec.fromProtoPlaceOrderRequest({ ...valid, ...change }),
        (e: unknown) =>
          e instanceof ExchangeError &&
          e.reason === 'INVALID_ARGUMENT' &&
          e.field === field &&
          e.message.startsWith(`${field}:`),
        `expected INVALID_ARGUMENT on ${field} for ${JSON.stringify(change)}`,
      );
    }
  });

  it('writes decimals as plain strings and reads an absent resource decimal as zero', () => {
    assert.deepEqual(codec.toProtoDecimal(dec('1e-7')), { value: '0.0000001' });
    assert.deepEqual(codec.toProtoDecimal(dec('1.50')), { value: '1.5' });
    assert.deepEqual(codec.toProtoDecimal(dec('45e3')), { value: '45000' });
    assert.equal(codec.fromProtoDecimal(undefined, 'price').toFixed(), '0');
    assert.equal(codec.fromProtoOptionalDecimal({ value: '' }, 'price'), undefined);
  });

  it('sends a venue order id that is not numeric as 0 and reads 0 as no id', () => {
    assert.equal(codec.toProtoOrderId('12345'), 12345n);
    assert.equal(codec.toProtoOrderId('abc-1'), 0n);
    assert.equal(codec.toProtoOrderId(''), 0n);
    assert.equal(codec.toProtoOrderId('99999999999999999999'), 0n);
    assert.equal(codec.fromProtoOrderId(0n), '');
    assert.equal(codec.fromProtoOrderId(42n), '42');
  });

  it('carries a batch error code and rebuilds the reason it stands for', () => {
    const error: BatchItemError = {
      index: 2,
      clientOrderId: 'osq-3',
      message: 'quantity: must be positive, was 0',
      code: 3,
      reason: 'INVALID_ARGUMENT',
    };
    const fns = BatchOrderErrorProto;
    const back = throughWire(error, codec.toProtoBatchError, fns, codec.fromProtoBatchError);
    assert.deepEqual(back, error);
    assert.equal(
      codec.fromProtoBatchError({ ...codec.toProtoBatchError(error), code: 6 }).reason,
      'DUPLICATE_ORDER',
    );
  });
});
