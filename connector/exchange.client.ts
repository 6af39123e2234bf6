/**
 * @module connector/exchange.client
 * RemoteExchange: the venue port over gRPC, so the engine runs unchanged against an in-process
 * venue or a connector process (ours, or the original Go/Python ones). Every unary call carries a
 * deadline; failures come back as the same `ExchangeError` the venue threw (reason, venue code and
 * field from trailing metadata). Streams resubscribe by themselves when the connector restarts or
 * ends them with a transient status, and call `sink.resync()` once live again, because updates
 * may have been missed meanwhile; permanent failures go to `sink.error`. Order-changing calls
 * made under `withFence` (core/fence) carry the lease stamp so the connector can refuse a former
 * owner with FENCED.
 */
import {
  ChannelCredentials,
  Metadata,
  connectivityState,
  status as Status,
  type ChannelOptions,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import type { Decimal } from '../core/decimal.js';
import {
  ExchangeServiceClient,
  ExchangeServiceService,
} from '../proto/gen/opensqt/market_maker/v1/exchange.js';
import * as codec from './codec.js';
import { ExchangeError } from '../core/errors.js';
import type { Exchange } from '../core/exchange.port.js';
import { currentFence } from '../core/fence.js';
import { orderCallMetadata, type FencedSymbol } from './fence-metadata.js';
import { fromServiceError } from './grpc-errors.js';
import { ResubscribingStream } from './remote-stream.js';
import type { StreamSink, Subscription } from '../core/stream.js';
import type * as T from '../core/exchange.types.js';

export interface RemoteExchangeOptions {
  /** Sent as `x-api-key` on every call when the connector has auth on. */
  readonly apiKey?: string;
  /** Venue to use (`x-exchange`); the connector's default venue when absent. */
  readonly exchange?: string;
  /** Deadline of each unary call, in ms; default 5000. */
  readonly deadlineMs?: number;
  /** Tries of the initial GetName probe; default 10. */
  readonly connectAttempts?: number;
  /** Wait after the first failed probe, doubled after each next one; default 1000 ms. */
  readonly initialBackoffMs?: number;
  /** Cap of the probe backoff; default 60000 ms. */
  readonly maxBackoffMs?: number;
  /** First wait before a stream resubscribes, doubled up to `streamMaxBackoffMs`; default 100. */
  readonly streamInitialBackoffMs?: number;
  /** Cap of the stream resubscription backoff; default 5000 ms. */
  readonly streamMaxBackoffMs?: number;
}

const CHANNEL_OPTIONS: ChannelOptions = {
  // grpc-go servers answer pings more often than every 5 min with GOAWAY too_many_pings
  'grpc.keepalive_time_ms': 300_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
};

/** Probe failures that no retry can fix. */
const FATAL_ON_CONNECT: ReadonlySet<number> = new Set([
  Status.INVALID_ARGUMENT,
  Status.UNAUTHENTICATED,
  Status.PERMISSION_DENIED,
]);

type Methods = typeof ExchangeServiceService;
type Req<K extends keyof Methods> = Parameters<Methods[K]['requestSerialize']>[0];
type Res<K extends keyof Methods> = ReturnType<Methods[K]['responseDeserialize']>;
interface MethodDef<Q, R> {
  readonly path: string;
  readonly requestSerialize: (value: Q) => Buffer;
  readonly responseDeserialize: (value: Buffer) => R;
}

function unary<K extends keyof Methods>(
  client: ExchangeServiceClient,
  method: K,
  request: Req<K>,
  metadata: Metadata,
  deadlineMs: number,
): Promise<Res<K>> {
  const def = ExchangeServiceService[method] as unknown as MethodDef<Req<K>, Res<K>>;
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      metadata,
      { deadline: Date.now() + deadlineMs },
      (e, response) => (e ? reject(fromServiceError(e)) : resolve(response as Res<K>)),
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Connects to an exchange connector, probing it with GetName and backing off between tries.
 * @param address host:port of the connector
 * @throws {Error} naming `address` when every try failed, or at once when the connector refuses
 *   the credentials or the venue
 */
export async function connectRemoteExchange(
  address: string,
  options: RemoteExchangeOptions = {},
): Promise<RemoteExchange> {
  const client = new ExchangeServiceClient(
    address,
    ChannelCredentials.createInsecure(),
    CHANNEL_OPTIONS,
  );
  const metadata = new Metadata();
  if (options.apiKey !== undefined) metadata.set('x-api-key', options.apiKey);
  if (options.exchange !== undefined) metadata.set('x-exchange', options.exchange);
  const attempts = options.connectAttempts ?? 10;
  const deadlineMs = options.deadlineMs ?? 5000;
  let backoffMs = options.initialBackoffMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const { name } = await unary(client, 'getName', {}, metadata, deadlineMs);
      return new RemoteExchange(client, name, metadata, options);
    } catch (e) {
      const error = e as ExchangeError;
      const fatal = FATAL_ON_CONNECT.has(error.code);
      if (fatal || attempt >= attempts) {
        client.close();
        const why = fatal ? 'refused' : `unreachable after ${attempt} attempts`;
        throw new Error(`exchange connector at ${address} ${why}: ${error.message}`, { cause: e });
      }
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, options.maxBackoffMs ?? 60_000);
    }
  }
}

/** The venue port over gRPC; build it with `connectRemoteExchange`. */
export class RemoteExchange implements Exchange {
  readonly name: string;
  private readonly streams = new Set<Subscription>();
  private readonly deadlineMs: number;
  private lastCallReachedConnector = true;
  private closed = false;

  /** @internal use `connectRemoteExchange` */
  private readonly client: ExchangeServiceClient;
  private readonly metadata: Metadata;
  private readonly options: RemoteExchangeOptions;
  constructor(
    client: ExchangeServiceClient,
    name: string,
    metadata: Metadata,
    options: RemoteExchangeOptions,
  ) {
    this.client = client;
    this.metadata = metadata;
    this.options = options;
    this.name = name;
    this.deadlineMs = options.deadlineMs ?? 5000;
  }

  async getType(): Promise<T.ExchangeKindInfo> {
    const r = await this.call('getType', {});
    return { kind: codec.fromProtoExchangeType(r.type), isUnifiedMargin: r.isUnifiedMargin };
  }

  // -- ORDERS --
  // Order-changing calls carry the lease stamp of `withFence`, if any (connector/fence-metadata)
  async placeOrder(request: T.PlaceOrderRequest): Promise<T.Order> {
    const fenced = [{ field: 'symbol', symbol: request.symbol }];
    const proto = codec.toProtoPlaceOrderRequest(request);
    return codec.fromProtoOrder(await this.call('placeOrder', proto, fenced));
  }
  async batchPlaceOrders(requests: readonly T.PlaceOrderRequest[]): Promise<T.BatchPlaceResult> {
    const orders = requests.map(codec.toProtoPlaceOrderRequest);
    const fenced = requests.map((r, i) => ({ field: `orders[${i}].symbol`, symbol: r.symbol }));
    const r = await this.call('batchPlaceOrders', { orders }, fenced);
    return {
      orders: r.orders.map(codec.fromProtoOrder),
      allSuccess: r.allSuccess,
      errors: r.errors.map(codec.fromProtoBatchError),
    };
  }
  async cancelOrder(symbol: string, orderId: string, useMargin = false): Promise<void> {
    const request = { symbol, orderId: codec.toProtoOrderId(orderId), useMargin };
    await this.call('cancelOrder', request, [{ field: 'symbol', symbol }]);
  }
  async batchCancelOrders(symbol: string, ids: readonly string[], useMargin = false) {
    const orderIds = ids.map(codec.toProtoOrderId);
    const fenced = [{ field: 'symbol', symbol }];
    const r = await this.call('batchCancelOrders', { symbol, orderIds, useMargin }, fenced);
    return r.errors.map(codec.fromProtoBatchError);
  }
  async cancelAllOrders(symbol: string, useMargin = false): Promise<void> {
    await this.call('cancelAllOrders', { symbol, useMargin }, [{ field: 'symbol', symbol }]);
  }
  async getOrder(q: T.GetOrderQuery): Promise<T.Order> {
    const orderId = codec.toProtoOrderId(q.orderId ?? '');
    const clientOrderId = q.clientOrderId ?? '';
    const r = await this.call('getOrder', {
      symbol: q.symbol,
      orderId,
      clientOrderId,
      useMargin: q.useMargin ?? false,
    });
    return codec.fromProtoOrder(r);
  }
  async getOpenOrders(symbol: string, useMargin = false): Promise<readonly T.Order[]> {
    // Under the symbol's own lease the read announces it to the connector (fence-guard)
    const announced = symbol !== '' && currentFence()?.symbol === symbol;
    const fenced = announced ? [{ field: 'symbol', symbol }] : undefined;
    return (await this.call('getOpenOrders', { symbol, useMargin }, fenced)).orders.map(
      codec.fromProtoOrder,
    );
  }

  // -- ACCOUNT --
  async getAccount(): Promise<T.Account> {
    return codec.fromProtoAccount(await this.call('getAccount', {}));
  }
  async getPositions(symbol = ''): Promise<readonly T.Position[]> {
    return (await this.call('getPositions', { symbol })).positions.map(codec.fromProtoPosition);
  }
  async getBalance(asset: string): Promise<Decimal> {
    return codec.fromProtoDecimal((await this.call('getBalance', { asset })).balance, 'balance');
  }

  // -- MARKET DATA --
  async getLatestPrice(symbol: string): Promise<Decimal> {
    return codec.fromProtoDecimal((await this.call('getLatestPrice', { symbol })).price, 'price');
  }
  async getTickers(): Promise<readonly T.Ticker[]> {
    return (await this.call('getTickers', {})).tickers.map(codec.fromProtoTicker);
  }
  async getOpenInterest(symbol: string): Promise<Decimal> {
    const r = await this.call('getOpenInterest', { symbol });
    return codec.fromProtoDecimal(r.openInterest, 'open_interest');
  }
  async getHistoricalKlines(symbol: string, interval: string, limit: number) {
    const r = await this.call('getHistoricalKlines', { symbol, interval, limit });
    return r.candles.map(codec.fromProtoCandle);
  }
  async fetchExchangeInfo(symbol = ''): Promise<void> {
    await this.call('fetchExchangeInfo', { symbol });
  }
  async getSymbolInfo(symbol: string): Promise<T.SymbolInfo> {
    return codec.fromProtoSymbolInfo(await this.call('getSymbolInfo', { symbol }));
  }
  async getSymbols(): Promise<readonly string[]> {
    return (await this.call('getSymbols', {})).symbols;
  }
  async getFundingRate(symbol: string): Promise<T.FundingRate> {
    return codec.fromProtoFundingRate(await this.call('getFundingRate', { symbol }));
  }
  async getFundingRates(): Promise<readonly T.FundingRate[]> {
    return (await this.call('getFundingRates', {})).rates.map(codec.fromProtoFundingRate);
  }
  async getHistoricalFundingRates(symbol: string, limit: number) {
    const r = await this.call('getHistoricalFundingRates', { symbol, limit });
    return r.rates.map(codec.fromProtoFundingRate);
  }
  async getOrderBook(symbol: string, levels: number): Promise<T.OrderBook> {
    return codec.fromProtoOrderBook(await this.call('getOrderBook', { symbol, levels }));
  }
  async getTradeHistory(query: T.TradeHistoryQuery): Promise<T.TradeHistoryPage> {
    const r = await this.call('getTradeHistory', codec.toProtoTradeHistoryRequest(query));
    return codec.fromProtoTradeHistoryPage(r);
  }

  // -- STREAMS: open-ended, so no deadline; liveness comes from keepalive and resubscription --
  subscribePrice(symbols: readonly string[], sink: StreamSink<T.PriceChange>): Subscription {
    return this.stream(
      'subscribePrice',
      { symbols: [...symbols] },
      codec.fromProtoPriceChange,
      sink,
    );
  }
  subscribeOrders(sink: StreamSink<T.OrderUpdate>): Subscription {
    return this.stream('subscribeOrders', {}, codec.fromProtoOrderUpdate, sink);
  }
  subscribeKlines(symbols: readonly string[], interval: string, sink: StreamSink<T.Candle>) {
    return this.stream(
      'subscribeKlines',
      { symbols: [...symbols], interval },
      codec.fromProtoCandle,
      sink,
    );
  }
  subscribeAccount(sink: StreamSink<T.Account>): Subscription {
    return this.stream('subscribeAccount', {}, codec.fromProtoAccount, sink);
  }
  subscribePositions(symbol: string, sink: StreamSink<T.Position>): Subscription {
    return this.stream('subscribePositions', { symbol }, codec.fromProtoPosition, sink);
  }
  subscribeFundingRate(symbol: string, sink: StreamSink<T.FundingRate>): Subscription {
    return this.stream('subscribeFundingRate', { symbol }, codec.fromProtoFundingRate, sink);
  }
  subscribeOrderBook(symbol: string, levels: number, sink: StreamSink<T.OrderBook>) {
    return this.stream('subscribeOrderBook', { symbol, levels }, codec.fromProtoOrderBook, sink);
  }

  /** True while the channel is up, or idle with the last call having reached the connector. */
  isReachable(): boolean {
    const state = this.client.getChannel().getConnectivityState(false);
    if (state === connectivityState.READY) return true;
    if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
      return false;
    }
    return this.lastCallReachedConnector;
  }

  /** Cancels every stream and closes the channel; later calls fail with EXCHANGE_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    for (const subscription of [...this.streams]) subscription.close();
    this.client.close();
  }

  /**
   * One unary call. `fenced` marks an order-changing call: the symbols it changes, checked
   * against the `withFence` stamp, which is read before the first await and sent with the call.
   */
  private async call<K extends keyof Methods>(
    method: K,
    request: Req<K>,
    fenced?: readonly FencedSymbol[],
  ): Promise<Res<K>> {
    if (this.closed) throw this.closedError();
    const metadata =
      fenced === undefined ? this.metadata : orderCallMetadata(this.metadata, fenced);
    try {
      const response = await unary(this.client, method, request, metadata, this.deadlineMs);
      this.lastCallReachedConnector = true;
      return response;
    } catch (e) {
      if ((e as ExchangeError).code === Status.UNAVAILABLE) this.lastCallReachedConnector = false;
      throw e;
    }
  }

  private stream<K extends keyof Methods, D>(
    method: K,
    request: Req<K>,
    decode: (message: Res<K>) => D,
    sink: StreamSink<D>,
  ): Subscription {
    if (this.closed) {
      queueMicrotask(() => sink.error(this.closedError()));
      return { close: () => undefined };
    }
    const def = ExchangeServiceService[method] as unknown as MethodDef<Req<K>, Res<K>>;
    const open = (): ClientReadableStream<Res<K>> =>
      this.client.makeServerStreamRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        this.metadata,
      );
    const subscription = new ResubscribingStream(open, decode, sink, {
      initialMs: this.options.streamInitialBackoffMs ?? 100,
      maxMs: this.options.streamMaxBackoffMs ?? 5000,
      onClose: (s) => this.streams.delete(s),
    });
    this.streams.add(subscription);
    return subscription;
  }

  private closedError(): ExchangeError {
    return new ExchangeError('EXCHANGE_UNAVAILABLE', `RemoteExchange "${this.name}" is closed`);
  }
}
