/**
 * @module connector/exchange.service
 * The ExchangeService gRPC handlers: all 28 RPCs of the original contract, and the three added
 * after it (GetOrderBook, SubscribeOrderBook, GetTradeHistory), over a registry of
 * venues. A call picks its venue with the optional `x-exchange` metadata (our backward-compatible
 * extension: original clients send none and get the default venue). Requests and responses go
 * through the codec; failures leave as statuses through grpc-errors; streams go through the hub.
 *
 * Every request passes the edge first: bytes that are not a well-framed message of the method's
 * type, and requests missing a required field or carrying an unbounded string, are answered with
 * INVALID_ARGUMENT naming the field before any venue sees them (codec/wire-check,
 * request-validation). Order-changing calls stamped with a lease a newer owner has taken over
 * end FENCED there too (fence-guard); admitted ones reach the venue under their stamp (`withFence`).
 */
import type { ServerWritableStream, handleUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type {
  BatchOrderError as BatchOrderErrorProto,
  ExchangeServiceServer,
} from '../proto/gen/opensqt/market_maker/v1/exchange.js';
import {
  fromProtoOrderId,
  fromProtoPlaceOrderRequest,
  fromProtoTradeHistoryRequest,
  toProtoAccount,
  toProtoBatchError,
  toProtoCandle,
  toProtoDecimal,
  toProtoExchangeType,
  toProtoFundingRate,
  toProtoOrder,
  toProtoOrderBook,
  toProtoOrderUpdate,
  toProtoPosition,
  toProtoPriceChange,
  toProtoSymbolInfo,
  toProtoTicker,
  toProtoTradeHistoryPage,
} from './codec.js';
import { ExchangeError } from '../core/errors.js';
import {
  ExchangeServiceDefinition,
  checkPlaceOrder,
  checkRequest,
  rpcName,
  type Method,
} from './request-validation.js';
import type { Exchange } from '../core/exchange.port.js';
import { withFence, type FenceStamp } from '../core/fence.js';
import { DEFAULT_BOOK_LEVELS } from '../core/order-book.js';
import { createFenceGuard } from './fence-guard.js';
import type { ConnectorMetrics } from './connector.metrics.js';
import { shuttingDownStatus, toStatus } from './grpc-errors.js';
import type { Delivery, StreamHub, TopicSpec } from './stream-hub.js';
import type { StreamSink, Subscription } from '../core/stream.js';
import type { PlaceOrderRequest } from '../core/exchange.types.js';
import type { VenueRegistry } from './venue-registry.js';

export { EXCHANGE_HEADER, VenueRegistry } from './venue-registry.js';

/** The service definition to register the handlers with (strict request decoding). */
export { ExchangeServiceDefinition };

export interface ExchangeServiceOptions {
  readonly registry: VenueRegistry;
  readonly hub: StreamHub;
  readonly logger: Logger;
  /** Where fencing refusals are counted; none = not measured. */
  readonly metrics?: ConnectorMetrics;
}

/** The handlers, and the switch that makes them refuse new calls during shutdown. */
export interface ExchangeServiceHandlers {
  readonly implementation: ExchangeServiceServer;
  /** From now on new calls end with UNAVAILABLE "connector shutting down". */
  stopAccepting(): void;
}

/** What one stream call reads: its topics and how a slow subscriber is treated. */
interface Plan<D, P> {
  readonly specs: readonly TopicSpec<D, P>[];
  readonly delivery: Delivery<P>;
}

/** A topic spec with `D` inferred from the encoder, so `open` is checked against it. */
function topic<D, P>(
  key: string,
  encode: (value: D) => P,
  open: (sink: StreamSink<D>) => Subscription,
): TopicSpec<D, P> {
  return { key, open, encode };
}

/** Symbol lists of per-symbol topics: one per symbol, or one "every symbol" list for none. */
function perSymbol(symbols: readonly string[]): (readonly string[])[] {
  return symbols.length === 0 ? [[]] : symbols.map((symbol) => [symbol]);
}

/** Builds the ExchangeService handlers over `options.registry`. */
export function createExchangeService(options: ExchangeServiceOptions): ExchangeServiceHandlers {
  const { registry, hub, logger: log } = options;
  const fence = createFenceGuard({ logger: log, metrics: options.metrics });
  let accepting = true;

  const unary =
    <Req, Res>(method: Method, run: (venue: Exchange, request: Req) => Promise<Res>) =>
    (
      call: Parameters<handleUnaryCall<Req, Res>>[0],
      done: Parameters<handleUnaryCall<Req, Res>>[1],
    ) => {
      if (!accepting) return done(shuttingDownStatus());
      let venue: Exchange;
      let stamp: FenceStamp | undefined;
      try {
        checkRequest(method, call.request);
        const resolved = registry.resolve(call.metadata);
        venue = resolved.venue;
        // Keyed by the venue object: the default venue answers with and without x-exchange
        stamp = fence(method, { name: resolved.name, scope: venue }, call.metadata, call.request);
      } catch (e) {
        return done(toStatus(e, log, { method: rpcName(method) }));
      }
      // An admitted stamp goes with the venue call, so its decorators know whose lease it is
      const pending = stamp
        ? withFence(stamp, () => run(venue, call.request))
        : run(venue, call.request);
      pending.then(
        (response) => done(null, response),
        (e: unknown) => done(toStatus(e, log, { method: rpcName(method), venue: venue.name })),
      );
    };

  const stream =
    <Req, D, P>(
      method: Method,
      plan: (name: string, venue: Exchange, request: Req) => Plan<D, P>,
    ) =>
    (call: ServerWritableStream<Req, P>) => {
      if (!accepting) return void call.emit('error', shuttingDownStatus());
      try {
        checkRequest(method, call.request);
        const { name, venue } = registry.resolve(call.metadata);
        const { specs, delivery } = plan(name, venue, call.request);
        hub.attach(call, specs, delivery);
      } catch (e) {
        call.emit('error', toStatus(e, log, { method: rpcName(method) }));
      }
    };

  const implementation = {
    getName: unary('getName', async (venue) => ({ name: venue.name })),
    getType: unary('getType', async (venue) => {
      const info = await venue.getType();
      return { type: toProtoExchangeType(info.kind), isUnifiedMargin: info.isUnifiedMargin };
    }),

    // -- ORDERS --
    placeOrder: unary('placeOrder', async (venue, request) =>
      toProtoOrder(await venue.placeOrder(fromProtoPlaceOrderRequest(request))),
    ),
    batchPlaceOrders: unary('batchPlaceOrders', async (venue, request) => {
      // A malformed item fails alone, like any other per-item error
      const decoded: PlaceOrderRequest[] = [];
      const decodedIndex: number[] = [];
      const errors: BatchOrderErrorProto[] = [];
      request.orders.forEach((item, index) => {
        try {
          checkPlaceOrder(item);
          decoded.push(fromProtoPlaceOrderRequest(item));
          decodedIndex.push(index);
        } catch (e) {
          if (!(e instanceof ExchangeError)) throw e;
          errors.push({
            index,
            // A refused id is not echoed: it may be the unbounded string that was refused
            clientOrderId: e.field === 'client_order_id' ? '' : item.clientOrderId,
            errorMessage: e.message,
            code: e.code,
          });
        }
      });
      const result = decoded.length === 0 ? undefined : await venue.batchPlaceOrders(decoded);
      for (const error of result?.errors ?? []) {
        const proto = toProtoBatchError(error);
        proto.index = decodedIndex[error.index] ?? error.index;
        errors.push(proto);
      }
      errors.sort((a, b) => a.index - b.index);
      const orders = result?.orders.map(toProtoOrder) ?? [];
      return { orders, allSuccess: errors.length === 0, errors };
    }),
    cancelOrder: unary('cancelOrder', async (venue, request) => {
      await venue.cancelOrder(request.symbol, fromProtoOrderId(request.orderId), request.useMargin);
      return {};
    }),
    batchCancelOrders: unary('batchCancelOrders', async (venue, request) => {
      const ids = request.orderIds.map(fromProtoOrderId);
      const errors = await venue.batchCancelOrders(request.symbol, ids, request.useMargin);
      return { errors: errors.map(toProtoBatchError) };
    }),
    cancelAllOrders: unary('cancelAllOrders', async (venue, request) => {
      await venue.cancelAllOrders(request.symbol, request.useMargin);
      return {};
    }),
    getOrder: unary('getOrder', async (venue, request) => {
      const orderId = fromProtoOrderId(request.orderId);
      const order = await venue.getOrder({
        symbol: request.symbol,
        orderId: orderId === '' ? undefined : orderId,
        clientOrderId: request.clientOrderId === '' ? undefined : request.clientOrderId,
        useMargin: request.useMargin,
      });
      return toProtoOrder(order);
    }),
    getOpenOrders: unary('getOpenOrders', async (venue, request) => ({
      orders: (await venue.getOpenOrders(request.symbol, request.useMargin)).map(toProtoOrder),
    })),

    // -- ACCOUNT --
    getAccount: unary('getAccount', async (venue) => toProtoAccount(await venue.getAccount())),
    getPositions: unary('getPositions', async (venue, request) => ({
      positions: (await venue.getPositions(request.symbol)).map(toProtoPosition),
    })),
    getBalance: unary('getBalance', async (venue, request) => ({
      balance: toProtoDecimal(await venue.getBalance(request.asset)),
    })),

    // -- MARKET DATA --
    getLatestPrice: unary('getLatestPrice', async (venue, request) => ({
      price: toProtoDecimal(await venue.getLatestPrice(request.symbol)),
    })),
    getTickers: unary('getTickers', async (venue) => ({
      tickers: (await venue.getTickers()).map(toProtoTicker),
    })),
    getOpenInterest: unary('getOpenInterest', async (venue, request) => ({
      openInterest: toProtoDecimal(await venue.getOpenInterest(request.symbol)),
    })),
    getHistoricalKlines: unary('getHistoricalKlines', async (venue, request) => ({
      candles: (
        await venue.getHistoricalKlines(request.symbol, request.interval, request.limit)
      ).map(toProtoCandle),
    })),
    fetchExchangeInfo: unary('fetchExchangeInfo', async (venue, request) => {
      await venue.fetchExchangeInfo(request.symbol === '' ? undefined : request.symbol);
      return {};
    }),
    getSymbolInfo: unary('getSymbolInfo', async (venue, request) =>
      toProtoSymbolInfo(await venue.getSymbolInfo(request.symbol)),
    ),
    getSymbols: unary('getSymbols', async (venue) => ({
      symbols: [...(await venue.getSymbols())],
    })),
    getFundingRate: unary('getFundingRate', async (venue, request) =>
      toProtoFundingRate(await venue.getFundingRate(request.symbol)),
    ),
    getFundingRates: unary('getFundingRates', async (venue) => ({
      rates: (await venue.getFundingRates()).map(toProtoFundingRate),
    })),
    getHistoricalFundingRates: unary('getHistoricalFundingRates', async (venue, request) => ({
      rates: (await venue.getHistoricalFundingRates(request.symbol, request.limit)).map(
        toProtoFundingRate,
      ),
    })),
    getOrderBook: unary('getOrderBook', async (venue, request) =>
      toProtoOrderBook(await venue.getOrderBook(request.symbol, request.levels)),
    ),
    getTradeHistory: unary('getTradeHistory', async (venue, request) =>
      toProtoTradeHistoryPage(await venue.getTradeHistory(fromProtoTradeHistoryRequest(request))),
    ),

    // -- STREAMS --
    subscribePrice: stream('subscribePrice', (name, venue, request) => ({
      // One topic per symbol so overlapping requests share upstreams; none = every symbol
      specs: perSymbol(request.symbols).map((symbols) =>
        topic(`${name}|price|${symbols.join()}`, toProtoPriceChange, (sink) =>
          venue.subscribePrice(symbols, sink),
        ),
      ),
      delivery: { kind: 'conflate', keyOf: (m) => m.symbol },
    })),
    subscribeOrders: stream('subscribeOrders', (name, venue) => ({
      specs: [topic(`${name}|orders`, toProtoOrderUpdate, (sink) => venue.subscribeOrders(sink))],
      delivery: { kind: 'reliable' },
    })),
    subscribeKlines: stream('subscribeKlines', (name, venue, request) => ({
      specs: perSymbol(request.symbols).map((symbols) =>
        topic(`${name}|klines|${symbols.join()}|${request.interval}`, toProtoCandle, (sink) =>
          venue.subscribeKlines(symbols, request.interval, sink),
        ),
      ),
      // Per candle, not per symbol: a closed bar is never replaced by the next one
      delivery: { kind: 'conflate', keyOf: (m) => `${m.symbol}|${m.timestamp}` },
    })),
    subscribeAccount: stream('subscribeAccount', (name, venue) => ({
      specs: [topic(`${name}|account`, toProtoAccount, (sink) => venue.subscribeAccount(sink))],
      delivery: { kind: 'reliable' },
    })),
    subscribePositions: stream('subscribePositions', (name, venue, request) => ({
      specs: [
        topic(`${name}|positions|${request.symbol}`, toProtoPosition, (sink) =>
          venue.subscribePositions(request.symbol, sink),
        ),
      ],
      delivery: { kind: 'conflate', keyOf: (m) => m.symbol },
    })),
    subscribeFundingRate: stream('subscribeFundingRate', (name, venue, request) => ({
      specs: [
        topic(`${name}|funding|${request.symbol}`, toProtoFundingRate, (sink) =>
          venue.subscribeFundingRate(request.symbol, sink),
        ),
      ],
      delivery: { kind: 'conflate', keyOf: (m) => m.symbol },
    })),
    subscribeOrderBook: stream('subscribeOrderBook', (name, venue, request) => ({
      // Subscribers asking the same depth share one upstream; each update is a full snapshot, so
      // a slow reader is sent only the latest one
      specs: [
        {
          ...topic(
            `${name}|book|${request.symbol}|${request.levels || DEFAULT_BOOK_LEVELS}`,
            toProtoOrderBook,
            (sink) => venue.subscribeOrderBook(request.symbol, request.levels, sink),
          ),
          // A later subscriber starts from the current book, as the first one did
          latestKey: (m) => m.symbol,
        },
      ],
      delivery: { kind: 'conflate', keyOf: (m) => m.symbol },
    })),
  } satisfies ExchangeServiceServer;

  return {
    implementation,
    stopAccepting: () => {
      accepting = false;
    },
  };
}
