/**
 * @module connector/venues/sim/sim-world
 * Assembly and stepping of the simulated venue's markets: builds the price process and the
 * spot and perp market of every listed symbol (with tied, seeded candle history), and applies
 * one price step to one market: new mid, synthetic volume, candle, price stream, maker fills of
 * resting orders, kline streams, in that order.
 */
import { Decimal } from '../../../core/decimal.js';
import type { MarketKind } from '../../../core/exchange.types.js';
import { KlineSeries } from './kline-series.js';
import { PriceProcess, type TickPrice } from './price-process.js';
import { deriveSeed } from './seeded-random.js';
import type { SimVenueConfig } from './sim-config.js';
import { SimMarket, type SyntheticBookSpec } from './sim-market.js';
import { MARKET_CATALOG, symbolInfoFor } from './sim-markets.js';
import type { TradingCore } from './trading-core.js';

const MINUTE_MS = 60_000;
const MS_PER_YEAR = 365.25 * 24 * 3_600_000;

/** The price process and both markets of every listed symbol. */
export interface BuiltMarkets {
  readonly process: PriceProcess;
  readonly futures: ReadonlyMap<string, SimMarket>;
  readonly spot: ReadonlyMap<string, SimMarket>;
}

/** The synthetic order book every market of the venue shares. */
export function syntheticBookSpec(c: SimVenueConfig): SyntheticBookSpec {
  return {
    halfSpreadTicks: c.book.halfSpreadTicks,
    levels: c.book.levels,
    levelSpacingTicks: c.book.levelSpacingTicks,
    depthQuotePerLevel: new Decimal(c.book.depthQuotePerLevel),
    tradeVolumeQuotePerTick: new Decimal(c.book.tradeVolumeQuotePerTick),
  };
}

/** The float start price of a symbol: the configured one, else the catalog's. */
export function startPriceOf(c: SimVenueConfig, symbol: string): number {
  return c.startPrices[symbol] ?? (MARKET_CATALOG[symbol]?.startPrice as number);
}

/** How one market's candle history is drawn. */
export interface MarketHistory {
  /** Label of the history's seed: markets with one label share their history's shape. */
  readonly seedLabel: string;
  /** Factor on every history price (1 + mean basis for a perp). */
  readonly priceFactor: number;
}

/**
 * Builds one market of a symbol with its candle history ending at `start`.
 * @param nowMs venue start time (candle history ends here)
 */
export function buildMarket(
  c: SimVenueConfig,
  symbol: string,
  kind: MarketKind,
  start: TickPrice,
  history: MarketHistory,
  nowMs: number,
): SimMarket {
  const info = symbolInfoFor(symbol, kind);
  const klines = new KlineSeries(symbol, start.price, nowMs, {
    seed: deriveSeed(c.seed, history.seedLabel),
    minutes: c.klineHistoryMinutes,
    endPrice: startPriceOf(c, symbol),
    priceFactor: history.priceFactor,
    sigmaPerMinute: c.price.volatilityPerYear * Math.sqrt(MINUTE_MS / MS_PER_YEAR),
    volumePerMinute:
      (Number(c.book.tradeVolumeQuotePerTick) * (MINUTE_MS / c.tickIntervalMs)) /
      startPriceOf(c, symbol),
    tickSize: info.tickSize,
    stepSize: info.stepSize,
  });
  return new SimMarket(info, start, klines, syntheticBookSpec(c));
}

/**
 * Builds the price process and the markets of the listed symbols.
 * @param nowMs venue start time (candle history ends here)
 */
export function buildMarkets(c: SimVenueConfig, nowMs: number): BuiltMarkets {
  const process = new PriceProcess(
    c.price,
    c.symbols.map((symbol) => ({
      symbol,
      startPrice: startPriceOf(c, symbol),
      spotTick: symbolInfoFor(symbol, 'spot').tickSize,
      perpTick: symbolInfoFor(symbol, 'futures').tickSize,
    })),
    c.seed,
    c.tickIntervalMs,
  );
  const build = (kind: MarketKind): Map<string, SimMarket> => {
    const markets = new Map<string, SimMarket>();
    for (const symbol of c.symbols) {
      const start = kind === 'spot' ? process.spot(symbol) : process.perp(symbol);
      // One seed per symbol for both markets, so spot and perp histories move together
      const history = {
        seedLabel: `history:${symbol}`,
        priceFactor: kind === 'spot' ? 1 : 1 + c.price.basisMeanBps / 10_000,
      };
      markets.set(symbol, buildMarket(c, symbol, kind, start, history, nowMs));
    }
    return markets;
  };
  return { process, futures: build('futures'), spot: build('spot') };
}

/**
 * Applies one price step to one market and publishes it.
 * @param volumeFactor random scale (0.5..1.5) of the step's synthetic volume
 */
export function publishStep(
  core: TradingCore,
  symbol: string,
  price: TickPrice,
  volumeFactor: number,
  nowMs: number,
): void {
  const market = core.market(symbol);
  market.setMid(price);
  const volume = market.tradeVolume(volumeFactor);
  const closed = market.klines.onPrice(price.price, volume, nowMs);
  const hub = core.deps.hub;
  if (hub.prices.active) {
    hub.prices.emit(
      Object.freeze({
        exchange: core.deps.exchangeName,
        symbol,
        price: price.price,
        timeMs: nowMs,
      }),
    );
  }
  if (market.openCount.cash + market.openCount.margin > 0) core.makerFills(market, volume);
  for (const [intervalMs, topic] of hub.klines) {
    if (!topic.active) continue;
    if (closed !== undefined) {
      const before = Math.floor(closed.openTimeMs / intervalMs) * intervalMs;
      const now = Math.floor(market.klines.currentOpenTimeMs / intervalMs) * intervalMs;
      if (now !== before) {
        const candle =
          intervalMs === MINUTE_MS ? closed : market.klines.closedAt(intervalMs, before);
        if (candle !== undefined) topic.emit(candle);
      }
    }
    topic.emit(market.klines.inProgress(intervalMs));
  }
}
