/**
 * @module connector/venues/sim/sim-book
 * The simulated venue's L2 depth and our fill history. Depth is the book the matching engine
 * trades against: the synthetic levels around mid (less what our takers took this step) merged
 * with our own resting orders at the same tick. A depth stream sends one snapshot when it
 * starts, then one after every burst of changes (a price step with its maker fills, a placement,
 * a cancel), coalesced into a microtask so a step never shows half-applied. Fill history comes
 * from the orders the venue retains (`retainClosedOrders`), as a real venue's trade history is
 * bounded by what it keeps.
 */
import { ZERO } from '../../../core/decimal.js';
import type { ExchangeError } from '../../../core/errors.js';
import type {
  BookLevel,
  OrderBook,
  Trade,
  TradeHistoryPage,
  TradeHistoryQuery,
} from '../../../core/exchange.types.js';
import { resolveBookLevels } from '../../../core/order-book.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import { pageOfTrades, resolveTradeQuery } from '../../../core/trade-history.js';
import { remainingOf } from './order-record.js';
import type { SimMarket } from './sim-market.js';
import type { TradingCore } from './trading-core.js';

/** One side of the merged book, best first, at most `levels` long. */
function sideOf(market: SimMarket, isBid: boolean, levels: number): BookLevel[] {
  const resting = isBid ? market.book.bids : market.book.asks;
  const tick = market.info.tickSize;
  // A taker sell trades against the synthetic bids, a taker buy against the asks
  const takerIsBuy = !isBid;
  const out: BookLevel[] = [];
  let ri = 0;
  let si = 0;
  let synthetic = market.syntheticTicks(takerIsBuy, si);
  while (out.length < levels) {
    const ownTicks = resting.prices[ri];
    if (ownTicks === undefined && synthetic === undefined) break;
    // Take the better of the two heads; at an equal tick both add up into one level
    const useOwn =
      ownTicks !== undefined && (synthetic === undefined || !resting.better(synthetic, ownTicks));
    const ticks = useOwn ? (ownTicks as number) : (synthetic as number);
    let quantity = ZERO;
    if (useOwn) {
      for (const o of resting.level(ticks)) quantity = quantity.add(remainingOf(o));
      ri++;
    }
    if (synthetic === ticks) {
      quantity = quantity.add(market.syntheticAvailable(takerIsBuy, si));
      synthetic = market.syntheticTicks(takerIsBuy, ++si);
    }
    if (quantity.gt(0)) out.push({ price: tick.mul(ticks), quantity });
  }
  return out;
}

/**
 * The depth of one market now.
 * @param levels per side, already resolved (1..5000)
 */
export function depthOf(
  exchange: string,
  market: SimMarket,
  levels: number,
  nowMs: number,
): OrderBook {
  return Object.freeze({
    exchange,
    symbol: market.info.symbol,
    bids: sideOf(market, true, levels),
    asks: sideOf(market, false, levels),
    timeMs: nowMs,
    sequence: 0,
  });
}

/**
 * The order book of `symbol` with `levels` per side.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `levels` or `symbol`, UNKNOWN_SYMBOL
 */
export function orderBook(core: TradingCore, symbol: string, levels: number): OrderBook {
  const depth = resolveBookLevels(levels);
  const market = core.market(symbol);
  return depthOf(core.deps.exchangeName, market, depth, core.deps.clock.now());
}

/**
 * Streams the depth of `symbol`: a snapshot now, then one per burst of changes. Ends with the
 * venue's streams (fault switch, close), like every other sim stream.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `levels` or `symbol`, UNKNOWN_SYMBOL
 */
export function subscribeOrderBook(
  core: TradingCore,
  symbol: string,
  levels: number,
  sink: StreamSink<OrderBook>,
): Subscription {
  const depth = resolveBookLevels(levels);
  const market = core.market(symbol);
  const hub = core.deps.hub;
  let open = true;
  let scheduled = false;
  const publish = (): void => {
    scheduled = false;
    if (open) sink.next(depthOf(core.deps.exchangeName, market, depth, core.deps.clock.now()));
  };
  const changed = (): void => {
    if (scheduled || !open) return;
    scheduled = true;
    queueMicrotask(publish);
  };
  const end = (e: ExchangeError): void => {
    if (!open) return;
    subscription.close();
    sink.error(e);
  };
  const parts = [
    hub.prices.subscribe({ next: changed, error: end }, (p) => p.symbol === symbol),
    hub.orders.subscribe({ next: changed, error: end }, (u) => u.order.symbol === symbol),
  ];
  const subscription: Subscription = {
    close: () => {
      open = false;
      for (const part of parts) part.close();
    },
  };
  changed();
  return subscription;
}

/**
 * One page of our fills of a symbol, from the orders the venue retains.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the bad query field, UNKNOWN_SYMBOL
 */
export function tradeHistory(core: TradingCore, query: TradeHistoryQuery): TradeHistoryPage {
  const resolved = resolveTradeQuery(query, core.deps.clock.now());
  core.market(resolved.symbol);
  const fills: Trade[] = [];
  for (const o of core.orders.values()) {
    // An order's fills all happened by its last update
    if (o.symbol !== resolved.symbol || o.trades.length === 0) continue;
    if (o.updateTimeMs < resolved.startTimeMs) continue;
    for (const trade of o.trades) fills.push(trade);
  }
  return pageOfTrades(fills, resolved);
}
