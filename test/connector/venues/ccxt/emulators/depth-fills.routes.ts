/**
 * @module test/connector/ccxt/emulators/depth-fills.routes
 * Order book and fill-history endpoints of the OKX, Bybit, Bitget and Gate emulators, each in its
 * venue's documented JSON (amounts in contracts where the venue uses them). The book is 30 levels
 * a side around the shared BID/ASK; the fills are `EMULATED_FILLS` (or those a test passes to
 * `serveFills`), served newest first like the real venues and filtered by each venue's own
 * time-range and limit parameters, so paging is exercised for real. Public books are served before the emulator's signature check; fills only
 * after it (hook them into the switch's default).
 */
import { Decimal } from '../../../../../core/decimal.js';
import type { RecordedRequest, Reply } from './loopback-server.js';
import { ASK, BID } from './simple-orders.js';

const LEVELS = 30;
const TICK = new Decimal('0.1');

/** One of our fills as every emulator serves it, in base units. */
export interface EmulatedFill {
  readonly id: string;
  readonly orderId: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  /** Base units (BTC). */
  readonly quantity: string;
  readonly maker: boolean;
  /** Quote fee paid (USDT), positive. */
  readonly fee: string;
  readonly timeMs: number;
}

/** Five fills, one a minute, the last 10 minutes before `EMULATED_FILLS_END`. */
export const EMULATED_FILLS_END = Date.UTC(2026, 5, 1, 12, 0, 0);
export const EMULATED_FILLS: readonly EmulatedFill[] = Array.from({ length: 5 }, (_, i) => ({
  id: String(8_000_001 + i),
  orderId: String(7_000_001 + i),
  side: i % 2 === 0 ? 'buy' : 'sell',
  price: (99_990 + i).toFixed(1),
  quantity: '0.01',
  maker: i % 2 === 0,
  fee: (i % 2 === 0 ? 0.2 : 0.4).toFixed(1),
  timeMs: EMULATED_FILLS_END - 600_000 + i * 60_000,
}));

let served: readonly EmulatedFill[] = EMULATED_FILLS;

/**
 * Serves `fills` instead of `EMULATED_FILLS` (any order) until the returned restore is called.
 * @returns restores the default fills
 */
export function serveFills(fills: readonly EmulatedFill[]): () => void {
  served = [...fills].sort((a, b) => a.timeMs - b.timeMs);
  return () => {
    served = EMULATED_FILLS;
  };
}

/** Levels best first: [price, base quantity], the size growing with the distance. */
function depth(isBid: boolean, levels: number): [string, Decimal][] {
  const top = new Decimal(isBid ? BID : ASK);
  return Array.from({ length: Math.min(levels, LEVELS) }, (_, i) => [
    (isBid ? top.sub(TICK.mul(i)) : top.add(TICK.mul(i))).toFixed(1),
    new Decimal('1.5').add(new Decimal('0.1').mul(i)),
  ]);
}

/** Fills in [from, to] ms, newest first, at most `limit`. */
function fillsIn(from: number, to: number, limit: number): EmulatedFill[] {
  return served
    .filter((f) => f.timeMs >= from && f.timeMs <= to)
    .reverse()
    .slice(0, limit);
}

const num = (value: string | undefined, fallback: number): number =>
  value === undefined || value === '' ? fallback : Number(value);

// -- OKX (BTC-USDT-SWAP, 0.01 BTC per contract) --

export function okxPublic(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v5/market/books') return undefined;
  const sz = num(r.query.sz, 1);
  const side = (isBid: boolean) =>
    depth(isBid, sz).map(([px, q]) => [px, q.div('0.01').toFixed(), '0', '1']);
  return {
    status: 200,
    body: {
      code: '0',
      msg: '',
      data: [{ asks: side(false), bids: side(true), ts: String(Date.now()) }],
    },
  };
}

export function okxFills(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v5/trade/fills-history') return undefined;
  const rows = fillsIn(num(r.query.begin, 0), num(r.query.end, Infinity), num(r.query.limit, 100));
  const data = rows.map((f) => ({
    instType: 'SWAP',
    instId: r.query.instId,
    tradeId: f.id,
    ordId: f.orderId,
    clOrdId: '',
    billId: f.id,
    tag: '',
    fillPx: f.price,
    fillSz: new Decimal(f.quantity).div('0.01').toFixed(),
    side: f.side,
    posSide: 'net',
    execType: f.maker ? 'M' : 'T',
    feeCcy: 'USDT',
    fee: `-${f.fee}`,
    ts: String(f.timeMs),
  }));
  return { status: 200, body: { code: '0', msg: '', data } };
}

// -- Bybit (linear BTCUSDT, base units) --

export function bybitPublic(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/v5/market/orderbook') return undefined;
  const limit = num(r.query.limit, 25);
  const side = (isBid: boolean) => depth(isBid, limit).map(([p, q]) => [p, q.toFixed()]);
  const now = Date.now();
  return {
    status: 200,
    body: {
      retCode: 0,
      retMsg: 'OK',
      result: {
        s: r.query.symbol,
        b: side(true),
        a: side(false),
        ts: now,
        u: 18521288,
        seq: 7961638724,
      },
      retExtInfo: {},
      time: now,
    },
  };
}

export function bybitFills(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/v5/execution/list') return undefined;
  const rows = fillsIn(
    num(r.query.startTime, 0),
    num(r.query.endTime, Infinity),
    num(r.query.limit, 50),
  );
  const list = rows.map((f) => ({
    symbol: r.query.symbol,
    orderId: f.orderId,
    orderLinkId: '',
    side: f.side === 'buy' ? 'Buy' : 'Sell',
    orderPrice: f.price,
    orderQty: f.quantity,
    leavesQty: '0',
    orderType: 'Limit',
    stopOrderType: '',
    execFee: f.fee,
    execId: f.id,
    execPrice: f.price,
    execQty: f.quantity,
    execType: 'Trade',
    execValue: new Decimal(f.price).mul(f.quantity).toFixed(),
    execTime: String(f.timeMs),
    feeCurrency: '',
    isMaker: f.maker,
    feeRate: f.maker ? '0.0002' : '0.00055',
    tradeIv: '',
    markIv: '',
    markPrice: f.price,
    indexPrice: '',
    underlyingPrice: '',
    blockTradeId: '',
    closedSize: '0',
    seq: 4688002127,
  }));
  return {
    status: 200,
    body: {
      retCode: 0,
      retMsg: 'OK',
      result: { category: 'linear', list, nextPageCursor: '' },
      retExtInfo: {},
      time: Date.now(),
    },
  };
}

// -- Bitget (USDT-FUTURES BTCUSDT, base units) --

export function bitgetPublic(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v2/mix/market/merge-depth') return undefined;
  const limit = num(r.query.limit, 100);
  const side = (isBid: boolean) => depth(isBid, limit).map(([p, q]) => [p, q.toFixed()]);
  const now = Date.now();
  return {
    status: 200,
    body: {
      code: '00000',
      msg: 'success',
      requestTime: now,
      data: {
        asks: side(false),
        bids: side(true),
        ts: String(now),
        scale: '0.1',
        precision: 'scale0',
        isMaxPrecision: 'NO',
      },
    },
  };
}

export function bitgetFills(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v2/mix/order/fills') return undefined;
  const rows = fillsIn(
    num(r.query.startTime, 0),
    num(r.query.endTime, Infinity),
    num(r.query.limit, 100),
  );
  const fillList = rows.map((f) => ({
    tradeId: f.id,
    symbol: r.query.symbol,
    orderId: f.orderId,
    price: f.price,
    baseVolume: f.quantity,
    feeDetail: [
      { deduction: 'no', feeCoin: 'USDT', totalDeductionFee: '0', totalFee: `-${f.fee}` },
    ],
    side: f.side,
    quoteVolume: new Decimal(f.price).mul(f.quantity).toFixed(),
    profit: '0',
    enterPointSource: 'api',
    tradeSide: 'open',
    posMode: 'one_way_mode',
    tradeScope: f.maker ? 'maker' : 'taker',
    cTime: String(f.timeMs),
  }));
  return {
    status: 200,
    body: {
      code: '00000',
      msg: 'success',
      requestTime: Date.now(),
      data: { fillList, endId: fillList.at(-1)?.tradeId ?? '' },
    },
  };
}

// -- Gate (USDT futures BTC_USDT, 0.0001 BTC per contract, seconds in time ranges) --

export function gatePublic(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v4/futures/usdt/order_book') return undefined;
  const limit = num(r.query.limit, 10);
  const side = (isBid: boolean) =>
    depth(isBid, limit).map(([p, q]) => ({ p, s: q.div('0.0001').toNumber() }));
  const now = Date.now();
  return {
    status: 200,
    body: { id: 123456, current: now, update: now, asks: side(false), bids: side(true) },
  };
}

export function gateFills(r: RecordedRequest): Reply | undefined {
  if (r.path !== '/api/v4/futures/usdt/my_trades_timerange') return undefined;
  // Gate's range is in whole seconds, both ends inclusive
  const from = num(r.query.from, 0) * 1000;
  const to = num(r.query.to, Infinity) * 1000 + 999;
  const rows = fillsIn(from, to, num(r.query.limit, 100));
  const body = rows.map((f) => {
    const contracts = new Decimal(f.quantity).div('0.0001').toNumber();
    return {
      trade_id: f.id,
      create_time: f.timeMs / 1000,
      contract: r.query.contract,
      order_id: f.orderId,
      size: f.side === 'buy' ? contracts : -contracts,
      close_size: 0,
      price: f.price,
      role: f.maker ? 'maker' : 'taker',
      text: 'api',
      fee: f.fee,
      point_fee: '0',
    };
  });
  return { status: 200, body };
}

/** Bybit's `orderbook.200.<symbol>` snapshot for a subscribed topic; undefined for others. */
export function bybitDepthSnapshot(topic: string): unknown {
  const prefix = 'orderbook.200.';
  if (!topic.startsWith(prefix)) return undefined;
  const side = (isBid: boolean) => depth(isBid, 200).map(([p, q]) => [p, q.toFixed()]);
  const data = { s: topic.slice(prefix.length), b: side(true), a: side(false), u: 1, seq: 2000 };
  return { topic, type: 'snapshot', ts: Date.now(), data, cts: Date.now() };
}
