/**
 * @module test/actors/arbitrage/leg-orders
 * The adapters between the position machine and the venue port: a leg command becomes the exact
 * venue request (market, client id, reduce-only on perps, margin on a spot short), and every
 * order status becomes the machine event with cumulative executed quantity and base-asset fees;
 * transient failures are never reported as refusals (the order may exist).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  legOrderRefusal,
  legOrderReport,
  legOrderRequest,
} from '../../../actors/arbitrage/leg-orders.js';
import { dec, ZERO } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Order, OrderStatus, Trade } from '../../../core/exchange.types.js';
import type { ClientOrderId } from '../../../core/types.js';
import type { PlaceLegOrderCommand } from '../../../machines/arbitrage-position.machine.js';

const ID = 'osaLOX3Zao0hjb1c1' as ClientOrderId;
const COMMAND: PlaceLegOrderCommand = {
  type: 'command.placeOrder',
  pairId: 'btc-basis',
  leg: 'a',
  venue: 'sim-spot',
  market: 'spot',
  symbol: 'BTCUSDT',
  clientOrderId: ID,
  purpose: 'open',
  side: 'SELL',
  quantity: '0.25',
  orderType: 'MARKET',
  reduceOnly: false,
  useMargin: true,
};

const trade = (quantity: string, fee: string, feeAsset: string): Trade => ({
  tradeId: '1',
  orderId: '9',
  symbol: 'BTCUSDT',
  side: 'BUY',
  price: dec('100000'),
  quantity: dec(quantity),
  fee: dec(fee),
  feeAsset,
  isMaker: false,
  realizedPnl: ZERO,
  timeMs: 0,
});

const order = (status: OrderStatus, executed: string, trades: Trade[] = []): Order => ({
  orderId: '9',
  clientOrderId: ID,
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  timeInForce: 'GTC',
  price: ZERO,
  quantity: dec('0.25'),
  executedQty: dec(executed),
  avgPrice: ZERO,
  status,
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 0,
  updateTimeMs: 0,
  trades,
});

describe('legOrderRequest', () => {
  it('places a market order with our client id, margin for a spot short', () => {
    assert.deepEqual(legOrderRequest(COMMAND), {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: dec('0.25'),
      clientOrderId: ID,
      useMargin: true,
    });
  });

  it('sets reduce-only on a perp order that lowers the leg', () => {
    const request = legOrderRequest({
      ...COMMAND,
      venue: 'sim',
      market: 'perp',
      purpose: 'close',
      reduceOnly: true,
      useMargin: false,
    });
    assert.deepEqual([request.reduceOnly, request.useMargin], [true, undefined]);
  });
});

describe('legOrderReport', () => {
  it('maps every status to the event the machine takes, with cumulative figures', () => {
    const cases: [Order, unknown][] = [
      [order('NEW', '0'), { type: 'order.accepted', clientOrderId: ID }],
      [
        order('PARTIALLY_FILLED', '0.1'),
        { type: 'order.partiallyFilled', clientOrderId: ID, filledQuantity: '0.1', feeBase: '0' },
      ],
      [
        order('FILLED', '0.25'),
        { type: 'order.filled', clientOrderId: ID, filledQuantity: '0.25', feeBase: '0' },
      ],
      [
        order('EXPIRED', '0.15'),
        { type: 'order.expired', clientOrderId: ID, filledQuantity: '0.15', feeBase: '0' },
      ],
      [
        order('CANCELED', '0'),
        { type: 'order.canceled', clientOrderId: ID, filledQuantity: '0', feeBase: '0' },
      ],
      [
        order('REJECTED', '0'),
        { type: 'order.rejected', clientOrderId: ID, reason: 'ORDER_REJECTED' },
      ],
    ];
    for (const [o, event] of cases) assert.deepEqual(legOrderReport(o, 'BTC'), event, o.status);
  });

  it('sums the fees charged in the base asset only', () => {
    const filled = order('FILLED', '0.25', [
      trade('0.1', '0.0001', 'BTC'),
      trade('0.15', '0.00015', 'BTC'),
      trade('0', '3', 'USDT'),
    ]);
    assert.deepEqual(legOrderReport(filled, 'BTC'), {
      type: 'order.filled',
      clientOrderId: ID,
      filledQuantity: '0.25',
      feeBase: '0.00025',
    });
  });
});

describe('legOrderRefusal', () => {
  it('reports a business refusal with its reason and nothing for a transient failure', () => {
    assert.deepEqual(legOrderRefusal(ID, new ExchangeError('INSUFFICIENT_FUNDS', 'no')), {
      type: 'order.rejected',
      clientOrderId: ID,
      reason: 'INSUFFICIENT_FUNDS',
    });
    for (const reason of ['TIMEOUT', 'NETWORK', 'RATE_LIMITED', 'EXCHANGE_UNAVAILABLE'] as const) {
      assert.equal(legOrderRefusal(ID, new ExchangeError(reason, 'retry')), null, reason);
    }
    assert.equal(legOrderRefusal(ID, new ExchangeError('DUPLICATE_ORDER', 'have it')), null);
  });
});
