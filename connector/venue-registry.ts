/**
 * @module connector/venue-registry
 * The venues one connector process serves, by name. A call picks one with the optional
 * `x-exchange` metadata (our backward-compatible extension); original clients send none and get
 * the default venue.
 */
import type { Metadata } from '@grpc/grpc-js';
import { invalidArgument, quoteInput } from '../core/errors.js';
import type { Exchange } from '../core/exchange.port.js';

/** Metadata key selecting the venue of one call. */
export const EXCHANGE_HEADER = 'x-exchange';

/** The venues one connector serves, by name, and the one used when a call names none. */
export class VenueRegistry {
  private readonly venues: ReadonlyMap<string, Exchange>;
  private readonly fallback: Exchange;

  /** @throws {Error} when `defaultVenue` is not one of `venues` */
  constructor(venues: ReadonlyMap<string, Exchange>, defaultVenue: string) {
    const fallback = venues.get(defaultVenue);
    if (fallback === undefined) {
      throw new Error(
        `defaultVenue "${defaultVenue}" is not a served venue; use one of ${this.list(venues)}`,
      );
    }
    this.venues = venues;
    this.fallback = fallback;
  }

  /** The venue used by calls without `x-exchange`. */
  get defaultVenue(): Exchange {
    return this.fallback;
  }

  /**
   * The venue `metadata` selects.
   * @throws {ExchangeError} INVALID_ARGUMENT naming `x-exchange` for a venue not served here
   */
  resolve(metadata: Metadata): { readonly name: string; readonly venue: Exchange } {
    const value = metadata.get(EXCHANGE_HEADER)[0];
    if (value === undefined || value === '')
      return { name: this.fallback.name, venue: this.fallback };
    const name = String(value);
    const venue = this.venues.get(name);
    if (venue === undefined) {
      throw invalidArgument(
        EXCHANGE_HEADER,
        `unknown venue ${quoteInput(name)}; this connector serves ${this.list(this.venues)}`,
      );
    }
    return { name, venue };
  }

  private list(venues: ReadonlyMap<string, Exchange>): string {
    return [...venues.keys()].join(', ') || '(none)';
  }
}
