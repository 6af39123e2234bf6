/**
 * @module connector/venues/ccxt/ccxt-streams
 * The push side of a ccxt venue: each `subscribe*` becomes a feed of the venue's StreamRegistry,
 * whose supervisor calls the matching ccxt `watch*` in a loop. Sources: top of book
 * (watchBidsAsks, else watchTicker), watchOrders, watchOHLCV, watchBalance (+ an account
 * snapshot, since balance events lack margin totals), watchPositions, and funding from the
 * venue's best source (Binance markPrice stream, OKX watchFundingRate, REST polling elsewhere).
 */
import type { Order as CcxtOrder, Ticker as CcxtTicker } from 'ccxt';
import { Decimal } from '../../../core/decimal.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import type {
  Account,
  Candle,
  FundingRate,
  Order,
  OrderUpdate,
  Position,
  PriceChange,
  Trade,
} from '../../../core/exchange.types.js';
import { account, convertPositions, fundingRate } from './ccxt-market-data.js';
import { intervalMs, toCandle, toFundingRate } from './convert.js';
import { num, onStep, type MarketRef } from './markets.js';
import type { StreamRegistry } from './stream-supervisor.js';
import type { VenueContext } from './venue-context.js';

/** Feed keys of private streams: live as soon as the venue's user-data connection is. */
export const PRIVATE_FEEDS = ['orders', 'account', 'positions'];

export interface StreamOptions {
  /** Poll period of funding on venues without a funding stream, in ms. */
  readonly fundingPollMs: number;
}

function topOfBook(ticker: CcxtTicker | undefined, market: MarketRef): Decimal | undefined {
  if (ticker === undefined) return undefined;
  if (ticker.bid !== undefined && ticker.ask !== undefined) {
    return num(ticker.bid).add(num(ticker.ask)).div(2);
  }
  return ticker.last === undefined ? undefined : onStep(ticker.last, market.info.tickSize);
}

/** Subscribes `sink` to top-of-book mid prices of `symbols` (one feed per symbol). */
export function subscribePrice(
  ctx: VenueContext,
  registry: StreamRegistry,
  symbols: readonly string[],
  sink: StreamSink<PriceChange>,
): Subscription {
  const markets = symbols.map((s) => ctx.book.get(s));
  const subs = markets.map((market) =>
    registry.subscribe<PriceChange>(
      `price:${market.symbol}`,
      async () => {
        const ticker = ctx.ex.has.watchBidsAsks
          ? (await ctx.ex.watchBidsAsks([market.unified]))[market.unified]
          : await ctx.ex.watchTicker(market.unified);
        const price = topOfBook(ticker, market);
        if (price === undefined) return [];
        const timeMs = ticker?.timestamp ?? ctx.clock.now();
        return [{ exchange: ctx.name, symbol: market.symbol, price, timeMs }];
      },
      sink,
    ),
  );
  return { close: () => subs.forEach((s) => s.close()) };
}

/**
 * The fill behind an order update: the newest trade ccxt attached to the order, else one
 * derived from the growth of its filled amount and cost since the previous update.
 */
function lastTradeOf(
  raw: CcxtOrder,
  update: Order,
  market: MarketRef,
  previous: { filled: Decimal; cost: Decimal } | undefined,
): Trade | undefined {
  const newest = update.trades.at(-1);
  const filled = update.executedQty;
  const before = previous?.filled ?? new Decimal(0);
  if (filled.lte(before)) return undefined;
  if (newest !== undefined) return newest;
  const cost = num(raw.cost).sub(previous?.cost ?? 0);
  const quantity = filled.sub(before);
  return {
    tradeId: `${update.orderId}:${filled.toFixed()}`,
    orderId: update.orderId,
    symbol: market.symbol,
    side: update.side,
    price: cost.gt(0)
      ? onStep(cost.div(quantity).toFixed(), market.info.tickSize)
      : update.avgPrice,
    quantity,
    fee: new Decimal(0),
    feeAsset: '',
    isMaker: update.postOnly,
    realizedPnl: new Decimal(0),
    timeMs: update.updateTimeMs,
  };
}

/** Subscribes `sink` to every order update of the account. */
export function subscribeOrders(
  ctx: VenueContext,
  registry: StreamRegistry,
  sink: StreamSink<OrderUpdate>,
): Subscription {
  ctx.requireCredentials();
  const seen = new Map<string, { filled: Decimal; cost: Decimal }>();
  return registry.subscribe<OrderUpdate>(
    'orders',
    async () => {
      const orders = await ctx.ex.watchOrders();
      const updates: OrderUpdate[] = [];
      for (const raw of orders) {
        const market = ctx.book.fromUnified(raw.symbol ?? undefined);
        if (market === undefined) continue;
        const order = ctx.toOrder(raw, market);
        const lastTrade = lastTradeOf(raw, order, market, seen.get(order.orderId));
        if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') {
          seen.set(order.orderId, { filled: order.executedQty, cost: num(raw.cost) });
        } else {
          seen.delete(order.orderId);
        }
        updates.push(
          lastTrade ? { exchange: ctx.name, order, lastTrade } : { exchange: ctx.name, order },
        );
      }
      return updates;
    },
    sink,
  );
}

/** Subscribes `sink` to candles of `interval` for `symbols` (one feed per symbol). */
export function subscribeKlines(
  ctx: VenueContext,
  registry: StreamRegistry,
  symbols: readonly string[],
  interval: string,
  sink: StreamSink<Candle>,
): Subscription {
  const ms = intervalMs(interval);
  const subs = symbols.map((symbol) => {
    const market = ctx.book.get(symbol);
    return registry.subscribe<Candle>(
      `klines:${market.symbol}:${interval}`,
      async () => {
        const rows = await ctx.ex.watchOHLCV(market.unified, interval);
        const now = ctx.clock.now();
        return rows.map((row) => toCandle(row, market, ms, now));
      },
      sink,
    );
  });
  return { close: () => subs.forEach((s) => s.close()) };
}

/** Subscribes `sink` to the account, re-read on every balance event. */
export function subscribeAccount(
  ctx: VenueContext,
  registry: StreamRegistry,
  sink: StreamSink<Account>,
): Subscription {
  ctx.requireCredentials();
  return registry.subscribe<Account>(
    'account',
    async () => {
      await ctx.ex.watchBalance();
      return [await account(ctx)];
    },
    sink,
  );
}

/** Subscribes `sink` to position changes (flat positions included), of one symbol or all. */
export function subscribePositions(
  ctx: VenueContext,
  registry: StreamRegistry,
  symbol: string,
  sink: StreamSink<Position>,
): Subscription {
  ctx.requireCredentials();
  const only = symbol === '' ? undefined : ctx.book.get(symbol);
  const feed = registry.subscribe<Position>(
    'positions',
    async () => convertPositions(ctx, await ctx.ex.watchPositions(), undefined, true),
    {
      next: (p) => {
        if (only === undefined || p.symbol === only.symbol) sink.next(p);
      },
      error: (e) => sink.error(e),
      resync: () => sink.resync?.(),
    },
  );
  return feed;
}

/** Binance markPriceUpdate: funding rate `r`, next funding time `T`, event time `E`. */
function fundingFromMarkPrice(ticker: CcxtTicker, market: MarketRef, venue: string): FundingRate {
  const info = (ticker.info ?? {}) as { r?: string; T?: number; E?: number };
  const rate = num(info.r);
  return {
    exchange: venue,
    symbol: market.symbol,
    rate,
    predictedRate: rate,
    nextFundingTimeMs: Number(info.T ?? 0),
    timeMs: Number(info.E ?? ticker.timestamp ?? 0),
  };
}

/** Subscribes `sink` to funding of `symbol` from the venue's funding source. */
export function subscribeFundingRate(
  ctx: VenueContext,
  registry: StreamRegistry,
  symbol: string,
  sink: StreamSink<FundingRate>,
  options: StreamOptions,
): Subscription {
  const market = ctx.book.get(symbol);
  let polled = false;
  const watch = async (): Promise<FundingRate[]> => {
    switch (ctx.profile.funding) {
      case 'markPrice':
        return [
          fundingFromMarkPrice(await ctx.ex.watchMarkPrice(market.unified), market, ctx.name),
        ];
      case 'watchFundingRate': {
        const rate = await ctx.ex.watchFundingRate(market.unified);
        return [toFundingRate(rate, market, ctx.name, ctx.clock.now())];
      }
      case 'poll':
        // First value at once, then one per period
        if (polled) await new Promise((r) => setTimeout(r, options.fundingPollMs).unref());
        polled = true;
        return [await fundingRate(ctx, market)];
    }
  };
  return registry.subscribe<FundingRate>(`funding:${market.symbol}`, watch, sink);
}
