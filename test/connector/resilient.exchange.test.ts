import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeError } from '../../core/errors.js';
import { withResilience } from '../../connector/resilient.exchange.js';
import type { PlaceOrderRequest } from '../../core/exchange.types.js';
import { dec } from '../../core/decimal.js';
import { orderFor, scriptedExchange } from '../support/scripted-exchange.js';

const noWait = { sleep: async () => {}, random: () => 0.5 };

const request: PlaceOrderRequest = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.01'),
  price: dec('95000'),
  clientOrderId: 'osqBTC0001',
};

describe('withResilience', () => {
  it('returns the existing order when the venue already has the client order id', async () => {
    const existing = orderFor(request, '77');
    let placements = 0;
    const venue = withResilience(
      scriptedExchange({
        placeOrder: async () => {
          placements++;
          throw new ExchangeError('DUPLICATE_ORDER', 'duplicate', { venueCode: '-4116' });
        },
        getOrder: async (query) => {
          assert.equal(query.clientOrderId, 'osqBTC0001');
          return existing;
        },
      }),
      noWait,
    );

    const order = await venue.placeOrder(request);

    assert.equal(order.orderId, '77');
    assert.equal(placements, 1);
  });

  it('refuses a duplicate client order id that belongs to a different order', async () => {
    const venue = withResilience(
      scriptedExchange({
        placeOrder: async () => {
          throw new ExchangeError('DUPLICATE_ORDER', 'duplicate');
        },
        getOrder: async () => orderFor({ ...request, price: dec('94000') }, '78'),
      }),
      noWait,
    );

    await assert.rejects(venue.placeOrder(request), (e: ExchangeError) => {
      assert.equal(e.reason, 'DUPLICATE_ORDER');
      assert.equal(e.field, 'client_order_id');
      assert.match(e.message, /order 78 with price 94000/);
      return true;
    });
  });

  it('retries a placement lost in transit and recognises it as already placed', async () => {
    const placedOnVenue: PlaceOrderRequest[] = [];
    const waits: number[] = [];
    const venue = withResilience(
      scriptedExchange({
        placeOrder: async (r) => {
          if (placedOnVenue.some((p) => p.clientOrderId === r.clientOrderId)) {
            throw new ExchangeError('DUPLICATE_ORDER', 'duplicate');
          }
          placedOnVenue.push(r);
          throw new ExchangeError('TIMEOUT', 'reply lost after the venue accepted the order');
        },
        getOrder: async () => orderFor(request, '90'),
      }),
      { sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );

    const order = await venue.placeOrder(request);

    assert.equal(order.orderId, '90');
    assert.equal(placedOnVenue.length, 1);
    assert.deepEqual(waits, [100]);
  });

  it('never retries a placement that has no client order id', async () => {
    let calls = 0;
    const venue = withResilience(
      scriptedExchange({
        placeOrder: async () => {
          calls++;
          throw new ExchangeError('NETWORK', 'connection reset');
        },
      }),
      noWait,
    );

    await assert.rejects(venue.placeOrder({ ...request, clientOrderId: '' }), /connection reset/);
    assert.equal(calls, 1);
  });

  it('gives up after three attempts with growing backoff', async () => {
    const waits: number[] = [];
    let calls = 0;
    const venue = withResilience(
      scriptedExchange({
        getAccount: async () => {
          calls++;
          throw new ExchangeError('RATE_LIMITED', 'too many requests', { venueCode: '-1003' });
        },
      }),
      { sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );

    await assert.rejects(venue.getAccount(), (e: ExchangeError) => e.venueCode === '-1003');
    assert.equal(calls, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  it('does not retry a final error', async () => {
    let calls = 0;
    const venue = withResilience(
      scriptedExchange({
        getAccount: async () => {
          calls++;
          throw new ExchangeError('AUTHENTICATION', 'bad key');
        },
      }),
      noWait,
    );

    await assert.rejects(venue.getAccount(), /bad key/);
    assert.equal(calls, 1);
  });

  it('treats a cancel whose first reply was lost as done when the order is cancelled', async () => {
    let calls = 0;
    const venue = withResilience(
      scriptedExchange({
        cancelOrder: async () => {
          calls++;
          if (calls === 1) throw new ExchangeError('NETWORK', 'reset after the venue cancelled');
          throw new ExchangeError('ORDER_NOT_CANCELABLE', 'already cancelled');
        },
        getOrder: async () => ({ ...orderFor(request, '5'), status: 'CANCELED' }),
      }),
      noWait,
    );

    await venue.cancelOrder('BTCUSDT', '5');
    assert.equal(calls, 2);
  });

  it('resolves duplicate batch items to the existing orders and keeps other errors', async () => {
    const second = { ...request, clientOrderId: 'osqBTC0002', price: dec('94900') };
    const third = { ...request, clientOrderId: 'osqBTC0003', price: dec('94800') };
    const venue = withResilience(
      scriptedExchange({
        batchPlaceOrders: async () => ({
          orders: [orderFor(request, '1')],
          allSuccess: false,
          errors: [
            {
              index: 1,
              clientOrderId: 'osqBTC0002',
              message: 'dup',
              code: 6,
              reason: 'DUPLICATE_ORDER',
            },
            {
              index: 2,
              clientOrderId: 'osqBTC0003',
              message: 'funds',
              code: 9,
              reason: 'INSUFFICIENT_FUNDS',
            },
          ],
        }),
        getOrder: async () => orderFor(second, '2'),
      }),
      noWait,
    );

    const result = await venue.batchPlaceOrders([request, second, third]);

    assert.deepEqual(
      result.orders.map((o) => o.orderId),
      ['1', '2'],
    );
    assert.equal(result.allSuccess, false);
    assert.deepEqual(
      result.errors.map((e) => [e.index, e.reason]),
      [[2, 'INSUFFICIENT_FUNDS']],
    );
  });
});
