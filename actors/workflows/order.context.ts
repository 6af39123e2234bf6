/**
 * @module actors/workflows/order.context
 * What the order workflows' steps reach at run time: the venues and the retry policy, and what
 * tells a placement step's first run in the process that started it from any other run. A
 * workflow recovered after a crash is re-run from its stored input alone, so its steps cannot
 * close over objects of the call that started it; like DBOS's `ConfiguredInstance` registry,
 * they look dependencies up by name here instead. Register venues before
 * `launchDurableRuntime()`, because recovery starts running pending workflows during launch.
 */
import { randomUUID } from 'node:crypto';

import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import { withFence, type FenceStamp } from '../../core/fence.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/retry.js';

export interface OrderWorkflowDeps {
  /**
   * Attempts at one intent's venue call, end to end (the venue step is their only owner; the
   * connector retries no order call): default REQ-WF-002, 3 attempts, 100 ms doubling.
   */
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * This process's incarnation, stamped into every intent it starts. A placement step whose input
 * carries another incarnation is a recovered run (an earlier process may have reached the venue).
 */
export const INCARNATION = randomUUID();

const venues = new Map<string, Exchange>();
/** Workflows whose venue step has started here and not yet been checkpointed. */
const attempted = new Set<string>();
/** Callers waiting for a workflow of this process to reach the venue. */
const venueCallWaiters = new Map<string, () => void>();
let retry: RetryPolicy | null = null;
let fence: OrderFence | null = null;

/**
 * Scale-out's fence on order calls: which symbols this engine owns. Unbound (one engine alone),
 * every call goes through.
 */
export interface OrderFence {
  /** The lease this engine holds on `symbol` now, from memory; stamped into each intent. */
  held(symbol: string): FenceStamp | undefined;
  /** The lease as the database has it, right before a call that changes orders; null: lost. */
  check(symbol: string): Promise<FenceStamp | null>;
}

/** Fences every order-changing venue call from now on; null lifts the fence. */
export function bindOrderFence(binding: OrderFence | null): void {
  fence = binding;
}

/** The lease to stamp into an intent for `symbol`; undefined when unfenced or not held. */
export function heldFence(symbol: string): FenceStamp | undefined {
  return fence?.held(symbol);
}

/** True when order calls are fenced and this engine does not hold `symbol`'s lease. */
export function fencedOff(symbol: string): boolean {
  return fence !== null && fence.held(symbol) === undefined;
}

/**
 * Runs a venue call that changes `symbol`'s orders under the lease this engine holds, checked in
 * the database first; the connector refuses it too if a newer owner has been seen.
 * @throws {ExchangeError} FENCED when the lease was lost, without calling the venue
 */
export async function fencedCall<T>(symbol: string, call: () => Promise<T>): Promise<T> {
  if (!fence) return call();
  const stamp = await fence.check(symbol);
  if (!stamp) {
    throw new ExchangeError(
      'FENCED',
      `this engine no longer holds the lease on ${symbol}: another engine trades it now`,
      { field: 'symbol' },
    );
  }
  return withFence(stamp, call);
}

/** Binds the retry policy the steps use, replacing any earlier binding. */
export function bindOrderWorkflows(options: OrderWorkflowDeps = {}): void {
  retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
}

/** Makes `venue` reachable by intents naming `name` (default: the venue's own name). */
export function registerOrderVenue(venue: Exchange, name: string = venue.name): void {
  venues.set(name, venue);
}

/** Forgets every venue and the binding; for shutdown and between tests. */
export function unbindOrderWorkflows(): void {
  venues.clear();
  retry = null;
  fence = null;
}

/** @throws {Error} when no venue is registered under `name` (a wiring bug, not a venue outcome) */
export function orderVenue(name: string): Exchange {
  const venue = venues.get(name);
  if (!venue) throw new Error(`no venue registered as '${name}' for order workflows`);
  return venue;
}

/** @throws {Error} when `bindOrderWorkflows` was not called */
export function orderRetryPolicy(): RetryPolicy {
  if (!retry) throw new Error('order workflows are not bound: call bindOrderWorkflows() first');
  return retry;
}

/**
 * True once per workflow, for the venue step's first run in the process that started the
 * workflow: only then can the venue not have the order yet, so only then may the step place
 * without looking the client order id up first. Any other run (a recovered workflow, or a step
 * re-run here after its checkpoint failed) looks it up first.
 * @param workflowId - the running workflow
 * @param incarnation - the incarnation its input carries
 */
export function claimFirstRun(workflowId: string, incarnation: string | undefined): boolean {
  if (incarnation !== INCARNATION || attempted.has(workflowId)) return false;
  attempted.add(workflowId);
  return true;
}

/** The venue step of `workflowId` was checkpointed: a later run replays it, never re-runs it. */
export function releaseFirstRun(workflowId: string): void {
  attempted.delete(workflowId);
}

/** Calls `notify` once when the workflow `workflowId` reaches the venue (or settles first). */
export function onVenueCall(workflowId: string, notify: () => void): void {
  venueCallWaiters.set(workflowId, notify);
}

/** The workflow `workflowId` is about to call the venue, or has settled without doing so. */
export function venueCallReached(workflowId: string): void {
  const notify = venueCallWaiters.get(workflowId);
  venueCallWaiters.delete(workflowId);
  notify?.();
}
