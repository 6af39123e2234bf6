/**
 * @module connector/venues/ccxt/venue-context
 * What every part of one ccxt venue shares: the ccxt instance, its profile, the symbol book, the
 * clock and logger, and `call()`, the one path to the venue. `call()` refuses private calls
 * without credentials, maps every failure to our error model and tracks reachability.
 */
import type { Exchange as CcxtExchange, Order as CcxtOrder } from 'ccxt';
import type { Clock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { MarketKind, Order } from '../../../core/exchange.types.js';
import { toVenueError, type ErrorContext } from './ccxt-errors.js';
import type { InstanceHooks } from './ccxt-instance.js';
import { toOrder } from './convert.js';
import { MarketBook, type MarketRef } from './markets.js';
import type { VenueProfile } from './venue-profiles.js';

/** Reasons that say the venue cannot be reached (as opposed to refusing one request). */
const UNREACHABLE = new Set(['NETWORK', 'EXCHANGE_UNAVAILABLE', 'TIMEOUT']);

export interface VenueContextInit {
  /** Our venue name, e.g. "binance-usdm"; appears in every message and stream update. */
  readonly name: string;
  readonly kind: MarketKind;
  readonly ex: CcxtExchange;
  readonly profile: VenueProfile;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Null in public-data-only mode; names the variables to set, for the refusal message. */
  readonly credentialHint: string | null;
  readonly hooks: InstanceHooks;
}

export class VenueContext {
  readonly name: string;
  readonly kind: MarketKind;
  readonly ex: CcxtExchange;
  readonly profile: VenueProfile;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly book: MarketBook;
  readonly hooks: InstanceHooks;
  private readonly credentialHint: string | null;
  private restDown = false;
  private readonly staleFeeds = new Set<string>();

  constructor(init: VenueContextInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.ex = init.ex;
    this.profile = init.profile;
    this.clock = init.clock;
    this.logger = init.logger;
    this.credentialHint = init.credentialHint;
    this.hooks = init.hooks;
    this.book = new MarketBook(init.name, init.kind);
  }

  get hasCredentials(): boolean {
    return this.credentialHint === null;
  }

  /**
   * Runs a public venue call, mapping failures.
   * @throws {ExchangeError} the mapped failure
   */
  async call<T>(fn: () => Promise<T>, context: ErrorContext = {}): Promise<T> {
    try {
      const result = await fn();
      this.restDown = false;
      return result;
    } catch (e) {
      const error = this.toError(e, context);
      this.restDown = UNREACHABLE.has(error.reason);
      throw error;
    }
  }

  /**
   * Runs a signed venue call; refused without credentials.
   * @throws {ExchangeError} AUTHENTICATION in public-data-only mode, else the mapped failure
   */
  privateCall<T>(fn: () => Promise<T>, context: ErrorContext = {}): Promise<T> {
    this.requireCredentials();
    return this.call(fn, context);
  }

  /** @throws {ExchangeError} AUTHENTICATION when the venue runs without credentials */
  requireCredentials(): void {
    if (this.credentialHint !== null) {
      throw new ExchangeError(
        'AUTHENTICATION',
        `${this.name}: no API credentials, running public-data-only; set ${this.credentialHint} to trade`,
      );
    }
  }

  toError(e: unknown, context: ErrorContext = {}): ExchangeError {
    return toVenueError(e, this.profile, this.name, context);
  }

  /** Marks a stream feed stale (down) or fresh; a stale feed makes the venue unreachable. */
  setStale(feed: string, stale: boolean): void {
    if (stale) this.staleFeeds.add(feed);
    else this.staleFeeds.delete(feed);
  }

  /** Feeds currently down, e.g. ["orders", "price:BTCUSDT"]. */
  stale(): string[] {
    return [...this.staleFeeds];
  }

  isReachable(): boolean {
    return !this.restDown && this.staleFeeds.size === 0;
  }

  /** A ccxt order of `market` as ours, at the venue clock. */
  toOrder(order: CcxtOrder, market: MarketRef): Order {
    return toOrder(order, market, this.clock.now(), this.profile.clientIdPrefix);
  }

  /** Params addressing the margin account when `useMargin` (spot venues only). */
  marginQuery(useMargin: boolean | undefined): Record<string, unknown> {
    return useMargin === true ? { ...this.profile.marginQueryParams } : {};
  }
}
