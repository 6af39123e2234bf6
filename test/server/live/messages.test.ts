import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, Candle, Order, Position, Trade } from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import {
  encodeMessage,
  toAccountData,
  toCandleData,
  toOrderData,
  toPnlData,
  toPositionData,
  toTradeEventData,
  toUnixSeconds,
} from '../../../server/live/messages.js';

const candle: Candle = {
  symbol: 'ETHUSDC',
  open: dec('3120.50'),
  high: dec('3121'),
  low: dec('3119.8'),
  close: dec('3120.9'),
  volume: dec('1e-7'),
  openTimeMs: 1_738_400_040_000,
  isClosed: false,
};

const order: Order = {
  orderId: '8389765',
  clientOrderId: 'g-12-3',
  symbol: 'ETHUSDC',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: dec('3100.00'),
  quantity: dec('0.010'),
  executedQty: dec('0.004'),
  avgPrice: dec('3100'),
  status: 'PARTIALLY_FILLED',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 1_738_400_000_500,
  updateTimeMs: 1_738_400_123_999,
  trades: [],
};

const trade: Trade = {
  tradeId: '77',
  orderId: '8389765',
  symbol: 'ETHUSDC',
  side: 'SELL',
  price: dec('3100.5'),
  quantity: dec('0.004'),
  fee: dec('0.0012402'),
  feeAsset: 'USDC',
  isMaker: true,
  realizedPnl: dec('0'),
  timeMs: 1_738_400_123_456,
};

const position: Position = {
  symbol: 'ETHUSDC',
  size: dec('-0.5'),
  entryPrice: dec('3000'),
  markPrice: dec('3010.25'),
  unrealizedPnl: dec('-5.125'),
  leverage: 10,
  marginType: 'cross',
  isolatedMargin: dec('0'),
  liquidationPrice: dec('5900'),
};

describe('toUnixSeconds', () => {
  it('floors epoch milliseconds to whole seconds', () => {
    assert.equal(toUnixSeconds(1_738_400_123_999), 1_738_400_123);
    assert.equal(toUnixSeconds(0), 0);
  });
});

describe('toCandleData', () => {
  it('gives the open time in seconds and OHLCV as plain decimal strings', () => {
    assert.deepEqual(toCandleData(candle), {
      time: 1_738_400_040,
      open: '3120.5',
      high: '3121',
      low: '3119.8',
      close: '3120.9',
      volume: '0.0000001',
    });
  });
});

describe('toOrderData', () => {
  it('keeps Binance-style upper-case side and status, the limit price and a string id', () => {
    assert.deepEqual(toOrderData(order), {
      id: '8389765',
      clientOrderId: 'g-12-3',
      symbol: 'ETHUSDC',
      side: 'BUY',
      type: 'LIMIT',
      status: 'PARTIALLY_FILLED',
      price: '3100',
      quantity: '0.01',
      executedQty: '0.004',
      avgPrice: '3100',
      time: 1_738_400_123,
    });
  });

  it('falls back to the creation time when the venue reports no update time', () => {
    assert.equal(toOrderData({ ...order, updateTimeMs: 0 }).time, 1_738_400_000);
  });
});

describe('toTradeEventData', () => {
  it('gives a lower-case side, the fill price and quantity, and the fill time in seconds', () => {
    assert.deepEqual(toTradeEventData(trade), {
      id: '77',
      orderId: '8389765',
      side: 'sell',
      price: '3100.5',
      amount: '0.004',
      symbol: 'ETHUSDC',
      time: 1_738_400_123,
    });
    assert.equal(toTradeEventData({ ...trade, side: 'BUY' }).side, 'buy');
  });
});

describe('toAccountData', () => {
  it('maps available, wallet and margin balance to free, balance and marginBalance', () => {
    const account: Account = {
      totalWalletBalance: dec('1200'),
      totalMarginBalance: dec('1210.30'),
      availableBalance: dec('1000.5'),
      positions: [],
      accountLeverage: 10,
      isUnified: false,
      totalMaintenanceMargin: dec('3'),
    };
    assert.deepEqual(toAccountData(account, 'USDC', 'ETHUSDC'), {
      asset: 'USDC',
      free: '1000.5',
      balance: '1200',
      marginBalance: '1210.3',
      symbol: 'ETHUSDC',
    });
  });
});

describe('toPositionData', () => {
  it('gives a signed amount and the realized PnL it is told', () => {
    assert.deepEqual(toPositionData(position, dec('12.50'), 'update'), {
      symbol: 'ETHUSDC',
      amount: '-0.5',
      entryPrice: '3000',
      unrealizedPnL: '-5.125',
      realizedPnL: '12.5',
      currentPrice: '3010.25',
      leverage: 10,
      liquidationPrice: '5900',
      updateType: 'update',
    });
  });
});

describe('toPnlData', () => {
  const summary = {
    size: dec('0'),
    entryPrice: dec('0'),
    realized: dec('12.5'),
    fees: dec('0.75'),
    buys: 3,
    sells: 2,
    sinceMs: 1_738_400_000_000,
  };

  it('values the open position at the given price and nets fees from realized PnL', () => {
    assert.deepEqual(toPnlData('ETHUSDC', summary, position, dec('2990')), {
      symbol: 'ETHUSDC',
      realizedPnL: '12.5',
      fees: '0.75',
      netPnL: '11.75',
      unrealizedPnL: '5',
      currentPrice: '2990',
      buys: 3,
      sells: 2,
      since: 1_738_400_000,
    });
  });

  it('reports zero unrealized PnL when flat', () => {
    assert.equal(toPnlData('ETHUSDC', summary, undefined, dec('2990')).unrealizedPnL, '0');
    const flat = { ...position, size: dec('0') };
    assert.equal(toPnlData('ETHUSDC', summary, flat, dec('2990')).unrealizedPnL, '0');
  });
});

describe('encodeMessage', () => {
  it('writes the {type, data} envelope as JSON text', () => {
    const frame = encodeMessage({ type: 'kline', data: toCandleData(candle) });
    assert.equal(
      frame,
      '{"type":"kline","data":{"time":1738400040,"open":"3120.5","high":"3121","low":"3119.8","close":"3120.9","volume":"0.0000001"}}',
    );
  });
});
