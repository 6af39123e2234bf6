/**
 * @module connector/venues/sim/market-data
 * Derived market data of the simulated venue: 24h tickers from the candle history, kline
 * interval names, and the all-zero funding a spot market reports (as the original's spot
 * adapters did).
 */
import { ZERO, type Decimal } from '../../../core/decimal.js';
import { invalidArgument } from '../../../core/errors.js';
import type { FundingRate, Ticker } from '../../../core/exchange.types.js';
import { KLINE_INTERVALS } from './kline-series.js';
import type { SimMarket } from './sim-market.js';

const DAY_MS = 86_400_000;

/**
 * The 24h ticker of a market: change against the 1m open a day ago, volume summed over the
 * day's candles (quote volume values each candle at its close).
 * @param openInterest base units (zero on spot)
 */
export function tickerOf(market: SimMarket, openInterest: Decimal, nowMs: number): Ticker {
  const last = market.mid.price;
  const open = market.klines.openAround(DAY_MS) ?? last;
  const change = last.sub(open);
  const volume = market.klines.volumeSince(DAY_MS);
  return Object.freeze({
    symbol: market.info.symbol,
    priceChange: change,
    priceChangePercent: open.isZero() ? ZERO : change.div(open).toDecimalPlaces(8),
    lastPrice: last,
    volume: volume.base,
    quoteVolume: volume.quote,
    openInterest,
    timeMs: nowMs,
  });
}

/**
 * Milliseconds of a kline interval name ("1m", "5m", "15m", "1h", ...).
 * @throws {ExchangeError} INVALID_ARGUMENT naming the interval field
 */
export function klineIntervalMs(interval: string): number {
  const ms = KLINE_INTERVALS[interval];
  if (ms === undefined) {
    throw invalidArgument(
      'interval',
      `must be one of ${Object.keys(KLINE_INTERVALS).join(', ')}, was "${interval}"`,
    );
  }
  return ms;
}

/** Funding of a spot symbol: rate and predicted rate zero, no funding time. */
export function spotFunding(exchange: string, symbol: string, nowMs: number): FundingRate {
  return Object.freeze({
    exchange,
    symbol,
    rate: ZERO,
    predictedRate: ZERO,
    nextFundingTimeMs: 0,
    timeMs: nowMs,
  });
}
