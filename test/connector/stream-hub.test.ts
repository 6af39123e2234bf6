import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { ExchangeError } from '../../core/errors.js';
import type { StreamSink } from '../../core/stream.js';
import type { Order, OrderUpdate, PriceChange } from '../../core/exchange.types.js';
import { dec } from '../../core/decimal.js';
import type { PriceChange as PriceChangeProto } from '../../proto/gen/opensqt/market_maker/v1/events.js';
import {
  eventually,
  fakeVenue,
  header,
  rawClient,
  startConnector,
  streamResult,
} from '../support/grpc-harness.js';

const order: Order = {
  orderId: '1',
  clientOrderId: 'osq-1',
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: dec('90000'),
  quantity: dec('0.01'),
  executedQty: dec(0),
  avgPrice: dec(0),
  status: 'NEW',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 1,
  updateTimeMs: 1,
  trades: [],
};
const update = (i: number): OrderUpdate => ({
  exchange: 'sim',
  order: { ...order, orderId: String(i + 1), updateTimeMs: i },
});
const price = (symbol: string, i: number): PriceChange => ({
  exchange: 'sim',
  symbol,
  price: dec(90000 + i),
  timeMs: i,
});

/** A venue whose streams the test drives, counting upstream opens and closes per stream kind. */
function drivenVenue() {
  const sinks = {
    price: new Map<string, StreamSink<PriceChange>>(),
    orders: [] as StreamSink<OrderUpdate>[],
  };
  const counts = { priceOpened: 0, priceClosed: 0, ordersOpened: 0, ordersClosed: 0 };
  const venue = fakeVenue('sim', {
    subscribePrice: (symbols, sink) => {
      counts.priceOpened++;
      for (const symbol of symbols) sinks.price.set(symbol, sink);
      return { close: () => void counts.priceClosed++ };
    },
    subscribeOrders: (sink) => {
      counts.ordersOpened++;
      sinks.orders.push(sink);
      return { close: () => void counts.ordersClosed++ };
    },
  });
  return { venue, sinks, counts };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('StreamHub', () => {
  it('shares one upstream subscription between subscribers and closes it after the last', async (t) => {
    const { venue, sinks, counts } = drivenVenue();
    const server = await startConnector(t, venue);
    const client = rawClient(t, server.address);
    const a = client.subscribePrice({ symbols: ['BTCUSDT'] });
    const b = client.subscribePrice({ symbols: ['BTCUSDT', 'ETHUSDT'] });
    const received: [string, PriceChangeProto][] = [];
    a.on('data', (m: PriceChangeProto) => received.push(['a', m]));
    b.on('data', (m: PriceChangeProto) => received.push(['b', m]));
    a.on('error', () => undefined);
    b.on('error', () => undefined);
    await eventually(() => server.streams().subscribers === 2, 'two subscribers');

    sinks.price.get('BTCUSDT')?.next(price('BTCUSDT', 1));
    await eventually(() => received.length === 2, 'both subscribers to get the update');
    a.cancel();
    await eventually(() => server.streams().subscribers === 1, 'the first subscriber to leave');
    const afterFirstLeft = { ...counts };
    b.cancel();
    await eventually(() => server.streams().topics === 0, 'every topic to close');

    assert.deepEqual(received.map(([who, m]) => [who, m.symbol, m.price?.value]).sort(), [
      ['a', 'BTCUSDT', '90001'],
      ['b', 'BTCUSDT', '90001'],
    ]);
    assert.deepEqual(afterFirstLeft, {
      priceOpened: 2,
      priceClosed: 0,
      ordersOpened: 0,
      ordersClosed: 0,
    });
    assert.deepEqual(counts, { priceOpened: 2, priceClosed: 2, ordersOpened: 0, ordersClosed: 0 });
  });

  it('cuts a slow order-stream subscriber with SUBSCRIBER_TOO_SLOW while a fast one gets every update', async (t) => {
    const { venue, sinks } = drivenVenue();
    const server = await startConnector(t, venue, { streamQueueLimit: 500 });
    const slowCall = rawClient(t, server.address).subscribeOrders({});
    const fastCall = rawClient(t, server.address).subscribeOrders({});
    const slowStatus = streamResult(slowCall);
    const fastStatus = streamResult(fastCall);
    let fastReceived = 0;
    fastCall.on('data', () => fastReceived++);
    await eventually(() => server.streams().subscribers === 2, 'two subscribers');
    slowCall.pause();

    // Paced by the fast reader, so only the paused one can fall behind
    let sent = 0;
    while (server.streams().subscribers === 2) {
      for (const end = sent + 50; sent < end; sent++) sinks.orders[0]?.next(update(sent));
      await eventually(() => fastReceived === sent, 'the fast subscriber to keep up');
    }
    for (const end = sent + 50; sent < end; sent++) sinks.orders[0]?.next(update(sent));
    await eventually(() => fastReceived === sent, 'the fast subscriber to get the rest');
    sinks.orders[0]?.error(new ExchangeError('EXCHANGE_UNAVAILABLE', 'venue maintenance'));
    slowCall.resume();
    const [fast, slow] = await Promise.all([fastStatus, slowStatus]);

    assert.equal(fast.messages.length, sent);
    assert.equal(fast.status.code, Status.UNAVAILABLE);
    assert.equal(slow.status.code, Status.ABORTED);
    assert.equal(header(slow.status.metadata, 'x-error-reason'), 'SUBSCRIBER_TOO_SLOW');
    assert.match(slow.status.details, /resubscribe and resync/);
    assert.ok(
      slow.messages.length < sent,
      `slow subscriber got ${slow.messages.length} of ${sent}`,
    );
  });

  it('conflates price updates for a slow subscriber to the latest per symbol', async (t) => {
    const { venue, sinks } = drivenVenue();
    const server = await startConnector(t, venue, { streamQueueLimit: 200 });
    const client = rawClient(t, server.address);
    const call = client.subscribePrice({ symbols: ['BTCUSDT', 'ETHUSDT'] });
    const received: PriceChangeProto[] = [];
    call.on('data', (m: PriceChangeProto) => received.push(m));
    call.on('error', () => undefined);
    await eventually(() => server.streams().topics === 2, 'both upstreams');
    call.pause();

    const total = 6000;
    for (let i = 0; i < total; i += 100) {
      for (let j = i; j < i + 100; j++) {
        const symbol = j % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT';
        sinks.price.get(symbol)?.next(price(symbol, j));
      }
      await tick();
    }
    call.resume();
    const last = (symbol: string) => received.findLast((m) => m.symbol === symbol)?.price?.value;
    await eventually(
      () =>
        last('BTCUSDT') === String(90000 + total - 2) &&
        last('ETHUSDT') === String(90000 + total - 1),
      'the latest prices',
    );

    assert.ok(received.length < total, `conflated to ${received.length} of ${total}`);
    assert.equal(server.streams().subscribers, 1);
    call.cancel();
  });

  it('ends every subscriber of a topic with the status of the venue error', async (t) => {
    const { venue, sinks, counts } = drivenVenue();
    const server = await startConnector(t, venue);
    const client = rawClient(t, server.address);
    const a = streamResult(client.subscribeOrders({}));
    const b = streamResult(client.subscribeOrders({}));
    await eventually(() => server.streams().subscribers === 2, 'two subscribers');

    sinks.orders[0]?.error(
      new ExchangeError('AUTHENTICATION', 'listen key expired', { venueCode: '-1125' }),
    );
    const results = await Promise.all([a, b]);

    for (const { status } of results) {
      assert.equal(status.code, Status.UNAUTHENTICATED);
      assert.equal(status.details, 'listen key expired');
      assert.equal(header(status.metadata, 'x-venue-code'), '-1125');
    }
    assert.equal(counts.ordersOpened, 1);
    assert.deepEqual(server.streams(), { topics: 0, subscribers: 0 });
  });
});
