/**
 * @module test/connector/ccxt/emulators/binance-spot.routes
 * Spot and cross-margin order placement of the Binance emulator (`POST /api/v3/order`,
 * `POST /sapi/v1/margin/order`): resting LIMIT / LIMIT_MAKER orders on BTCUSDT against the fixed
 * book, answered in the FULL response format; a LIMIT_MAKER that would take is rejected with
 * Binance's -2010 "Order would immediately match and take."
 */
import { BinanceReject, BOOK } from './binance-usdm.ledger.js';

export interface SpotOrder {
  readonly account: 'spot' | 'margin';
  readonly params: Readonly<Record<string, string>>;
  readonly orderId: number;
}

/** Spot order handling over `now`; `orders` records every accepted order. */
export function spotRoutes(now: () => number, orders: SpotOrder[]) {
  const place = (account: SpotOrder['account'], p: Record<string, string>) => {
    const book = BOOK[p.symbol ?? ''];
    if (book === undefined) throw new BinanceReject(-1121, 'Invalid symbol.');
    const crosses =
      p.side === 'BUY' ? Number(p.price) >= Number(book.ask) : Number(p.price) <= Number(book.bid);
    if (p.type === 'LIMIT_MAKER' && crosses) {
      throw new BinanceReject(-2010, 'Order would immediately match and take.');
    }
    const order: SpotOrder = { account, params: p, orderId: 28457 + orders.length };
    orders.push(order);
    const t = now();
    return {
      symbol: p.symbol,
      orderId: order.orderId,
      orderListId: -1,
      clientOrderId: p.newClientOrderId,
      transactTime: t,
      price: p.price,
      origQty: p.quantity,
      executedQty: '0.00000000',
      origQuoteOrderQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: p.timeInForce ?? 'GTC',
      type: p.type,
      side: p.side,
      workingTime: t,
      selfTradePreventionMode: 'EXPIRE_MAKER',
      ...(account === 'margin' ? { isIsolated: false } : {}),
      fills: [],
    };
  };
  return {
    'POST /api/v3/order': (p: Record<string, string>) => place('spot', p),
    'POST /sapi/v1/margin/order': (p: Record<string, string>) => place('margin', p),
  };
}
