/**
 * @module actors/arbitrage/arbitrage.steps
 * The venue steps of an arbitrage cycle workflow, one DBOS step per venue call. They reach
 * venues through the order workflows' machinery rather than a copy of it: the venue registry
 * (`registerOrderVenue`), the first-run claim of the process that started the workflow, and
 * `placeOnce` / `withAttempts` (at most 3 attempts per intent, a lookup by client order id before
 * every retry and on DUPLICATE_ORDER). What differs from the grid's steps is the answer: the
 * whole execution of a leg order (cumulative quantity, average price, fees in base and quote,
 * trades), which the position machine and the pair's accounting need.
 *
 * Steps never throw venue errors: a final refusal is `REFUSED`, transient failures that outlast
 * the attempts are `UNKNOWN` (the order may exist; the workflow asks again by client order id).
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

import { toExchangeError } from '../../core/errors.js';
import type { SymbolId } from '../../core/types.js';
import { claimFirstRun, orderVenue, releaseFirstRun } from '../workflows/order.context.js';
import { cancelOrderStep } from '../workflows/order.steps.js';
import { placeOnce, withAttempts } from '../workflows/venue-attempts.js';
import {
  executionOf,
  outcomeWithoutOrder,
  type LegExecution,
  type LegOrderRef,
} from './leg-execution.js';

/** The assets of one leg's symbol, for telling base fees from quote fees. */
export interface LegAssets {
  readonly base: string;
  readonly quote: string;
}

/**
 * Step `arb.venue.placeOrder`: places one leg's market order, or adopts the venue's order under
 * its client order id when an earlier run got through.
 * @param incarnation - the incarnation of the process that started the workflow
 */
export async function placeLegStep(
  ref: LegOrderRef,
  assets: LegAssets,
  incarnation: string,
): Promise<LegExecution> {
  const claim = `${DBOS.workflowID ?? 'arb'}:${ref.clientOrderId}`;
  const execution = await DBOS.runStep(
    async () => {
      const venue = orderVenue(ref.venue);
      const firstRun = claimFirstRun(claim, incarnation);
      const intent = {
        venue: ref.venue,
        symbol: ref.symbol as SymbolId,
        clientOrderId: ref.clientOrderId,
        side: ref.side,
        type: 'MARKET' as const,
        quantity: ref.quantity,
        ...(ref.reduceOnly ? { reduceOnly: true } : {}),
        ...(ref.useMargin ? { useMargin: true } : {}),
      };
      try {
        return executionOf(
          ref,
          await placeOnce(venue, intent, firstRun),
          assets.base,
          assets.quote,
        );
      } catch (e) {
        const error = toExchangeError(e);
        return outcomeWithoutOrder(ref, error.transient ? 'UNKNOWN' : 'REFUSED', error.reason);
      }
    },
    { name: 'arb.venue.placeOrder' },
  );
  releaseFirstRun(claim);
  return execution;
}

/**
 * Step `arb.venue.getOrder`: the leg order as the venue reports it now.
 * @returns the execution; `UNKNOWN` when the venue could not be asked, `REFUSED` (nothing
 *   executed) when the venue has no order under the id
 */
export function lookUpLegStep(ref: LegOrderRef, assets: LegAssets): Promise<LegExecution> {
  return DBOS.runStep(
    async () => {
      const venue = orderVenue(ref.venue);
      try {
        const order = await withAttempts(() =>
          venue.getOrder({
            symbol: ref.symbol,
            clientOrderId: ref.clientOrderId,
            ...(ref.useMargin ? { useMargin: true } : {}),
          }),
        );
        return executionOf(ref, order, assets.base, assets.quote);
      } catch (e) {
        const error = toExchangeError(e);
        if (error.reason === 'ORDER_NOT_FOUND') {
          return outcomeWithoutOrder(ref, 'REFUSED', 'ORDER_NOT_FOUND');
        }
        return outcomeWithoutOrder(ref, 'UNKNOWN', error.reason);
      }
    },
    { name: 'arb.venue.getOrder' },
  );
}

/**
 * Step `venue.cancelOrder` (the order workflows' own): cancels a leg order that rests after its
 * time ran out, so a market order a venue did not fill at once cannot fill later unseen.
 * @returns whether the venue took the cancel (the caller looks the order up either way)
 */
export async function cancelLegStep(ref: LegOrderRef, venueOrderId: string): Promise<boolean> {
  const call = await cancelOrderStep(
    ref.venue,
    ref.symbol as SymbolId,
    venueOrderId,
    ref.useMargin || undefined,
  );
  return call.ok;
}
