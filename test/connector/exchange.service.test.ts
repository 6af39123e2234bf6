import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status, type Metadata } from '@grpc/grpc-js';
import { toProtoOrder, toProtoPlaceOrderRequest } from '../../connector/codec.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import { dec } from '../../core/decimal.js';
import {
  ExchangeServiceService,
  type BatchPlaceOrdersResponse,
  type GetNameResponse,
} from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import type { PlaceOrderRequest as PlaceOrderRequestProto } from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import { OrderSide, OrderType } from '../../proto/gen/opensqt/market_maker/v1/types.js';
import {
  fakeVenue,
  header,
  metadata,
  rawClient,
  startConnector,
  startSimConnector,
  streamResult,
  unaryResult,
} from '../support/grpc-harness.js';

type Method = keyof typeof ExchangeServiceService;

/** A venue whose every method fails with a NOT_FOUND naming the method, in field and venue code. */
function failingVenue(): Exchange {
  return new Proxy({} as Exchange, {
    get(_target, property) {
      if (property === 'name') return 'failing';
      if (property === 'isReachable') return () => true;
      if (property === 'then') return undefined;
      return () => {
        throw new ExchangeError('ORDER_NOT_FOUND', `${String(property)} failed`, {
          field: String(property),
          venueCode: '-2011',
        });
      };
    },
  });
}

/** The smallest request of `method` the codec accepts. */
function minimalRequest(method: Method): unknown {
  const request = ExchangeServiceService[method].requestDeserialize(Buffer.alloc(0)) as Record<
    string,
    unknown
  >;
  if (method === 'placeOrder') {
    return toProtoPlaceOrderRequest({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec(1),
    });
  }
  if (method === 'batchPlaceOrders') return { orders: [minimalRequest('placeOrder')] };
  if (method === 'subscribePrice') return { symbols: ['BTCUSDT'] };
  if (method === 'subscribeKlines') return { symbols: ['BTCUSDT'], interval: '1m' };
  // The edge refuses requests missing a required field before the venue sees them
  if ('symbol' in request) request.symbol = 'BTCUSDT';
  if ('orderId' in request) request.orderId = 7n;
  if ('orderIds' in request) request.orderIds = [7n];
  if ('asset' in request) request.asset = 'USDT';
  if ('interval' in request) request.interval = '1m';
  return request;
}

const placed = (request: PlaceOrderRequest, orderId: string): Order => ({
  orderId,
  clientOrderId: request.clientOrderId ?? '',
  symbol: request.symbol,
  side: request.side,
  type: request.type,
  timeInForce: 'GTC',
  price: request.price ?? dec(0),
  quantity: request.quantity,
  executedQty: dec(0),
  avgPrice: dec(0),
  status: 'NEW',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 1,
  updateTimeMs: 1,
  trades: [],
});

describe('ExchangeService', () => {
  it('routes every RPC to its venue method and sends the venue error with reason, code and field', async (t) => {
    const server = await startConnector(t, failingVenue());
    const client = rawClient(t, server.address);

    for (const [method, def] of Object.entries(ExchangeServiceService) as [
      Method,
      (typeof ExchangeServiceService)[Method],
    ][]) {
      if (method === 'getName') continue;
      const request = minimalRequest(method);
      const serialize = def.requestSerialize as (value: unknown) => Buffer;
      const {
        code,
        details,
        metadata: trailers,
      } = def.responseStream
        ? (
            await streamResult(
              client.makeServerStreamRequest(def.path, serialize, (b) => b, request, metadata()),
            )
          ).status
        : ((
            await unaryResult((md, options, done) =>
              client.makeUnaryRequest(def.path, serialize, (b) => b, request, md, options, done),
            )
          ).error ?? { code: Status.OK, details: '', metadata: undefined });

      assert.equal(code, Status.NOT_FOUND, `${method} status`);
      assert.equal(details, `${method} failed`, `${method} details`);
      assert.equal(header(trailers, 'x-error-reason'), 'ORDER_NOT_FOUND', `${method} reason`);
      assert.equal(header(trailers, 'x-venue-code'), '-2011', `${method} venue code`);
      assert.equal(header(trailers, 'x-error-field'), method, `${method} field`);
    }
  });

  it('serves the venue named by x-exchange, the default without it, and refuses an unknown one', async (t) => {
    const server = await startConnector(t, [fakeVenue('sim', {}), fakeVenue('sim-spot', {})]);
    const client = rawClient(t, server.address);
    const getName = (md: Metadata) =>
      unaryResult<GetNameResponse>((m, o, done) => client.getName({}, m, o, done), md);

    assert.equal((await getName(metadata())).response?.name, 'sim');
    assert.equal(
      (await getName(metadata({ 'x-exchange': 'sim-spot' }))).response?.name,
      'sim-spot',
    );
    const { error } = await getName(metadata({ 'x-exchange': 'kraken' }));
    assert.equal(error?.code, Status.INVALID_ARGUMENT);
    assert.equal(header(error?.metadata, 'x-error-field'), 'x-exchange');
    assert.match(error?.details ?? '', /unknown venue "kraken".*sim, sim-spot/);
  });

  it('answers a failure that is not an ExchangeError with INTERNAL carrying its message', async (t) => {
    const venue = fakeVenue('sim', {
      getAccount: async () => {
        throw new TypeError('cannot read balance of undefined');
      },
    });
    const server = await startConnector(t, venue);
    const client = rawClient(t, server.address);

    const { error } = await unaryResult((md, o, done) => client.getAccount({}, md, o, done));

    assert.equal(error?.code, Status.INTERNAL);
    assert.match(error?.details ?? '', /cannot read balance of undefined/);
    assert.equal(header(error?.metadata, 'x-error-reason'), 'INTERNAL');
  });

  it('places a batch around a malformed item, reporting it at its own index', async (t) => {
    const received: PlaceOrderRequest[][] = [];
    const venue = fakeVenue('sim', {
      batchPlaceOrders: async (requests) => {
        received.push([...requests]);
        // The venue rejects the second item it sees (index 1 of its own list)
        return {
          orders: [placed(requests[0] as PlaceOrderRequest, '1')],
          allSuccess: false,
          errors: [
            {
              index: 1,
              clientOrderId: 'c',
              message: 'insufficient funds',
              code: 9,
              reason: 'INSUFFICIENT_FUNDS',
            },
          ],
        };
      },
    });
    const server = await startConnector(t, venue);
    const client = rawClient(t, server.address);
    const item = (clientOrderId: string) =>
      toProtoPlaceOrderRequest({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: dec('0.01'),
        price: dec('90000'),
        clientOrderId,
      });
    const orders = [item('a'), { ...item('b'), side: OrderSide.ORDER_SIDE_UNSPECIFIED }, item('c')];

    const { response } = await unaryResult<BatchPlaceOrdersResponse>((md, o, done) =>
      client.batchPlaceOrders({ orders }, md, o, done),
    );

    assert.deepEqual(
      received[0]?.map((r) => r.clientOrderId),
      ['a', 'c'],
    );
    assert.equal(response?.allSuccess, false);
    assert.deepEqual(
      response?.orders.map((o) => o.clientOrderId),
      ['a'],
    );
    assert.deepEqual(
      response?.errors.map((e) => [e.index, e.clientOrderId, e.code]),
      [
        [1, 'b', Status.INVALID_ARGUMENT],
        [2, 'c', Status.FAILED_PRECONDITION],
      ],
    );
    assert.match(response?.errors[0]?.errorMessage ?? '', /^side:/);
  });

  it('answers bad placements with INVALID_ARGUMENT naming the field in metadata and message', async (t) => {
    const sim = await startSimConnector(t);
    const client = rawClient(t, sim.server.address);
    const valid = toProtoPlaceOrderRequest({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.001'),
      price: dec('90000'),
    });
    const cases: [string, Partial<PlaceOrderRequestProto>, string][] = [
      ['empty symbol', { symbol: '' }, 'symbol'],
      ['unknown symbol', { symbol: 'DOGEUSDT' }, 'symbol'],
      ['zero quantity', { quantity: { value: '0' } }, 'quantity'],
      ['negative quantity', { quantity: { value: '-0.001' } }, 'quantity'],
      ['price off tick', { price: { value: '90000.05' } }, 'price'],
      ['below min notional', { price: { value: '1000' } }, 'quantity'],
      ['unspecified side', { side: OrderSide.ORDER_SIDE_UNSPECIFIED }, 'side'],
      ['unspecified type', { type: OrderType.ORDER_TYPE_UNSPECIFIED }, 'type'],
      ['unparsable price', { price: { value: '9e' } }, 'price'],
    ];

    for (const [what, change, field] of cases) {
      const { error } = await unaryResult((md, o, done) =>
        client.placeOrder({ ...valid, ...change }, md, o, done),
      );
      assert.equal(error?.code, Status.INVALID_ARGUMENT, what);
      assert.equal(header(error?.metadata, 'x-error-field'), field, what);
      assert.ok(error?.details.includes(field), `${what}: "${error?.details}" names ${field}`);
    }
  });

  it('shuts down gracefully: the in-flight call completes and streams end UNAVAILABLE', async (t) => {
    let release: (() => void) | undefined;
    const order = placed({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: dec(1) }, '7');
    const venue = fakeVenue('sim', {
      getOrder: () => new Promise<Order>((resolve) => (release = () => resolve(order))),
      subscribeOrders: () => ({ close: () => undefined }),
    });
    const server = await startConnector(t, venue);
    const client = rawClient(t, server.address);
    const stream = streamResult(client.subscribeOrders({}));
    const inFlight = unaryResult((md, o, done) =>
      client.getOrder(
        { symbol: 'BTCUSDT', orderId: 7n, clientOrderId: '', useMargin: false },
        md,
        o,
        done,
      ),
    );
    while (release === undefined || server.streams().subscribers === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }

    const stopped = server.shutdown(2000);
    release();
    const [{ response }, { status }] = await Promise.all([inFlight, stream, stopped]);

    assert.deepEqual(response, toProtoOrder(order));
    assert.equal(status.code, Status.UNAVAILABLE);
    assert.match(status.details, /connector shutting down/);
    assert.deepEqual(server.streams(), { topics: 0, subscribers: 0 });
  });
});
