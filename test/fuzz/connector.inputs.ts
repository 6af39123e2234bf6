/**
 * @module test/fuzz/connector.inputs
 * What the connector fuzz suite sends: fast-check generators of hostile but well-encoded requests
 * for every ExchangeService RPC (huge and non-decimal decimals, unbounded, binary and unicode
 * strings, out-of-range enums, limits and int64 ids, hostile x-exchange values) and hand-picked
 * bytes that are not messages.
 */
import fc from 'fast-check';
import type { ExchangeServiceService } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';

type Method = keyof typeof ExchangeServiceService;

/** The sentinel order's symbol; the generators never name it, so nothing legitimate cancels it. */
export const SENTINEL_SYMBOL = 'ETHUSDT';

const decimalText = fc.oneof(
  fc.constantFrom(
    '1e199999999',
    '1e99999999',
    '-1e199999999',
    '1e-99999999',
    '0x10',
    '0b101',
    '0o17',
    '0x1p3',
    '1_000',
    'Infinity',
    '-Infinity',
    'NaN',
    ' 1',
    '1 ',
    '',
    '-0',
    '+.5',
    '5.',
    '0.001',
    '30000',
    `0.${'0'.repeat(60)}1`,
  ),
  fc.string({ unit: fc.constantFrom(...'0123456789.eE+-xob_ '), maxLength: 24 }),
  fc.integer({ min: 41, max: 20_000 }).map((n) => '9'.repeat(n)),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 12 }))
    .map(([units, scale]) => {
      const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
      const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      return units < 0n ? `-${text}` : text;
    }),
);
const decimal = fc.option(
  decimalText.map((value) => ({ value })),
  { nil: undefined },
);

/** Symbols, assets, intervals and ids an attacker or a careless operator would send. */
const text = fc
  .oneof(
    fc.constantFrom(
      '',
      'BTCUSDT',
      'SOLUSDT',
      'btcusdt',
      'DOGEUSDT',
      'BTC/USDT:USDT',
      'USDT',
      'BTC',
      '1m',
      '1M',
      '../../etc/passwd',
      '%s%n%x',
      '\u0000',
      'BTCUSDT\n',
      '😀',
      '𝔅𝔗ℭ',
    ),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.integer({ min: 33, max: 60_000 }).map((n) => 'A'.repeat(n)),
  )
  .filter((s) => s !== SENTINEL_SYMBOL);

const enumValue = fc.oneof(
  fc.integer({ min: -3, max: 8 }),
  fc.constantFrom(2 ** 31 - 1, -(2 ** 31)),
);
const int32 = fc.oneof(
  fc.constantFrom(-1, 0, 1, 1500, 1501, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);
const int64 = fc.oneof(
  fc.constantFrom(0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);

const placeOrder = fc.record({
  symbol: text,
  side: enumValue,
  type: enumValue,
  timeInForce: enumValue,
  quantity: decimal,
  price: decimal,
  reduceOnly: fc.boolean(),
  postOnly: fc.boolean(),
  clientOrderId: text,
  useMargin: fc.boolean(),
});

/** A hostile but well-encoded request of each RPC. */
export const REQUESTS: { readonly [M in Method]: fc.Arbitrary<unknown> } = {
  getName: fc.constant({}),
  getType: fc.constant({}),
  placeOrder,
  batchPlaceOrders: fc.record({ orders: fc.array(placeOrder, { maxLength: 120 }) }),
  cancelOrder: fc.record({ symbol: text, orderId: int64, useMargin: fc.boolean() }),
  batchCancelOrders: fc.record({
    symbol: text,
    orderIds: fc.array(int64, { maxLength: 120 }),
    useMargin: fc.boolean(),
  }),
  cancelAllOrders: fc.record({ symbol: text, useMargin: fc.boolean() }),
  getOrder: fc.record({
    symbol: text,
    orderId: int64,
    clientOrderId: text,
    useMargin: fc.boolean(),
  }),
  getOpenOrders: fc.record({ symbol: text, useMargin: fc.boolean() }),
  getAccount: fc.constant({}),
  getPositions: fc.record({ symbol: text }),
  getBalance: fc.record({ asset: text }),
  getLatestPrice: fc.record({ symbol: text }),
  getTickers: fc.constant({}),
  getOpenInterest: fc.record({ symbol: text }),
  getHistoricalKlines: fc.record({ symbol: text, interval: text, limit: int32 }),
  fetchExchangeInfo: fc.record({ symbol: text }),
  getSymbolInfo: fc.record({ symbol: text }),
  getSymbols: fc.constant({}),
  getFundingRate: fc.record({ symbol: text }),
  getFundingRates: fc.constant({}),
  getHistoricalFundingRates: fc.record({ symbol: text, limit: int32 }),
  subscribeFundingRate: fc.record({ symbol: text }),
  subscribePrice: fc.record({ symbols: fc.array(text, { maxLength: 250 }) }),
  subscribeOrders: fc.constant({}),
  subscribeKlines: fc.record({ symbols: fc.array(text, { maxLength: 8 }), interval: text }),
  subscribeAccount: fc.constant({}),
  subscribePositions: fc.record({ symbol: text }),
  getOrderBook: fc.record({ symbol: text, levels: int32 }),
  subscribeOrderBook: fc.record({ symbol: text, levels: int32 }),
  getTradeHistory: fc.record({
    symbol: text,
    startTime: int64,
    endTime: int64,
    limit: int32,
    cursor: text,
  }),
};

/** Printable x-exchange values (grpc-js refuses others before sending). */
export const venueHeader = fc.option(
  fc.oneof(
    fc.constantFrom('sim', 'sim-spot', 'kraken', ''),
    fc.string({ unit: 'grapheme-ascii', maxLength: 2000 }),
  ),
  { nil: undefined },
);

/** Hand-picked bytes that are not a message of any request type. */
export const BAD_BYTES: readonly Buffer[] = [
  Buffer.from([0x00]),
  Buffer.from([0x00, 0x00, 0x00]),
  Buffer.from([0x02, 0x01, 0x41]),
  Buffer.from([0x0b]),
  Buffer.from([0x0c]),
  Buffer.from([0x0b, 0x0c]),
  Buffer.from([0x08]),
  Buffer.from([0x08, 0xff]),
  Buffer.alloc(11, 0xff),
  Buffer.from([0x0a, 0x7f, 0x41]),
  Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
  Buffer.from([0x0e]),
  Buffer.from([0x0f, 0x01]),
  Buffer.from([0x0a, 0x01, 0x41, 0x00]),
];

/** Bytes that are well framed at the top but not inside a PlaceOrder's nested Decimal. */
export const BAD_PLACE_ORDER_BYTES: readonly Buffer[] = [
  // PlaceOrderRequest{symbol "BTCUSDT", price: Decimal{0x00}}
  Buffer.from([0x0a, 0x07, ...Buffer.from('BTCUSDT'), 0x32, 0x01, 0x00]),
  // PlaceOrderRequest whose price Decimal holds a truncated string
  Buffer.from([0x0a, 0x07, ...Buffer.from('BTCUSDT'), 0x32, 0x02, 0x0a, 0x05]),
];
