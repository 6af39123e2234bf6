/**
 * @module test/connector/ccxt/emulators/binance-usdm.ledger
 * The trading state behind the Binance USD-M emulator: a fixed book (bid 99999.9 / ask
 * 100000.1 on BTCUSDT), orders, one-way positions and a 100 000 USDT wallet at 20x. Orders
 * follow Binance's rules: GTX orders that would take are rejected (-5022), duplicate client ids
 * (-4116), insufficient margin (-2019); market and crossing orders fill at once as taker (0.04 %).
 * Every change is reported to `onEvent` as the venue's user-data event.
 */
import { Decimal } from '../../../../../core/decimal.js';

export const BOOK: Readonly<Record<string, { bid: string; ask: string }>> = {
  BTCUSDT: { bid: '99999.9', ask: '100000.1' },
  ETHUSDT: { bid: '3999.99', ask: '4000.01' },
};
const LEVERAGE = 20;
const TAKER_FEE = new Decimal('0.0004');

export interface EmuOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: 'LIMIT' | 'MARKET';
  timeInForce: string;
  price: string;
  origQty: string;
  executedQty: string;
  avgPrice: string;
  status: 'NEW' | 'FILLED' | 'CANCELED';
  reduceOnly: boolean;
  time: number;
  updateTime: number;
}

export interface EmuTrade {
  id: number;
  orderId: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: string;
  qty: string;
  commission: string;
  time: number;
}

/** A venue rejection: Binance's error code, message and HTTP status. */
export class BinanceReject extends Error {
  readonly code: number;
  readonly msg: string;
  readonly status;
  constructor(code: number, msg: string, status = 400) {
    super(msg);
    this.code = code;
    this.msg = msg;
    this.status = status;
  }
}

export type LedgerEvent =
  | { readonly kind: 'order'; readonly order: EmuOrder; readonly trade?: EmuTrade }
  | { readonly kind: 'account' };

/** The placement fields Binance takes (already parsed from the form body). */
export interface NewOrder {
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string;
  readonly price?: string;
  readonly timeInForce?: string;
  readonly newClientOrderId?: string;
  readonly reduceOnly?: string;
}

export class BinanceUsdmLedger {
  readonly orders: EmuOrder[] = [];
  readonly trades: EmuTrade[] = [];
  /** Signed position size per symbol and its entry price. */
  readonly positions = new Map<string, { amt: Decimal; entry: Decimal }>();
  wallet = new Decimal(100000);
  private nextOrderId = 8886774;
  private nextTradeId = 1;

  private readonly now: () => number;
  private readonly onEvent: (event: LedgerEvent) => void;
  constructor(now: () => number, onEvent: (event: LedgerEvent) => void) {
    this.now = now;
    this.onEvent = onEvent;
  }

  place(input: NewOrder): EmuOrder {
    const book = BOOK[input.symbol];
    if (book === undefined) throw new BinanceReject(-1121, 'Invalid symbol.');
    const clientOrderId = input.newClientOrderId ?? `emu-${this.nextOrderId}`;
    if (this.orders.some((o) => o.clientOrderId === clientOrderId)) {
      throw new BinanceReject(-4116, 'ClientOrderId is duplicated.');
    }
    const side = input.side === 'SELL' ? 'SELL' : 'BUY';
    const qty = new Decimal(input.quantity);
    const takerPrice = new Decimal(side === 'BUY' ? book.ask : book.bid);
    const price = input.type === 'MARKET' ? takerPrice : new Decimal(input.price ?? '0');
    const crosses = side === 'BUY' ? price.gte(takerPrice) : price.lte(takerPrice);
    if (input.timeInForce === 'GTX' && crosses) {
      throw new BinanceReject(
        -5022,
        'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
      );
    }
    if (qty.mul(price).div(LEVERAGE).gt(this.available())) {
      throw new BinanceReject(-2019, 'Margin is insufficient.');
    }
    const t = this.now();
    const order: EmuOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      symbol: input.symbol,
      side,
      type: input.type === 'MARKET' ? 'MARKET' : 'LIMIT',
      timeInForce: input.type === 'MARKET' ? 'GTC' : (input.timeInForce ?? 'GTC'),
      price: input.type === 'MARKET' ? '0' : price.toFixed(),
      origQty: qty.toFixed(),
      executedQty: '0',
      avgPrice: '0',
      status: 'NEW',
      reduceOnly: input.reduceOnly === 'true',
      time: t,
      updateTime: t,
    };
    this.orders.push(order);
    this.onEvent({ kind: 'order', order: { ...order } });
    if (crosses) this.fill(order, takerPrice);
    return order;
  }

  find(symbol: string, orderId?: string, clientOrderId?: string): EmuOrder | undefined {
    return this.orders.find(
      (o) =>
        o.symbol === symbol &&
        (orderId !== undefined ? String(o.orderId) === orderId : o.clientOrderId === clientOrderId),
    );
  }

  cancel(symbol: string, orderId?: string, clientOrderId?: string): EmuOrder {
    const order = this.find(symbol, orderId, clientOrderId);
    if (order === undefined || order.status !== 'NEW') {
      throw new BinanceReject(-2011, 'Unknown order sent.');
    }
    order.status = 'CANCELED';
    order.updateTime = this.now();
    this.onEvent({ kind: 'order', order: { ...order } });
    return order;
  }

  open(symbol?: string): EmuOrder[] {
    return this.orders.filter(
      (o) => o.status === 'NEW' && (symbol === undefined || o.symbol === symbol),
    );
  }

  /** Free margin: wallet + unrealized PnL − margin of positions and open orders. */
  available(): Decimal {
    let used = new Decimal(0);
    for (const o of this.open()) used = used.add(new Decimal(o.origQty).mul(o.price).div(LEVERAGE));
    for (const [symbol, p] of this.positions) {
      used = used.add(p.amt.abs().mul(this.mark(symbol)).div(LEVERAGE));
    }
    return this.wallet.add(this.unrealized()).sub(used);
  }

  mark(symbol: string): Decimal {
    const book = BOOK[symbol] ?? { bid: '0', ask: '0' };
    return new Decimal(book.bid).add(book.ask).div(2);
  }

  unrealizedOf(symbol: string): Decimal {
    const p = this.positions.get(symbol);
    return p === undefined ? new Decimal(0) : this.mark(symbol).sub(p.entry).mul(p.amt);
  }

  unrealized(): Decimal {
    let sum = new Decimal(0);
    for (const symbol of this.positions.keys()) sum = sum.add(this.unrealizedOf(symbol));
    return sum;
  }

  private fill(order: EmuOrder, price: Decimal): void {
    const qty = new Decimal(order.origQty);
    const fee = qty.mul(price).mul(TAKER_FEE);
    this.wallet = this.wallet.sub(fee);
    const signed = order.side === 'BUY' ? qty : qty.neg();
    const current = this.positions.get(order.symbol) ?? {
      amt: new Decimal(0),
      entry: new Decimal(0),
    };
    const amt = current.amt.add(signed);
    const entry = amt.isZero()
      ? new Decimal(0)
      : current.amt.mul(current.entry).add(signed.mul(price)).div(amt);
    this.positions.set(order.symbol, { amt, entry });
    Object.assign(order, {
      executedQty: qty.toFixed(),
      avgPrice: price.toFixed(),
      status: 'FILLED',
      updateTime: this.now(),
    });
    const trade: EmuTrade = {
      id: this.nextTradeId++,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      price: price.toFixed(),
      qty: qty.toFixed(),
      commission: fee.toFixed(),
      time: this.now(),
    };
    this.trades.push(trade);
    this.onEvent({ kind: 'order', order: { ...order }, trade });
    this.onEvent({ kind: 'account' });
  }
}
