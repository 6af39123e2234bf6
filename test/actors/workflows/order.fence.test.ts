/**
 * The order workflows under scale-out's fence: an engine that does not hold a symbol's lease
 * starts no workflow for it; a lease lost after the workflow started stops the venue call, not
 * the lookup (an order that already exists is still reported as placed); a call that goes through
 * runs under the lease's stamp, which the exchange client sends to the connector.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DBOS } from '@dbos-inc/dbos-sdk';

import {
  bindOrderFence,
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import {
  placeWorkflowId,
  type PlaceOrderIntent,
} from '../../../actors/workflows/order.messages.js';
import {
  cancelOrder,
  placeOrder,
  placeOrderWorkflow,
} from '../../../actors/workflows/order.workflows.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import { dec } from '../../../core/decimal.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { currentFence, type FenceStamp } from '../../../core/fence.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';
import { PaperVenue } from './paper-venue.js';

const btc = 'BTCUSDT' as SymbolId;
const silent = { info() {}, debug() {}, warn() {}, error() {} };

function intent(id: string): PlaceOrderIntent {
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
  };
}

/** The lease as a test sets it: held in memory, and as the database answers the step's check. */
class TestFence {
  held: FenceStamp | undefined = { symbol: btc, owner: 'engine-a', token: 3 };
  inDatabase: FenceStamp | null = this.held ?? null;
  binding = {
    held: (symbol: string) => (symbol === btc ? this.held : undefined),
    check: async (symbol: string) => (symbol === btc ? this.inDatabase : null),
  };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`order workflows behind the lease fence (${kind})`, () => {
    let db: TestDatabase;
    let venue: PaperVenue;
    const fence = new TestFence();
    /** The stamp each order-changing venue call ran under. */
    const stamps: (FenceStamp | undefined)[] = [];

    before(async () => {
      db = await openTestDatabase(kind);
      venue = new PaperVenue();
      const paper = venue.exchange();
      const stamped: Exchange = new Proxy(paper, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (key !== 'placeOrder' && key !== 'cancelOrder') return value;
          return (...args: unknown[]) => {
            stamps.push(currentFence());
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      registerOrderVenue(stamped, 'paper');
      bindOrderWorkflows({ retry: { sleep: async () => undefined } });
      bindOrderFence(fence.binding);
      await launchDurableRuntime({
        databaseUrl: db.url,
        appName: 'order-fence-test',
        logger: silent,
      });
    });

    after(async () => {
      await shutdownDurableRuntime();
      unbindOrderWorkflows();
      await db.close();
    });

    it('places under the lease it holds, stamping the intent and the venue call', async () => {
      const result = await placeOrder(intent('f1'));
      const status = await DBOS.getWorkflowStatus(placeWorkflowId(intent('f1')));

      assert.equal(result.outcome, 'placed');
      assert.deepEqual(stamps.at(-1), { symbol: btc, owner: 'engine-a', token: 3 });
      assert.deepEqual((status?.input?.[0] as PlaceOrderIntent).fence, {
        owner: 'engine-a',
        token: 3,
      });
    });

    it('starts nothing for a symbol whose lease it does not hold', async () => {
      fence.held = undefined;
      try {
        const placed = await placeOrder(intent('f2'));
        const cancelled = await cancelOrder({
          venue: 'paper',
          symbol: btc,
          clientOrderId: 'f1' as ClientOrderId,
          attempt: 1,
        });

        assert.deepEqual(
          [placed.outcome, placed.outcome === 'rejected' && placed.reason],
          ['rejected', 'FENCED'],
        );
        assert.equal(cancelled.outcome === 'rejected' && cancelled.reason, 'FENCED');
        assert.equal(await DBOS.getWorkflowStatus(placeWorkflowId(intent('f2'))), null);
        assert.equal(venue.count('placeOrder'), 1);
        assert.equal(venue.count('cancelOrder'), 0);
      } finally {
        fence.held = { symbol: btc, owner: 'engine-a', token: 3 };
      }
    });

    it('calls no venue once the database says the lease moved, but reports an order that exists', async () => {
      fence.inDatabase = null;
      try {
        const lost = await placeOrder(intent('f3'));
        // A recovered run (another process started it) looks up first and finds the order
        venue.seed({
          symbol: btc,
          side: 'BUY',
          type: 'LIMIT',
          quantity: dec('0.001'),
          price: dec('60000'),
          clientOrderId: 'f4',
          postOnly: true,
        });
        const handle = await DBOS.startWorkflow(placeOrderWorkflow, {
          workflowID: placeWorkflowId(intent('f4')),
        })({ ...intent('f4'), incarnation: 'an-earlier-process' });
        const recovered = await handle.getResult();

        assert.equal(lost.outcome === 'rejected' && lost.reason, 'FENCED');
        assert.equal(recovered.outcome, 'placed');
        assert.equal(venue.count('placeOrder'), 1, 'no venue placement once fenced');
      } finally {
        fence.inDatabase = fence.held ?? null;
      }
    });
  });
}
