/**
 * The simulated venue's depth and fill history against hand-computed books. A quiet venue keeps
 * BTCUSDT perp at 100000 (tick 0.1), so its synthetic book is 0.5 BTC per level (50000 USDT at
 * 100000, on the 0.001 step) at 99999.9, 99999.8, ... and 100000.1, 100000.2, ...
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BookLevel, OrderBook } from '../../../../core/exchange.types.js';
import { collector, limit, market, quietVenue } from './sim-fixtures.js';

const levels = (side: readonly BookLevel[], n = side.length) =>
  side.slice(0, n).map((l) => [l.price.toFixed(), l.quantity.toFixed()]);

/** Lets the coalescing microtask of a depth stream run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('simulated venue order book', () => {
  it('is the synthetic book around mid, levels one tick apart, 20 by default', async () => {
    const { futures, venue } = quietVenue();
    const book = await futures.getOrderBook('BTCUSDT', 0);
    await venue.close();

    assert.deepEqual(levels(book.bids, 3), [
      ['99999.9', '0.5'],
      ['99999.8', '0.5'],
      ['99999.7', '0.5'],
    ]);
    assert.deepEqual(levels(book.asks, 2), [
      ['100000.1', '0.5'],
      ['100000.2', '0.5'],
    ]);
    assert.deepEqual([book.bids.length, book.asks.length], [20, 20]);
    assert.equal(book.bids[19]?.price.toFixed(), '99998');
  });

  it('adds our resting orders at their tick, inside the synthetic levels and beyond them', async () => {
    const { futures, venue } = quietVenue();
    await futures.placeOrder(limit('BUY', '0.003', '99999.8'));
    await futures.placeOrder(limit('BUY', '0.002', '99999.8'));
    await futures.placeOrder(limit('BUY', '0.01', '99990'));
    await futures.placeOrder(limit('SELL', '0.004', '100005'));

    const book = await futures.getOrderBook('BTCUSDT', 25);
    await venue.close();

    assert.deepEqual(levels(book.bids, 2), [
      ['99999.9', '0.5'],
      ['99999.8', '0.505'],
    ]);
    assert.deepEqual(levels(book.bids.slice(20)), [['99990', '0.01']]);
    assert.deepEqual(
      book.asks.filter((l) => l.price.eq('100005')).map((l) => l.quantity.toFixed()),
      ['0.004'],
    );
    assert.equal(book.bids.length, 21);
  });

  it('shows the liquidity our taker took as gone until the next price step', async () => {
    const { futures, venue, clock } = quietVenue();
    await futures.placeOrder(market('BUY', '0.7'));

    const after = await futures.getOrderBook('BTCUSDT', 2);
    clock.advance(250);
    const refilled = await futures.getOrderBook('BTCUSDT', 2);
    await venue.close();

    assert.deepEqual(levels(after.asks), [
      ['100000.2', '0.3'],
      ['100000.3', '0.5'],
    ]);
    assert.deepEqual(levels(refilled.asks), [
      ['100000.1', '0.5'],
      ['100000.2', '0.5'],
    ]);
  });

  it('streams a snapshot at once, then one per burst of changes', async () => {
    const { futures, venue, clock } = quietVenue();
    const books = collector<OrderBook>();
    const subscription = futures.subscribeOrderBook('BTCUSDT', 3, books.sink);
    await flush();
    const atStart = books.values.length;

    await futures.placeOrder(limit('BUY', '0.002', '99999.9'));
    await flush();
    const afterPlacement = books.values.length;
    clock.advance(1000);
    await flush();
    subscription.close();
    await futures.placeOrder(limit('BUY', '0.002', '99999.9'));
    await flush();
    await venue.close();

    assert.equal(atStart, 1);
    assert.equal(afterPlacement, 2);
    assert.deepEqual(levels(books.values[1]?.bids ?? [], 1), [['99999.9', '0.502']]);
    // Four price steps in one synchronous advance coalesce into one snapshot
    assert.equal(books.values.length, 3);
    assert.ok(books.values.every((b) => b.bids.length === 3 && b.asks.length === 3));
    assert.deepEqual(books.errors, []);
  });

  it('ends a depth stream with the venue streams (fault switch)', async () => {
    const { futures, venue } = quietVenue();
    const books = collector<OrderBook>();
    futures.subscribeOrderBook('BTCUSDT', 3, books.sink);

    venue.faults.dropStreams();
    await flush();
    await venue.close();

    assert.equal(books.errors.length, 1);
  });
});

describe('simulated venue trade history', () => {
  it('lists maker and taker fills of one symbol oldest first, with fees and the maker flag', async () => {
    const { futures, venue, clock } = quietVenue();
    const resting = await futures.placeOrder(limit('BUY', '0.01', '99999'));
    clock.advance(1000);
    venue.setSpotPrice('BTCUSDT', '99998');
    clock.advance(1000);
    const taker = await futures.placeOrder(market('SELL', '0.01'));
    await futures.placeOrder({ ...market('BUY', '0.1'), symbol: 'ETHUSDT' });

    const page = await futures.getTradeHistory({ symbol: 'BTCUSDT' });
    await venue.close();

    assert.deepEqual(
      page.trades.map((t) => [t.orderId, t.isMaker, t.side, t.quantity.toFixed()]),
      [
        [resting.orderId, true, 'BUY', '0.01'],
        [taker.orderId, false, 'SELL', '0.01'],
      ],
    );
    // Maker 2 bps of 999.99, taker 5 bps of the sell's notional
    assert.equal(page.trades[0]?.fee.toFixed(), '0.199998');
    assert.ok(page.trades[1]?.fee.gt(page.trades[0]?.fee ?? 0));
    assert.equal(page.nextCursor, '');
  });

  it('keeps the fills of the orders it retains, as a real venue keeps a bounded history', async () => {
    const { futures, venue } = quietVenue({ retainClosedOrders: 2 });
    for (let i = 0; i < 3; i++) await futures.placeOrder(market('BUY', '0.001'));

    const page = await futures.getTradeHistory({ symbol: 'BTCUSDT' });
    await venue.close();

    assert.equal(page.trades.length, 2);
  });
});
