import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook } from '../../../../connector/venues/sim/order-book.js';
import { newOrderRecord, type OrderRecord } from '../../../../connector/venues/sim/order-record.js';
import { d } from './sim-fixtures.js';

function order(id: string, side: 'BUY' | 'SELL', priceTicks: number): OrderRecord {
  return newOrderRecord({
    orderId: id,
    clientOrderId: `c-${id}`,
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: d(priceTicks).div(10),
    priceTicks,
    quantity: d('0.01'),
    reduceOnly: false,
    postOnly: false,
    useMargin: false,
    nowMs: 0,
  });
}

describe('OrderBook', () => {
  it('keeps bids best (highest) first and asks best (lowest) first', () => {
    const book = new OrderBook();
    for (const [id, ticks] of [
      ['1', 100],
      ['2', 300],
      ['3', 200],
    ] as const) {
      book.bids.add(order(id, 'BUY', ticks));
      book.asks.add(order(`a${id}`, 'SELL', ticks + 1000));
    }
    assert.deepEqual(book.bids.prices, [300, 200, 100]);
    assert.deepEqual(book.asks.prices, [1100, 1200, 1300]);
    assert.equal(book.own('BUY'), book.bids);
    assert.equal(book.opposite('BUY'), book.asks);
  });

  it('queues orders at one price first in, first out and drops empty levels', () => {
    const book = new OrderBook();
    const a = order('1', 'BUY', 100);
    const b = order('2', 'BUY', 100);
    const c = order('3', 'BUY', 100);
    [a, b, c].forEach((o) => book.bids.add(o));
    assert.equal(book.bids.remove(b), true);
    assert.equal(book.bids.remove(b), false);
    assert.deepEqual(
      [...book.bids.level(100)].map((o) => o.orderId),
      ['1', '3'],
    );
    book.bids.remove(a);
    book.bids.remove(c);
    assert.deepEqual(book.bids.prices, []);
    assert.equal(book.bids.level(100).size, 0);
  });
});
