/**
 * @module connector/codec/market
 * Market data on the wire: SymbolInfo, Candle, FundingRate and FundingUpdate (the same fields),
 * Ticker and PriceChange. Times are int64 epoch ms, except PriceChange.timestamp, a Timestamp.
 */
import type {
  FundingUpdate as FundingUpdateProto,
  PriceChange as PriceChangeProto,
} from '../../proto/gen/opensqt/market_maker/v1/events.js';
import type {
  Candle as CandleProto,
  FundingRate as FundingRateProto,
  SymbolInfo as SymbolInfoProto,
  Ticker as TickerProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import type {
  Candle,
  FundingRate,
  PriceChange,
  SymbolInfo,
  Ticker,
} from '../../core/exchange.types.js';
import {
  fromProtoDecimal,
  fromProtoMs,
  fromProtoTime,
  toProtoDecimal,
  toProtoMs,
  toProtoTime,
} from './scalars.js';

export function toProtoSymbolInfo(info: SymbolInfo): SymbolInfoProto {
  return {
    symbol: info.symbol,
    pricePrecision: info.pricePrecision,
    quantityPrecision: info.quantityPrecision,
    baseAsset: info.baseAsset,
    quoteAsset: info.quoteAsset,
    minQuantity: toProtoDecimal(info.minQuantity),
    minNotional: toProtoDecimal(info.minNotional),
    tickSize: toProtoDecimal(info.tickSize),
    stepSize: toProtoDecimal(info.stepSize),
    narrativeSector: '',
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming the first malformed decimal */
export function fromProtoSymbolInfo(info: SymbolInfoProto): SymbolInfo {
  return {
    symbol: info.symbol,
    baseAsset: info.baseAsset,
    quoteAsset: info.quoteAsset,
    pricePrecision: info.pricePrecision,
    quantityPrecision: info.quantityPrecision,
    tickSize: fromProtoDecimal(info.tickSize, 'tick_size'),
    stepSize: fromProtoDecimal(info.stepSize, 'step_size'),
    minQuantity: fromProtoDecimal(info.minQuantity, 'min_quantity'),
    minNotional: fromProtoDecimal(info.minNotional, 'min_notional'),
  };
}

export function toProtoCandle(candle: Candle): CandleProto {
  return {
    symbol: candle.symbol,
    open: toProtoDecimal(candle.open),
    high: toProtoDecimal(candle.high),
    low: toProtoDecimal(candle.low),
    close: toProtoDecimal(candle.close),
    volume: toProtoDecimal(candle.volume),
    timestamp: toProtoMs(candle.openTimeMs),
    isClosed: candle.isClosed,
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming the first malformed decimal */
export function fromProtoCandle(candle: CandleProto): Candle {
  return {
    symbol: candle.symbol,
    open: fromProtoDecimal(candle.open, 'open'),
    high: fromProtoDecimal(candle.high, 'high'),
    low: fromProtoDecimal(candle.low, 'low'),
    close: fromProtoDecimal(candle.close, 'close'),
    volume: fromProtoDecimal(candle.volume, 'volume'),
    openTimeMs: fromProtoMs(candle.timestamp),
    isClosed: candle.isClosed,
  };
}

/** Encodes a funding rate; FundingRate and FundingUpdate share their fields and numbers. */
export function toProtoFundingRate(rate: FundingRate): FundingRateProto & FundingUpdateProto {
  return {
    exchange: rate.exchange,
    symbol: rate.symbol,
    rate: toProtoDecimal(rate.rate),
    predictedRate: toProtoDecimal(rate.predictedRate),
    nextFundingTime: toProtoMs(rate.nextFundingTimeMs),
    timestamp: toProtoMs(rate.timeMs),
  };
}

/** Decodes a FundingRate or a FundingUpdate. */
export function fromProtoFundingRate(rate: FundingRateProto | FundingUpdateProto): FundingRate {
  return {
    exchange: rate.exchange,
    symbol: rate.symbol,
    rate: fromProtoDecimal(rate.rate, 'rate'),
    predictedRate: fromProtoDecimal(rate.predictedRate, 'predicted_rate'),
    nextFundingTimeMs: fromProtoMs(rate.nextFundingTime),
    timeMs: fromProtoMs(rate.timestamp),
  };
}

export function toProtoTicker(ticker: Ticker): TickerProto {
  return {
    symbol: ticker.symbol,
    priceChange: toProtoDecimal(ticker.priceChange),
    priceChangePercent: toProtoDecimal(ticker.priceChangePercent),
    lastPrice: toProtoDecimal(ticker.lastPrice),
    volume: toProtoDecimal(ticker.volume),
    quoteVolume: toProtoDecimal(ticker.quoteVolume),
    timestamp: toProtoMs(ticker.timeMs),
    openInterest: toProtoDecimal(ticker.openInterest),
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming the first malformed decimal */
export function fromProtoTicker(ticker: TickerProto): Ticker {
  return {
    symbol: ticker.symbol,
    priceChange: fromProtoDecimal(ticker.priceChange, 'price_change'),
    priceChangePercent: fromProtoDecimal(ticker.priceChangePercent, 'price_change_percent'),
    lastPrice: fromProtoDecimal(ticker.lastPrice, 'last_price'),
    volume: fromProtoDecimal(ticker.volume, 'volume'),
    quoteVolume: fromProtoDecimal(ticker.quoteVolume, 'quote_volume'),
    openInterest: fromProtoDecimal(ticker.openInterest, 'open_interest'),
    timeMs: fromProtoMs(ticker.timestamp),
  };
}

export function toProtoPriceChange(change: PriceChange): PriceChangeProto {
  return {
    exchange: change.exchange,
    symbol: change.symbol,
    price: toProtoDecimal(change.price),
    timestamp: toProtoTime(change.timeMs),
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT when the price is malformed */
export function fromProtoPriceChange(change: PriceChangeProto): PriceChange {
  return {
    exchange: change.exchange,
    symbol: change.symbol,
    price: fromProtoDecimal(change.price, 'price'),
    timeMs: fromProtoTime(change.timestamp),
  };
}
