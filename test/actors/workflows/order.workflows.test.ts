/**
 * The order workflows on a live DBOS runtime: idempotence by workflow id, one named venue step
 * per call, venue outcomes as results, and the venue step as the one owner of retries and of
 * "already placed": at most three venue attempts per intent, a lookup by client order id before
 * every retry (never a second order for a reply that was lost), a duplicate resolved by comparing
 * the venue's order with the intent, batches looked up before they are sent again. The workflows
 * write nothing but their results. One database and one DBOS launch serve the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DBOS } from '@dbos-inc/dbos-sdk';

import { carriedSnapshots } from '../../../actors/workflows/carried-snapshots.js';
import {
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import {
  placeWorkflowId,
  type PlaceOrderIntent,
} from '../../../actors/workflows/order.messages.js';
import {
  batchPlaceOrders,
  cancelAllOrders,
  cancelOrder,
  placeOrder,
} from '../../../actors/workflows/order.workflows.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import { VirtualClock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';
import { PaperVenue } from './paper-venue.js';

const btc = 'BTCUSDT' as SymbolId;

// The wiring-failure test makes DBOS log a stack trace; tests never read logs
const silent = { info() {}, debug() {}, warn() {}, error() {} };

function intent(id: string, overrides: Partial<PlaceOrderIntent> = {}): PlaceOrderIntent {
  return {
    venue: 'paper',
    symbol: btc,
    clientOrderId: id as ClientOrderId,
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.001',
    price: '60000',
    postOnly: true,
    slotIndex: -1,
    ...overrides,
  };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`order workflows (${kind})`, () => {
    let db: TestDatabase;
    let venue: PaperVenue;
    const callsOf = (id: string) => venue.calls.filter((c) => c.endsWith(`:${id}`));

    before(async () => {
      db = await openTestDatabase(kind);
      venue = new PaperVenue();
      registerOrderVenue(venue.exchange(), 'paper');
      bindOrderWorkflows({ retry: { sleep: async () => undefined } });
      await launchDurableRuntime({
        databaseUrl: db.url,
        appName: 'order-wf-test',
        logger: silent,
      });
    });

    after(async () => {
      await shutdownDurableRuntime();
      unbindOrderWorkflows();
      await db.close();
    });

    it('places an order once however often the intent is repeated, without a lookup first', async () => {
      const place = intent('p1');

      const [first, concurrent] = await Promise.all([placeOrder(place), placeOrder(place)]);
      const later = await placeOrder(place);

      assert.deepEqual(callsOf('p1'), ['placeOrder:p1']);
      assert.equal(first.outcome, 'placed');
      assert.deepEqual(concurrent, first);
      assert.deepEqual(later, first);
      assert.equal(first.outcome === 'placed' && first.order.status, 'NEW');
    });

    it('runs the venue call as the one named step under a fixed workflow name', async () => {
      const place = intent('p2');
      await placeOrder(place);

      const status = await DBOS.getWorkflowStatus(placeWorkflowId(place));
      const steps = await DBOS.listWorkflowSteps(placeWorkflowId(place));

      assert.deepEqual([status?.workflowName, status?.status], ['order.place', 'SUCCESS']);
      assert.deepEqual(
        steps?.map((s) => s.name),
        ['venue.placeOrder'],
      );
    });

    it('returns a venue refusal as a rejected result, without retrying it', async () => {
      venue.failNext('placeOrder', new ExchangeError('POST_ONLY_WOULD_CROSS', 'would take'));

      const result = await placeOrder(intent('r1'));

      assert.deepEqual(result, {
        outcome: 'rejected',
        reason: 'POST_ONLY_WOULD_CROSS',
        message: 'would take',
        clientOrderId: 'r1',
      });
      assert.deepEqual(callsOf('r1'), ['placeOrder:r1']);
    });

    it('retries transient failures, looking the order up before each retry', async () => {
      const network = () => new ExchangeError('NETWORK', 'connection reset');
      venue.failNext('placeOrder', network(), network());
      const recovered = await placeOrder(intent('t1'));
      venue.failNext('placeOrder', network(), network(), network());
      const failed = await placeOrder(intent('t2'));

      assert.equal(recovered.outcome, 'placed');
      assert.deepEqual(callsOf('t1'), [
        'placeOrder:t1',
        'getOrder:t1',
        'placeOrder:t1',
        'getOrder:t1',
        'placeOrder:t1',
      ]);
      assert.deepEqual(failed, {
        outcome: 'failed',
        reason: 'NETWORK',
        message: 'connection reset',
        clientOrderId: 't2',
      });
      assert.equal(callsOf('t2').filter((c) => c.startsWith('placeOrder')).length, 3);
    });

    it('reaches a venue that fails every call at most 3 times for one intent, end to end', async () => {
      venue.failEverything(new ExchangeError('EXCHANGE_UNAVAILABLE', 'venue down'));
      try {
        const result = await placeOrder(intent('down1'));
        assert.deepEqual(
          [result.outcome, result.outcome !== 'placed' && result.reason],
          ['failed', 'EXCHANGE_UNAVAILABLE'],
        );
      } finally {
        venue.failEverything(null);
      }
      // Attempt 1 places; attempts 2 and 3 cannot tell whether it landed, so they never send it
      assert.deepEqual(callsOf('down1'), ['placeOrder:down1', 'getOrder:down1', 'getOrder:down1']);
    });

    it('adopts a placement whose reply was lost instead of placing it twice', async () => {
      venue.loseNextReplies('placeOrder');

      const result = await placeOrder(intent('lost1'));

      assert.equal(result.outcome, 'placed');
      assert.deepEqual(callsOf('lost1'), ['placeOrder:lost1', 'getOrder:lost1']);
      assert.equal(
        result.outcome === 'placed' && result.order.venueOrderId,
        venue.orders.get('lost1')?.orderId,
      );
    });

    it('resolves a duplicate client order id: the same order is adopted, a different one refused', async () => {
      const existing = venue.seed({
        symbol: btc,
        side: 'BUY',
        type: 'LIMIT',
        quantity: dec('0.001'),
        price: dec('60000'),
        clientOrderId: 'd1',
      });
      venue.seed({
        symbol: btc,
        side: 'BUY',
        type: 'LIMIT',
        quantity: dec('0.001'),
        price: dec('59000'),
        clientOrderId: 'd2',
      });

      const adopted = await placeOrder(intent('d1'));
      const conflicting = await placeOrder(intent('d2'));

      assert.deepEqual(
        adopted.outcome === 'placed' && [adopted.order.venueOrderId, adopted.order.price],
        [existing.orderId, '60000'],
      );
      assert.deepEqual(
        [conflicting.outcome, conflicting.outcome !== 'placed' && conflicting.reason],
        ['rejected', 'DUPLICATE_ORDER'],
      );
      assert.match(
        conflicting.outcome !== 'placed' ? conflicting.message : '',
        /d2 names a different order: price 59000/,
      );
      assert.deepEqual(callsOf('d2'), ['placeOrder:d2', 'getOrder:d2']);
    });

    it('cancels by client order id once per attempt', async () => {
      const placed = await placeOrder(intent('c1'));
      const cancel = { venue: 'paper', symbol: btc, clientOrderId: 'c1' as ClientOrderId };

      const first = await cancelOrder({ ...cancel, attempt: 1 });
      const repeated = await cancelOrder({ ...cancel, attempt: 1 });
      const secondAttempt = await cancelOrder({ ...cancel, attempt: 2 });

      assert.equal(placed.outcome, 'placed');
      assert.deepEqual(first, { outcome: 'canceled', clientOrderId: 'c1' });
      assert.deepEqual(repeated, first);
      assert.deepEqual(
        [secondAttempt.outcome, secondAttempt.outcome !== 'canceled' && secondAttempt.reason],
        ['rejected', 'ORDER_NOT_CANCELABLE'],
      );
      assert.equal(venue.count('cancelOrder'), 2);
    });

    it('cancels by the venue order id when the caller knows it, else looks it up first', async () => {
      const known = venue.seed({
        symbol: btc,
        side: 'SELL',
        type: 'LIMIT',
        quantity: dec('0.002'),
        price: dec('61000'),
        clientOrderId: 'f1',
      });
      const unknown = venue.seed({
        symbol: btc,
        side: 'SELL',
        type: 'LIMIT',
        quantity: dec('0.002'),
        price: dec('61000'),
        clientOrderId: 'f2',
      });
      const base = { venue: 'paper', symbol: btc, attempt: 1 };

      const byVenueId = await cancelOrder({
        ...base,
        clientOrderId: 'f1' as ClientOrderId,
        venueOrderId: known.orderId,
      });
      const mark = venue.calls.length;
      const byLookup = await cancelOrder({ ...base, clientOrderId: 'f2' as ClientOrderId });

      assert.deepEqual([byVenueId.outcome, byLookup.outcome], ['canceled', 'canceled']);
      assert.deepEqual(venue.calls.slice(mark), ['getOrder:f2', `cancelOrder:${unknown.orderId}`]);
    });

    it('cancels every open order of a symbol once per request', async () => {
      const eth = 'ETHUSDT' as SymbolId;
      await placeOrder(intent('a1', { symbol: eth }));
      await placeOrder(intent('a2', { symbol: eth }));
      const request = { venue: 'paper', symbol: eth, requestId: 'stop-1' };

      const first = await cancelAllOrders(request);
      const repeated = await cancelAllOrders(request);

      assert.deepEqual(first, { outcome: 'canceled', symbol: eth });
      assert.deepEqual(repeated, first);
      assert.equal(venue.count('cancelAllOrders'), 1);
      assert.equal(venue.orders.get('a1')?.status, 'CANCELED');
    });

    it('places a batch and reports each order on its own, once', async () => {
      const batch = {
        venue: 'paper',
        orders: [intent('b1'), intent('b2', { quantity: '1000' }), intent('b3', { side: 'SELL' })],
      };

      const result = await batchPlaceOrders(batch);
      const repeated = await batchPlaceOrders(batch);

      assert.deepEqual(
        result.results.map((r) => [r.clientOrderId, r.outcome]),
        [
          ['b1', 'placed'],
          ['b2', 'rejected'],
          ['b3', 'placed'],
        ],
      );
      assert.deepEqual(repeated, result);
      assert.equal(venue.count('batchPlaceOrders'), 1);
    });

    it('looks every order of a batch up before sending the batch again', async () => {
      venue.loseNextReplies('batchPlaceOrders');
      const before = venue.count('batchPlaceOrders');

      const result = await batchPlaceOrders({
        venue: 'paper',
        orders: [intent('bl1'), intent('bl2', { price: '59900' })],
      });

      assert.deepEqual(
        result.results.map((r) => [r.clientOrderId, r.outcome]),
        [
          ['bl1', 'placed'],
          ['bl2', 'placed'],
        ],
      );
      // The lost reply's orders were found by client order id: the batch went out once
      assert.equal(venue.count('batchPlaceOrders') - before, 1);
      assert.deepEqual(callsOf('bl1'), ['getOrder:bl1']);
      assert.deepEqual(callsOf('bl2'), ['getOrder:bl2']);
    });

    it('reads back what the newest placements carried, by client order id prefix', async () => {
      const carrying = (id: string, slot: number) => intent(id, { carried: { slot } });
      await placeOrder(carrying('oqCARYRCCbm1g1', 1));
      await placeOrder(carrying('oqCARYRCCbm2g1', 2));
      await placeOrder(intent('oqCARYRCCbm4g1'));
      await placeOrder(carrying('oqCARYRCCbm3g1', 3));

      assert.deepEqual(await carriedSnapshots('oqCARYRCC', 10), [
        { slot: 3 },
        { slot: 2 },
        { slot: 1 },
      ]);
      assert.deepEqual(await carriedSnapshots('oqCARYRCC', 2), [{ slot: 3 }]);
      assert.deepEqual(await carriedSnapshots('oqNONERCC', 10), []);
    });

    it('tells its caller when the placement is about to reach the venue', async () => {
      const reached: string[] = [];
      const result = placeOrder(intent('h1'), {
        onVenueCall: () => reached.push(`${venue.calls.length}`),
      });
      const calls = venue.calls.length;
      await result;
      // Told before the venue call, once
      assert.deepEqual(reached, [`${calls}`]);
    });

    it('fails the workflow, not the venue, when an intent names an unregistered venue', async () => {
      await assert.rejects(
        placeOrder(intent('w1', { venue: 'nowhere' })),
        /no venue registered as 'nowhere'/,
      );
      const status = await DBOS.getWorkflowStatus(placeWorkflowId(intent('w1')));
      assert.equal(status?.status, 'ERROR');
    });

    it('refuses a batch that repeats a client order id', async () => {
      await assert.rejects(
        batchPlaceOrders({ venue: 'paper', orders: [intent('x1'), intent('x1')] }),
        /must not repeat a client order id/,
      );
    });

    it('places on the simulated venue and adopts an order it already took', async () => {
      const sim = createSimulatedVenue({ symbols: ['BTCUSDT'] }, new VirtualClock());
      const futures = sim.exchange('futures');
      registerOrderVenue(futures, 'sim');
      try {
        const price = (await futures.getLatestPrice('BTCUSDT')).mul('0.9').toDecimalPlaces(0);
        const place = intent('s1', { venue: 'sim', price: price.toFixed() });
        const lostAnswer = await futures.placeOrder({
          symbol: btc,
          side: 'BUY',
          type: 'LIMIT',
          quantity: dec('0.001'),
          price,
          postOnly: true,
          clientOrderId: 's2',
        });

        const first = await placeOrder(place);
        const repeated = await placeOrder(place);
        const adopted = await placeOrder({ ...place, clientOrderId: 's2' as ClientOrderId });

        const open = await futures.getOpenOrders('BTCUSDT');
        assert.deepEqual(open.map((o) => o.clientOrderId).sort(), ['s1', 's2']);
        assert.deepEqual(repeated, first);
        assert.deepEqual(
          adopted.outcome === 'placed' && adopted.order.venueOrderId,
          lostAnswer.orderId,
        );
      } finally {
        await sim.close();
      }
    });
  });
}
