/**
 * Binance USD-M through real ccxt and the loopback emulator, beyond the shared conformance
 * cases: the exact signed request, idempotent placement when the reply is lost, error mapping
 * with the venue's codes, credentials (public-only, rejected, partial), stream reconnect with
 * resync, and listenKey keep-alive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ccxtVenueSchema } from '../../../../connector/venues/ccxt/ccxt-venue.config.js';
import { createCcxtVenue } from '../../../../connector/venues/ccxt/create-venues.js';
import { ExchangeError, GrpcCode } from '../../../../core/errors.js';
import type { OrderUpdate, PriceChange } from '../../../../core/exchange.types.js';
import { dec } from '../../../../core/decimal.js';
import { eventually, silentLogger } from '../../../support/grpc-harness.js';
import { binanceOverrides, EMULATOR_ENV, startBinanceHarness } from './binance.harness.js';

const postOnlyBuy = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.002'),
  price: dec('95000.5'),
  postOnly: true,
  clientOrderId: 'bn-post-1',
} as const;

/** The signed parameters of a request, without the per-request timestamp and signature. */
function signedParams(params: Readonly<Record<string, unknown>>) {
  const { timestamp, signature, ...rest } = params as Record<string, string>;
  assert.match(timestamp ?? '', /^\d{13}$/);
  assert.match(signature ?? '', /^[0-9a-f]{64}$/);
  return rest;
}

describe('ccxt binanceusdm venue (Binance emulator)', () => {
  it('sends a post-only limit order with our client id, signed, as Binance documents it', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t);

    const order = await futures.placeOrder(postOnlyBuy);

    const [sent] = emulator.server.requestsTo('/fapi/v1/order', 'POST');
    assert.equal(sent?.headers['x-mbx-apikey'], 'emu-api-key');
    assert.deepEqual(signedParams(sent?.body as Record<string, unknown>), {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.002',
      price: '95000.5',
      timeInForce: 'GTX',
      newClientOrderId: 'bn-post-1',
      newOrderRespType: 'RESULT',
      recvWindow: '10000',
    });
    assert.deepEqual(
      [order.orderId, order.clientOrderId, order.status, order.timeInForce, order.postOnly],
      ['8886774', 'bn-post-1', 'NEW', 'GTX', true],
    );
    assert.equal(order.price.toFixed(), '95000.5');
  });

  it('places spot post-only as LIMIT_MAKER, margin on the margin endpoint, a spot batch one by one', async (t) => {
    const { spot, emulator } = await startBinanceHarness(t);
    const request = {
      ...postOnlyBuy,
      quantity: dec('0.001'),
      price: dec('95000.01'),
      clientOrderId: 'sp-1',
    };

    const placed = await spot.placeOrder(request);
    const margin = await spot.placeOrder({ ...request, clientOrderId: 'mg-1', useMargin: true });
    const batch = await spot.batchPlaceOrders([
      { ...request, clientOrderId: 'sp-b0' },
      { ...request, clientOrderId: 'sp-b1', price: dec('100000.11') },
    ]);

    const sent = emulator.spotOrders.map((o) => {
      const { timestamp, signature, ...rest } = o.params;
      assert.ok(timestamp && signature);
      return [o.account, rest];
    });
    const common = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '0.001',
      price: '95000.01',
      newOrderRespType: 'FULL',
      recvWindow: '10000',
    };
    assert.deepEqual(sent, [
      ['spot', { ...common, newClientOrderId: 'sp-1' }],
      ['margin', { ...common, newClientOrderId: 'mg-1', sideEffectType: 'AUTO_BORROW_REPAY' }],
      ['spot', { ...common, newClientOrderId: 'sp-b0' }],
    ]);
    assert.deepEqual(
      [placed.clientOrderId, placed.postOnly, margin.clientOrderId],
      ['sp-1', true, 'mg-1'],
    );
    assert.deepEqual(
      batch.orders.map((o) => o.clientOrderId),
      ['sp-b0'],
    );
    assert.deepEqual(
      batch.errors.map((e) => [e.index, e.reason, e.code]),
      [[1, 'POST_ONLY_WOULD_CROSS', GrpcCode.FAILED_PRECONDITION]],
    );
    assert.match(batch.errors[0]?.message ?? '', /Order would immediately match and take/);
  });

  it('asks for the default history when the limit is 0, never for limit=0', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t);

    const candles = await futures.getHistoricalKlines('BTCUSDT', '1m', 0);
    const rates = await futures.getHistoricalFundingRates('BTCUSDT', 0);
    await futures.getHistoricalKlines('BTCUSDT', '1m', 3);

    // No limit, or ccxt's own default: anything but the literal 0 the caller sent
    const [klines, limited] = emulator.server.requestsTo('/fapi/v1/klines', 'GET');
    const [funding] = emulator.server.requestsTo('/fapi/v1/fundingRate', 'GET');
    assert.notEqual(klines?.query.limit, '0');
    assert.notEqual(funding?.query.limit, '0');
    assert.equal(limited?.query.limit, '3');
    assert.ok(candles.length > 0 && rates.length > 0);
  });

  it('returns the order it placed when the reply is lost, found by client id', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t);
    emulator.server.loseReply = (r) => r.method === 'POST' && r.path === '/fapi/v1/order';

    const order = await futures.placeOrder(postOnlyBuy);

    assert.equal(order.clientOrderId, 'bn-post-1');
    assert.equal(emulator.ledger.orders.length, 1);
    assert.equal(order.orderId, String(emulator.ledger.orders[0]?.orderId));
    const lookup = emulator.server.requestsTo('/fapi/v1/order', 'GET')[0];
    assert.equal(lookup?.query.origClientOrderId, 'bn-post-1');
  });

  it('maps rate limits, missing margin and duplicates to our reasons, keeping the venue code', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t);
    await futures.placeOrder(postOnlyBuy);

    const duplicate = await futures.placeOrder(postOnlyBuy).catch((e: unknown) => e);
    const poor = await futures
      .placeOrder({ ...postOnlyBuy, clientOrderId: 'bn-big', quantity: dec(100) })
      .catch((e: unknown) => e);
    emulator.rateLimited = true;
    const limited = await futures
      .placeOrder({ ...postOnlyBuy, clientOrderId: 'bn-rl' })
      .catch((e: unknown) => e);

    const summary = [duplicate, poor, limited].map((e) => {
      assert.ok(e instanceof ExchangeError, String(e));
      return [e.reason, e.code, e.venueCode, e.field];
    });
    assert.deepEqual(summary, [
      ['DUPLICATE_ORDER', GrpcCode.ALREADY_EXISTS, '-4116', 'client_order_id'],
      ['INSUFFICIENT_FUNDS', GrpcCode.FAILED_PRECONDITION, '-2019', undefined],
      ['RATE_LIMITED', GrpcCode.RESOURCE_EXHAUSTED, '-1003', undefined],
    ]);
  });

  it('without credentials serves public data and refuses private calls as UNAUTHENTICATED', async (t) => {
    const { futures } = await startBinanceHarness(t, { env: {} });

    assert.equal((await futures.getLatestPrice('BTCUSDT')).toFixed(), '100000');
    const refused = await futures.placeOrder(postOnlyBuy).catch((e: unknown) => e);
    assert.ok(refused instanceof ExchangeError);
    assert.deepEqual([refused.reason, refused.code], ['AUTHENTICATION', GrpcCode.UNAUTHENTICATED]);
    assert.match(refused.message, /BINANCE_API_KEY, BINANCE_API_SECRET/);
    const ended: ExchangeError[] = [];
    futures.subscribeOrders({ next: () => undefined, error: (e) => ended.push(e) });
    await eventually(() => ended.length === 1, 'the refused order stream');
    assert.equal(ended[0]?.reason, 'AUTHENTICATION');
  });

  it('fails fast naming the venue when the key is rejected or only half set', async (t) => {
    const { emulator } = await startBinanceHarness(t);
    const config = ccxtVenueSchema.parse({ exchange: 'binanceusdm' });
    const deps = (env: NodeJS.ProcessEnv) => ({
      env,
      ccxtOverrides: () => binanceOverrides(emulator),
    });

    await assert.rejects(
      createCcxtVenue(
        'binance-main',
        config,
        silentLogger,
        deps({ BINANCE_API_KEY: 'wrong', BINANCE_API_SECRET: 's' }),
      ),
      /venue binance-main \(binanceusdm\): API key rejected; check BINANCE_API_\*.*-2015/,
    );
    await assert.rejects(
      createCcxtVenue('binance-main', config, silentLogger, deps({ BINANCE_API_KEY: 'k' })),
      /binance-main: BINANCE_API_SECRET not set; set all of BINANCE_API_KEY, BINANCE_API_SECRET or none/,
    );
  });

  it('reconnects a dropped stream: stale while down, resync once back, updates resume', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t, { streamBackoffMs: [30, 60] });
    const prices: PriceChange[] = [];
    const errors: ExchangeError[] = [];
    let resyncs = 0;
    futures.subscribePrice(['BTCUSDT'], {
      next: (p) => prices.push(p),
      error: (e) => errors.push(e),
      resync: () => resyncs++,
    });
    await eventually(() => prices.length === 1, 'the first price');

    emulator.server.dropSockets();
    await eventually(() => futures.streams().stale.includes('price:BTCUSDT'), 'the stale feed');
    assert.equal(futures.isReachable(), false);
    await eventually(() => resyncs === 1 && prices.length >= 2, 'resync and a fresh price', 5000);

    assert.deepEqual(futures.streams().stale, []);
    assert.equal(futures.isReachable(), true);
    assert.equal(prices.at(-1)?.price.toFixed(), '100000');
    assert.deepEqual(errors, []);
  });

  it('reconnects the user-data stream: resync, then order updates flow again', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t, { streamBackoffMs: [30, 60] });
    const updates: OrderUpdate[] = [];
    let resyncs = 0;
    futures.subscribeOrders({
      next: (u) => updates.push(u),
      error: (e) => assert.fail(`unexpected stream end: ${e.message}`),
      resync: () => resyncs++,
    });
    await eventually(() => emulator.streams.subscriptions().userData === 1, 'the user-data socket');

    emulator.server.dropSockets();
    await eventually(() => futures.streams().stale.includes('orders'), 'the stale orders feed');
    await eventually(() => emulator.streams.subscriptions().userData === 1, 'a new socket', 5000);
    const order = await futures.placeOrder(postOnlyBuy);
    await eventually(() => updates.length === 1, 'the NEW update after the reconnect');

    assert.equal(resyncs, 1);
    assert.deepEqual(
      updates.map((u) => [u.order.orderId, u.order.clientOrderId, u.order.status]),
      [[order.orderId, 'bn-post-1', 'NEW']],
    );
    assert.deepEqual(futures.streams().stale, []);
  });

  it('switches to Binance futures demo trading with demo: true', async (t) => {
    const h = await startBinanceHarness(t);
    const { emulator } = h;
    const hosts = new Set<string>();
    const overrides = binanceOverrides(emulator);
    const venue = await createCcxtVenue(
      'binance-demo',
      ccxtVenueSchema.parse({ exchange: 'binanceusdm', demo: true }),
      silentLogger,
      {
        env: EMULATOR_ENV,
        ccxtOverrides: () => ({
          ...overrides,
          fetchImplementation: (url: string, init: RequestInit) => {
            hosts.add(new URL(url).host);
            return fetch(
              url.replace(/^https:\/\/demo-fapi\.binance\.com/, emulator.server.httpUrl),
              init,
            );
          },
        }),
      },
    );
    h.defer(() => venue.close());

    assert.deepEqual([...hosts], ['demo-fapi.binance.com']);
    assert.equal((await venue.getSymbolInfo('BTCUSDT')).tickSize.toFixed(), '0.1');
  });

  it('keeps the user-data listenKey alive while private streams run', async (t) => {
    const { futures, emulator } = await startBinanceHarness(t, {
      options: { listenKeyRefreshRate: 150 },
    });
    const errors: ExchangeError[] = [];
    futures.subscribeOrders({ next: () => undefined, error: (e) => errors.push(e) });

    await eventually(
      () => emulator.server.requestsTo('/fapi/v1/listenKey', 'PUT').length >= 2,
      'two keep-alives',
    );

    assert.deepEqual([...emulator.listenKeys.keys()], ['emuListenKey1']);
    assert.equal(emulator.server.requestsTo('/fapi/v1/listenKey', 'POST').length, 1);
    assert.equal(emulator.streams.subscriptions().userData, 1);
    assert.deepEqual(errors, []);
  });
});
