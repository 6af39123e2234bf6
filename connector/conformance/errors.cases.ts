/**
 * @module connector/conformance/errors.cases
 * Error cases: every rejection keeps its reason and names the request field at fault, whichever
 * side of the wire the caller is on.
 */
import { dec } from '../../core/decimal.js';
import { rejectsWith, restingBuy, SYMBOL, type ConformanceCase } from './case.js';

export const errorCases: readonly ConformanceCase[] = [
  {
    name: 'rejects an unknown or empty symbol',
    async run({ exchange }) {
      const request = await restingBuy(exchange);
      await rejectsWith(
        exchange.placeOrder({ ...request, symbol: 'DOGEUSDT' }),
        'UNKNOWN_SYMBOL',
        'symbol',
      );
      await rejectsWith(
        exchange.placeOrder({ ...request, symbol: '' }),
        'INVALID_ARGUMENT',
        'symbol',
      );
      await rejectsWith(exchange.getLatestPrice('DOGEUSDT'), 'UNKNOWN_SYMBOL', 'symbol');
    },
  },
  {
    name: 'rejects a zero or negative quantity, an off-tick price and a tiny notional',
    async run({ exchange }) {
      const request = await restingBuy(exchange);
      await rejectsWith(
        exchange.placeOrder({ ...request, quantity: dec(0) }),
        'INVALID_ARGUMENT',
        'quantity',
      );
      await rejectsWith(
        exchange.placeOrder({ ...request, quantity: dec('-0.001') }),
        'INVALID_ARGUMENT',
        'quantity',
      );
      await rejectsWith(
        exchange.placeOrder({ ...request, price: (request.price ?? dec(0)).add('0.05') }),
        'INVALID_ARGUMENT',
        'price',
      );
      await rejectsWith(
        exchange.placeOrder({ ...request, price: dec('1000') }),
        'INVALID_ARGUMENT',
        'quantity',
      );
    },
  },
  {
    name: 'rejects an order the account cannot fund and a post-only order that would cross',
    async run({ exchange }) {
      const request = await restingBuy(exchange);
      await rejectsWith(
        exchange.placeOrder({ ...request, quantity: request.quantity.mul(100_000) }),
        'INSUFFICIENT_FUNDS',
      );
      const above = (await exchange.getLatestPrice(SYMBOL)).mul('1.1').toDecimalPlaces(1);
      await rejectsWith(
        exchange.placeOrder({ ...request, price: above, postOnly: true }),
        'POST_ONLY_WOULD_CROSS',
        'post_only',
      );
    },
  },
  {
    name: 'reports an order it does not know as not found',
    async run({ exchange }) {
      await rejectsWith(
        exchange.getOrder({ symbol: SYMBOL, orderId: '424242' }),
        'ORDER_NOT_FOUND',
        'order_id',
      );
      await rejectsWith(
        exchange.getOrder({ symbol: SYMBOL, clientOrderId: 'never-placed' }),
        'ORDER_NOT_FOUND',
        'client_order_id',
      );
      await rejectsWith(exchange.cancelOrder(SYMBOL, '424242'), 'ORDER_NOT_FOUND', 'order_id');
    },
  },
];
