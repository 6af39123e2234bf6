/**
 * @module core/retry
 * Exponential backoff with jitter for transient venue failures (REQ-WF-002: 3 attempts,
 * 100 ms initial). Only `ExchangeError`s marked transient are retried; everything else is final.
 */
import { toExchangeError } from './errors.js';

export interface RetryPolicy {
  /** Total tries including the first. */
  readonly attempts: number;
  /** Backoff before the second try, doubled for each later one. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Waits `ms` milliseconds; injectable so tests need not sleep. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1); injectable so tests are deterministic. */
  readonly random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Backoff before try number `attempt + 1` (attempt counts from 1): "equal jitter", between half the cap and the cap. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (policy.random() * cap) / 2);
}

/**
 * Runs `fn`, retrying transient failures per `policy`.
 * @param fn receives the 1-based attempt number
 * @throws {ExchangeError} the last failure, or the first non-transient one
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const error = toExchangeError(e);
      if (!error.transient || attempt >= policy.attempts) throw error;
      await policy.sleep(backoffMs(policy, attempt));
    }
  }
}
