/**
 * @module actors/engine/venue-sweep
 * Makes sure the venue holds none of our open orders of one symbol, asking the venue rather
 * than trusting our own books: used when a symbol is removed (done only once the venue shows
 * none) and when a failed symbol is given up on (its orders must not rest unmanaged). Each round
 * lists the symbol's open orders, cancels every one whose client order id is ours for this
 * symbol (foreign orders are never touched), and looks again; rounds are bounded and back off.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order } from '../../core/exchange.types.js';
import type { SymbolId } from '../../core/types.js';
import { isClientOrderIdFor } from '../../machines/client-order-id.js';

/** How hard a sweep tries. */
export interface SweepPolicy {
  /** Rounds before giving up (each lists, cancels, and the next one checks). */
  readonly rounds: number;
  /** Wait before the second round, doubled per round, ms. */
  readonly initialBackoffMs: number;
  /** Cap of the wait, ms. */
  readonly maxBackoffMs: number;
  /** Checked before each round; false stops the sweep (the symbol was taken over meanwhile). */
  readonly proceed?: () => boolean;
}

/** What a sweep found. */
export interface SweepResult {
  /** True when the venue listed none of our orders of the symbol in the last round. */
  readonly clean: boolean;
  /** Orders of ours cancelled along the way. */
  readonly cancelled: number;
  /** Our orders still open (empty when clean), "clientOrderId" each. */
  readonly remaining: readonly string[];
  /** Why the last round failed, when the venue could not be asked. */
  readonly error: string | null;
  readonly rounds: number;
}

/** Cancel refusals that mean the order is already gone. */
const GONE = new Set(['ORDER_NOT_FOUND', 'ORDER_NOT_CANCELABLE']);

/**
 * Cancels our open orders of `symbol` until the venue lists none, or the rounds run out.
 * @param exchange - the venue port
 * @param symbol - the symbol
 * @param policy - bounds and backoff
 * @param deps - clock for the backoff, log for each unclean round (warn), and this engine's client
 *   order id namespace (orders of other engines on the account are never touched)
 * @returns the outcome; never throws a venue error (it is reported in `error`)
 */
export async function sweepOrders(
  exchange: Exchange,
  symbol: SymbolId,
  policy: SweepPolicy,
  deps: { readonly clock: Clock; readonly log: Logger; readonly namespace: string },
): Promise<SweepResult> {
  let cancelled = 0;
  let remaining: string[] = [];
  let error: string | null = null;
  let backoffMs = policy.initialBackoffMs;
  for (let round = 1; round <= policy.rounds; round++) {
    if (policy.proceed && !policy.proceed()) break;
    try {
      const ours = (await exchange.getOpenOrders(symbol)).filter((o) =>
        isClientOrderIdFor(o.clientOrderId, symbol, deps.namespace),
      );
      error = null;
      remaining = ours.map((o) => o.clientOrderId);
      if (ours.length === 0) return { clean: true, cancelled, remaining: [], error, rounds: round };
      cancelled += await cancelEach(exchange, symbol, ours);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (round === policy.rounds) break;
    const ids = { symbol, round, remaining: remaining.length, waitMs: backoffMs, err: error };
    deps.log.warn(ids, 'our orders may still be open on the venue: checking again');
    await sleep(deps.clock, backoffMs);
    backoffMs = Math.min(backoffMs * 2, policy.maxBackoffMs);
  }
  return { clean: false, cancelled, remaining, error, rounds: policy.rounds };
}

async function cancelEach(exchange: Exchange, symbol: SymbolId, orders: readonly Order[]) {
  let cancelled = 0;
  for (const order of orders) {
    try {
      await exchange.cancelOrder(symbol, order.orderId);
      cancelled++;
    } catch (e) {
      // Gone already (filled or cancelled meanwhile): the next listing tells
      if (!(e instanceof ExchangeError && GONE.has(e.reason))) throw e;
    }
  }
  return cancelled;
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve));
}
