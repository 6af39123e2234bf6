/**
 * @module actors/engine/supervision
 * The restart policy of the orchestrator: exponential backoff between restarts of a failing
 * symbol, a sliding window that decides when to give up on it, and which failures are not the
 * symbol's fault at all: a connector that is unreachable, refuses our calls or does not answer
 * in time stops every symbol alike, so such a failure never counts toward giving up; the symbol
 * waits for the connector instead. Pure: time comes in as arguments, so the policy is tested
 * without waiting.
 */
import { ExchangeError, type ErrorReason } from '../../core/errors.js';

/**
 * Reasons that mean the connector (or the venue behind it) could not be reached, refused the
 * call, or did not answer: UNAVAILABLE, UNAUTHENTICATED, PERMISSION_DENIED, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED and CANCELLED on the wire.
 */
const OUTAGE_REASONS: ReadonlySet<ErrorReason> = new Set([
  'NETWORK',
  'EXCHANGE_UNAVAILABLE',
  'TIMEOUT',
  'AUTHENTICATION',
  'PERMISSION_DENIED',
  'RATE_LIMITED',
  'CANCELLED',
]);

/**
 * The outage behind a failure, if it was one: the first venue error with an outage reason in
 * the chain of causes.
 * @param e - what the symbol actor failed with
 * @returns the reason, or null when the failure is the symbol's own
 */
export function outageReason(e: unknown): ErrorReason | null {
  let current: unknown = e;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof ExchangeError && OUTAGE_REASONS.has(current.reason)) {
      return current.reason;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return null;
}

/** How the orchestrator treats a symbol whose actor keeps failing. */
export interface SupervisionPolicy {
  /** Failures within `windowMs` after which the symbol is marked failed. */
  readonly maxFailures: number;
  /** Length of the failure-counting window, ms. */
  readonly windowMs: number;
  /** Wait before the first restart, doubled per failure in the window, ms. */
  readonly initialBackoffMs: number;
  /** Cap of the wait, ms. */
  readonly maxBackoffMs: number;
}

/** Failures of one symbol within the policy's window. */
export class FailureWindow {
  readonly #policy: SupervisionPolicy;
  #times: number[] = [];

  constructor(policy: SupervisionPolicy) {
    this.#policy = policy;
  }

  /**
   * Records a failure.
   * @param nowMs - when it happened, epoch ms
   * @returns failures within the window ending now, this one included
   */
  record(nowMs: number): number {
    const since = nowMs - this.#policy.windowMs;
    this.#times = [...this.#times.filter((t) => t > since), nowMs];
    return this.#times.length;
  }

  /** Failures counted so far (as of the last `record`). */
  get count(): number {
    return this.#times.length;
  }

  /**
   * Whether `failures` failures in the window mean giving up.
   * @param failures - the count `record` returned
   */
  exhausted(failures: number): boolean {
    return failures >= this.#policy.maxFailures;
  }

  /**
   * The wait before the next restart: initial × 2^(failures − 1), capped.
   * @param failures - the count `record` returned (at least 1)
   * @returns milliseconds
   */
  backoffMs(failures: number): number {
    const { initialBackoffMs, maxBackoffMs } = this.#policy;
    return Math.min(initialBackoffMs * 2 ** Math.max(0, failures - 1), maxBackoffMs);
  }

  /** Forgets every failure (the symbol was re-activated by hand). */
  reset(): void {
    this.#times = [];
  }
}
