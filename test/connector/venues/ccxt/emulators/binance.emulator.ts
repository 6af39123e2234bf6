/**
 * @module test/connector/ccxt/emulators/binance.emulator
 * A loopback Binance (USD-M futures REST + WebSocket; spot start-up, spot and cross-margin order
 * placement) that the real ccxt code talks to. Signed requests are checked like Binance does
 * (X-MBX-APIKEY and the HMAC-SHA256 signature of the exact query/body), user data flows over a
 * listenKey socket, and public streams (bookTicker, kline, markPrice) are pushed on subscribe
 * and on every tick of the test's VirtualClock.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { VirtualClock } from '../../../../../core/clock.js';
import {
  futuresExchangeInfo,
  leverageBrackets,
  spotAccount,
  spotExchangeInfo,
} from './binance.fixtures.js';
import { BinanceReject, BinanceUsdmLedger, BOOK, type NewOrder } from './binance-usdm.ledger.js';
import {
  accountJson,
  accountUpdate,
  orderJson,
  orderTradeUpdate,
  positionRiskJson,
  tradeJson,
} from './binance-usdm.json.js';
import { spotRoutes, type SpotOrder } from './binance-spot.routes.js';
import { BinanceStreams } from './binance.streams.js';
import { LoopbackServer, type RecordedRequest, type Reply } from './loopback-server.js';

export const EMULATOR_KEY = 'emu-api-key';
export const EMULATOR_SECRET = 'emu-api-secret';

type Route = (r: RecordedRequest, p: Record<string, string>) => unknown;

const ok = (body: unknown): Reply => ({ status: 200, body });

export class BinanceEmulator {
  readonly server: LoopbackServer;
  readonly ledger: BinanceUsdmLedger;
  readonly streams: BinanceStreams;
  /** listenKeys handed out, and how often each was kept alive (PUT). */
  readonly listenKeys = new Map<string, number>();
  /** Spot and margin orders accepted, in order. */
  readonly spotOrders: SpotOrder[] = [];
  /** When set, every signed request is answered with HTTP 429 (rate limit) first. */
  rateLimited = false;
  private readonly routes: Record<string, Route>;

  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
    this.streams = new BinanceStreams(clock);
    this.ledger = new BinanceUsdmLedger(
      () => clock.now(),
      (event) => {
        const now = clock.now();
        this.streams.userData(
          event.kind === 'order'
            ? orderTradeUpdate(event.order, event.trade, now)
            : accountUpdate(this.ledger, now),
        );
      },
    );
    this.server = new LoopbackServer(
      (r) => this.handle(r),
      (socket: WebSocket, url: URL) => this.streams.connect(socket, url),
    );
    this.routes = this.buildRoutes();
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  async close(): Promise<void> {
    this.streams.close();
    await this.server.close();
  }

  private buildRoutes(): Record<string, Route> {
    const now = () => this.clock.now();
    const L = this.ledger;
    const spot = spotRoutes(now, this.spotOrders);
    return {
      'POST /api/v3/order': (_, p) => spot['POST /api/v3/order'](p),
      'POST /sapi/v1/margin/order': (_, p) => spot['POST /sapi/v1/margin/order'](p),
      'GET /fapi/v1/exchangeInfo': () => futuresExchangeInfo(now()),
      'GET /api/v3/exchangeInfo': () => spotExchangeInfo(now()),
      'GET /api/v3/account': () => spotAccount(now()),
      'GET /fapi/v1/ticker/24hr': (_, p) =>
        p.symbol === undefined
          ? Object.keys(BOOK).map((s) => this.ticker(s))
          : this.ticker(p.symbol),
      'GET /fapi/v1/openInterest': (_, p) => ({
        openInterest: '10659.509',
        symbol: p.symbol,
        time: now(),
      }),
      'GET /fapi/v1/klines': (_, p) =>
        this.streams.klineRows(p.symbol ?? '', Number(p.limit ?? 500)),
      'GET /fapi/v1/premiumIndex': (_, p) =>
        p.symbol === undefined
          ? Object.keys(BOOK).map((s) => this.premium(s))
          : this.premium(p.symbol),
      'GET /fapi/v1/fundingRate': (_, p) =>
        this.fundingHistory(p.symbol ?? '', Number(p.limit ?? 100)),
      'GET /fapi/v1/leverageBracket': () => leverageBrackets(),
      'GET /fapi/v3/account': () => accountJson(L, now()),
      'GET /fapi/v3/positionRisk': () => positionRiskJson(L, now()),
      'POST /fapi/v1/order': (_, p) => orderJson(L.place(p as unknown as NewOrder)),
      'GET /fapi/v1/order': (_, p) => {
        const order = L.find(p.symbol ?? '', p.orderId, p.origClientOrderId);
        if (order === undefined) throw new BinanceReject(-2013, 'Order does not exist.');
        return orderJson(order);
      },
      'DELETE /fapi/v1/order': (_, p) =>
        orderJson(L.cancel(p.symbol ?? '', p.orderId, p.origClientOrderId)),
      'GET /fapi/v1/openOrders': (_, p) => L.open(p.symbol).map(orderJson),
      'GET /fapi/v1/depth': (_, p) =>
        this.streams.depth.snapshot(p.symbol ?? '', Number(p.limit ?? 500)),
      // Oldest first from startTime, as Binance pages with startTime/endTime/limit
      'GET /fapi/v1/userTrades': (_, p) =>
        L.trades
          .filter((t) => p.symbol === undefined || t.symbol === p.symbol)
          .filter((t) => p.orderId === undefined || String(t.orderId) === p.orderId)
          .filter((t) => p.startTime === undefined || t.time >= Number(p.startTime))
          .filter((t) => p.endTime === undefined || t.time <= Number(p.endTime))
          .slice(0, Number(p.limit ?? 500))
          .map(tradeJson),
      'POST /fapi/v1/batchOrders': (_, p) =>
        (JSON.parse(p.batchOrders ?? '[]') as NewOrder[]).map((item) =>
          this.attempt(() => orderJson(L.place(item))),
        ),
      'DELETE /fapi/v1/batchOrders': (_, p) =>
        (JSON.parse(p.orderidlist ?? '[]') as (string | number)[]).map((id) =>
          this.attempt(() => orderJson(L.cancel(p.symbol ?? '', String(id)))),
        ),
      'DELETE /fapi/v1/allOpenOrders': (_, p) => {
        for (const o of L.open(p.symbol)) L.cancel(o.symbol, String(o.orderId));
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
      'POST /fapi/v1/listenKey': () => {
        const key = `emuListenKey${this.listenKeys.size + 1}`;
        this.listenKeys.set(key, 0);
        return { listenKey: key };
      },
      'PUT /fapi/v1/listenKey': () => {
        for (const [key, n] of this.listenKeys) this.listenKeys.set(key, n + 1);
        return {};
      },
    };
  }

  private handle(r: RecordedRequest): Reply | undefined {
    const route = this.routes[`${r.method} ${r.path}`];
    if (route === undefined) return undefined;
    const params = { ...r.query, ...(r.body as Record<string, string>) };
    const signed = params.signature !== undefined || r.path.endsWith('/listenKey');
    if (signed) {
      if (r.headers['x-mbx-apikey'] !== EMULATOR_KEY) {
        return {
          status: 401,
          body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
        };
      }
      if (this.rateLimited) {
        return {
          status: 429,
          body: {
            code: -1003,
            msg: 'Too many requests; current limit is 2400 requests per minute.',
          },
        };
      }
      if (params.signature !== undefined && !this.validSignature(r)) {
        return {
          status: 400,
          body: { code: -1022, msg: 'Signature for this request is not valid.' },
        };
      }
    }
    try {
      return ok(route(r, params));
    } catch (e) {
      if (e instanceof BinanceReject)
        return { status: e.status, body: { code: e.code, msg: e.msg } };
      throw e;
    }
  }

  /** HMAC-SHA256 over the exact query (GET/DELETE) or form body (POST/PUT) before `signature`. */
  private validSignature(r: RecordedRequest): boolean {
    const raw = r.method === 'GET' || r.method === 'DELETE' ? r.rawQuery : r.rawBody;
    const cut = raw.lastIndexOf('&signature=');
    const payload = cut < 0 ? raw : raw.slice(0, cut);
    const expected = createHmac('sha256', EMULATOR_SECRET).update(payload).digest('hex');
    return raw.slice(cut + '&signature='.length) === expected;
  }

  private attempt(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (e) {
      if (e instanceof BinanceReject) return { code: e.code, msg: e.msg };
      throw e;
    }
  }

  private ticker(symbol: string) {
    const mid = this.ledger.mark(symbol).toFixed();
    const now = this.clock.now();
    return {
      symbol,
      priceChange: '1200.0',
      priceChangePercent: '1.215',
      weightedAvgPrice: mid,
      lastPrice: mid,
      lastQty: '0.010',
      openPrice: mid,
      highPrice: mid,
      lowPrice: mid,
      volume: '183296.512',
      quoteVolume: '18329651200.00',
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 1,
      lastId: 1000,
      count: 1000,
    };
  }

  private premium(symbol: string) {
    return {
      symbol,
      markPrice: this.ledger.mark(symbol).toFixed(),
      indexPrice: this.ledger.mark(symbol).toFixed(),
      estimatedSettlePrice: this.ledger.mark(symbol).toFixed(),
      lastFundingRate: '0.00010000',
      interestRate: '0.00010000',
      nextFundingTime: this.streams.nextFundingTime(),
      time: this.clock.now(),
    };
  }

  private fundingHistory(symbol: string, limit: number) {
    const last = this.streams.nextFundingTime() - 28_800_000;
    return Array.from({ length: limit }, (_, i) => ({
      symbol,
      fundingTime: last - (limit - 1 - i) * 28_800_000,
      fundingRate: (0.0001 + i * 0.00001).toFixed(8),
      markPrice: this.ledger.mark(symbol).toFixed(),
    }));
  }
}
