/**
 * Crash recovery of the order workflows: a process dies (SIGKILL) while its placement is inside
 * the venue step; the next process to launch DBOS on the same database resumes the workflow,
 * which completes exactly once and answers a repeat of the intent with the same result.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DBOS } from '@dbos-inc/dbos-sdk';

import {
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import {
  placeWorkflowId,
  type PlaceOrderIntent,
} from '../../../actors/workflows/order.messages.js';
import { placeOrder } from '../../../actors/workflows/order.workflows.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';
import { PaperVenue } from './paper-venue.js';

const APP = 'order-recovery-test';
const FIXTURE = fileURLToPath(new URL('./fixtures/blocked-placement.ts', import.meta.url));

const intent: PlaceOrderIntent = {
  venue: 'paper',
  symbol: 'BTCUSDT' as SymbolId,
  clientOrderId: 'osq0RZ7BL4bp3g1' as ClientOrderId,
  side: 'BUY',
  type: 'LIMIT',
  quantity: '0.001',
  price: '59700',
  postOnly: true,
  slotIndex: -3,
};

/** Runs the fixture until its venue step blocks, then kills it without any cleanup. */
async function crashMidPlacement(databaseUrl: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', FIXTURE, databaseUrl, JSON.stringify(intent), APP],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  try {
    for await (const line of lines) if (line === 'blocked') break;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`order workflow recovery (${kind})`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await openTestDatabase(kind);
    });

    after(async () => {
      await shutdownDurableRuntime();
      unbindOrderWorkflows();
      await db.close();
    });

    it(
      'resumes a placement a crash interrupted and completes it exactly once',
      { timeout: 30_000 },
      async () => {
        await crashMidPlacement(db.url);
        const [pending] = await db.sql`
          SELECT status FROM dbos.workflow_status
          WHERE workflow_uuid = ${placeWorkflowId(intent)}`;
        assert.equal(pending?.status, 'PENDING');

        const venue = new PaperVenue();
        registerOrderVenue(venue.exchange(), 'paper');
        bindOrderWorkflows();
        await launchDurableRuntime({ databaseUrl: db.url, appName: APP, logLevel: 'error' });
        const recovered = await DBOS.retrieveWorkflow(placeWorkflowId(intent)).getResult({
          pollingIntervalMs: 50,
        });
        const repeated = await placeOrder(intent);

        const placed = venue.orders.get(intent.clientOrderId);
        assert.deepEqual(recovered, {
          outcome: 'placed',
          clientOrderId: intent.clientOrderId,
          order: {
            venueOrderId: placed?.orderId,
            clientOrderId: intent.clientOrderId,
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            status: 'NEW',
            price: '59700',
            quantity: '0.001',
            executedQty: '0',
            avgPrice: '0',
          },
        });
        assert.deepEqual(repeated, recovered);
        // The interrupted step runs again in another process, so it first asks the venue
        // whether its first run got through; only then does it place, and exactly once
        assert.deepEqual(venue.calls, [
          `getOrder:${intent.clientOrderId}`,
          `placeOrder:${intent.clientOrderId}`,
        ]);
        const steps = await DBOS.listWorkflowSteps(placeWorkflowId(intent));
        assert.deepEqual(
          steps?.map((s) => s.name),
          ['venue.placeOrder'],
        );
      },
    );
  });
}
