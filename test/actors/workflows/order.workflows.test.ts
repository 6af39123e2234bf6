/**
 * The order workflows on a live DBOS runtime: idempotence by workflow id, named steps, venue
 * outcomes as results, retries of transient failures, duplicate adoption, and what lands in the
 * order index. One database and one DBOS launch serve the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DBOS } from '@dbos-inc/dbos-sdk';

import { OrderIndexRepo } from '../../../actors/store/order-index.repo.js';
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
    let index: OrderIndexRepo;
    let venue: PaperVenue;

    before(async () => {
      db = await openTestDatabase(kind);
      index = new OrderIndexRepo(db.sql);
      venue = new PaperVenue();
      registerOrderVenue(venue.exchange(), 'paper');
      bindOrderWorkflows({ orderIndex: index, retry: { sleep: async () => undefined } });
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

    it('places an order once however often the intent is repeated', async () => {
      const place = intent('p1');

      const [first, concurrent] = await Promise.all([placeOrder(place), placeOrder(place)]);
      const later = await placeOrder(place);

      assert.equal(venue.count('placeOrder'), 1);
      assert.equal(first.outcome, 'placed');
      assert.deepEqual(concurrent, first);
      assert.deepEqual(later, first);
      assert.equal(first.outcome === 'placed' && first.order.status, 'NEW');
      const indexed = await index.byClientOrderId(place.clientOrderId);
      assert.deepEqual(
        [indexed?.status, indexed?.venueOrderId, indexed?.slotIndex],
        ['NEW', first.outcome === 'placed' ? first.order.venueOrderId : '', -1],
      );
    });

    it('runs each venue call as a named step under a fixed workflow name', async () => {
      const place = intent('p2');
      await placeOrder(place);

      const status = await DBOS.getWorkflowStatus(placeWorkflowId(place));
      const steps = await DBOS.listWorkflowSteps(placeWorkflowId(place));

      assert.deepEqual([status?.workflowName, status?.status], ['order.place', 'SUCCESS']);
      assert.deepEqual(
        steps?.map((s) => s.name),
        ['venue.placeOrder', 'index.upsert'],
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
      assert.equal(venue.calls.filter((c) => c === 'placeOrder:r1').length, 1);
      assert.equal((await index.byClientOrderId('r1' as ClientOrderId))?.status, 'REJECTED');
    });

    it('retries transient failures, then reports failed and leaves the order in flight', async () => {
      const network = () => new ExchangeError('NETWORK', 'connection reset');
      venue.failNext('placeOrder', network(), network());
      const recovered = await placeOrder(intent('t1'));
      venue.failNext('placeOrder', network(), network(), network());
      const failed = await placeOrder(intent('t2'));

      assert.equal(recovered.outcome, 'placed');
      assert.equal(venue.calls.filter((c) => c === 'placeOrder:t1').length, 3);
      assert.deepEqual(failed, {
        outcome: 'failed',
        reason: 'NETWORK',
        message: 'connection reset',
        clientOrderId: 't2',
      });
      assert.equal(venue.calls.filter((c) => c === 'placeOrder:t2').length, 3);
      assert.deepEqual(
        (await index.inflightOrders(btc)).map((o) => o.clientOrderId),
        ['t2'],
      );
    });

    it('adopts the order the venue already holds for the client order id', async () => {
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
      assert.equal((await index.byClientOrderId('c1' as ClientOrderId))?.status, 'CANCELED');
    });

    it('finds the venue order id of an order the index does not know before canceling it', async () => {
      const foreign = venue.seed({
        symbol: btc,
        side: 'SELL',
        type: 'LIMIT',
        quantity: dec('0.002'),
        price: dec('61000'),
        clientOrderId: 'f1',
      });

      const result = await cancelOrder({
        venue: 'paper',
        symbol: btc,
        clientOrderId: 'f1' as ClientOrderId,
        attempt: 1,
      });

      assert.deepEqual(result, { outcome: 'canceled', clientOrderId: 'f1' });
      assert.deepEqual(venue.calls.slice(-2), ['getOrder:f1', `cancelOrder:${foreign.orderId}`]);
    });

    it('cancels every open order of a symbol once per request', async () => {
      const eth = 'ETHUSDT' as SymbolId;
      await placeOrder(intent('a1', { symbol: eth }));
      await placeOrder(intent('a2', { symbol: eth }));
      const request = { venue: 'paper', symbol: eth, requestId: 'stop-1' };

      const first = await cancelAllOrders(request);
      const repeated = await cancelAllOrders(request);

      assert.deepEqual(first, { outcome: 'canceled', symbol: eth, indexedCanceled: 2 });
      assert.deepEqual(repeated, first);
      assert.equal(venue.count('cancelAllOrders'), 1);
      assert.deepEqual(await index.openOrders(eth), []);
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
      const statuses = await Promise.all(
        ['b1', 'b2', 'b3'].map(
          async (id) => (await index.byClientOrderId(id as ClientOrderId))?.status,
        ),
      );
      assert.deepEqual(statuses, ['NEW', 'REJECTED', 'NEW']);
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
