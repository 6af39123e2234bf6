/**
 * @module server/rpc/position.service
 * PositionService of the original contract, answered from the engine's own records: open orders
 * from each symbol's order ledger (what the engine works right now, intents in flight included),
 * order history, single orders and fills from the persisted order index and fills ledger (paged
 * over a time range with opaque cursors), positions and realized PnL replayed from the fills of
 * our orders (position-math), unrealized PnL at the engine's last price (the venue's latest
 * price for a position of a symbol the engine no longer watches), and a live stream of position
 * changes (position-feed).
 */
import type { Logger } from 'pino';

import { dec, ZERO, type Decimal } from '../../core/decimal.js';
import { requireSymbol } from '../../connector/request-validation.js';
import type {
  PositionServiceServer,
  PositionUpdate as PositionUpdateProto,
} from '../../proto/gen/opensqt/market_maker/v1/position.js';
import { toProtoDecimal } from '../../connector/codec.js';
import {
  checkExchange,
  checkExchanges,
  checkOrderId,
  checkPageLimit,
  checkSymbols,
  checkTimeRange,
} from './request-checks.js';
import { fillsCursor, ordersCursor, readFillsCursor, readOrdersCursor } from './page-cursor.js';
import {
  toProtoFill,
  toProtoLedgerOrder,
  toProtoPosition,
  toProtoPositionPnl,
  toProtoPositionSnapshot,
  toProtoSymbolPnl,
} from './position.codec.js';
import { flatPosition, positionKey, replayFills, type PositionFigures } from './position-math.js';
import { notFound } from './rpc-errors.js';
import { serverStream, unary, type HandlerContext } from './rpc-handler.js';
import type { AccountPort, HistoryPort, LedgerPort, LiveSymbol } from './rpc.ports.js';
import type { PositionFeed } from './position-feed.js';

export interface PositionServiceDeps {
  readonly ledger: LedgerPort;
  readonly history: HistoryPort;
  readonly account: AccountPort;
  readonly feed: PositionFeed;
  readonly log: Logger;
}

const OPEN = new Set(['NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL']);

/** The PositionService handlers over the engine's ports. */
export function createPositionService(
  deps: PositionServiceDeps,
  ctx: HandlerContext,
): PositionServiceServer {
  const { ledger, history, account, feed } = deps;

  const live = (symbol: string): LiveSymbol | undefined =>
    ledger.symbols().find((s) => s.symbol === symbol);
  const markOf = (symbol: string): Decimal | null => live(symbol)?.mark ?? null;

  /** Positions of the wanted symbols and venues: every one with fills, and every traded one. */
  const positions = async (symbols: readonly string[], exchanges: readonly string[]) => {
    const replayed = replayFills(await history.ownFills(symbols));
    for (const s of ledger.symbols()) {
      const key = positionKey(s.venue, s.symbol);
      if ((symbols.length === 0 || symbols.includes(s.symbol)) && !replayed.has(key)) {
        replayed.set(key, flatPosition(s.venue, s.symbol));
      }
    }
    return [...replayed.values()].filter(
      (p) => exchanges.length === 0 || exchanges.includes(p.venue),
    );
  };

  const openOrders = (symbols: readonly string[], exchanges: readonly string[]) =>
    ledger
      .symbols()
      .filter((s) => symbols.length === 0 || symbols.includes(s.symbol))
      .filter((s) => exchanges.length === 0 || exchanges.includes(s.venue))
      .flatMap((s) => s.liveOrders.filter((o) => OPEN.has(o.status)));

  /** The engine's mark, else the venue's latest price (a symbol the engine stopped watching). */
  const priced = async (position: PositionFigures): Promise<Decimal> =>
    markOf(position.symbol) ?? (await account.getLatestPrice(position.symbol));

  const toUpdate = (
    position: PositionFigures,
    type: string,
    order: Parameters<typeof toProtoLedgerOrder>[0] | null,
  ): PositionUpdateProto => ({
    position: toProtoPosition(position, markOf(position.symbol)),
    updateType: type,
    triggerOrder: order ? toProtoLedgerOrder(order) : undefined,
  });

  return {
    getPositions: unary(ctx, 'GetPositions', async (request) => {
      checkSymbols(request.symbols);
      checkExchanges(request.exchanges);
      const list = await positions(request.symbols, request.exchanges);
      return { positions: list.map((p) => toProtoPosition(p, markOf(p.symbol))) };
    }),

    getPosition: unary(ctx, 'GetPosition', async (request) => {
      requireSymbol(request.symbol);
      if (request.exchange !== '') checkExchange(request.exchange);
      const exchanges = request.exchange === '' ? [] : [request.exchange];
      const [position] = await positions([request.symbol], exchanges);
      if (!position) {
        throw notFound(
          'symbol',
          `${request.symbol} is neither traded by this engine nor in its fills; GetPositions lists what is`,
        );
      }
      return {
        position: toProtoPosition(position, markOf(position.symbol)),
        openOrders: openOrders([request.symbol], exchanges).map(toProtoLedgerOrder),
      };
    }),

    subscribePositions: serverStream(ctx, 'SubscribePositions', (request, writer) => {
      checkSymbols(request.symbols);
      const unsubscribe = feed.subscribe(request.symbols, ({ position, order }) => {
        writer.write(toUpdate(position, 'fill', order));
      });
      // The current positions first, so a subscriber needs no separate GetPositions
      positions(request.symbols, []).then(
        (list) => list.forEach((p) => writer.write(toUpdate(p, 'snapshot', null))),
        (e: unknown) => writer.fail(e),
      );
      return unsubscribe;
    }),

    getOpenOrders: unary(ctx, 'GetOpenOrders', async (request) => {
      checkSymbols(request.symbols);
      checkExchanges(request.exchanges);
      return { orders: openOrders(request.symbols, request.exchanges).map(toProtoLedgerOrder) };
    }),

    getOrderHistory: unary(ctx, 'GetOrderHistory', async (request) => {
      checkSymbols(request.symbols);
      const range = checkTimeRange(request.startTime, request.endTime);
      const limit = checkPageLimit(request.limit);
      const query = { symbols: request.symbols, ...range };
      const after = readOrdersCursor(request.cursor, query);
      const page = await history.orders({ ...query, limit, after });
      const last = page.rows.at(-1);
      return {
        orders: page.rows.map(toProtoLedgerOrder),
        nextCursor: page.more && last ? ordersCursor(query, last) : '',
      };
    }),

    getOrder: unary(ctx, 'GetOrder', async (request) => {
      checkOrderId(request.orderId);
      const stored = await history.order(request.orderId);
      // The ledger's mirror is ahead of the index for an intent not saved yet
      const mirrored = ledger
        .symbols()
        .flatMap((s) => s.liveOrders)
        .find((o) => o.clientOrderId === request.orderId || o.venueOrderId === request.orderId);
      const order =
        mirrored && (!stored || mirrored.revision > stored.revision)
          ? { ...mirrored, createdAtUs: stored?.createdAtUs ?? 0 }
          : stored;
      if (!order) {
        throw notFound(
          'order_id',
          `no order of ours has client order id or venue order id ${request.orderId}`,
        );
      }
      const fills = await history.fillsOf(order);
      return { order: toProtoLedgerOrder(order), fills: fills.map(toProtoFill) };
    }),

    getFills: unary(ctx, 'GetFills', async (request) => {
      checkSymbols(request.symbols);
      const range = checkTimeRange(request.startTime, request.endTime);
      const limit = checkPageLimit(request.limit);
      const query = { symbols: request.symbols, ...range };
      const after = readFillsCursor(request.cursor, query);
      const page = await history.fills({ ...query, limit, after });
      const last = page.rows.at(-1);
      return {
        fills: page.rows.map(toProtoFill),
        nextCursor: page.more && last ? fillsCursor(query, last) : '',
      };
    }),

    getPositionHistory: unary(ctx, 'GetPositionHistory', async (request) => {
      requireSymbol(request.symbol);
      const range = checkTimeRange(request.startTime, request.endTime);
      const fills = await history.ownFills([request.symbol], range.toMs);
      const snapshots: ReturnType<typeof toProtoPositionSnapshot>[] = [];
      replayFills(fills, range, (fill, position) => {
        if (fill.tsEvent >= range.fromMs) {
          snapshots.push(toProtoPositionSnapshot(position, dec(fill.price), fill.tsEvent));
        }
      });
      return { snapshots };
    }),

    getRealizedPnL: unary(ctx, 'GetRealizedPnL', async (request) => {
      checkSymbols(request.symbols);
      const range = checkTimeRange(request.startTime, request.endTime);
      const replayed = replayFills(await history.ownFills(request.symbols, range.toMs), range);
      const bySymbol = [...replayed.values()];
      const total = bySymbol.reduce((sum, p) => sum.add(p.realizedNet), ZERO);
      return { totalPnl: toProtoDecimal(total), bySymbol: bySymbol.map(toProtoSymbolPnl) };
    }),

    getUnrealizedPnL: unary(ctx, 'GetUnrealizedPnL', async (request) => {
      checkSymbols(request.symbols);
      const open = (await positions(request.symbols, [])).filter((p) => !p.quantity.isZero());
      const rows = await Promise.all(open.map(async (p) => toProtoPositionPnl(p, await priced(p))));
      const total = rows.reduce((sum, r) => sum.add(dec(r.unrealizedPnl?.value ?? '0')), ZERO);
      return { totalPnl: toProtoDecimal(total), positions: rows };
    }),
  };
}
