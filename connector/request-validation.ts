/**
 * @module connector/request-validation
 * The edge checks of every ExchangeService request, run before a venue sees it: required fields
 * are present (a symbol where the call is about one symbol, an order id, an interval), every
 * string is bounded and of its expected alphabet, counts and limits are in range. A refusal is
 * INVALID_ARGUMENT naming the wire field and the fix, quoting at most a short prefix of the value,
 * so no error ever echoes a 100 KB input. Decimals and enums are checked by the codec.
 *
 * Before any of that, request bytes are decoded strictly (codec/wire-check): bytes that are not a
 * well-framed message of the method's type are INVALID_ARGUMENT naming "request".
 *
 * Where an empty symbol means "every symbol" it is documented per RPC and only read-only calls
 * (open orders, positions, streams of prices, positions and funding) take it: nothing that
 * cancels or places accepts an empty symbol.
 */
import { invalidArgument, quoteInput } from '../core/errors.js';
import { resolveBookLevels } from '../core/order-book.js';
import { MAX_TRADE_HISTORY_LIMIT } from '../core/trade-history.js';
import { malformedProblem, strictRequests, type WireShape } from './codec/wire-check.js';
import {
  ExchangeServiceService,
  type BatchCancelOrdersRequest,
  type BatchPlaceOrdersRequest,
  type CancelAllOrdersRequest,
  type CancelOrderRequest,
  type FetchExchangeInfoRequest,
  type GetBalanceRequest,
  type GetHistoricalFundingRatesRequest,
  type GetHistoricalKlinesRequest,
  type GetOpenOrdersRequest,
  type GetOrderBookRequest,
  type GetOrderRequest,
  type GetPositionsRequest,
  type GetTradeHistoryRequest,
  type SubscribeKlinesRequest,
  type SubscribeOrderBookRequest,
  type SubscribePriceRequest,
} from '../proto/gen/opensqt/market_maker/v1/exchange.js';
import type { PlaceOrderRequest } from '../proto/gen/opensqt/market_maker/v1/resources.js';

/** What the edge accepts; README "Security notes" documents the same numbers. */
export const REQUEST_LIMITS = {
  /** Symbols: 1-32 of A-Z a-z 0-9 . _ - / : (BTCUSDT, 1000PEPEUSDT, BTC/USDT:USDT). */
  symbolLength: 32,
  /** Assets: 1-16 of A-Z a-z 0-9 (USDT, BTC, 1000SATS). */
  assetLength: 16,
  /** Kline intervals: a count and a unit, 1m ... 1M. */
  intervalLength: 4,
  /** Client order ids: 1-36 of A-Z a-z 0-9 _ - (the strictest common subset of our venues). */
  clientOrderIdLength: 36,
  /** Orders per BatchPlaceOrders / ids per BatchCancelOrders. */
  batchSize: 100,
  /** Symbols per SubscribePrice / SubscribeKlines. */
  subscribeSymbols: 200,
  /** GetHistoricalKlines limit (0 = the venue's default). */
  klineLimit: 1500,
  /** GetHistoricalFundingRates limit (0 = the venue's default). */
  fundingLimit: 1000,
  /** GetTradeHistory cursor: the opaque base64url token a previous page returned. */
  cursorLength: 128,
} as const;

const SYMBOL = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._/:-]{0,${REQUEST_LIMITS.symbolLength - 1}}$`);
const ASSET = new RegExp(`^[A-Za-z0-9]{1,${REQUEST_LIMITS.assetLength}}$`);
const INTERVAL = /^[1-9][0-9]{0,2}[smhdwM]$/;
const CURSOR = new RegExp(`^[A-Za-z0-9_-]{0,${REQUEST_LIMITS.cursorLength}}$`);
const CLIENT_ORDER_ID = new RegExp(`^[A-Za-z0-9_-]{1,${REQUEST_LIMITS.clientOrderIdLength}}$`);

const SYMBOL_HINT = `at most ${REQUEST_LIMITS.symbolLength} letters, digits and . _ - / :, e.g. "BTCUSDT"`;

/**
 * A symbol the call needs.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field`
 */
export function requireSymbol(symbol: string, field = 'symbol'): void {
  if (symbol === '') throw invalidArgument(field, 'is required, e.g. "BTCUSDT"');
  checkSymbol(symbol, field);
}

/**
 * A symbol that may be empty (meaning every symbol, for read-only calls).
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field`
 */
export function optionalSymbol(symbol: string, field = 'symbol'): void {
  if (symbol !== '') checkSymbol(symbol, field);
}

function checkSymbol(symbol: string, field: string): void {
  if (!SYMBOL.test(symbol)) {
    throw invalidArgument(field, `${quoteInput(symbol)} is not a symbol; use ${SYMBOL_HINT}`);
  }
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` */
function checkSymbolList(symbols: readonly string[], field: string): void {
  if (symbols.length > REQUEST_LIMITS.subscribeSymbols) {
    throw invalidArgument(
      field,
      `${symbols.length} symbols in one subscription; at most ${REQUEST_LIMITS.subscribeSymbols} (or none for every symbol)`,
    );
  }
  symbols.forEach((symbol, i) => requireSymbol(symbol, `${field}[${i}]`));
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `asset` */
function requireAsset(asset: string): void {
  if (asset === '') throw invalidArgument('asset', 'is required, e.g. "USDT"');
  if (!ASSET.test(asset)) {
    throw invalidArgument(
      'asset',
      `${quoteInput(asset)} is not an asset; use at most ${REQUEST_LIMITS.assetLength} letters and digits, e.g. "USDT"`,
    );
  }
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `interval` */
function requireInterval(interval: string): void {
  if (interval === '') throw invalidArgument('interval', 'is required, e.g. "1m"');
  if (!INTERVAL.test(interval)) {
    throw invalidArgument(
      'interval',
      `${quoteInput(interval)} is not an interval; use a count and a unit such as "1m", "4h" or "1d"`,
    );
  }
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` */
function checkLimit(limit: number, max: number, field = 'limit'): void {
  if (!Number.isInteger(limit) || limit < 0 || limit > max) {
    throw invalidArgument(field, `must be 0 (the venue's default) to ${max}, was ${limit}`);
  }
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` */
function requireOrderId(orderId: bigint, field = 'order_id'): void {
  if (orderId <= 0n) {
    throw invalidArgument(field, `is required: the venue's positive order id, was ${orderId}`);
  }
}

/**
 * A client order id that may be empty (none given).
 * @throws {ExchangeError} INVALID_ARGUMENT naming `field`
 */
export function optionalClientOrderId(id: string, field = 'client_order_id'): void {
  if (id !== '' && !CLIENT_ORDER_ID.test(id)) {
    throw invalidArgument(
      field,
      `${quoteInput(id)} is not a client order id; use 1-${REQUEST_LIMITS.clientOrderIdLength} of A-Z a-z 0-9 _ -`,
    );
  }
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming `field` */
function checkBatchSize(count: number, field: string): void {
  if (count === 0) throw invalidArgument(field, 'is empty; send at least one item');
  if (count > REQUEST_LIMITS.batchSize) {
    throw invalidArgument(
      field,
      `${count} items in one batch; at most ${REQUEST_LIMITS.batchSize}, split the batch`,
    );
  }
}

/**
 * The edge fields of one placement (symbol, client order id); decimals and enums are decoded and
 * checked by the codec, market rules by the venue.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field
 */
export function checkPlaceOrder(request: PlaceOrderRequest): void {
  requireSymbol(request.symbol);
  optionalClientOrderId(request.clientOrderId);
}

type Service = typeof ExchangeServiceService;
/** An ExchangeService method by its generated name ("placeOrder"). */
export type Method = keyof Service;
type RequestOf<M extends Method> = ReturnType<Service[M]['requestDeserialize']>;

const none = (): void => undefined;
const bookRequest = (request: GetOrderBookRequest | SubscribeOrderBookRequest): void => {
  requireSymbol(request.symbol);
  resolveBookLevels(request.levels);
};
const symbolOnly = (request: { symbol: string }): void => requireSymbol(request.symbol);
const anySymbol = (request: { symbol: string }): void => optionalSymbol(request.symbol);

/** The edge check of each RPC's request, run before the venue is called. */
export const REQUEST_CHECKS: { readonly [M in Method]: (request: RequestOf<M>) => void } = {
  getName: none,
  getType: none,
  placeOrder: checkPlaceOrder,
  batchPlaceOrders: (request: BatchPlaceOrdersRequest) =>
    checkBatchSize(request.orders.length, 'orders'),
  cancelOrder: (request: CancelOrderRequest) => {
    requireSymbol(request.symbol);
    requireOrderId(request.orderId);
  },
  batchCancelOrders: (request: BatchCancelOrdersRequest) => {
    requireSymbol(request.symbol);
    checkBatchSize(request.orderIds.length, 'order_ids');
    request.orderIds.forEach((id, i) => requireOrderId(id, `order_ids[${i}]`));
  },
  // Never "every symbol": one stray empty request must not cancel a whole multi-symbol book
  cancelAllOrders: (request: CancelAllOrdersRequest) => requireSymbol(request.symbol),
  getOrder: (request: GetOrderRequest) => {
    requireSymbol(request.symbol);
    optionalClientOrderId(request.clientOrderId);
    if (request.orderId === 0n && request.clientOrderId === '') {
      throw invalidArgument('order_id', 'is required when client_order_id is empty');
    }
    if (request.orderId < 0n) requireOrderId(request.orderId);
  },
  getOpenOrders: (request: GetOpenOrdersRequest) => optionalSymbol(request.symbol),
  getAccount: none,
  getPositions: (request: GetPositionsRequest) => optionalSymbol(request.symbol),
  getBalance: (request: GetBalanceRequest) => requireAsset(request.asset),
  getLatestPrice: symbolOnly,
  getTickers: none,
  getOpenInterest: symbolOnly,
  getHistoricalKlines: (request: GetHistoricalKlinesRequest) => {
    requireSymbol(request.symbol);
    requireInterval(request.interval);
    checkLimit(request.limit, REQUEST_LIMITS.klineLimit);
  },
  fetchExchangeInfo: (request: FetchExchangeInfoRequest) => optionalSymbol(request.symbol),
  getSymbolInfo: symbolOnly,
  getSymbols: none,
  getFundingRate: symbolOnly,
  getFundingRates: none,
  getHistoricalFundingRates: (request: GetHistoricalFundingRatesRequest) => {
    requireSymbol(request.symbol);
    checkLimit(request.limit, REQUEST_LIMITS.fundingLimit);
  },
  subscribeFundingRate: anySymbol,
  subscribePrice: (request: SubscribePriceRequest) => checkSymbolList(request.symbols, 'symbols'),
  subscribeOrders: none,
  subscribeKlines: (request: SubscribeKlinesRequest) => {
    checkSymbolList(request.symbols, 'symbols');
    requireInterval(request.interval);
  },
  subscribeAccount: none,
  subscribePositions: anySymbol,
  getOrderBook: bookRequest,
  subscribeOrderBook: bookRequest,
  getTradeHistory: (request: GetTradeHistoryRequest) => {
    requireSymbol(request.symbol);
    checkLimit(request.limit, MAX_TRADE_HISTORY_LIMIT);
    if (!CURSOR.test(request.cursor)) {
      throw invalidArgument(
        'cursor',
        `must be the next_cursor of a previous page (base64url, at most ${REQUEST_LIMITS.cursorLength} characters), was ${quoteInput(request.cursor)}`,
      );
    }
  },
};

// google.type.Decimal quantity = 5 and price = 6 are the only nested messages of a request
const PLACE_ORDER_SHAPE: WireShape = { 5: {}, 6: {} };

/** The nested-message fields of each request; the other requests are flat (a test checks it). */
export const REQUEST_SHAPES: { readonly [M in Method]?: WireShape } = {
  placeOrder: PLACE_ORDER_SHAPE,
  batchPlaceOrders: { 1: PLACE_ORDER_SHAPE },
};

/**
 * The service definition to register the handlers with: the generated one with strict request
 * decoding, so malformed bytes reach the handlers as a marked request answered INVALID_ARGUMENT.
 */
export const ExchangeServiceDefinition = strictRequests(ExchangeServiceService, REQUEST_SHAPES);

/**
 * The edge check of one request: refuses malformed bytes and requests failing REQUEST_CHECKS.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field ("request" for malformed bytes)
 */
export function checkRequest<M extends Method>(method: M, request: unknown): void {
  const problem = malformedProblem(request);
  if (problem !== undefined) {
    throw invalidArgument(
      'request',
      `not a valid ${rpcName(method)}Request message (${problem}); send a protobuf-encoded request of the ExchangeService contract`,
    );
  }
  (REQUEST_CHECKS[method] as (r: unknown) => void)(request);
}

/** "placeOrder" -> "PlaceOrder", the name logs use. */
export function rpcName(method: Method): string {
  return ExchangeServiceService[method].path.split('/').pop() ?? method;
}
