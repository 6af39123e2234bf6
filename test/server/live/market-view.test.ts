import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, Candle, Order, OrderUpdate, Trade } from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import { MarketView, fillsOf, type VenueSnapshot } from '../../../server/live/market-view.js';
import type { LiveMessage } from '../../../server/live/messages.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function candle(minute: number, close: string, symbol = 'BTCUSDT'): Candle {
  return {
    symbol,
    open: dec(close),
    high: dec(close),
    low: dec(close),
    close: dec(close),
    volume: dec('1'),
    openTimeMs: T0 + minute * MINUTE,
    isClosed: false,
  };
}

function order(id: string, patch: Partial<Order> = {}): Order {
  return {
    orderId: id,
    clientOrderId: `c${id}`,
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: dec('100'),
    quantity: dec('0.01'),
    executedQty: dec('0'),
    avgPrice: dec('0'),
    status: 'NEW',
    reduceOnly: false,
    postOnly: false,
    createdAtMs: T0,
    updateTimeMs: T0,
    trades: [],
    ...patch,
  };
}

function trade(id: string, orderId: string, quantity: string, price: string): Trade {
  return {
    tradeId: id,
    orderId,
    symbol: 'BTCUSDT',
    side: 'BUY',
    price: dec(price),
    quantity: dec(quantity),
    fee: dec('0.01'),
    feeAsset: 'USDT',
    isMaker: true,
    realizedPnl: dec('0'),
    timeMs: T0 + 5_000,
  };
}

const account: Account = {
  totalWalletBalance: dec('1000'),
  totalMarginBalance: dec('1000'),
  availableBalance: dec('900'),
  positions: [],
  accountLeverage: 10,
  isUnified: false,
  totalMaintenanceMargin: dec('0'),
};

function snapshot(patch: Partial<VenueSnapshot> = {}): VenueSnapshot {
  return {
    candles: [candle(0, '100'), candle(1, '101'), candle(2, '102')],
    openOrders: [],
    account,
    position: undefined,
    closedOrders: [],
    ...patch,
  };
}

function view(historyLimit = 3): MarketView {
  return new MarketView({ symbol: 'BTCUSDT', quoteAsset: 'USDT', historyLimit, sinceMs: T0 });
}

const types = (messages: readonly LiveMessage[]) => messages.map((m) => m.type);
const parsed = (frames: readonly string[] | undefined) =>
  (frames ?? []).map((f) => JSON.parse(f) as { type: string; data: unknown });

describe('MarketView', () => {
  it('has no snapshot until loaded, then history, orders, account, position and pnl', () => {
    const v = view();
    assert.equal(v.snapshotFrames(), undefined);
    v.load(snapshot({ openOrders: [order('1')] }), []);

    const frames = parsed(v.snapshotFrames());
    assert.deepEqual(
      frames.map((f) => f.type),
      ['history', 'orders', 'account', 'position', 'pnl'],
    );
    assert.deepEqual(
      (frames[0]?.data as { time: number }[]).map((c) => c.time),
      [0, 1, 2].map((m) => (T0 + m * MINUTE) / 1000),
    );
    assert.deepEqual(
      (frames[1]?.data as { id: string }[]).map((o) => o.id),
      ['1'],
    );
    assert.equal((frames[3]?.data as { amount: string }).amount, '0');
  });

  it('serializes the snapshot once per change', () => {
    const v = view();
    v.load(snapshot(), []);
    const first = v.snapshotFrames();
    assert.equal(v.snapshotFrames(), first);

    v.apply({ kind: 'kline', value: candle(2, '103') });
    assert.notEqual(v.snapshotFrames(), first);
  });

  it('replaces the current candle, appends a newer one, and drops an older one', () => {
    const v = view();
    v.load(snapshot(), []);

    assert.deepEqual(types(v.apply({ kind: 'kline', value: candle(2, '105') })), ['kline']);
    assert.deepEqual(types(v.apply({ kind: 'kline', value: candle(3, '106') })), ['kline']);
    assert.deepEqual(v.apply({ kind: 'kline', value: candle(1, '99') }), []);
    assert.deepEqual(v.apply({ kind: 'kline', value: candle(4, '1', 'ETHUSDT') }), []);

    const history = parsed(v.snapshotFrames())[0]?.data as { time: number; close: string }[];
    assert.deepEqual(
      history.map((c) => [c.time, c.close]),
      [
        [(T0 + MINUTE) / 1000, '101'],
        [(T0 + 2 * MINUTE) / 1000, '105'],
        [(T0 + 3 * MINUTE) / 1000, '106'],
      ],
    );
  });

  it('opens and closes orders and emits a trade event and PnL per fill', () => {
    const v = view();
    v.load(snapshot(), []);
    const placed = v.apply({ kind: 'order', value: { exchange: 'sim', order: order('7') } });
    const fill = trade('t1', '7', '0.01', '99.5');
    const filled = v.apply({
      kind: 'order',
      value: {
        exchange: 'sim',
        order: order('7', { status: 'FILLED', executedQty: dec('0.01'), avgPrice: dec('99.5') }),
        lastTrade: fill,
      },
    });

    assert.deepEqual(types(placed), ['orders']);
    assert.deepEqual(types(filled), ['orders', 'trade_event', 'pnl']);
    assert.deepEqual(filled[1]?.data, {
      id: 't1',
      orderId: '7',
      side: 'buy',
      price: '99.5',
      amount: '0.01',
      symbol: 'BTCUSDT',
      time: (T0 + 5_000) / 1000,
    });
    assert.deepEqual(parsed(v.snapshotFrames())[1]?.data, []);
  });

  it('ignores orders of other symbols and updates older than what it holds', () => {
    const v = view();
    v.load(
      snapshot({
        openOrders: [order('7', { status: 'PARTIALLY_FILLED', executedQty: dec('0.005') })],
      }),
      [],
    );

    assert.deepEqual(
      v.apply({
        kind: 'order',
        value: { exchange: 'sim', order: order('8', { symbol: 'ETHUSDT' }) },
      }),
      [],
    );
    assert.deepEqual(v.apply({ kind: 'order', value: { exchange: 'sim', order: order('7') } }), []);
  });

  it('takes fills that arrive during the first load as part of the starting position', () => {
    const v = view();
    const during: OrderUpdate = {
      exchange: 'sim',
      order: order('7', { status: 'FILLED', executedQty: dec('0.01') }),
      lastTrade: trade('t1', '7', '0.01', '100'),
    };
    const messages = v.load(snapshot({ position: undefined }), [{ kind: 'order', value: during }]);

    assert.deepEqual(types(messages), ['orders']);
    const pnl = parsed(v.snapshotFrames())[4]?.data as { buys: number };
    assert.equal(pnl.buys, 0);
  });

  it('on a reload reports orders that closed during the gap, with their fills, once', () => {
    const v = view();
    v.load(snapshot({ openOrders: [order('7'), order('8')] }), []);
    const closed = order('7', {
      status: 'FILLED',
      executedQty: dec('0.01'),
      avgPrice: dec('100'),
      trades: [trade('t1', '7', '0.004', '100'), trade('t2', '7', '0.006', '100')],
    });

    const catchUp = v.load(snapshot({ openOrders: [order('8')], closedOrders: [closed] }), []);
    const again = v.load(snapshot({ openOrders: [order('8')], closedOrders: [closed] }), []);

    assert.deepEqual(types(catchUp), ['orders', 'trade_event', 'trade_event', 'pnl']);
    assert.deepEqual(types(again), ['orders']);
    const orders = parsed(v.snapshotFrames())[1]?.data as { id: string }[];
    assert.deepEqual(
      orders.map((o) => o.id),
      ['8'],
    );
  });
});

describe('fillsOf', () => {
  it('derives the fill from cumulative quantities when the venue reports no trade', () => {
    const held = order('7', {
      status: 'PARTIALLY_FILLED',
      executedQty: dec('0.004'),
      avgPrice: dec('100'),
    });
    const now = order('7', { status: 'FILLED', executedQty: dec('0.01'), avgPrice: dec('102.4') });

    const [fill] = fillsOf({ exchange: 'x', order: now }, held);

    assert.equal(fill?.quantity.toFixed(), '0.006');
    assert.equal(fill?.price.toFixed(), '104');
    assert.equal(fill?.tradeId, '7:0.01');
  });

  it('reports nothing when the executed quantity did not grow', () => {
    const held = order('7', { executedQty: dec('0.004'), avgPrice: dec('100') });
    assert.deepEqual(fillsOf({ exchange: 'x', order: held }, held), []);
  });
});
