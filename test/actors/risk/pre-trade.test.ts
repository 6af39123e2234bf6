/**
 * Pre-trade checks over the in-memory exposure book: each limit denies with its reason and
 * numbers, closes that reduce risk pass every exposure check, the throttle refills.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dec } from '../../../core/decimal.js';
import { ExposureBook } from '../../../actors/risk/exposure-book.js';
import { OrderRateLimiter } from '../../../actors/risk/order-rate.js';
import {
  preTradeLimitsFromConfig,
  PreTradeChecker,
  reducesRisk,
  type OrderIntent,
  type PreTradeLimits,
} from '../../../actors/risk/pre-trade.js';
import { limitsConfigSchema } from '../../../actors/risk/risk.config.js';

const LIMITS: PreTradeLimits = {
  maxOrderNotional: dec('1000'),
  maxPositionNotional: dec('3000'),
  maxGrossExposure: dec('5000'),
  priceBandPct: dec('5'),
  maxOpenOrdersPerSymbol: 3,
  maxOpenOrdersTotal: 4,
  globalOrdersPerSecond: 100,
  symbolOrdersPerSecond: 50,
};

const buy = (quantity: string, price: string | null = '100', symbol = 'BTCUSDT'): OrderIntent => ({
  symbol,
  side: 'BUY',
  price: price === null ? null : dec(price),
  quantity: dec(quantity),
  role: 'open',
});
const sell = (quantity: string, price = '100', symbol = 'BTCUSDT'): OrderIntent => ({
  ...buy(quantity, price, symbol),
  side: 'SELL',
  role: 'close',
});

function setup(limits: PreTradeLimits = LIMITS) {
  const book = new ExposureBook();
  book.price('BTCUSDT', dec('100'));
  book.price('ETHUSDT', dec('100'));
  return { book, checker: new PreTradeChecker(limits) };
}

describe('PreTradeChecker', () => {
  it('lets a sane opening order go', () => {
    const { book, checker } = setup();
    assert.equal(checker.check(buy('1'), book, 0), null);
  });

  it('refuses nonsense with INVALID_INTENT', () => {
    const { book, checker } = setup();
    assert.equal(checker.check(buy('0'), book, 0)?.reason, 'INVALID_INTENT');
    assert.equal(checker.check(buy('1', '-1'), book, 0)?.reason, 'INVALID_INTENT');
  });

  it('denies a limit price outside the band around the last price', () => {
    const { book, checker } = setup();
    assert.deepEqual(checker.check(buy('1', '94'), book, 0), {
      reason: 'PRICE_BAND',
      detail: 'limit 94 is 6% from last 100 > 5%',
    });
    assert.equal(checker.check(buy('1', '95'), book, 0), null);
  });

  it('lets a resting take-profit far from a crashed market through the band, not a crossing close', () => {
    const { book, checker } = setup();
    book.position('BTCUSDT', dec('2'), dec('100'));
    // Bought at 125, the market fell to 100: the close rests 25 % above it
    assert.equal(checker.check(sell('1', '125'), book, 0), null);
    assert.equal(checker.check(sell('1', '90'), book, 0)?.reason, 'PRICE_BAND');
  });

  it('denies an order above the notional limit', () => {
    const { book, checker } = setup();
    assert.deepEqual(checker.check(buy('10.01'), book, 0), {
      reason: 'MAX_ORDER_NOTIONAL',
      detail: 'order notional 1001 > 1000',
    });
  });

  it('values a market order at the last price, and refuses it with no price', () => {
    const { book, checker } = setup();
    assert.equal(checker.check(buy('11', null), book, 0)?.reason, 'MAX_ORDER_NOTIONAL');
    assert.equal(checker.check(buy('1', null, 'SOLUSDT'), book, 0)?.reason, 'NO_MARKET_PRICE');
  });

  it('counts the position at mark and resting entries toward the symbol limit', () => {
    const { book, checker } = setup();
    book.position('BTCUSDT', dec('15'), dec('100'));
    book.orderResting({
      clientOrderId: 'a',
      symbol: 'BTCUSDT',
      side: 'BUY',
      price: dec('99'),
      quantity: dec('10'),
      reduceOnly: false,
    });
    assert.deepEqual(checker.check(buy('6'), book, 0), {
      reason: 'MAX_POSITION',
      detail: 'BTCUSDT exposure 2490 + 600 > 3000',
    });
    assert.equal(checker.check(buy('5'), book, 0), null);
  });

  it('enforces the global gross exposure across symbols (REQ-RISK-003)', () => {
    const { book, checker } = setup();
    book.position('BTCUSDT', dec('25'), dec('100'));
    book.position('ETHUSDT', dec('-20'), dec('100'));
    assert.deepEqual(checker.check({ ...buy('6'), symbol: 'SOLUSDT' }, book, 0), {
      reason: 'GLOBAL_EXPOSURE',
      detail: 'gross exposure 4500 + 600 > 5000',
    });
  });

  it('never denies a close that reduces risk by an exposure or count limit', () => {
    const { book, checker } = setup();
    book.position('BTCUSDT', dec('50'), dec('100'));
    for (const id of ['a', 'b', 'c']) {
      book.orderResting({
        clientOrderId: id,
        symbol: 'BTCUSDT',
        side: 'SELL',
        price: dec('101'),
        quantity: dec('1'),
        reduceOnly: true,
      });
    }
    assert.equal(checker.check(buy('1'), book, 0)?.reason, 'MAX_POSITION');
    assert.equal(checker.check(sell('20', '101'), book, 0), null, 'a big close goes through');
    assert.equal(
      checker.check(sell('48', '101'), book, 0)?.reason,
      'MAX_ORDER_NOTIONAL',
      'larger than what is left to close: checked as an opening order',
    );
  });

  it('tells a reducing order from one that grows or flips the position', () => {
    const exposure = {
      position: dec('-2'),
      markPrice: dec('100'),
      openingOrdersNotional: dec('0'),
      closingOrdersQuantity: dec('0.5'),
      openOrders: 1,
    };
    assert.equal(reducesRisk(buy('1.5'), exposure), true);
    assert.equal(reducesRisk(buy('1.6'), exposure), false);
    assert.equal(reducesRisk(sell('1'), exposure), false);
    assert.equal(reducesRisk(sell('1'), { ...exposure, position: dec('0') }), false);
  });

  it('caps open orders per symbol and in total', () => {
    const { book, checker } = setup();
    const rest = (id: string, symbol: string) =>
      book.orderResting({
        clientOrderId: id,
        symbol,
        side: 'BUY',
        price: dec('90'),
        quantity: dec('0.1'),
        reduceOnly: false,
      });
    rest('a', 'BTCUSDT');
    rest('b', 'BTCUSDT');
    rest('c', 'BTCUSDT');
    assert.equal(checker.check(buy('1'), book, 0)?.reason, 'MAX_OPEN_ORDERS_SYMBOL');
    rest('d', 'ETHUSDT');
    assert.equal(
      checker.check(buy('1', '100', 'ETHUSDT'), book, 0)?.reason,
      'MAX_OPEN_ORDERS_TOTAL',
    );
    book.orderGone('BTCUSDT', 'a');
    assert.equal(checker.check(buy('1', '100', 'ETHUSDT'), book, 0), null);
  });

  it('obeys the trading state: REDUCING lets closes through, HALTED nothing, FLATTENING its closes', () => {
    const { book, checker } = setup();
    book.position('BTCUSDT', dec('5'), dec('100'));
    book.symbolState('BTCUSDT', 'REDUCING');
    assert.deepEqual(checker.check(buy('1'), book, 0), {
      reason: 'TRADING_REDUCING',
      detail: 'BTCUSDT is REDUCING: no new entries',
    });
    assert.equal(checker.check(sell('1'), book, 0), null);
    book.symbolState('BTCUSDT', 'FLATTENING');
    assert.equal(checker.check(sell('5'), book, 0), null);
    assert.equal(checker.check(buy('1'), book, 0)?.reason, 'TRADING_FLATTENING');
    book.symbolState('BTCUSDT', 'ACTIVE');
    book.globalState('HALTED');
    assert.equal(checker.check(sell('1'), book, 0)?.reason, 'TRADING_HALTED', 'global halt wins');
  });

  it('throttles per symbol and globally, spending tokens only on orders that pass', () => {
    const { book, checker } = setup({
      ...LIMITS,
      symbolOrdersPerSecond: 2,
      globalOrdersPerSecond: 3,
    });
    assert.equal(checker.check(buy('100'), book, 0)?.reason, 'MAX_ORDER_NOTIONAL');
    assert.equal(checker.check(buy('1'), book, 0), null);
    assert.equal(checker.check(buy('1'), book, 0), null);
    assert.deepEqual(checker.check(buy('1'), book, 0), {
      reason: 'ORDER_RATE_SYMBOL',
      detail: 'symbol order rate above 2/s; next token in 500 ms',
    });
    assert.equal(checker.check(buy('1', '100', 'ETHUSDT'), book, 0), null);
    assert.equal(checker.check(buy('1', '100', 'ETHUSDT'), book, 0)?.reason, 'ORDER_RATE_GLOBAL');
    assert.equal(checker.check(buy('1'), book, 500), null, 'refilled after 500 ms');
  });

  it('takes new limits at runtime', () => {
    const { book, checker } = setup();
    checker.setLimits({ ...LIMITS, maxOrderNotional: dec('50') }, 0);
    assert.equal(checker.check(buy('1'), book, 0)?.reason, 'MAX_ORDER_NOTIONAL');
    checker.setLimits({ ...LIMITS, maxOrderNotional: null }, 0);
    assert.equal(checker.check(buy('20'), book, 0), null);
  });

  it('reads its limits from the config, with null switching one off', () => {
    const limits = preTradeLimitsFromConfig(
      limitsConfigSchema.parse({ max_order_notional: null, order_rate: { symbol_per_second: 5 } }),
    );
    assert.equal(limits.maxOrderNotional, null);
    assert.equal(limits.maxGrossExposure?.toFixed(), '200000');
    assert.equal(limits.symbolOrdersPerSecond, 5);
    assert.equal(limits.globalOrdersPerSecond, 100);
  });
});

describe('OrderRateLimiter', () => {
  it('refills continuously up to the burst and reports the wait', () => {
    const limiter = new OrderRateLimiter(1000, 10);
    for (let i = 0; i < 10; i++) assert.equal(limiter.tryTake('X', 0), null);
    assert.deepEqual(limiter.tryTake('X', 0), { scope: 'symbol', waitMs: 100 });
    assert.equal(limiter.tryTake('X', 100), null);
    assert.notEqual(limiter.tryTake('X', 100), null);
    assert.equal(limiter.tryTake('Y', 100), null, 'another symbol has its own bucket');
  });
});

describe('ExposureBook', () => {
  it('keeps totals in step as orders come and go and positions move', () => {
    const book = new ExposureBook();
    book.price('BTCUSDT', dec('100'));
    book.orderResting({
      clientOrderId: 'a',
      symbol: 'BTCUSDT',
      side: 'BUY',
      price: dec('90'),
      quantity: dec('2'),
      reduceOnly: false,
    });
    book.orderResting({
      clientOrderId: 'a',
      symbol: 'BTCUSDT',
      side: 'BUY',
      price: dec('90'),
      quantity: dec('1'),
      reduceOnly: false,
    });
    book.position('BTCUSDT', dec('1'), null);
    assert.equal(book.totals().grossExposure.toFixed(), '190');
    assert.equal(book.totals().openOrders, 1);
    book.orderGone('BTCUSDT', 'a');
    book.orderGone('BTCUSDT', 'a');
    assert.equal(book.totals().grossExposure.toFixed(), '100');
    assert.equal(book.totals().openOrders, 0);
    book.remove('BTCUSDT');
    assert.equal(book.totals().grossExposure.toFixed(), '0');
    assert.equal(book.lastPrice('BTCUSDT'), null);
  });
});
