/**
 * @module connector/venues/ccxt/markets
 * The symbol book of one ccxt venue: our exchange-native symbols (BTCUSDT, base + quote) to ccxt
 * unified ones (BTC/USDT or BTC/USDT:USDT) and back, and SymbolInfo built from the venue's
 * markets. ccxt reports tick and step sizes as JS numbers; they become decimals through their
 * shortest string form, and contract markets (OKX, Gate) are converted to base units here.
 */
import type { MarketInterface as Market } from 'ccxt';
import { Decimal, DecimalFormatError, dec, parseDecimal } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { MarketKind, SymbolInfo } from '../../../core/exchange.types.js';

/** One market as the adapter uses it. */
export interface MarketRef {
  /** Our symbol, e.g. BTCUSDT. */
  readonly symbol: string;
  /** ccxt unified symbol, e.g. BTC/USDT:USDT. */
  readonly unified: string;
  /** Base units per ccxt amount unit: 1 except on contract-sized swaps (OKX, Gate). */
  readonly contractSize: Decimal;
  readonly info: SymbolInfo;
}

/**
 * A JS number from ccxt as a decimal, through its shortest round-trip string and the one decimal
 * grammar and bounds (core/decimal): a venue value that is missing, not finite, not a plain
 * decimal ("0x10") or beyond the bounds (1e308, 5e-324) is `fallback`, never a decimal whose
 * formatting could take the connector down.
 */
export function num(value: number | string | undefined | null, fallback = '0'): Decimal {
  if (value === undefined || value === null || value === '') return dec(fallback);
  try {
    return parseDecimal(typeof value === 'number' ? String(value) : value);
  } catch (e) {
    if (e instanceof DecimalFormatError) return dec(fallback);
    throw e;
  }
}

/** `value` rounded half-up to the decimal places of `step`: strips float noise of venue data. */
export function onStep(value: number | string | undefined | null, step: Decimal): Decimal {
  return num(value).toDecimalPlaces(step.decimalPlaces(), Decimal.ROUND_HALF_UP);
}

function isTradable(market: Market, kind: MarketKind): boolean {
  if (market.active === false) return false;
  if (kind === 'spot') return market.spot === true;
  // USDT-settled linear perpetuals only: our futures side is "USDT perpetuals"
  return market.swap === true && market.linear === true && market.settle === market.quote;
}

function symbolInfo(symbol: string, market: Market, contractSize: Decimal): SymbolInfo {
  const tick = num(market.precision.price, '0.00000001');
  const step = num(market.precision.amount, '0.00000001').mul(contractSize);
  const minQuantity = num(market.limits.amount?.min, step.toFixed()).mul(contractSize);
  return {
    symbol,
    baseAsset: market.base,
    quoteAsset: market.quote,
    pricePrecision: tick.decimalPlaces(),
    quantityPrecision: step.decimalPlaces(),
    tickSize: tick,
    stepSize: step,
    minQuantity: Decimal.max(minQuantity, step),
    minNotional: num(market.limits.cost?.min),
  };
}

/** Our symbols and their markets, rebuilt on every fetchExchangeInfo. */
export class MarketBook {
  private bySymbol = new Map<string, MarketRef>();
  private byUnified = new Map<string, MarketRef>();

  private readonly venue: string;
  private readonly kind: MarketKind;
  constructor(venue: string, kind: MarketKind) {
    this.venue = venue;
    this.kind = kind;
  }

  /** Replaces the book with the venue's current markets of our kind. */
  load(markets: Readonly<Record<string, Market | undefined>>): void {
    const bySymbol = new Map<string, MarketRef>();
    for (const market of Object.values(markets)) {
      if (market === undefined || !isTradable(market, this.kind)) continue;
      const symbol = `${market.base}${market.quote}`;
      const contractSize = market.contract ? num(market.contractSize, '1') : dec(1);
      bySymbol.set(symbol, {
        symbol,
        unified: market.symbol,
        contractSize,
        info: symbolInfo(symbol, market, contractSize),
      });
    }
    this.bySymbol = bySymbol;
    this.byUnified = new Map([...bySymbol.values()].map((ref) => [ref.unified, ref]));
  }

  /**
   * The market of our symbol.
   * @throws {ExchangeError} UNKNOWN_SYMBOL naming the field
   */
  get(symbol: string): MarketRef {
    const ref = this.bySymbol.get(symbol);
    if (ref !== undefined) return ref;
    if (symbol === '') {
      throw new ExchangeError('INVALID_ARGUMENT', 'symbol: is required, e.g. "BTCUSDT"', {
        field: 'symbol',
      });
    }
    throw new ExchangeError(
      'UNKNOWN_SYMBOL',
      `symbol: ${symbol} is not a ${this.kind} market of ${this.venue}`,
      { field: 'symbol' },
    );
  }

  /** The market of a ccxt unified symbol, if it is one of ours. */
  fromUnified(unified: string | undefined): MarketRef | undefined {
    return unified === undefined ? undefined : this.byUnified.get(unified);
  }

  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /** True when `asset` is the base or quote asset of one of our markets. */
  hasAsset(asset: string): boolean {
    for (const { info } of this.bySymbol.values()) {
      if (info.baseAsset === asset || info.quoteAsset === asset) return true;
    }
    return false;
  }

  get size(): number {
    return this.bySymbol.size;
  }
}
