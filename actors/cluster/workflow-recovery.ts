/**
 * @module actors/cluster/workflow-recovery
 * Recovers the durable workflows of engines found dead, as their own restart would have: every
 * workflow they left pending, and every symbol change still queued for them, is resumed (DBOS puts it on its internal queue, where a live engine
 * runs it from its last checkpoint). The call waits, up to a bound, for them to finish, so the
 * dead engine's placements are settled before its symbols are reconciled by their new owner.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';

import { symbolChangeQueueOf } from '../engine/symbol-change.workflow.js';

export interface WorkflowRecoveryOptions {
  readonly log: Logger;
  /** How long to wait for the resumed workflows, ms. */
  readonly waitMs: number;
}

/** @returns how many workflows were resumed */
export async function recoverWorkflowsOf(
  engineIds: readonly string[],
  options: WorkflowRecoveryOptions,
): Promise<number> {
  const pending = await DBOS.listWorkflows({
    status: ['PENDING'],
    executorId: [...engineIds],
    // Workflows of another build are never recovered by this one
    applicationVersion: DBOS.applicationVersion,
  });
  // Symbol changes still waiting on a dead engine's own queue would never be dequeued
  const queued = await DBOS.listWorkflows({
    status: ['ENQUEUED'],
    queueName: engineIds.map((id) => symbolChangeQueueOf(id)),
  });
  const ids = [...pending, ...queued].map((w) => w.workflowID);
  if (ids.length === 0) return 0;
  const handles = await DBOS.resumeWorkflows(ids);
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    Promise.allSettled(handles.map((h) => h.getResult())).then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), options.waitMs);
    }),
  ]).finally(() => clearTimeout(timer));
  options.log.warn(
    { engines: engineIds, workflows: ids.length, settled },
    settled
      ? 'workflows of dead engines recovered and finished'
      : 'workflows of dead engines recovered; some still run',
  );
  return ids.length;
}
