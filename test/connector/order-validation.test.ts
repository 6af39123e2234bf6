import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExchangeError } from '../../core/errors.js';
import { validateOrderForMarket, validateOrderShape } from '../../connector/order-validation.js';
import type { PlaceOrderRequest, SymbolInfo } from '../../core/exchange.types.js';
import { dec } from '../../core/decimal.js';

const btc: SymbolInfo = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  pricePrecision: 1,
  quantityPrecision: 3,
  tickSize: dec('0.1'),
  stepSize: dec('0.001'),
  minQuantity: dec('0.001'),
  minNotional: dec('5'),
};

const good: PlaceOrderRequest = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.002'),
  price: dec('95000.1'),
};

function fieldOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.equal((e as ExchangeError).reason, 'INVALID_ARGUMENT');
    return (e as ExchangeError).field;
  }
  return undefined;
}

describe('validateOrderShape', () => {
  it('accepts a well-formed limit order', () => {
    assert.equal(
      fieldOf(() => validateOrderShape(good)),
      undefined,
    );
  });

  const bad: [string, PlaceOrderRequest, string][] = [
    ['an empty symbol', { ...good, symbol: '' }, 'symbol'],
    ['an unspecified side', { ...good, side: 'HOLD' as never }, 'side'],
    ['an unspecified type', { ...good, type: 'STOP' as never }, 'type'],
    ['a zero quantity', { ...good, quantity: dec(0) }, 'quantity'],
    ['a negative quantity', { ...good, quantity: dec('-1') }, 'quantity'],
    ['a limit order without price', { ...good, price: undefined }, 'price'],
    ['a negative price', { ...good, price: dec('-5') }, 'price'],
    ['a post-only market order', { ...good, type: 'MARKET', postOnly: true }, 'post_only'],
    ['a client id with spaces', { ...good, clientOrderId: 'my order' }, 'client_order_id'],
  ];
  for (const [name, request, field] of bad) {
    it(`rejects ${name} naming ${field}`, () => {
      assert.equal(
        fieldOf(() => validateOrderShape(request)),
        field,
      );
    });
  }
});

describe('validateOrderForMarket', () => {
  const price = dec('95000');

  it('rejects a price off the tick size and names the tick', () => {
    assert.throws(
      () => validateOrderForMarket({ ...good, price: dec('95000.05') }, btc, price),
      /price: 95000\.05 is not a multiple of the tick size 0\.1 for BTCUSDT/,
    );
  });

  it('rejects a quantity off the step size', () => {
    assert.equal(
      fieldOf(() => validateOrderForMarket({ ...good, quantity: dec('0.0015') }, btc, price)),
      'quantity',
    );
  });

  it('rejects a notional below the minimum and says how to fix it', () => {
    assert.throws(
      () => validateOrderForMarket({ ...good, price: dec('1000') }, btc, price),
      /notional 2 is below the minimum 5 for BTCUSDT; raise quantity or price/,
    );
  });

  it('uses the reference price for the notional of a market order', () => {
    const market: PlaceOrderRequest = { ...good, type: 'MARKET', price: undefined };
    assert.equal(
      fieldOf(() => validateOrderForMarket(market, btc, dec('1000'))),
      'quantity',
    );
    assert.equal(
      fieldOf(() => validateOrderForMarket(market, btc, price)),
      undefined,
    );
  });

  it('lets a reduce-only order close a position below the minimum notional', () => {
    const close: PlaceOrderRequest = {
      ...good,
      side: 'SELL',
      price: dec('1000'),
      reduceOnly: true,
    };
    assert.equal(
      fieldOf(() => validateOrderForMarket(close, btc, price)),
      undefined,
    );
  });
});
