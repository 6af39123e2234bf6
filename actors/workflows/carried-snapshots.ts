/**
 * @module actors/workflows/carried-snapshots
 * Finds the newest actor snapshot a placement workflow carried in its input. A symbol actor sends
 * its next snapshot along with every placement it starts (the intent and the snapshot are stored
 * in the one commit that starts the workflow), and saves the snapshot itself only after the
 * venue call is under way; a crash in between leaves the newer snapshot in the workflow input
 * alone. Recovery reads it here and prefers it to the actor's own last save when it is newer.
 * Needs DBOS launched.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import type { CarriedSnapshot, PlaceOrderIntent } from './order.messages.js';

/**
 * Placement workflows read back per lookup. Every placement of one actor step carries the same
 * snapshot and later steps start later, so the newest few always include the newest snapshot.
 */
const SCAN_LIMIT = 8;

/**
 * The newest snapshot carried by a placement whose client order id starts with `idPrefix`.
 * @param idPrefix - the prefix every client order id of one symbol of this engine starts with
 * @returns the snapshot with the highest version, or null when no placement carried one
 */
export async function newestCarriedSnapshot(idPrefix: string): Promise<CarriedSnapshot | null> {
  const workflows = await DBOS.listWorkflows({
    workflowName: 'order.place',
    workflow_id_prefix: `place:${idPrefix}`,
    sortDesc: true,
    limit: SCAN_LIMIT,
    loadInput: true,
  });
  let newest: CarriedSnapshot | null = null;
  for (const workflow of workflows) {
    const [intent] = (workflow.input ?? []) as (PlaceOrderIntent | undefined)[];
    const carried = intent?.carried;
    if (carried && (newest === null || carried.version > newest.version)) newest = carried;
  }
  return newest;
}
