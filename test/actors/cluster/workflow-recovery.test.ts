/**
 * recoverWorkflowsOf: a live engine resumes the workflows a dead engine left pending, from their
 * last checkpoint (a finished step is not run again), and returns once they finished. One
 * process plays both: DBOS is launched as the engine that dies (its workflow stops half way),
 * shut down, and launched again as the live engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DBOS } from '@dbos-inc/dbos-sdk';
import pino from 'pino';

import { recoverWorkflowsOf } from '../../../actors/cluster/workflow-recovery.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const silent = { info() {}, debug() {}, warn() {}, error() {} };
/** Steps as they ran: `<step>@<executor>`. */
const ran: string[] = [];

const twoSteps = DBOS.registerWorkflow(
  async (name: string): Promise<string> => {
    await DBOS.runStep(async () => ran.push(`first:${name}@${DBOS.executorID}`), {
      name: 'first',
    });
    // The engine that dies never gets past here; the one recovering it does
    if (DBOS.executorID === 'dead-engine') await new Promise(() => undefined);
    await DBOS.runStep(async () => ran.push(`second:${name}@${DBOS.executorID}`), {
      name: 'second',
    });
    return `done:${name}`;
  },
  { name: 'test.twoSteps' },
);

for (const kind of TEST_DATABASE_KINDS) {
  describe(`recoverWorkflowsOf (${kind})`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await openTestDatabase(kind);
    });

    after(async () => {
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 0 });
      await db.close();
    });

    it("resumes a dead engine's pending workflow from its checkpoint on a live engine", async () => {
      const runtime = { databaseUrl: db.url, appName: 'recovery-test', logger: silent };
      ran.length = 0;
      await launchDurableRuntime({ ...runtime, executorId: 'dead-engine' });
      await DBOS.startWorkflow(twoSteps, { workflowID: `wf-${kind}` })('w');
      for (let i = 0; i < 100 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 0 });

      await launchDurableRuntime({ ...runtime, executorId: 'live-engine' });
      const log = pino({ level: 'silent' });
      const resumed = await recoverWorkflowsOf(['dead-engine'], { log, waitMs: 10_000 });
      const again = await recoverWorkflowsOf(['dead-engine'], { log, waitMs: 10_000 });
      const status = await DBOS.getWorkflowStatus(`wf-${kind}`);

      assert.equal(resumed, 1);
      assert.equal(again, 0, 'a finished workflow is not resumed twice');
      assert.deepEqual(ran, ['first:w@dead-engine', 'second:w@live-engine']);
      assert.equal(status?.status, 'SUCCESS');
      assert.equal(status?.output, 'done:w');
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 0 });
    });
  });
}
