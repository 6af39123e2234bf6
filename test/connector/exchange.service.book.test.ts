/**
 * The order book and trade-history RPCs through a real connector: depth subscribers asking the
 * same levels share one upstream venue subscription (the default depth and an explicit 20 are the
 * same topic), another depth opens its own, the last one leaving closes it; a maker fill's flag
 * survives the wire; and the raw generated client sees best bid/ask filled in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderBook } from '../../core/exchange.types.js';
import { dec } from '../../core/decimal.js';
import type { OrderBook as OrderBookProto } from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import {
  eventually,
  rawClient,
  remote,
  startSimConnector,
  unaryResult,
} from '../support/grpc-harness.js';

const quiet = {
  price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0, basisVolatilityBps: 0 },
};

describe('SubscribeOrderBook', () => {
  it('shares one upstream per symbol and depth, starts a later subscriber from the current book, and closes with the last', async (t) => {
    const sim = await startSimConnector(t, { config: quiet });
    const a = await remote(t, sim.server.address);
    const b = await remote(t, sim.server.address);
    const books: OrderBook[][] = [[], [], []];
    const sink = (i: number) => ({
      next: (book: OrderBook) => books[i]?.push(book),
      error: () => undefined,
    });

    const subs = [
      a.subscribeOrderBook('BTCUSDT', 0, sink(0)),
      b.subscribeOrderBook('BTCUSDT', 20, sink(1)),
      b.subscribeOrderBook('BTCUSDT', 5, sink(2)),
    ];
    await eventually(() => books.every((list) => list.length > 0), 'every subscriber served');
    const open = sim.server.streams();
    for (const s of subs) s.close();
    await eventually(() => sim.server.streams().topics === 0, 'the upstreams to close');

    assert.deepEqual([open.topics, open.subscribers], [2, 3]);
    assert.deepEqual(
      books.map((list) => list[0]?.bids.length),
      [20, 20, 5],
    );
  });
});

describe('GetOrderBook and GetTradeHistory on the wire', () => {
  it('fills in best bid and ask for readers of the raw contract', async (t) => {
    const sim = await startSimConnector(t, { config: quiet });
    const client = rawClient(t, sim.server.address);

    const { response } = await unaryResult<OrderBookProto>((md, options, done) =>
      client.getOrderBook({ symbol: 'BTCUSDT', levels: 3 }, md, options, done),
    );

    assert.deepEqual(
      [response?.bestBid?.value, response?.bestAsk?.value, response?.bids.length],
      ['99999.9', '100000.1', 3],
    );
  });

  it('keeps the maker flag of a fill across the wire', async (t) => {
    const sim = await startSimConnector(t, { config: quiet });
    const exchange = await remote(t, sim.server.address);
    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.01'),
      price: dec('99999'),
    });
    sim.venue.setSpotPrice('BTCUSDT', '99998');
    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: dec('0.01'),
    });

    const { trades } = await exchange.getTradeHistory({ symbol: 'BTCUSDT' });

    assert.deepEqual(
      trades.map((t) => [t.side, t.isMaker]),
      [
        ['BUY', true],
        ['SELL', false],
      ],
    );
  });
});
