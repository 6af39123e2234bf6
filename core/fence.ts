/**
 * @module core/fence
 * Fencing tokens for scale-out: several engines share one database and each symbol is owned by
 * one engine at a time through a lease whose token grows with every change of owner. Every call
 * that changes orders runs inside the stamp of the lease it was made under, so the exchange
 * client can send it to the connector, which refuses a token lower than one it has already seen
 * for the symbol: a former owner that was paused or cut off cannot act after a takeover even if
 * its own check of the lease passed just before it stopped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The lease a call is made under. */
export interface FenceStamp {
  readonly symbol: string;
  /** The engine holding the lease. */
  readonly owner: string;
  /** Grows by one with every new owner of the symbol's lease; positive. */
  readonly token: number;
}

/** gRPC metadata keys the stamp travels in (lower case: gRPC metadata keys are). */
export const FENCE_OWNER_HEADER = 'x-opensqt-fence-owner';
export const FENCE_TOKEN_HEADER = 'x-opensqt-fence-token';

const stamps = new AsyncLocalStorage<FenceStamp>();

/** Runs `fn` with `stamp` as the lease every venue call inside it is made under. */
export function withFence<T>(stamp: FenceStamp, fn: () => T): T {
  return stamps.run(stamp, fn);
}

/** The lease the current call is made under; undefined outside `withFence` (one engine alone). */
export function currentFence(): FenceStamp | undefined {
  return stamps.getStore();
}
