/**
 * @module connector/venues/sim/perp-venue-set
 * The extra perpetual venues of the simulated venue (`perpVenues` in its config), driven together:
 * stepped and published after the main markets, started and stopped with the venue's timers,
 * saved and restored with its state. A state that holds a venue the config no longer lists is
 * refused: dropping its orders and positions silently would lose what a trader had there.
 */
import type { Clock } from '../../../core/clock.js';
import type { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { TickPrice } from './price-process.js';
import type { SimVenueConfig } from './sim-config.js';
import type { SimFaults } from './sim-faults.js';
import { SimPerpVenue } from './sim-perp-venue.js';
import { SimStateError, type PerpVenueState } from './sim-state.js';
import type { IdSource } from './trading-core.js';

/** The shared parts every extra venue builds on. */
export interface PerpVenueSetDeps {
  readonly config: SimVenueConfig;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Venue-wide fault switches. */
  readonly faults: SimFaults;
  /** The shared spot price of a symbol. */
  spot(symbol: string): TickPrice;
}

/** Every extra perp venue, by name. */
export class PerpVenueSet {
  private readonly venues = new Map<string, SimPerpVenue>();

  constructor(deps: PerpVenueSetDeps, nowMs: number) {
    for (const [name, config] of Object.entries(deps.config.perpVenues)) {
      const venue = new SimPerpVenue(
        { ...deps, name, config, venue: deps.config, spot: (s) => deps.spot(s) },
        nowMs,
      );
      this.venues.set(name, venue);
    }
  }

  names(): string[] {
    return [...this.venues.keys()];
  }

  has(name: string): boolean {
    return this.venues.has(name);
  }

  /** The port of one venue; `released` runs when it is closed. */
  exchange(name: string, released: () => void): Exchange | undefined {
    return this.venues.get(name)?.exchange(released);
  }

  faultsOf(name: string): SimFaults | undefined {
    return this.venues.get(name)?.faults;
  }

  /** True while any extra venue's port is open. */
  get anyOpen(): boolean {
    return [...this.venues.values()].some((v) => v.open);
  }

  stepBasis(): void {
    for (const v of this.venues.values()) v.stepBasis();
  }

  publish(nowMs: number): void {
    for (const v of this.venues.values()) v.publish(nowMs);
  }

  start(): void {
    for (const v of this.venues.values()) v.start();
  }

  stop(): void {
    for (const v of this.venues.values()) v.stop();
  }

  failStreams(error: ExchangeError): void {
    for (const v of this.venues.values()) v.failStreams(error);
  }

  async close(): Promise<void> {
    for (const v of this.venues.values()) await v.close();
  }

  /** The saved state of every extra venue; undefined when there are none. */
  saveState(): Record<string, PerpVenueState> | undefined {
    if (this.venues.size === 0) return undefined;
    return Object.fromEntries([...this.venues].map(([name, v]) => [name, v.saveState()]));
  }

  /**
   * Restores every configured venue the state holds; one configured since starts fresh.
   * @throws {SimStateError} when the state holds a venue the config does not list
   */
  restoreState(saved: Readonly<Record<string, PerpVenueState>> | undefined): void {
    const unknown = Object.keys(saved ?? {}).filter((name) => !this.venues.has(name));
    if (unknown.length > 0) {
      throw new SimStateError(
        unknown.map(
          (name) =>
            `perpVenues.${name}: saved with orders and positions but not configured; configure it again or delete the state file`,
        ),
      );
    }
    for (const [name, venue] of this.venues) {
      const state = saved?.[name];
      if (state) venue.restoreState(state);
    }
  }
}
