/**
 * @module test/connector/ccxt/emulators/bybit.emulator
 * A loopback Bybit v5 (unified account, linear BTCUSDT) for the real ccxt bybit code. REST
 * checks X-BAPI-API-KEY and the hex HMAC-SHA256 of timestamp + key + recvWindow + (query|body);
 * errors carry Bybit's retCode. WebSocket: `/v5/public/linear` serves `orderbook.1.<symbol>`,
 * `/v5/private` takes the `auth` op and pushes the `order` topic.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import { LoopbackServer, type RecordedRequest, type Reply } from './loopback-server.js';
import { bybitDepthSnapshot, bybitFills, bybitPublic } from './depth-fills.routes.js';
import { ASK, BID, SimpleOrderStore, type SimpleOrder } from './simple-orders.js';

export const BYBIT_KEY = 'bybit-key';
export const BYBIT_SECRET = 'bybit-secret';

const ok = (result: unknown): Reply => ({
  status: 200,
  body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() },
});
const fail = (retCode: number, retMsg: string): Reply => ({
  status: 200,
  body: { retCode, retMsg, result: {}, retExtInfo: {}, time: Date.now() },
});

function orderJson(o: SimpleOrder) {
  return {
    orderId: o.id,
    orderLinkId: o.clientId,
    blockTradeId: '',
    symbol: o.instrument,
    price: o.price,
    qty: o.size,
    side: o.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: '',
    positionIdx: 0,
    orderStatus: o.status === 'open' ? 'New' : 'Cancelled',
    cancelType: o.status === 'open' ? 'UNKNOWN' : 'CancelByUser',
    rejectReason: 'EC_NoError',
    avgPrice: '',
    leavesQty: o.status === 'open' ? o.size : '0',
    leavesValue: '0',
    cumExecQty: '0',
    cumExecValue: '0',
    cumExecFee: '0',
    timeInForce: o.postOnly ? 'PostOnly' : 'GTC',
    orderType: 'Limit',
    stopOrderType: '',
    orderIv: '',
    triggerPrice: '',
    takeProfit: '',
    stopLoss: '',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: '100000',
    reduceOnly: false,
    closeOnTrigger: false,
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    tpslMode: '',
    tpLimitPrice: '',
    slLimitPrice: '',
    placeType: '',
    createdTime: String(o.createdMs),
    updatedTime: String(o.updatedMs),
  };
}

const INSTRUMENT = {
  symbol: 'BTCUSDT',
  contractType: 'LinearPerpetual',
  status: 'Trading',
  baseCoin: 'BTC',
  quoteCoin: 'USDT',
  launchTime: '1585526400000',
  deliveryTime: '0',
  deliveryFeeRate: '',
  priceScale: '2',
  leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
  priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
  lotSizeFilter: {
    maxOrderQty: '1190.000',
    minOrderQty: '0.001',
    qtyStep: '0.001',
    postOnlyMaxOrderQty: '1190.000',
    maxMktOrderQty: '119.000',
    minNotionalValue: '5',
  },
  unifiedMarginTrade: true,
  fundingInterval: 480,
  settleCoin: 'USDT',
  copyTrading: 'both',
  upperFundingRate: '0.005',
  lowerFundingRate: '-0.005',
  isPreListing: false,
  preListingInfo: null,
};

export const BYBIT_NEXT_FUNDING = 1767254400000;

const TICKER = {
  lastPrice: '100000.0',
  indexPrice: '100001.2',
  markPrice: '100000.0',
  prevPrice24h: '98800.0',
  price24hPcnt: '0.012145',
  highPrice24h: '100500.0',
  lowPrice24h: '98500.0',
  prevPrice1h: '99900.0',
  openInterest: '51234.5',
  openInterestValue: '5123450000',
  turnover24h: '18329651200',
  volume24h: '183296.5',
  fundingRate: '0.000085',
  nextFundingTime: String(BYBIT_NEXT_FUNDING),
  predictedDeliveryPrice: '',
  basisRate: '',
  deliveryFeeRate: '',
  deliveryTime: '0',
  ask1Size: '8',
  bid1Price: BID,
  ask1Price: ASK,
  bid1Size: '5',
  basis: '',
  preOpenPrice: '',
  preQty: '',
  curPreListingPhase: '',
};

export class BybitEmulator {
  readonly server: LoopbackServer;
  readonly store: SimpleOrderStore;
  rateLimited = false;
  private readonly orderSockets = new Set<WebSocket>();
  private readonly bookSockets = new Set<WebSocket>();

  constructor() {
    this.store = new SimpleOrderStore(
      () => Date.now(),
      1321003749386327552n,
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
    return this.orderSockets.size + this.bookSockets.size;
  }

  private handle(r: RecordedRequest): Reply | undefined {
    if (r.path === '/v5/market/instruments-info') {
      const list = r.query.category === 'linear' ? [INSTRUMENT] : [];
      return ok({ category: r.query.category, list, nextPageCursor: '' });
    }
    if (r.path === '/v5/market/tickers') {
      return ok({ category: 'linear', list: [{ ...TICKER, symbol: r.query.symbol ?? 'BTCUSDT' }] });
    }
    const book = bybitPublic(r);
    if (book !== undefined) return book;
    if (r.headers['x-bapi-api-key'] === undefined) return undefined;
    if (r.headers['x-bapi-api-key'] !== BYBIT_KEY || !this.signed(r)) {
      return fail(10004, 'error sign! origin_string[...]');
    }
    if (this.rateLimited) return fail(10006, 'Too many visits. Exceeded the API Rate Limit.');
    const body = r.body as Record<string, string>;
    switch (`${r.method} ${r.path}`) {
      case 'GET /v5/account/wallet-balance':
        return ok({
          list: [
            {
              accountType: 'UNIFIED',
              totalEquity: '10000',
              totalWalletBalance: '10000',
              totalAvailableBalance: '10000',
              totalMarginBalance: '10000',
              totalInitialMargin: '0',
              totalMaintenanceMargin: '0',
              accountIMRate: '0',
              accountMMRate: '0',
              totalPerpUPL: '0',
              accountLTV: '0',
              coin: [
                {
                  coin: 'USDT',
                  equity: '10000',
                  usdValue: '10000',
                  walletBalance: '10000',
                  locked: '0',
                  borrowAmount: '0',
                  totalOrderIM: '0',
                  totalPositionIM: '0',
                  totalPositionMM: '0',
                  unrealisedPnl: '0',
                  cumRealisedPnl: '0',
                  accruedInterest: '0',
                  bonus: '0',
                  marginCollateral: true,
                  collateralSwitch: true,
                  availableToWithdraw: '',
                },
              ],
            },
          ],
        });
      case 'POST /v5/order/create': {
        const placed = this.store.place({
          instrument: body.symbol ?? '',
          side: body.side === 'Sell' ? 'sell' : 'buy',
          price: body.price ?? '0',
          size: body.qty ?? '0',
          clientId: body.orderLinkId ?? '',
          postOnly: body.timeInForce === 'PostOnly',
          // Bybit accepts a crossing PostOnly order and cancels it (EC_PostOnlyWillTakeLiquidity)
          rejectCrossing: false,
          contractValue: '1',
        });
        if (placed === 'duplicate') return fail(110072, 'OrderLinkedID is duplicate');
        if (typeof placed === 'string') return fail(110007, 'ab not enough for new order');
        return ok({ orderId: placed.id, orderLinkId: placed.clientId });
      }
      case 'GET /v5/order/realtime': {
        const order = this.store.find(r.query.orderId, r.query.orderLinkId);
        return ok({
          list: order ? [orderJson(order)] : [],
          nextPageCursor: '',
          category: 'linear',
        });
      }
      case 'POST /v5/order/cancel': {
        const order = this.store.cancel(body.orderId, body.orderLinkId);
        return order
          ? ok({ orderId: order.id, orderLinkId: order.clientId })
          : fail(110001, 'Order does not exist.');
      }
      default:
        return bybitFills(r);
    }
  }

  /** Hex HMAC-SHA256 of timestamp + api key + recvWindow + query (GET) or body (POST). */
  private signed(r: RecordedRequest): boolean {
    const payload = r.method === 'GET' ? r.rawQuery : r.rawBody;
    const prehash = `${String(r.headers['x-bapi-timestamp'])}${BYBIT_KEY}${String(r.headers['x-bapi-recv-window'])}${payload}`;
    return (
      createHmac('sha256', BYBIT_SECRET).update(prehash).digest('hex') === r.headers['x-bapi-sign']
    );
  }

  private connect(socket: WebSocket): (data: string) => void {
    return (data) => {
      const frame = JSON.parse(data) as { op: string; args?: string[]; req_id?: string };
      const reply = {
        success: true,
        ret_msg: frame.op === 'ping' ? 'pong' : '',
        conn_id: 'cs0k',
        req_id: frame.req_id,
        op: frame.op,
      };
      socket.send(JSON.stringify(reply));
      for (const topic of frame.op === 'subscribe' ? (frame.args ?? []) : []) {
        if (topic === 'order') this.orderSockets.add(socket);
        const depth = bybitDepthSnapshot(topic);
        if (depth !== undefined) socket.send(JSON.stringify(depth));
        if (topic.startsWith('orderbook.1.')) {
          this.bookSockets.add(socket);
          const data = {
            s: topic.slice('orderbook.1.'.length),
            b: [[BID, '5.000']],
            a: [[ASK, '8.000']],
            u: 1,
            seq: 1000,
          };
          socket.send(
            JSON.stringify({ topic, type: 'snapshot', ts: Date.now(), data, cts: Date.now() }),
          );
        }
      }
    };
  }

  private pushOrder(order: SimpleOrder): void {
    const message = {
      id: `5923240c-${order.updatedMs}`,
      topic: 'order',
      creationTime: Date.now(),
      data: [{ category: 'linear', ...orderJson(order) }],
    };
    for (const socket of this.orderSockets) socket.send(JSON.stringify(message));
  }
}
