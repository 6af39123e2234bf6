/**
 * @module connector/venues/ccxt/ccxt-spot-funding
 * Funding answers of a spot venue (REQ-FUND-004): spot pays and receives no funding, so every
 * request is answered locally with rate 0, predicted rate 0, next funding time 0 ("not
 * applicable", REQ-FUND-002) and the receipt time, without a venue call. An arbitrage pair reads
 * its spot leg the same way as its perp leg; the spot leg's freshness comes from its price feed.
 */
import { ZERO } from '../../../core/decimal.js';
import type { FundingRate } from '../../../core/exchange.types.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import type { VenueContext } from './venue-context.js';

/** The funding of a spot symbol at `nowMs`. */
export function spotFundingRate(venue: string, symbol: string, nowMs: number): FundingRate {
  return Object.freeze({
    exchange: venue,
    symbol,
    rate: ZERO,
    predictedRate: ZERO,
    nextFundingTimeMs: 0,
    timeMs: nowMs,
  });
}

/**
 * The funding of one listed spot symbol.
 * @throws {ExchangeError} UNKNOWN_SYMBOL / INVALID_ARGUMENT naming the symbol field
 */
export function spotFunding(ctx: VenueContext, symbol: string): FundingRate {
  const market = ctx.book.get(symbol);
  return spotFundingRate(ctx.name, market.symbol, ctx.clock.now());
}

/** The funding of every listed spot symbol, in listing order. */
export function spotFundings(ctx: VenueContext): FundingRate[] {
  const now = ctx.clock.now();
  return ctx.book.symbols().map((symbol) => spotFundingRate(ctx.name, symbol, now));
}

/**
 * A funding stream of a spot symbol: one zero update right after subscribing (a consumer gets a
 * first value like on any perp stream), then nothing until closed, since spot funding never
 * changes.
 * @throws {ExchangeError} UNKNOWN_SYMBOL / INVALID_ARGUMENT naming the symbol field
 */
export function subscribeSpotFunding(
  ctx: VenueContext,
  symbol: string,
  sink: StreamSink<FundingRate>,
): Subscription {
  const market = ctx.book.get(symbol);
  let open = true;
  queueMicrotask(() => {
    if (open) sink.next(spotFundingRate(ctx.name, market.symbol, ctx.clock.now()));
  });
  return {
    close: () => {
      open = false;
    },
  };
}
