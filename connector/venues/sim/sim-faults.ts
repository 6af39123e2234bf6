/**
 * @module connector/venues/sim/sim-faults
 * Fault switches of the simulated venue, for tests of everything that must survive a bad venue:
 * added latency, rate limiting, rejected placements, an unreachable venue, dropped streams and a
 * venue restart. Every switch applies to both markets of the venue.
 */
import { WallClock, type Clock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';

/** Fault switches; reach them as `venue.faults`. */
export class SimFaults {
  /**
   * Added latency of every unary call, milliseconds. On a WallClock the call waits in real time;
   * on any other clock it waits for that clock's timer, so with a VirtualClock the call resolves
   * only when the test advances the clock past it (a deterministic way to test timeouts).
   */
  latencyMs = 0;
  private rateLimitedCalls = 0;
  private rejectedPlacements = 0;
  private unreachable = false;
  private readonly clock: Clock;
  private readonly endStreams: (error: ExchangeError) => void;

  /** @param endStreams ends every open subscription of the venue with the given error */
  constructor(clock: Clock, endStreams: (error: ExchangeError) => void) {
    this.clock = clock;
    this.endStreams = endStreams;
  }

  /** The next `count` unary calls fail with RATE_LIMITED. */
  rateLimitNextCalls(count: number): void {
    this.rateLimitedCalls = count;
  }

  /** The next `count` placements (batch items included) fail with ORDER_REJECTED. */
  rejectNextPlacements(count: number): void {
    this.rejectedPlacements = count;
  }

  /**
   * Unreachable mode: isReachable() is false, calls and new subscriptions fail with
   * EXCHANGE_UNAVAILABLE, open streams end with it. The market keeps moving meanwhile.
   */
  setUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
    if (unreachable) this.dropStreams('venue unreachable');
  }

  /** True unless unreachable mode is on. */
  get reachable(): boolean {
    return !this.unreachable;
  }

  /** Ends every open subscription with EXCHANGE_UNAVAILABLE (a dropped websocket). */
  dropStreams(why = 'stream dropped by the venue'): void {
    this.endStreams(new ExchangeError('EXCHANGE_UNAVAILABLE', why));
  }

  /** A venue restart: streams drop; orders, balances and positions survive. */
  restart(): void {
    this.dropStreams('venue restarted');
  }

  /**
   * Runs before every unary call: unreachable, rate limit, then latency.
   * @returns a promise to await when latency applies, otherwise undefined (no extra tick)
   * @throws {ExchangeError} EXCHANGE_UNAVAILABLE, RATE_LIMITED
   */
  beforeCall(): Promise<void> | undefined {
    this.throwIfUnreachable();
    if (this.rateLimitedCalls > 0) {
      this.rateLimitedCalls--;
      throw new ExchangeError('RATE_LIMITED', 'simulated rate limit: too many requests', {
        venueCode: '-1003',
      });
    }
    if (this.latencyMs <= 0) return undefined;
    const ms = this.latencyMs;
    if (this.clock instanceof WallClock) return new Promise((resolve) => setTimeout(resolve, ms));
    return new Promise((resolve) => this.clock.after(ms, resolve));
  }

  /**
   * Runs before every placement, after beforeCall.
   * @throws {ExchangeError} ORDER_REJECTED while rejections are pending
   */
  beforePlacement(): void {
    if (this.rejectedPlacements > 0) {
      this.rejectedPlacements--;
      throw new ExchangeError('ORDER_REJECTED', 'simulated venue rejection of the order');
    }
  }

  /** @throws {ExchangeError} EXCHANGE_UNAVAILABLE in unreachable mode */
  throwIfUnreachable(): void {
    if (this.unreachable) {
      throw new ExchangeError('EXCHANGE_UNAVAILABLE', 'simulated venue is unreachable');
    }
  }
}
