/**
 * @module actors/workflows/carried-snapshots
 * Reads back the actor state placement workflows carried in their input. A symbol actor sends the
 * snapshot of the slot that places with every placement (the intent and that snapshot are stored
 * in the one commit that starts the workflow), and saves its own snapshot only once the venue call
 * is under way; a crash in between leaves the newer slot state in the workflow input alone.
 * Recovery reads the newest placements' carried states here and keeps, slot by slot, whichever is
 * newer. Needs DBOS launched.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import type { PlaceOrderIntent } from './order.messages.js';

/**
 * What the newest placements whose client order id starts with `idPrefix` carried, newest first.
 * Every placement of one actor step carries its own slot and later steps start later, so the
 * newest `limit` (at least the slots of the grid) include every state the last save may lack.
 * @param idPrefix - the prefix every client order id of one symbol of this engine starts with
 * @param limit - placements to read back
 * @returns the carried states, newest first (placements that carried none are skipped)
 */
export async function carriedSnapshots(idPrefix: string, limit: number): Promise<unknown[]> {
  const workflows = await DBOS.listWorkflows({
    workflowName: 'order.place',
    workflow_id_prefix: `place:${idPrefix}`,
    sortDesc: true,
    limit,
    loadInput: true,
  });
  return workflows.flatMap((workflow) => {
    const [intent] = (workflow.input ?? []) as (PlaceOrderIntent | undefined)[];
    return intent?.carried === undefined ? [] : [intent.carried];
  });
}
