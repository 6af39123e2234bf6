/**
 * @module connector/venues/sim/sim-faults
 * Fault switches of the simulated venue, for tests of everything that must survive a bad venue:
 * added latency, rate limiting, rejected placements, partial fills, an unreachable venue, dropped
 * streams and a venue restart. `venue.faults` applies to every market of the venue; each market
 * (each leg of an arbitrage pair) also has switches of its own, `venue.faultsOf(name)`, which add
 * to the venue-wide ones: a test can reject or slow the hedge leg while the first leg trades.
 */
import { WallClock, type Clock } from '../../../core/clock.js';
import { Decimal } from '../../../core/decimal.js';
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
  private readonly partialFills: Decimal[] = [];
  private unreachable = false;
  private readonly clock: Clock;
  private readonly endStreams: (error: ExchangeError) => void;
  private readonly parent: SimFaults | undefined;

  /**
   * @param endStreams ends every open subscription these switches cover with the given error
   * @param parent venue-wide switches that apply too (for the switches of one market)
   */
  constructor(clock: Clock, endStreams: (error: ExchangeError) => void, parent?: SimFaults) {
    this.clock = clock;
    this.endStreams = endStreams;
    this.parent = parent;
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
   * The next `count` placements trade at most `fraction` of their quantity on arrival (rounded
   * down to the step): a market or IOC order then expires with the rest unfilled, a GTC limit
   * order rests the rest on the book. Models thin books and venue-side partial fills.
   * @param fraction of the quantity that fills, 0 (nothing) to 1 (all), default 0.5
   * @throws {RangeError} for a fraction outside 0..1
   */
  partialFillNextPlacements(count: number, fraction: number | string = 0.5): void {
    const f = new Decimal(fraction);
    if (!f.isFinite() || f.isNegative() || f.gt(1)) {
      throw new RangeError(`fraction must be within 0..1, was ${String(fraction)}`);
    }
    for (let i = 0; i < count; i++) this.partialFills.push(f);
  }

  /**
   * Unreachable mode: isReachable() is false, calls and new subscriptions fail with
   * EXCHANGE_UNAVAILABLE, open streams end with it. The market keeps moving meanwhile.
   */
  setUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
    if (unreachable) this.dropStreams('venue unreachable');
  }

  /** True unless unreachable mode is on (here or venue-wide). */
  get reachable(): boolean {
    return !this.unreachable && (this.parent?.reachable ?? true);
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
    this.consumeRateLimit();
    const ms = this.totalLatencyMs();
    if (ms <= 0) return undefined;
    if (this.clock instanceof WallClock) return new Promise((resolve) => setTimeout(resolve, ms));
    return new Promise((resolve) => this.clock.after(ms, resolve));
  }

  /**
   * Runs before every placement, after beforeCall.
   * @throws {ExchangeError} ORDER_REJECTED while rejections are pending
   */
  beforePlacement(): void {
    this.parent?.beforePlacement();
    if (this.rejectedPlacements > 0) {
      this.rejectedPlacements--;
      throw new ExchangeError('ORDER_REJECTED', 'simulated venue rejection of the order');
    }
  }

  /**
   * Runs at every placement that passed beforePlacement: the fill cap of a pending partial fill
   * (this market's first, then the venue-wide one), consumed.
   * @returns the fraction of the quantity that may trade on arrival, or undefined for all of it
   */
  takePartialFill(): Decimal | undefined {
    return this.partialFills.shift() ?? this.parent?.takePartialFill();
  }

  /** @throws {ExchangeError} EXCHANGE_UNAVAILABLE in unreachable mode (here or venue-wide) */
  throwIfUnreachable(): void {
    this.parent?.throwIfUnreachable();
    if (this.unreachable) {
      throw new ExchangeError('EXCHANGE_UNAVAILABLE', 'simulated venue is unreachable');
    }
  }

  private consumeRateLimit(): void {
    this.parent?.consumeRateLimit();
    if (this.rateLimitedCalls > 0) {
      this.rateLimitedCalls--;
      throw new ExchangeError('RATE_LIMITED', 'simulated rate limit: too many requests', {
        venueCode: '-1003',
      });
    }
  }

  private totalLatencyMs(): number {
    return Math.max(0, this.latencyMs) + (this.parent?.totalLatencyMs() ?? 0);
  }
}
