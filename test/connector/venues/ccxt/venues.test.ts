/**
 * OKX, Bybit, Bitget and Gate USDT perpetuals through the real ccxt code and each venue's
 * loopback emulator, one table row per venue: markets to SymbolInfo in base units, the exact
 * signed post-only placement with our client id, cancel by client id in the form each venue
 * needs, a duplicate client id refused as DUPLICATE_ORDER while the order stays findable by that id
 * (the engine's placement step resolves it), rate-limit and insufficient-funds
 * errors keeping the venue's code, and one price and one order-update stream.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ExchangeError } from '../../../../core/errors.js';
import type { OrderUpdate, PriceChange } from '../../../../core/exchange.types.js';
import { dec } from '../../../../core/decimal.js';
import { eventually } from '../../../support/grpc-harness.js';
import { VENUE_SPECS, type VenueSpec } from './venue-specs.js';
import { startVenue } from './venue.harness.js';

const postOnly = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.01'),
  price: dec('95000.5'),
  postOnly: true,
  clientOrderId: 'mm-post-1',
} as const;

async function start(t: TestContext, spec: VenueSpec) {
  const emulator = spec.emulator();
  await emulator.start();
  const venue = await startVenue(t, { ...spec.venue, server: emulator.server });
  return { emulator, venue };
}

for (const spec of VENUE_SPECS) {
  describe(`ccxt ${spec.name} venue (${spec.name} emulator)`, () => {
    it('starts with markets and one signed call, and describes BTCUSDT in base units', async (t) => {
      const { emulator, venue } = await start(t, spec);

      const info = await venue.getSymbolInfo('BTCUSDT');

      const startup = new Set(emulator.server.requests.map((r) => `${r.method} ${r.path}`));
      assert.deepEqual([...startup].sort(), spec.startup);
      assert.deepEqual(
        [
          info.baseAsset,
          info.quoteAsset,
          info.tickSize,
          info.stepSize,
          info.minQuantity,
          info.minNotional,
        ].map(String),
        ['BTC', 'USDT', ...spec.symbolInfo],
      );
      assert.deepEqual(await venue.getSymbols(), ['BTCUSDT']);
    });

    it('places post-only with our client id, refuses it twice, finds it by it, cancels by it', async (t) => {
      const { emulator, venue } = await start(t, spec);

      const order = await venue.placeOrder(postOnly);
      const again = await venue.placeOrder(postOnly).catch((e: unknown) => e);
      const found = await venue.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'mm-post-1' });
      await venue.cancelOrderByClientId('BTCUSDT', 'mm-post-1');

      const [placed] = emulator.server.requestsTo(spec.placement.path, 'POST');
      assert.deepEqual(spec.placement.params(placed?.body), spec.placement.expected);
      assert.deepEqual(
        [
          order.clientOrderId,
          order.status,
          order.postOnly,
          order.quantity.toFixed(),
          order.price.toFixed(),
        ],
        ['mm-post-1', 'NEW', true, '0.01', '95000.5'],
      );
      assert.match(order.orderId, /^\d+$/);
      assert.ok(again instanceof ExchangeError, String(again));
      assert.equal(again.reason, 'DUPLICATE_ORDER');
      assert.equal(found.orderId, order.orderId);
      assert.equal(emulator.store.orders.length, 1);
      const [cancel] = emulator.server.requestsTo(spec.cancel.path, spec.cancel.method);
      assert.deepEqual(spec.cancel.params(cancel), spec.cancel.expected);
      assert.equal(emulator.store.find(order.orderId)?.status, 'canceled');
    });

    it('maps insufficient funds and rate limits to our reasons, keeping the venue code', async (t) => {
      const { emulator, venue } = await start(t, spec);

      const poor = await venue
        .placeOrder({ ...postOnly, quantity: dec(10) })
        .catch((e: unknown) => e);
      emulator.rateLimited = true;
      const limited = await venue.placeOrder(postOnly).catch((e: unknown) => e);

      assert.ok(poor instanceof ExchangeError, String(poor));
      assert.ok(limited instanceof ExchangeError, String(limited));
      assert.deepEqual(
        [poor.reason, poor.venueCode, limited.reason, limited.venueCode],
        ['INSUFFICIENT_FUNDS', spec.codes.insufficient, 'RATE_LIMITED', spec.codes.rateLimited],
      );
    });

    it('sends a burst of orders within the venue limit without client-side pacing', async (t) => {
      const { emulator, venue } = await start(t, spec);
      const started = Date.now();

      // Three orders (plus the order lookups OKX, Bybit and Bitget replies need) stay within
      // ccxt's model of every venue's limit; Bitget's, 20 cost units per second, is the tightest
      const orders = await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          venue.placeOrder({ ...postOnly, clientOrderId: `mm-burst-${i}` }),
        ),
      );

      // ccxt's default limiter (one request per rateLimit × cost ms) took 100-500 ms for
      // these (Bitget ~500, Bybit ~350, Gate ~190, OKX ~100)
      assert.ok(Date.now() - started < 200, `3 orders took ${Date.now() - started} ms`);
      assert.equal(new Set(orders.map((o) => o.orderId)).size, 3);
      assert.equal(emulator.store.open().length, 3);
    });

    it('streams the top-of-book price and our order updates', async (t) => {
      const { emulator, venue } = await start(t, spec);
      const prices: PriceChange[] = [];
      const updates: OrderUpdate[] = [];
      const errors: ExchangeError[] = [];
      venue.subscribePrice(['BTCUSDT'], {
        next: (p) => prices.push(p),
        error: (e) => errors.push(e),
      });
      venue.subscribeOrders({ next: (u) => updates.push(u), error: (e) => errors.push(e) });
      await eventually(
        () => emulator.subscriptions() === 2 && prices.length > 0,
        'both streams live',
      );

      const order = await venue.placeOrder(postOnly);
      await venue.cancelOrder('BTCUSDT', order.orderId);
      await eventually(() => updates.length === 2, 'NEW and CANCELED');

      assert.deepEqual([prices[0]?.symbol, prices[0]?.price.toFixed()], ['BTCUSDT', '100000']);
      assert.deepEqual(
        updates.map((u) => [
          u.order.orderId,
          u.order.clientOrderId,
          u.order.status,
          u.order.quantity.toFixed(),
        ]),
        [
          [order.orderId, 'mm-post-1', 'NEW', '0.01'],
          [order.orderId, 'mm-post-1', 'CANCELED', '0.01'],
        ],
      );
      assert.deepEqual(errors, []);
    });
  });
}
