/**
 * The connector's edge against hostile and careless requests (issue 9, items 1-4): decimals with
 * huge exponents or non-decimal forms, bytes that are not a message, missing required fields,
 * unbounded strings and out-of-range limits. Each is answered with a clear INVALID_ARGUMENT naming
 * the field before any venue sees it, and nothing already resting on the venue is touched.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { status as Status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { toProtoPlaceOrderRequest } from '../../connector/codec.js';
import { dec } from '../../core/decimal.js';
import {
  ExchangeServiceService,
  type ExchangeServiceClient,
} from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import type {
  Order,
  PlaceOrderRequest as PlaceOrderRequestProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { OrderSide, OrderType } from '../../proto/gen/opensqt/market_maker/v1/types.js';
import {
  header,
  metadata,
  rawClient,
  startSimConnector,
  streamResult,
  unaryResult,
} from '../support/grpc-harness.js';

type Method = keyof typeof ExchangeServiceService;
const METHODS = Object.keys(ExchangeServiceService) as Method[];
const identity = (b: Buffer): Buffer => b;

/** Sends `bytes` as the body of `method`, bypassing every serializer; resolves to its status. */
async function sendRaw(
  client: ExchangeServiceClient,
  method: Method,
  bytes: Buffer,
): Promise<Pick<StatusObject, 'code' | 'details' | 'metadata'>> {
  const def = ExchangeServiceService[method];
  if (def.responseStream) {
    const call = client.makeServerStreamRequest(def.path, identity, identity, bytes, metadata(), {
      deadline: Date.now() + 2000,
    });
    // A stream the edge wrongly opened would stay open: end it after a moment so the test fails
    const timer = setTimeout(() => call.cancel(), 500);
    const { status } = await streamResult(call);
    clearTimeout(timer);
    return status;
  }
  const { error } = await unaryResult<Buffer>((md, options, done) =>
    client.makeUnaryRequest(def.path, identity, identity, bytes, md, options, done),
  );
  return error ?? { code: Status.OK, details: '', metadata: metadata() };
}

function assertInvalid(
  status: Pick<StatusObject, 'code' | 'details' | 'metadata'> | ServiceError | undefined,
  field: string,
  what: string,
): void {
  assert.equal(status?.code, Status.INVALID_ARGUMENT, `${what}: code (${status?.details})`);
  assert.equal(header(status?.metadata, 'x-error-reason'), 'INVALID_ARGUMENT', `${what}: reason`);
  assert.equal(header(status?.metadata, 'x-error-field'), field, `${what}: field`);
  assert.ok((status?.details.length ?? 0) < 400, `${what}: details are short`);
}

const limitBuy = (change: Partial<PlaceOrderRequestProto> = {}): PlaceOrderRequestProto => ({
  ...toProtoPlaceOrderRequest({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: dec('0.001'),
    price: dec('30000'),
  }),
  ...change,
});

/** A sim connector with one resting order on BTCUSDT and on ETHUSDT that nothing may cancel. */
async function withRestingOrders(t: TestContext) {
  const sim = await startSimConnector(t);
  const client = rawClient(t, sim.server.address);
  const btc = await sim.futures.placeOrder({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: dec('0.001'),
    price: dec('30000'),
  });
  const eth = await sim.futures.placeOrder({
    symbol: 'ETHUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: dec('0.01'),
    price: dec('1000'),
  });
  const stillOpen = async (): Promise<string[]> =>
    (await sim.futures.getOpenOrders('')).map((o) => o.orderId).sort();
  const before = [btc.orderId, eth.orderId].sort();
  assert.deepEqual(await stillOpen(), before);
  return { sim, client, before, stillOpen };
}

describe('ExchangeService edge: decimals', () => {
  it('refuses a 37-byte PlaceOrder priced 1e199999999 at once, naming price, and keeps serving', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);

    for (const [field, change] of [
      ['price', { price: { value: '1e199999999' } }],
      ['quantity', { quantity: { value: '1e99999999' } }],
      ['price', { price: { value: '1e-99999999' } }],
    ] as const) {
      const started = Date.now();
      const { error } = await unaryResult<Order>((md, o, done) =>
        client.placeOrder(limitBuy(change), md, o, done),
      );
      assertInvalid(error, field, `${field} ${JSON.stringify(change)}`);
      assert.match(error?.details ?? '', /out of range/);
      assert.ok(Date.now() - started < 1000, 'answered within a second');
    }
    const { response } = await unaryResult<{ name: string }>((md, o, done) =>
      client.getName({}, md, o, done),
    );
    assert.equal(response?.name, 'sim');
    assert.deepEqual(await stillOpen(), before);
  });

  it('accepts exactly the google.type.Decimal grammar: hex, binary, octal, underscores, Infinity, NaN and spaces place nothing', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);
    const forms = ['0x10', '0b101', '0o17', '0x1p3', '1_000', 'Infinity', 'NaN', ' 1', '1 '];

    for (const form of forms) {
      for (const field of ['price', 'quantity'] as const) {
        const { error } = await unaryResult<Order>((md, o, done) =>
          client.placeOrder(limitBuy({ [field]: { value: form } }), md, o, done),
        );
        assertInvalid(error, field, `${field} ${JSON.stringify(form)}`);
        assert.match(error?.details ?? '', /not a (finite )?decimal number/);
      }
    }
    assert.deepEqual(await stillOpen(), before);
  });

  it("accepts the grammar's other forms: a leading plus, a bare point and an exponent", async (t) => {
    const { client } = await withRestingOrders(t);
    const forms: [string, string][] = [
      ['+30000', '.001'],
      ['3e4', '1E-3'],
      ['30000.', '0.0010'],
    ];
    for (const [price, quantity] of forms) {
      const { response, error } = await unaryResult<Order>((md, o, done) =>
        client.placeOrder(
          limitBuy({ price: { value: price }, quantity: { value: quantity } }),
          md,
          o,
          done,
        ),
      );
      assert.equal(error, undefined, `${price} x ${quantity}: ${error?.details}`);
      assert.equal(response?.price?.value, '30000');
      assert.equal(response?.quantity?.value, '0.001');
    }
  });
});

describe('ExchangeService edge: bytes that are not a message', () => {
  const garbage: [string, Buffer][] = [
    ['a single 0x00', Buffer.from([0x00])],
    ['field 0', Buffer.from([0x02, 0x01, 0x41])],
    ['a start-group tag', Buffer.from([0x0b])],
    ['an end-group tag', Buffer.from([0x0c])],
    ['a truncated varint', Buffer.from([0x08, 0xff])],
    ['a length past the end', Buffer.from([0x0a, 0x7f, 0x41])],
    ['wire type 7', Buffer.from([0x0f])],
    ['ten 0xff bytes', Buffer.alloc(10, 0xff)],
    ['a valid field then 0x00', Buffer.from([0x0a, 0x01, 0x41, 0x00])],
  ];

  it('answers INVALID_ARGUMENT naming "request" on every RPC, unary and stream, and opens no stream', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);
    for (const method of METHODS) {
      for (const [what, bytes] of garbage) {
        assertInvalid(await sendRaw(client, method, bytes), 'request', `${method} with ${what}`);
      }
    }
    assert.deepEqual(await stillOpen(), before);
    assert.deepEqual(
      // The generated decoders would have read these as valid; the resting orders prove otherwise
      (await sendRaw(client, 'cancelAllOrders', Buffer.from([0x00]))).code,
      Status.INVALID_ARGUMENT,
    );
  });

  it('checks nested messages too: garbage inside a PlaceOrder price or a batch item is refused', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);
    // PlaceOrderRequest{symbol "BTCUSDT", price: Decimal{ 0x00 }}
    const nested = Buffer.from([0x0a, 0x07, ...Buffer.from('BTCUSDT'), 0x32, 0x01, 0x00]);
    assertInvalid(await sendRaw(client, 'placeOrder', nested), 'request', 'nested Decimal');
    const batch = Buffer.concat([Buffer.from([0x0a, nested.length]), nested]);
    assertInvalid(await sendRaw(client, 'batchPlaceOrders', batch), 'request', 'batch item');
    assert.deepEqual(await stillOpen(), before);
  });

  it('still accepts unknown fields of a well-framed message (proto3 forward compatibility)', async (t) => {
    const { client } = await withRestingOrders(t);
    // GetNameRequest{} with an unknown field 15 = "x"
    const status = await sendRaw(client, 'getName', Buffer.from([0x7a, 0x01, 0x78]));
    assert.equal(status.code, Status.OK);
  });
});

describe('ExchangeService edge: required fields', () => {
  it('never reads an empty CancelAllOrders symbol as "every symbol"', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);
    const { error } = await unaryResult((md, o, done) =>
      client.cancelAllOrders({ symbol: '', useMargin: false }, md, o, done),
    );
    assertInvalid(error, 'symbol', 'empty symbol');
    assert.deepEqual(await stillOpen(), before);
    // With the symbol it cancels that symbol's orders only
    await unaryResult((md, o, done) =>
      client.cancelAllOrders({ symbol: 'BTCUSDT', useMargin: false }, md, o, done),
    );
    assert.equal((await stillOpen()).length, 1);
  });

  it('names the missing field on every RPC that needs one, streams included', async (t) => {
    const { client, before, stillOpen } = await withRestingOrders(t);
    const cases: [Method, unknown, string][] = [
      ['placeOrder', limitBuy({ symbol: '' }), 'symbol'],
      ['placeOrder', limitBuy({ side: OrderSide.ORDER_SIDE_UNSPECIFIED }), 'side'],
      ['placeOrder', limitBuy({ type: OrderType.ORDER_TYPE_UNSPECIFIED }), 'type'],
      ['placeOrder', limitBuy({ quantity: undefined }), 'quantity'],
      ['batchPlaceOrders', { orders: [] }, 'orders'],
      ['cancelOrder', { symbol: '', orderId: 1n, useMargin: false }, 'symbol'],
      ['cancelOrder', { symbol: 'BTCUSDT', orderId: 0n, useMargin: false }, 'order_id'],
      ['batchCancelOrders', { symbol: '', orderIds: [1n], useMargin: false }, 'symbol'],
      ['batchCancelOrders', { symbol: 'BTCUSDT', orderIds: [], useMargin: false }, 'order_ids'],
      [
        'batchCancelOrders',
        { symbol: 'BTCUSDT', orderIds: [-5n], useMargin: false },
        'order_ids[0]',
      ],
      ['cancelAllOrders', { symbol: '', useMargin: false }, 'symbol'],
      ['getOrder', { symbol: '', orderId: 1n, clientOrderId: '', useMargin: false }, 'symbol'],
      [
        'getOrder',
        { symbol: 'BTCUSDT', orderId: 0n, clientOrderId: '', useMargin: false },
        'order_id',
      ],
      ['getBalance', { asset: '' }, 'asset'],
      ['getLatestPrice', { symbol: '' }, 'symbol'],
      ['getOpenInterest', { symbol: '' }, 'symbol'],
      ['getHistoricalKlines', { symbol: '', interval: '1m', limit: 10 }, 'symbol'],
      ['getHistoricalKlines', { symbol: 'BTCUSDT', interval: '', limit: 10 }, 'interval'],
      ['getSymbolInfo', { symbol: '' }, 'symbol'],
      ['getFundingRate', { symbol: '' }, 'symbol'],
      ['getHistoricalFundingRates', { symbol: '', limit: 10 }, 'symbol'],
      ['subscribeKlines', { symbols: ['BTCUSDT'], interval: '' }, 'interval'],
      ['subscribeKlines', { symbols: [''], interval: '1m' }, 'symbols[0]'],
      ['subscribePrice', { symbols: ['BTCUSDT', ''] }, 'symbols[1]'],
    ];
    for (const [method, request, field] of cases) {
      const def = ExchangeServiceService[method];
      const bytes = (def.requestSerialize as (r: unknown) => Buffer)(request);
      assertInvalid(await sendRaw(client, method, bytes), field, `${method} ${field}`);
    }
    assert.deepEqual(await stillOpen(), before);
  });
});

describe('ExchangeService edge: bounds', () => {
  it('refuses a 10 KB symbol quoting only a short prefix, on unary calls and streams', async (t) => {
    const { client } = await withRestingOrders(t);
    const symbol = 'B'.repeat(10_000);
    const { error } = await unaryResult((md, o, done) =>
      client.getLatestPrice({ symbol }, md, o, done),
    );
    assertInvalid(error, 'symbol', '10 KB symbol');
    assert.match(error?.details ?? '', /10000 characters/);
    const { status } = await streamResult(client.subscribePrice({ symbols: [symbol] }));
    assertInvalid(status, 'symbols[0]', '10 KB symbol stream');
    const placed = await unaryResult((md, o, done) =>
      client.placeOrder(limitBuy({ clientOrderId: 'c'.repeat(10_000) }), md, o, done),
    );
    assertInvalid(placed.error, 'client_order_id', '10 KB client order id');
  });

  it('refuses a 200 KB request before decoding it, and the channel answers the next call at once', async (t) => {
    const { client } = await withRestingOrders(t);
    const { error } = await unaryResult((md, o, done) =>
      client.getLatestPrice({ symbol: 'B'.repeat(200_000) }, md, o, done),
    );
    assert.equal(error?.code, Status.RESOURCE_EXHAUSTED, error?.details);
    const started = Date.now();
    const { response } = await unaryResult<{ price?: { value: string } }>((md, o, done) =>
      client.getLatestPrice({ symbol: 'BTCUSDT' }, md, o, done),
    );
    assert.ok(response?.price?.value !== undefined);
    assert.ok(Date.now() - started < 500, 'the channel kept working');
  });

  it('refuses negative or oversized history limits', async (t) => {
    const { client } = await withRestingOrders(t);
    for (const limit of [-1, -2147483648, 1_000_000]) {
      const klines = await unaryResult((md, o, done) =>
        client.getHistoricalKlines({ symbol: 'BTCUSDT', interval: '1m', limit }, md, o, done),
      );
      assertInvalid(klines.error, 'limit', `klines limit ${limit}`);
      const funding = await unaryResult((md, o, done) =>
        client.getHistoricalFundingRates({ symbol: 'BTCUSDT', limit }, md, o, done),
      );
      assertInvalid(funding.error, 'limit', `funding limit ${limit}`);
    }
  });

  it('says an unknown asset is unknown instead of answering a balance of 0', async (t) => {
    const { client } = await withRestingOrders(t);
    const unknown = await unaryResult((md, o, done) =>
      client.getBalance({ asset: 'NOSUCHCOIN' }, md, o, done),
    );
    assertInvalid(unknown.error, 'asset', 'unknown asset');
    assert.match(unknown.error?.details ?? '', /not an asset of sim/);
    const listed = await unaryResult<{ balance?: { value: string } }>((md, o, done) =>
      client.getBalance({ asset: 'BTC' }, md, o, done),
    );
    assert.equal(listed.response?.balance?.value, '0');
  });
});
