/**
 * withResilience: transient failures of market, account and reference calls are retried with
 * backoff; order calls (placements, cancels, order reads) go to the venue exactly once, because
 * the engine's placement step is the one owner of order retries. A venue's "duplicate client
 * order id" answer is resolved once, at the venue boundary (REQ-WF-001): the same order comes
 * back as the result, a different order under the id is refused naming what differs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
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
  clientOrderId: 'oqK7Q2RCCbm1g1',
};

/** A venue whose every call fails with `error`, counting calls by method. */
function failingVenue(error: () => ExchangeError) {
  const calls = new Map<string, number>();
  const fail = (method: string) => async () => {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    throw error();
  };
  const methods = [
    'placeOrder',
    'batchPlaceOrders',
    'cancelOrder',
    'batchCancelOrders',
    'cancelAllOrders',
    'getOrder',
    'getOpenOrders',
  ] as const;
  const venue: Partial<Exchange> = Object.fromEntries(methods.map((m) => [m, fail(m)]));
  return { venue: withResilience(scriptedExchange(venue), noWait), calls };
}

describe('withResilience', () => {
  it('calls the venue exactly once for every order call, however transient the failure', async () => {
    const { venue, calls } = failingVenue(() => new ExchangeError('NETWORK', 'connection reset'));

    await assert.rejects(venue.placeOrder(request), /connection reset/);
    await assert.rejects(venue.batchPlaceOrders([request]), /connection reset/);
    await assert.rejects(venue.cancelOrder('BTCUSDT', '5'), /connection reset/);
    await assert.rejects(venue.batchCancelOrders('BTCUSDT', ['5']), /connection reset/);
    await assert.rejects(venue.cancelAllOrders('BTCUSDT'), /connection reset/);
    await assert.rejects(venue.getOrder({ symbol: 'BTCUSDT', orderId: '5' }), /connection reset/);
    await assert.rejects(venue.getOpenOrders('BTCUSDT'), /connection reset/);

    assert.deepEqual(Object.fromEntries(calls), {
      placeOrder: 1,
      batchPlaceOrders: 1,
      cancelOrder: 1,
      batchCancelOrders: 1,
      cancelAllOrders: 1,
      getOrder: 1,
      getOpenOrders: 1,
    });
  });

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
          assert.equal(query.clientOrderId, request.clientOrderId);
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
          throw new ExchangeError('DUPLICATE_ORDER', 'duplicate', { venueCode: '-4116' });
        },
        getOrder: async () => orderFor({ ...request, price: dec('94000') }, '78'),
      }),
      noWait,
    );

    await assert.rejects(venue.placeOrder(request), (e: ExchangeError) => {
      assert.deepEqual(
        [e.reason, e.field, e.venueCode],
        ['DUPLICATE_ORDER', 'client_order_id', '-4116'],
      );
      assert.match(e.message, /order 78 with price 94000/);
      return true;
    });
  });

  it('resolves duplicate batch items to the existing orders and keeps other errors', async () => {
    const second = { ...request, clientOrderId: 'oqK7Q2RCCbm2g1', price: dec('94900') };
    const third = { ...request, clientOrderId: 'oqK7Q2RCCbm3g1', price: dec('94800') };
    const venue = withResilience(
      scriptedExchange({
        batchPlaceOrders: async () => ({
          orders: [orderFor(request, '1')],
          allSuccess: false,
          errors: [
            {
              index: 1,
              clientOrderId: second.clientOrderId,
              message: 'dup',
              code: 6,
              reason: 'DUPLICATE_ORDER',
            },
            {
              index: 2,
              clientOrderId: third.clientOrderId,
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

  it('returns a batch without duplicates as the venue gave it', async () => {
    const result = {
      orders: [orderFor(request, '1')],
      allSuccess: false,
      errors: [
        { index: 1, clientOrderId: 'x', message: 'funds', code: 9, reason: 'INSUFFICIENT_FUNDS' },
      ],
    };
    const venue = withResilience(scriptedExchange({ batchPlaceOrders: async () => result }));
    assert.deepEqual(await venue.batchPlaceOrders([request, request]), result);
  });

  it('retries a market or account call three times with growing backoff', async () => {
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

  it('recovers a market call after a transient failure', async () => {
    let calls = 0;
    const venue = withResilience(
      scriptedExchange({
        getLatestPrice: async () => {
          calls++;
          if (calls === 1) throw new ExchangeError('TIMEOUT', 'slow');
          return dec('95000');
        },
      }),
      noWait,
    );
    assert.equal((await venue.getLatestPrice('BTCUSDT')).toFixed(), '95000');
    assert.equal(calls, 2);
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
});
