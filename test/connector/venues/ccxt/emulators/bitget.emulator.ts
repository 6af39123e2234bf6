/**
 * @module test/connector/ccxt/emulators/bitget.emulator
 * A loopback Bitget v2 (classic account, USDT-FUTURES BTCUSDT) for the real ccxt bitget code.
 * REST checks ACCESS-KEY / PASSPHRASE and the base64 HMAC-SHA256 of
 * timestamp + method + path (+ ?query) + body; errors carry Bitget's string codes (40786
 * duplicate clientOid, 40762 balance, 429). WebSocket `/v2/ws/public` serves the `ticker`
 * channel, `/v2/ws/private` takes `login` and pushes the `orders` channel.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import { LoopbackServer, type RecordedRequest, type Reply } from './loopback-server.js';
import { bitgetFills, bitgetPublic } from './depth-fills.routes.js';
import { ASK, BID, SimpleOrderStore, type SimpleOrder } from './simple-orders.js';

export const BITGET_KEY = 'bitget-key';
export const BITGET_SECRET = 'bitget-secret';
export const BITGET_PASSWORD = 'bitget-pass';

const ok = (data: unknown): Reply => ({
  status: 200,
  body: { code: '00000', msg: 'success', requestTime: Date.now(), data },
});
const fail = (status: number, code: string, msg: string): Reply => ({
  status,
  body: { code, msg, requestTime: Date.now(), data: null },
});

function orderJson(o: SimpleOrder) {
  return {
    symbol: o.instrument,
    size: o.size,
    orderId: o.id,
    clientOid: o.clientId,
    baseVolume: '0',
    fee: '0',
    price: o.price,
    priceAvg: '',
    state: o.status === 'open' ? 'live' : 'canceled',
    side: o.side,
    force: o.postOnly ? 'post_only' : 'gtc',
    totalProfits: '0',
    posSide: 'net',
    marginCoin: 'USDT',
    presetStopSurplusPrice: '',
    presetStopLossPrice: '',
    quoteVolume: '0',
    orderType: 'limit',
    leverage: '20',
    marginMode: 'crossed',
    reduceOnly: 'NO',
    enterPointSource: 'API',
    tradeSide: 'open',
    posMode: 'one_way_mode',
    orderSource: 'normal',
    cancelReason: '',
    cTime: String(o.createdMs),
    uTime: String(o.updatedMs),
  };
}

const CONTRACT = {
  symbol: 'BTCUSDT',
  baseCoin: 'BTC',
  quoteCoin: 'USDT',
  buyLimitPriceRatio: '0.9',
  sellLimitPriceRatio: '0.9',
  feeRateUpRatio: '0.1',
  makerFeeRate: '0.0002',
  takerFeeRate: '0.0006',
  openCostUpRatio: '0.1',
  supportMarginCoins: ['USDT'],
  minTradeNum: '0.001',
  priceEndStep: '1',
  volumePlace: '3',
  pricePlace: '1',
  sizeMultiplier: '0.001',
  symbolType: 'perpetual',
  minTradeUSDT: '5',
  maxSymbolOrderNum: '200',
  maxProductOrderNum: '400',
  maxPositionNum: '150',
  symbolStatus: 'normal',
  offTime: '-1',
  limitOpenTime: '-1',
  deliveryTime: '',
  deliveryStartTime: '',
  deliveryPeriod: '',
  launchTime: '',
  fundInterval: '8',
  minLever: '1',
  maxLever: '125',
  posLimit: '0.05',
  maintainTime: '',
  maxMarketOrderQty: '220',
  maxOrderQty: '1200',
};

export class BitgetEmulator {
  readonly server: LoopbackServer;
  readonly store: SimpleOrderStore;
  rateLimited = false;
  private readonly orderSockets = new Set<WebSocket>();
  private readonly tickerSockets = new Set<WebSocket>();

  constructor() {
    this.store = new SimpleOrderStore(
      () => Date.now(),
      1190143276510474240n,
      undefined,
      (o) => this.pushOrder(o),
    );
    this.server = new LoopbackServer(
      (r) => this.handle(r),
      (socket) => this.connect(socket),
    );
  }

  start(): Promise<LoopbackServer> {
    return this.server.start();
  }

  subscriptions(): number {
    return this.orderSockets.size + this.tickerSockets.size;
  }

  private handle(r: RecordedRequest): Reply | undefined {
    if (r.path === '/api/v2/mix/market/contracts') {
      return ok(r.query.productType === 'USDT-FUTURES' ? [CONTRACT] : []);
    }
    const book = bitgetPublic(r);
    if (book !== undefined) return book;
    if (r.headers['access-key'] === undefined) return undefined;
    if (
      r.headers['access-key'] !== BITGET_KEY ||
      r.headers['access-passphrase'] !== BITGET_PASSWORD ||
      !this.signed(r)
    ) {
      return fail(400, '40009', 'sign signature error');
    }
    if (this.rateLimited) return fail(429, '429', 'Too Many Requests');
    const body = r.body as Record<string, string>;
    switch (`${r.method} ${r.path}`) {
      case 'GET /api/v2/mix/account/accounts':
        return ok([
          {
            marginCoin: 'USDT',
            locked: '0',
            available: '10000',
            crossedMaxAvailable: '10000',
            isolatedMaxAvailable: '10000',
            maxTransferOut: '10000',
            accountEquity: '10000',
            usdtEquity: '10000',
            btcEquity: '0.1',
            crossedRiskRate: '0',
            unrealizedPL: '0',
            coupon: '0',
            crossedUnrealizedPL: '0',
            isolatedUnrealizedPL: '',
          },
        ]);
      case 'POST /api/v2/mix/order/place-order': {
        const placed = this.store.place({
          instrument: body.symbol ?? '',
          side: body.side === 'sell' ? 'sell' : 'buy',
          price: body.price ?? '0',
          size: body.size ?? '0',
          clientId: body.clientOid ?? '',
          postOnly: body.force === 'post_only',
          contractValue: '1',
        });
        if (placed === 'duplicate') return fail(400, '40786', 'Duplicate clientOid');
        if (placed === 'insufficient')
          return fail(400, '40762', 'The order amount exceeds the balance');
        if (placed === 'would-cross')
          return fail(400, '22002', 'Post only order will take liquidity');
        return ok({ clientOid: placed.clientId, orderId: placed.id });
      }
      case 'GET /api/v2/mix/order/detail': {
        const order = this.store.find(r.query.orderId, r.query.clientOid);
        return order ? ok(orderJson(order)) : fail(400, '40768', 'Order does not exist');
      }
      case 'POST /api/v2/mix/order/cancel-order': {
        const order = this.store.cancel(body.orderId, body.clientOid);
        return order
          ? ok({ orderId: order.id, clientOid: order.clientId })
          : fail(400, '40768', 'Order does not exist');
      }
      default:
        return bitgetFills(r);
    }
  }

  /** base64 HMAC-SHA256 over timestamp + method + path + (?raw query) + body, as Bitget signs. */
  private signed(r: RecordedRequest): boolean {
    const query = r.rawQuery === '' ? '' : `?${decodeURIComponent(r.rawQuery)}`;
    const prehash = `${String(r.headers['access-timestamp'])}${r.method}${r.path}${query}${r.rawBody}`;
    return (
      createHmac('sha256', BITGET_SECRET).update(prehash).digest('base64') ===
      r.headers['access-sign']
    );
  }

  private connect(socket: WebSocket): (data: string) => void {
    return (data) => {
      if (data === 'ping') return socket.send('pong');
      const frame = JSON.parse(data) as { op: string; args: Record<string, string>[] };
      if (frame.op === 'login')
        return socket.send(JSON.stringify({ event: 'login', code: 0, msg: '' }));
      for (const arg of frame.args) {
        socket.send(JSON.stringify({ event: 'subscribe', arg }));
        if (arg.channel === 'orders') this.orderSockets.add(socket);
        if (arg.channel === 'ticker') {
          this.tickerSockets.add(socket);
          const ticker = {
            instId: arg.instId,
            lastPr: '100000',
            bidPr: BID,
            askPr: ASK,
            bidSz: '5',
            askSz: '8',
            open24h: '98800',
            high24h: '100500',
            low24h: '98500',
            change24h: '0.01214',
            fundingRate: '0.0001',
            nextFundingTime: String(Date.now() + 3_600_000),
            markPrice: '100000',
            indexPrice: '100000',
            holdingAmount: '81234.5',
            baseVolume: '183296.512',
            quoteVolume: '18329651200',
            openUtc: '99000',
            symbolType: 1,
            symbol: arg.instId,
            deliveryPrice: '0',
            ts: String(Date.now()),
          };
          socket.send(JSON.stringify({ action: 'snapshot', arg, data: [ticker], ts: Date.now() }));
        }
      }
    };
  }

  private pushOrder(order: SimpleOrder): void {
    const o = orderJson(order);
    const data = {
      ...o,
      instId: o.symbol,
      status: o.state,
      accBaseVolume: '0',
      feeDetail: [],
      fillFee: '0',
      notionalUsd: '950.005',
    };
    const message = {
      action: 'snapshot',
      arg: { instType: 'USDT-FUTURES', channel: 'orders', instId: 'default' },
      data: [data],
      ts: Date.now(),
    };
    for (const socket of this.orderSockets) socket.send(JSON.stringify(message));
  }
}
