import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorReason } from '../../../../core/errors.js';
import type { PlaceOrderRequest, Side } from '../../../../core/exchange.types.js';
import { d, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

interface BadRequest {
  readonly name: string;
  readonly request: PlaceOrderRequest;
  readonly reason: ErrorReason;
  readonly field: string;
  readonly message: RegExp;
}

const BAD_REQUESTS: readonly BadRequest[] = [
  {
    name: 'empty symbol',
    request: { ...limit('BUY', '0.01', '90000'), symbol: '' },
    reason: 'INVALID_ARGUMENT',
    field: 'symbol',
    message: /required/,
  },
  {
    name: 'unknown symbol',
    request: { ...limit('BUY', '0.01', '90000'), symbol: 'XRPUSDT' },
    reason: 'UNKNOWN_SYMBOL',
    field: 'symbol',
    message: /XRPUSDT.*valid symbols: BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT/,
  },
  {
    name: 'zero quantity',
    request: limit('BUY', '0', '90000'),
    reason: 'INVALID_ARGUMENT',
    field: 'quantity',
    message: /positive/,
  },
  {
    name: 'negative quantity',
    request: limit('BUY', '-0.01', '90000'),
    reason: 'INVALID_ARGUMENT',
    field: 'quantity',
    message: /positive/,
  },
  {
    name: 'quantity off the step size',
    request: limit('BUY', '0.0105', '90000'),
    reason: 'INVALID_ARGUMENT',
    field: 'quantity',
    message: /step size 0\.001/,
  },
  {
    name: 'price off the tick size',
    request: limit('BUY', '0.01', '90000.05'),
    reason: 'INVALID_ARGUMENT',
    field: 'price',
    message: /tick size 0\.1/,
  },
  {
    name: 'notional below the minimum',
    request: limit('BUY', '0.001', '1000'),
    reason: 'INVALID_ARGUMENT',
    field: 'quantity',
    message: /notional 1 is below the minimum 5/,
  },
  {
    name: 'unspecified side',
    request: { ...limit('BUY', '0.01', '90000'), side: '' as Side },
    reason: 'INVALID_ARGUMENT',
    field: 'side',
    message: /BUY or SELL/,
  },
  {
    name: 'unspecified type',
    request: { ...limit('BUY', '0.01', '90000'), type: '' as 'LIMIT' },
    reason: 'INVALID_ARGUMENT',
    field: 'type',
    message: /LIMIT or MARKET/,
  },
  {
    name: 'limit order without price',
    request: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: d('0.01') },
    reason: 'INVALID_ARGUMENT',
    field: 'price',
    message: /required/,
  },
  {
    name: 'unsafe client order id',
    request: limit('BUY', '0.01', '90000', { clientOrderId: 'has space' }),
    reason: 'INVALID_ARGUMENT',
    field: 'client_order_id',
    message: /A-Z/,
  },
];

describe('placeOrder validation', () => {
  for (const bad of BAD_REQUESTS) {
    it(`rejects ${bad.name} naming the field`, async () => {
      const { futures } = quietVenue();
      const e = await rejectsWith(futures.placeOrder(bad.request), bad.reason, bad.field);
      assert.match(e.message, bad.message);
      assert.deepEqual(await futures.getOpenOrders(''), []);
    });
  }

  it('applies the spot filters on the spot market (min notional 10)', async () => {
    const { spot } = quietVenue();
    const e = await rejectsWith(
      spot.placeOrder(limit('BUY', '0.00009', '100000')),
      'INVALID_ARGUMENT',
      'quantity',
    );
    assert.match(e.message, /minimum 10/);
  });
});

describe('placeOrder client order ids', () => {
  it('rejects a client order id seen before, open or closed', async () => {
    const { futures } = quietVenue();
    const first = await futures.placeOrder(
      limit('BUY', '0.01', '90000', { clientOrderId: 'dup-1' }),
    );
    await rejectsWith(
      futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'dup-1' })),
      'DUPLICATE_ORDER',
      'client_order_id',
    );
    await futures.cancelOrder('BTCUSDT', first.orderId);
    await rejectsWith(
      futures.placeOrder(limit('BUY', '0.02', '91000', { clientOrderId: 'dup-1' })),
      'DUPLICATE_ORDER',
      'client_order_id',
    );
  });

  it('generates a client order id when none is given and numbers orders increasingly', async () => {
    const { futures } = quietVenue();
    const a = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    const b = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: '' }));
    assert.equal(a.clientOrderId, `sim-${a.orderId}`);
    assert.equal(b.clientOrderId, `sim-${b.orderId}`);
    assert.match(a.orderId, /^\d+$/);
    assert.ok(Number(b.orderId) > Number(a.orderId));
    const byClientId = await futures.getOrder({
      symbol: 'BTCUSDT',
      clientOrderId: b.clientOrderId,
    });
    assert.equal(byClientId.orderId, b.orderId);
  });

  it('never hands out a generated id a caller already used', async () => {
    const { futures } = quietVenue();
    const probe = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    const next = String(Number(probe.orderId) + 1);
    await futures.placeOrder(
      limit('BUY', '0.01', '90000', { clientOrderId: `sim-${Number(next) + 1}` }),
    );
    const generated = await futures.placeOrder(limit('BUY', '0.01', '90000'));
    assert.equal(generated.orderId, String(Number(next) + 1));
    assert.equal(generated.clientOrderId, `sim-${generated.orderId}-1`);
  });
});

describe('placeOrder limits', () => {
  it('rejects resting orders beyond maxOpenOrdersPerSymbol', async () => {
    const { futures } = quietVenue({ maxOpenOrdersPerSymbol: 2 });
    await futures.placeOrder(limit('BUY', '0.01', '90000'));
    await futures.placeOrder(limit('BUY', '0.01', '90000'));
    const e = await rejectsWith(
      futures.placeOrder(limit('BUY', '0.01', '90000')),
      'ORDER_REJECTED',
    );
    assert.match(e.message, /maxOpenOrdersPerSymbol/);
    await futures.placeOrder({ ...limit('BUY', '0.01', '3000'), symbol: 'ETHUSDT' });
    const filled = await futures.placeOrder(market('BUY', '0.01'));
    assert.equal(filled.status, 'FILLED', 'market orders never rest, so they are not limited');
  });
});
