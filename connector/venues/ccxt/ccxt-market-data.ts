/**
 * @module connector/venues/ccxt/ccxt-market-data
 * Request/reply reads of a ccxt venue: markets, prices, tickers, klines, open interest, funding,
 * and the account (balances and positions). The account is assembled from ccxt's unified
 * balance and positions, so it reads the same on every venue.
 */
import type { Balances, Position as CcxtPosition } from 'ccxt';
import { Decimal, ZERO } from '../../../core/decimal.js';
import { invalidArgument, quoteInput } from '../../../core/errors.js';
import type {
  Account,
  Candle,
  FundingRate,
  Position,
  Ticker,
} from '../../../core/exchange.types.js';
import { intervalMs, toCandle, toFundingRate, toPosition, toTicker } from './convert.js';
import { num, onStep, type MarketRef } from './markets.js';
import type { VenueContext } from './venue-context.js';

/** Asset the account is valued in: every market we trade is quoted in it. */
const SETTLE_ASSET = 'USDT';
const FINE = new Decimal('0.00000001');

/** Reloads the venue's markets into the symbol book (start-up and fetchExchangeInfo). */
export async function loadMarkets(ctx: VenueContext): Promise<void> {
  const markets = await ctx.call(() => ctx.ex.loadMarkets(true));
  ctx.book.load(markets);
}

export async function latestPrice(ctx: VenueContext, market: MarketRef): Promise<Decimal> {
  const ticker = await ctx.call(() => ctx.ex.fetchTicker(market.unified));
  return onStep(ticker.last ?? ticker.close, market.info.tickSize);
}

export async function tickers(ctx: VenueContext): Promise<Ticker[]> {
  const all = await ctx.call(() => ctx.ex.fetchTickers());
  const now = ctx.clock.now();
  const out: Ticker[] = [];
  for (const ticker of Object.values(all)) {
    const market = ctx.book.fromUnified(ticker.symbol ?? undefined);
    if (market !== undefined) out.push(toTicker(ticker, market, now));
  }
  return out;
}

export async function openInterest(ctx: VenueContext, market: MarketRef): Promise<Decimal> {
  const oi = await ctx.call(() => ctx.ex.fetchOpenInterest(market.unified));
  return onStep(oi.openInterestAmount, market.info.stepSize).mul(market.contractSize);
}

export async function klines(
  ctx: VenueContext,
  market: MarketRef,
  interval: string,
  limit: number,
): Promise<Candle[]> {
  const ms = intervalMs(interval);
  // 0 = the venue's default: ccxt would send limit=0, which venues refuse or read literally
  const rows = await ctx.call(() =>
    ctx.ex.fetchOHLCV(market.unified, interval, undefined, limit > 0 ? limit : undefined),
  );
  const now = ctx.clock.now();
  return rows
    .map((row) => toCandle(row, market, ms, now))
    .sort((a, b) => a.openTimeMs - b.openTimeMs);
}

export async function fundingRate(ctx: VenueContext, market: MarketRef): Promise<FundingRate> {
  const rate = await ctx.call(() => ctx.ex.fetchFundingRate(market.unified));
  return toFundingRate(rate, market, ctx.name, ctx.clock.now());
}

export async function fundingRates(ctx: VenueContext): Promise<FundingRate[]> {
  const all = await ctx.call(() => ctx.ex.fetchFundingRates());
  const now = ctx.clock.now();
  const out: FundingRate[] = [];
  for (const rate of Object.values(all)) {
    const market = ctx.book.fromUnified(rate.symbol ?? undefined);
    if (market !== undefined) out.push(toFundingRate(rate, market, ctx.name, now));
  }
  return out;
}

export async function fundingHistory(
  ctx: VenueContext,
  market: MarketRef,
  limit: number,
): Promise<FundingRate[]> {
  const rows = await ctx.call(() =>
    ctx.ex.fetchFundingRateHistory(market.unified, undefined, limit > 0 ? limit : undefined),
  );
  return rows
    .map((row) => ({
      exchange: ctx.name,
      symbol: market.symbol,
      rate: onStep(row.fundingRate, FINE),
      predictedRate: onStep(row.fundingRate, FINE),
      nextFundingTimeMs: 0,
      timeMs: row.timestamp ?? 0,
    }))
    .sort((a, b) => a.timeMs - b.timeMs)
    .slice(-limit);
}

/** Open positions (non-zero size) of our markets, optionally of one symbol. */
export async function positions(ctx: VenueContext, symbol?: string): Promise<Position[]> {
  if (ctx.kind === 'spot') return [];
  const market = symbol ? ctx.book.get(symbol) : undefined;
  const rows = await ctx.privateCall(() =>
    ctx.ex.fetchPositions(market === undefined ? undefined : [market.unified]),
  );
  return convertPositions(ctx, rows, market);
}

/** ccxt positions of our markets (optionally one) as ours; flat ones only when asked. */
export function convertPositions(
  ctx: VenueContext,
  rows: readonly CcxtPosition[],
  only?: MarketRef,
  includeFlat = false,
): Position[] {
  const out: Position[] = [];
  for (const row of rows) {
    const market = ctx.book.fromUnified(row.symbol ?? undefined);
    if (market === undefined || (only !== undefined && market !== only)) continue;
    const position = toPosition(row, market);
    if (includeFlat || !position.size.isZero()) out.push(position);
  }
  return out;
}

function assetAmount(balances: Balances, asset: string, field: 'free' | 'total'): Decimal {
  const value = (balances[asset] as { free?: number; total?: number } | undefined)?.[field];
  return onStep(value, FINE);
}

/**
 * Free balance of `asset`; zero when the account holds none of an asset the venue lists.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `asset` when the venue has no such asset
 */
export async function freeBalance(ctx: VenueContext, asset: string): Promise<Decimal> {
  const balances = await ctx.privateCall(() => ctx.ex.fetchBalance());
  const listed =
    balances[asset] !== undefined ||
    ctx.ex.currencies?.[asset] !== undefined ||
    ctx.book.hasAsset(asset);
  if (!listed) {
    throw invalidArgument('asset', `${quoteInput(asset)} is not an asset of ${ctx.name}`);
  }
  return assetAmount(balances, asset, 'free');
}

/**
 * The account valued in USDT. ccxt's `total` includes unrealized PnL on the futures venues
 * (Binance marginBalance, OKX eq), so margin balance = total and wallet = total − unrealized PnL;
 * available = free USDT; maintenance = the positions' maintenance margin.
 */
export async function account(ctx: VenueContext): Promise<Account> {
  const [balances, open] = await Promise.all([
    ctx.privateCall(() => ctx.ex.fetchBalance()),
    ctx.kind === 'spot' ? Promise.resolve([]) : ctx.privateCall(() => ctx.ex.fetchPositions()),
  ]);
  const mine = convertPositions(ctx, open);
  const total = assetAmount(balances, SETTLE_ASSET, 'total');
  const upnl = mine.reduce((sum, p) => sum.add(p.unrealizedPnl), ZERO);
  const maintenance = open.reduce((sum, p) => sum.add(num(p.maintenanceMargin)), ZERO);
  const leverage = mine.reduce((max, p) => Math.max(max, p.leverage), 1);
  return {
    totalWalletBalance: total.sub(upnl),
    totalMarginBalance: total,
    availableBalance: assetAmount(balances, SETTLE_ASSET, 'free'),
    positions: mine,
    accountLeverage: leverage,
    isUnified: ctx.ex.options.enableUnifiedAccount === true || ctx.ex.options.uta === true,
    totalMaintenanceMargin: onStep(maintenance.toFixed(), FINE),
  };
}
