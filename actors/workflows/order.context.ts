/**
 * @module actors/workflows/order.context
 * What the order workflows' steps reach at run time: the venues, the order index and the retry
 * policy. A workflow recovered after a crash is re-run from its stored input alone, so its steps
 * cannot close over objects of the call that started it; like DBOS's `ConfiguredInstance`
 * registry, they look dependencies up by name here instead. Bind everything before
 * `launchDurableRuntime()`, because recovery starts running pending workflows during launch.
 */
import type { Exchange } from '../../core/exchange.port.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/retry.js';
import type { OrderIndexRepo } from '../store/order-index.repo.js';

export interface OrderWorkflowDeps {
  /** Where workflows record each order's venue id and status. */
  readonly orderIndex: OrderIndexRepo;
  /**
   * Retry of transient venue failures inside each venue step; default REQ-WF-002 (3 attempts,
   * 100 ms initial backoff). Register plain venues, not `withResilience`-wrapped ones, or the
   * retries multiply.
   */
  readonly retry?: Partial<RetryPolicy>;
}

const venues = new Map<string, Exchange>();
let deps: { orderIndex: OrderIndexRepo; retry: RetryPolicy } | null = null;

/** Binds the order index and retry policy the steps use, replacing any earlier binding. */
export function bindOrderWorkflows(options: OrderWorkflowDeps): void {
  deps = { orderIndex: options.orderIndex, retry: { ...DEFAULT_RETRY_POLICY, ...options.retry } };
}

/** Makes `venue` reachable by intents naming `name` (default: the venue's own name). */
export function registerOrderVenue(venue: Exchange, name: string = venue.name): void {
  venues.set(name, venue);
}

/** Forgets every venue and the binding; for shutdown and between tests. */
export function unbindOrderWorkflows(): void {
  venues.clear();
  deps = null;
}

/** @throws {Error} when no venue is registered under `name` (a wiring bug, not a venue outcome) */
export function orderVenue(name: string): Exchange {
  const venue = venues.get(name);
  if (!venue) throw new Error(`no venue registered as '${name}' for order workflows`);
  return venue;
}

/** @throws {Error} when `bindOrderWorkflows` was not called */
export function orderIndex(): OrderIndexRepo {
  return bound().orderIndex;
}

export function orderRetryPolicy(): RetryPolicy {
  return bound().retry;
}

function bound(): NonNullable<typeof deps> {
  if (!deps) throw new Error('order workflows are not bound: call bindOrderWorkflows() first');
  return deps;
}
