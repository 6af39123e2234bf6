/**
 * @module connector/venues/ccxt/convert
 * ccxt's unified structures to our domain types. Every number ccxt hands over goes through its
 * string form and is rounded to the market's tick or step (or 8 places for averages, fees and
 * PnL), so float noise never reaches the engine; contract amounts become base units.
 */
import type {
  FundingRate as CcxtFundingRate,
  OHLCV,
  Order as CcxtOrder,
  Position as CcxtPosition,
  Ticker as CcxtTicker,
  Trade as CcxtTrade,
} from 'ccxt';
import { dec } from '../../../core/decimal.js';
import type {
  Candle,
  FundingRate,
  Order,
  OrderStatus,
  Position,
  Ticker,
  TimeInForce,
  Trade,
} from '../../../core/exchange.types.js';
import { num, onStep, type MarketRef } from './markets.js';

/** Places kept for values that are not on the price tick (averages, fees, PnL, rates). */
const FINE = dec('0.00000001');

function status(order: CcxtOrder): OrderStatus {
  switch (order.status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default:
      return num(order.filled).gt(0) ? 'PARTIALLY_FILLED' : 'NEW';
  }
}

function timeInForce(order: CcxtOrder): TimeInForce {
  if (order.postOnly === true || order.timeInForce === 'PO') return 'GTX';
  if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') return order.timeInForce;
  return 'GTC';
}

/** A ccxt amount (contracts on OKX/Gate swaps) in base units on the step. */
export function baseAmount(value: number | undefined | null, market: MarketRef) {
  return onStep(num(value).mul(market.contractSize).toFixed(), market.info.stepSize);
}

export function toTrade(trade: CcxtTrade, market: MarketRef): Trade {
  return {
    tradeId: trade.id ?? '',
    orderId: trade.order ?? '',
    symbol: market.symbol,
    side: trade.side === 'sell' ? 'SELL' : 'BUY',
    price: onStep(trade.price, market.info.tickSize),
    quantity: baseAmount(trade.amount, market),
    fee: onStep(trade.fee?.cost, FINE),
    feeAsset: trade.fee?.currency ?? '',
    isMaker: trade.takerOrMaker === 'maker',
    realizedPnl: onStep((trade.info as { rp?: string } | undefined)?.rp, FINE),
    timeMs: trade.timestamp ?? 0,
  };
}

/**
 * A ccxt order as ours; `nowMs` stands in for timestamps the venue's reply lacks, and the
 * venue's client-id prefix (Gate "t-") is removed.
 */
export function toOrder(
  order: CcxtOrder,
  market: MarketRef,
  nowMs: number,
  clientIdPrefix = '',
): Order {
  const created = order.timestamp ?? nowMs;
  const clientOrderId = order.clientOrderId ?? '';
  return {
    orderId: order.id ?? '',
    clientOrderId:
      clientIdPrefix !== '' && clientOrderId.startsWith(clientIdPrefix)
        ? clientOrderId.slice(clientIdPrefix.length)
        : clientOrderId,
    symbol: market.symbol,
    side: order.side === 'sell' ? 'SELL' : 'BUY',
    type: order.type === 'market' ? 'MARKET' : 'LIMIT',
    timeInForce: timeInForce(order),
    price: onStep(order.price, market.info.tickSize),
    quantity: baseAmount(order.amount, market),
    executedQty: baseAmount(order.filled, market),
    avgPrice: onStep(order.average, FINE),
    status: status(order),
    reduceOnly: order.reduceOnly === true,
    postOnly: order.postOnly === true,
    createdAtMs: created,
    updateTimeMs: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? created,
    trades: (order.trades ?? []).map((t) => toTrade(t, market)),
  };
}

export function toPosition(position: CcxtPosition, market: MarketRef): Position {
  const size = baseAmount(position.contracts, market);
  return {
    symbol: market.symbol,
    size: position.side === 'short' ? size.neg() : size,
    entryPrice: onStep(position.entryPrice, FINE),
    markPrice: onStep(position.markPrice, FINE),
    unrealizedPnl: onStep(position.unrealizedPnl, FINE),
    leverage: Number(position.leverage ?? 1),
    marginType: position.marginMode === 'isolated' ? 'isolated' : 'cross',
    isolatedMargin: position.marginMode === 'isolated' ? onStep(position.collateral, FINE) : dec(0),
    liquidationPrice: onStep(position.liquidationPrice, FINE),
  };
}

export function toTicker(ticker: CcxtTicker, market: MarketRef, nowMs: number): Ticker {
  return {
    symbol: market.symbol,
    priceChange: onStep(ticker.change, market.info.tickSize),
    // ccxt's percentage is in percent points; ours is a fraction
    priceChangePercent: onStep(num(ticker.percentage).div(100).toFixed(), FINE),
    lastPrice: onStep(ticker.last ?? ticker.close, market.info.tickSize),
    volume: onStep(ticker.baseVolume, FINE),
    quoteVolume: onStep(ticker.quoteVolume, FINE),
    openInterest: dec(0),
    timeMs: ticker.timestamp ?? nowMs,
  };
}

export function toFundingRate(
  rate: CcxtFundingRate,
  market: MarketRef,
  venue: string,
  nowMs: number,
): FundingRate {
  const current = onStep(rate.fundingRate, FINE);
  return {
    exchange: venue,
    symbol: market.symbol,
    rate: current,
    predictedRate:
      rate.nextFundingRate === undefined ? current : onStep(rate.nextFundingRate, FINE),
    // ccxt's fundingTimestamp is the coming settlement on every venue; nextFundingTimestamp is
    // the one after it where the venue says (OKX)
    nextFundingTimeMs: rate.fundingTimestamp ?? rate.nextFundingTimestamp ?? 0,
    timeMs: rate.timestamp ?? nowMs,
  };
}

/** A ccxt OHLCV row; closed once its interval has fully passed at `nowMs`. */
export function toCandle(row: OHLCV, market: MarketRef, intervalMs: number, nowMs: number): Candle {
  const [openTime, open, high, low, close, volume] = row;
  const tick = market.info.tickSize;
  return {
    symbol: market.symbol,
    open: onStep(open, tick),
    high: onStep(high, tick),
    low: onStep(low, tick),
    close: onStep(close, tick),
    volume: onStep(volume, FINE),
    openTimeMs: Number(openTime),
    isClosed: Number(openTime) + intervalMs <= nowMs,
  };
}

const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds of a kline interval such as "1m", "4h", "1d".
 * @throws {Error} for an interval we cannot parse
 */
export function intervalMs(interval: string): number {
  const match = /^(\d+)([mhdw])$/.exec(interval);
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (match?.[1] === undefined || unit === undefined) {
    throw new Error(`interval: expected e.g. 1m, 15m, 1h, 1d, was "${interval}"`);
  }
  return Number(match[1]) * unit;
}
