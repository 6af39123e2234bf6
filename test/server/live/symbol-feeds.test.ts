/**
 * Many symbols on one live server over a simulated venue listing BTCUSDT and ETHUSDT: a page
 * naming a symbol gets its candles, depth and fill list (fills made before it opened included,
 * each once); a fill made while the upstream was down reaches the list once, from trade history;
 * original pages keep getting the configured symbol's original messages only; unknown symbols
 * are refused naming /symbols; an unwatched symbol's feed stops.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { OrderBook } from '../../../core/exchange.types.js';
import type { StreamSink } from '../../../core/stream.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { startLiveServer } from '../../../server/live/live-server.js';
import {
  DashboardClient,
  eventually,
  refusedStatus,
  silent,
  testConfig,
  type ConfigInput,
} from './support/live-harness.js';

async function startTwoSymbols(
  t: TestContext,
  overrides: ConfigInput = {},
  wrap: (exchange: Exchange) => Exchange = (exchange) => exchange,
) {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue({ seed: 7, symbols: ['BTCUSDT', 'ETHUSDT'] }, clock);
  const exchange = venue.exchange('futures');
  const served = wrap(exchange);
  const server = await startLiveServer({
    config: testConfig(overrides),
    connect: async () => served,
    logger: silent,
  });
  t.after(async () => {
    await server.close();
    await venue.close();
  });
  await eventually(() => server.feed.status().upstream === 'live', 'the upstream to go live');
  const ws = `ws://127.0.0.1:${server.port}/ws`;
  return { server, venue, exchange, clock, ws };
}

const ethBuy = { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: dec('0.1') } as const;

describe('live server, many symbols', () => {
  it('gives a page that names a symbol its candles, depth and earlier fills', async (t) => {
    const { ws, exchange } = await startTwoSymbols(t);
    const before = await exchange.placeOrder(ethBuy);

    const page = await DashboardClient.open(t, `${ws}?symbol=ETHUSDT`);
    const fills = await page.waitFor((m) => m.type === 'fills', 'the fill list');
    const depth = await page.waitFor((m) => m.type === 'depth', 'the depth');

    const history = page.of('history')[0];
    assert.ok(history !== undefined && history.data.length > 0);
    assert.equal(page.of('status')[0]?.data.symbol, 'ETHUSDT');
    assert.equal(depth.data.symbol, 'ETHUSDT');
    assert.equal(depth.data.bids.length, 10);
    assert.ok(Number(depth.data.bestBid) < Number(depth.data.bestAsk));
    assert.equal(fills.data.kind, 'snapshot');
    assert.deepEqual(
      fills.data.fills.map(
        (f: { orderId: string; side: string; amount: string; maker: boolean }) => [
          f.orderId,
          f.side,
          f.amount,
          f.maker,
        ],
      ),
      [[before.orderId, 'buy', '0.1', false]],
    );
    assert.ok(Number(fills.data.fills[0].fee) > 0, 'history brings the fee');
  });

  it('lists a fill made while the upstream was down once, from trade history', async (t) => {
    const { ws, exchange, venue } = await startTwoSymbols(t, {
      upstream: { initial_backoff_ms: 200, max_backoff_ms: 200 },
    });
    const page = await DashboardClient.open(t, `${ws}?symbol=ETHUSDT`);
    await page.waitFor((m) => m.type === 'fills', 'the first fill list');
    const seen = page.messages.length;

    venue.faults.dropStreams();
    const during = await exchange.placeOrder(ethBuy);
    const appended = await page.waitFor(
      (m) => m.type === 'fills' && m.data.kind === 'append',
      'the fill found in history after the gap',
      seen,
      5000,
    );
    const live = await exchange.placeOrder(ethBuy);
    await page.waitFor(
      (m) => m.type === 'trade_event' && m.data.orderId === live.orderId,
      'the next live fill',
      seen,
    );

    const listed = page.messages
      .slice(seen)
      .flatMap((m) =>
        m.type === 'fills' ? m.data.fills : m.type === 'trade_event' ? [m.data] : [],
      )
      .map((f: { orderId: string }) => f.orderId);
    assert.deepEqual(
      appended.data.fills.map((f: { orderId: string }) => f.orderId),
      [during.orderId],
    );
    assert.deepEqual(listed, [during.orderId, live.orderId]);
  });

  it('keeps original pages (no ?symbol=) on the configured symbol and its original messages', async (t) => {
    const { ws, server } = await startTwoSymbols(t);
    const original = await DashboardClient.open(t, ws);
    const named = await DashboardClient.open(t, `${ws}?symbol=BTCUSDT`);
    await named.waitFor((m) => m.type === 'depth', 'the depth on the named page');
    await original.received(6);
    await new Promise((resolve) => setTimeout(resolve, 300));

    assert.deepEqual(original.types(), [
      'history',
      'orders',
      'account',
      'position',
      'pnl',
      'status',
    ]);
    assert.equal(original.of('status')[0]?.data.symbol, 'BTCUSDT');
    assert.equal(server.hub.size, 1);
  });

  it('lists the symbols for the picker, the configured one first', async (t) => {
    const { server } = await startTwoSymbols(t, { trading: { symbol: 'ETHUSDT' } });

    const response = await fetch(`${server.url}/symbols`);

    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      default: 'ETHUSDT',
      symbols: ['ETHUSDT', 'BTCUSDT'],
    });
  });

  it('refuses a symbol the connector does not list, and a malformed one', async (t) => {
    const { ws, server } = await startTwoSymbols(t);
    await fetch(`${server.url}/symbols`);

    assert.equal(await refusedStatus(`${ws}?symbol=DOGEUSDT`), 404);
    assert.equal(await refusedStatus(`${ws}?symbol=btc-usdt`), 400);
  });

  it('works with a connector of the original contract: no depth or fill list, asked once', async (t) => {
    const unimplemented = () => new ExchangeError('UNIMPLEMENTED', 'unknown method');
    let bookSubscriptions = 0;
    const original = (exchange: Exchange): Exchange =>
      new Proxy(exchange, {
        get(target, property, receiver) {
          if (property === 'getTradeHistory') return () => Promise.reject(unimplemented());
          if (property === 'subscribeOrderBook') {
            return (_symbol: string, _levels: number, sink: StreamSink<OrderBook>) => {
              bookSubscriptions++;
              queueMicrotask(() => sink.error(unimplemented()));
              return { close: () => undefined };
            };
          }
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
    const { ws } = await startTwoSymbols(t, {}, original);

    const page = await DashboardClient.open(t, `${ws}?symbol=BTCUSDT`);
    await page.waitFor((m) => m.type === 'status', 'the snapshot');
    await new Promise((resolve) => setTimeout(resolve, 300));

    assert.deepEqual(page.types().slice(0, 6), [
      'history',
      'orders',
      'account',
      'position',
      'pnl',
      'status',
    ]);
    assert.deepEqual(page.of('depth'), []);
    assert.deepEqual(page.of('fills'), []);
    assert.equal(bookSubscriptions, 1);
  });

  it("stops a symbol's feed a while after its last page left, never the configured one", async (t) => {
    const { ws, server } = await startTwoSymbols(t, { dashboard: { idle_close_ms: 100 } });
    const page = await DashboardClient.open(t, `${ws}?symbol=ETHUSDT`);
    await page.waitFor((m) => m.type === 'history', 'the ETHUSDT history');
    const open = server.symbols.running().map((f) => f.symbol);

    page.ws.close();
    await eventually(() => server.symbols.running().length === 1, 'the ETHUSDT feed to stop');

    assert.deepEqual(open, ['BTCUSDT', 'ETHUSDT']);
    assert.deepEqual(
      server.symbols.running().map((f) => f.symbol),
      ['BTCUSDT'],
    );
  });
});
