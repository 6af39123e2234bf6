/**
 * @module connector/venues/sim/sim-markets
 * The simulated venue's listing: spot and USDT-perpetual markets with Binance-like filters (tick
 * size, step size, minimums), start prices and synthetic open interest. Both markets use the same
 * exchange-native symbol names (BTCUSDT), as Binance spot and USDⓈ-M futures do.
 */
import { Decimal } from '../../../core/decimal.js';
import type { MarketKind, SymbolInfo } from '../../../core/exchange.types.js';

interface MarketFilters {
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQuantity: string;
  readonly minNotional: string;
}

/** One listed symbol: its filters on each market, start price and open interest scale. */
export interface CatalogEntry {
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Spot start price in quote units. */
  readonly startPrice: number;
  /** Typical perp open interest in base units. */
  readonly openInterestBase: number;
  readonly spot: MarketFilters;
  readonly futures: MarketFilters;
}

/**
 * Every symbol the simulated venue can list (config `symbols` picks a subset; by default the
 * first four, DEFAULT_SIM_SYMBOLS, so a plain start simulates only what the examples trade).
 */
export const MARKET_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  BTCUSDT: {
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    startPrice: 100_000,
    openInterestBase: 80_000,
    spot: { tickSize: '0.01', stepSize: '0.00001', minQuantity: '0.00001', minNotional: '10' },
    futures: { tickSize: '0.1', stepSize: '0.001', minQuantity: '0.001', minNotional: '5' },
  },
  ETHUSDT: {
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    startPrice: 3_500,
    openInterestBase: 2_000_000,
    spot: { tickSize: '0.01', stepSize: '0.0001', minQuantity: '0.0001', minNotional: '10' },
    futures: { tickSize: '0.01', stepSize: '0.001', minQuantity: '0.001', minNotional: '5' },
  },
  SOLUSDT: {
    baseAsset: 'SOL',
    quoteAsset: 'USDT',
    startPrice: 200,
    openInterestBase: 8_000_000,
    spot: { tickSize: '0.01', stepSize: '0.001', minQuantity: '0.001', minNotional: '10' },
    futures: { tickSize: '0.01', stepSize: '1', minQuantity: '1', minNotional: '5' },
  },
  BNBUSDT: {
    baseAsset: 'BNB',
    quoteAsset: 'USDT',
    startPrice: 650,
    openInterestBase: 600_000,
    spot: { tickSize: '0.01', stepSize: '0.001', minQuantity: '0.001', minNotional: '10' },
    futures: { tickSize: '0.01', stepSize: '0.01', minQuantity: '0.01', minNotional: '5' },
  },
  XRPUSDT: {
    baseAsset: 'XRP',
    quoteAsset: 'USDT',
    startPrice: 2.2,
    openInterestBase: 300_000_000,
    spot: { tickSize: '0.0001', stepSize: '0.1', minQuantity: '0.1', minNotional: '10' },
    futures: { tickSize: '0.0001', stepSize: '0.1', minQuantity: '0.1', minNotional: '5' },
  },
  DOGEUSDT: {
    baseAsset: 'DOGE',
    quoteAsset: 'USDT',
    startPrice: 0.35,
    openInterestBase: 4_000_000_000,
    spot: { tickSize: '0.00001', stepSize: '1', minQuantity: '1', minNotional: '10' },
    futures: { tickSize: '0.00001', stepSize: '1', minQuantity: '1', minNotional: '5' },
  },
  ADAUSDT: {
    baseAsset: 'ADA',
    quoteAsset: 'USDT',
    startPrice: 0.9,
    openInterestBase: 700_000_000,
    spot: { tickSize: '0.0001', stepSize: '0.1', minQuantity: '0.1', minNotional: '10' },
    futures: { tickSize: '0.0001', stepSize: '1', minQuantity: '1', minNotional: '5' },
  },
  AVAXUSDT: {
    baseAsset: 'AVAX',
    quoteAsset: 'USDT',
    startPrice: 40,
    openInterestBase: 15_000_000,
    spot: { tickSize: '0.01', stepSize: '0.01', minQuantity: '0.01', minNotional: '10' },
    futures: { tickSize: '0.001', stepSize: '1', minQuantity: '1', minNotional: '5' },
  },
  LINKUSDT: {
    baseAsset: 'LINK',
    quoteAsset: 'USDT',
    startPrice: 22,
    openInterestBase: 30_000_000,
    spot: { tickSize: '0.01', stepSize: '0.01', minQuantity: '0.01', minNotional: '10' },
    futures: { tickSize: '0.001', stepSize: '0.01', minQuantity: '0.01', minNotional: '5' },
  },
  LTCUSDT: {
    baseAsset: 'LTC',
    quoteAsset: 'USDT',
    startPrice: 100,
    openInterestBase: 3_000_000,
    spot: { tickSize: '0.01', stepSize: '0.001', minQuantity: '0.001', minNotional: '10' },
    futures: { tickSize: '0.01', stepSize: '0.001', minQuantity: '0.001', minNotional: '5' },
  },
  DOTUSDT: {
    baseAsset: 'DOT',
    quoteAsset: 'USDT',
    startPrice: 7,
    openInterestBase: 40_000_000,
    spot: { tickSize: '0.001', stepSize: '0.01', minQuantity: '0.01', minNotional: '10' },
    futures: { tickSize: '0.001', stepSize: '0.1', minQuantity: '0.1', minNotional: '5' },
  },
  TRXUSDT: {
    baseAsset: 'TRX',
    quoteAsset: 'USDT',
    startPrice: 0.25,
    openInterestBase: 1_500_000_000,
    spot: { tickSize: '0.00001', stepSize: '0.1', minQuantity: '0.1', minNotional: '10' },
    futures: { tickSize: '0.00001', stepSize: '1', minQuantity: '1', minNotional: '5' },
  },
};

/** Digits after the point of a step such as "0.001" (3) or "1" (0). */
function decimalsOf(step: Decimal): number {
  return step.decimalPlaces();
}

/**
 * The SymbolInfo of one market.
 * @param symbol a catalog key
 * @param kind which market
 */
export function symbolInfoFor(symbol: string, kind: MarketKind): SymbolInfo {
  const entry = MARKET_CATALOG[symbol];
  if (entry === undefined) throw new Error(`${symbol} is not in the market catalog`);
  const f = entry[kind];
  const tickSize = new Decimal(f.tickSize);
  const stepSize = new Decimal(f.stepSize);
  return Object.freeze({
    symbol,
    baseAsset: entry.baseAsset,
    quoteAsset: entry.quoteAsset,
    pricePrecision: decimalsOf(tickSize),
    quantityPrecision: decimalsOf(stepSize),
    tickSize,
    stepSize,
    minQuantity: new Decimal(f.minQuantity),
    minNotional: new Decimal(f.minNotional),
  });
}

/** What the simulated venue lists when its config names no symbols. */
export const DEFAULT_SIM_SYMBOLS: readonly string[] = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'];
