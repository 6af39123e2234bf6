/**
 * @module connector/venues/ccxt
 * Real exchanges through ccxt: binance (spot + margin), binanceusdm, bitget, gate, okx, bybit.
 */
export { CcxtExchange, type CcxtExchangeOptions } from './ccxt.exchange.js';
export {
  ccxtVenueSchema,
  ccxtVenuesSchema,
  type CcxtVenueConfig,
  type CcxtVenuesConfig,
} from './ccxt-venue.config.js';
export { createCcxtVenue, createCcxtVenues, type CcxtVenueDeps } from './create-venues.js';
export { credentialVariables } from './credentials.js';
export { DEFAULT_STREAM_BACKOFF_MS } from './stream-supervisor.js';
export { VENUE_IDS, venueProfile, type VenueId, type VenueProfile } from './venue-profiles.js';
