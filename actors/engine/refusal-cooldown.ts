/**
 * @module actors/engine/refusal-cooldown
 * The clock behind a refused slot's wait. A slot whose placement the venue refused (any reason,
 * open or close, post-only crossing included) or expired unfilled at once may not place again
 * until its cooldown has passed: `initialMs` after the first refusal, doubling with each refusal
 * in a row up to `maxMs`, cleared when the venue takes one of its orders. The slot machine only
 * counts refusals (`refusals` in its context, persisted, so a restart does not reset the
 * backoff); the wall-clock wait lives here, in the actor, and nothing a slot does bypasses it.
 */
import type { Clock } from '../../core/clock.js';

/** How long refused slots wait. */
export interface RefusalBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Per-slot cooldowns of one symbol. */
export class RefusalCooldown {
  readonly #backoff: RefusalBackoff;
  readonly #clock: Clock;
  /** Per slot, the time (epoch ms) before which it must not place. */
  readonly #until = new Map<number, number>();

  constructor(backoff: RefusalBackoff, clock: Clock) {
    this.#backoff = backoff;
    this.#clock = clock;
  }

  /**
   * The wait after the `refusals`-th refusal in a row.
   * @param refusals - consecutive refusals, from 1
   * @returns milliseconds
   */
  waitMs(refusals: number): number {
    const doublings = Math.max(0, refusals - 1);
    // 2^31 already dwarfs any cap; stop the exponent before it overflows to Infinity
    return Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** Math.min(doublings, 31));
  }

  /**
   * Starts the slot's cooldown after its `refusals`-th refusal in a row.
   * @returns the wait, ms
   */
  refused(index: number, refusals: number): number {
    const waitMs = this.waitMs(refusals);
    this.#until.set(index, this.#clock.now() + waitMs);
    return waitMs;
  }

  /** The venue took an order of the slot: no more waiting. */
  cleared(index: number): void {
    this.#until.delete(index);
  }

  /** True while the slot must not place. */
  cooling(index: number): boolean {
    return this.#clock.now() < (this.#until.get(index) ?? 0);
  }

  /** Milliseconds the slot still has to wait (0 when it may place). */
  remainingMs(index: number): number {
    return Math.max(0, (this.#until.get(index) ?? 0) - this.#clock.now());
  }
}
