/**
 * @module bench/support/engine-venue
 * A minimal in-process venue for the many-symbols row of bench/engine.bench.ts: the simulated
 * venue lists only a handful of markets, so 50 symbols trade here instead. Orders rest until a
 * price the bench offers crosses them, then fill in full; every change is reported to the
 * symbol's mailbox the way the stream router would. Only the calls the symbol actor and the
 * order workflows make are implemented; any other throws.
 */
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type {
  GetOrderQuery,
  Order,
  OrderUpdate,
  PlaceOrderRequest,
  SymbolInfo,
} from '../../core/exchange.types.js';
import { dec, ZERO, type Decimal } from '../../core/decimal.js';

/** The venue name the order workflows reach this venue by. */
export const STUB_VENUE = 'bench-stub';

/** The in-process venue; see the module doc. */
export class StubVenue {
  readonly #orders = new Map<string, Order>();
  readonly #prices = new Map<string, Decimal>();
  readonly #deliver: (update: OrderUpdate) => void;
  #nextId = 1;
  #placed = 0;
  /** The port the engine uses. */
  readonly exchange: Exchange;

  /** @param deliver - receives every order update (route it to the symbol's mailbox) */
  constructor(deliver: (update: OrderUpdate) => void) {
    this.#deliver = deliver;
    const port: Partial<Exchange> = {
      name: STUB_VENUE,
      getSymbolInfo: async (symbol: string): Promise<SymbolInfo> => ({
        symbol,
        baseAsset: symbol.replace(/USDT$/, ''),
        quoteAsset: 'USDT',
        pricePrecision: 2,
        quantityPrecision: 3,
        tickSize: dec('0.01'),
        stepSize: dec('0.001'),
        minQuantity: dec('0.001'),
        minNotional: dec('0'),
      }),
      getLatestPrice: async (symbol: string) => this.#prices.get(symbol) ?? dec('100'),
      getOpenOrders: async (symbol: string) =>
        [...this.#orders.values()].filter(
          (o) => o.symbol === symbol && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'),
        ),
      getPositions: async () => [],
      getOrder: async (query: GetOrderQuery) => this.#find(query),
      placeOrder: async (request: PlaceOrderRequest) => this.#place(request),
      cancelOrder: async (symbol: string, orderId: string) => {
        const order = this.#find({ symbol, orderId });
        this.#update(order, 'CANCELED');
      },
    };
    this.exchange = new Proxy(port as Exchange, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (value === undefined && typeof property === 'string' && property !== 'then') {
          return () => {
            throw new Error(`the bench venue does not implement ${property}`);
          };
        }
        return value;
      },
    });
  }

  /** Orders accepted so far. */
  get placed(): number {
    return this.#placed;
  }

  /** Sets the market of `symbol` and fills every resting order the price crossed. */
  setPrice(symbol: string, price: Decimal): void {
    this.#prices.set(symbol, price);
    for (const order of this.#orders.values()) {
      if (order.symbol !== symbol || order.status !== 'NEW') continue;
      const crossed = order.side === 'BUY' ? price.lte(order.price) : price.gte(order.price);
      if (crossed) this.#update(order, 'FILLED');
    }
  }

  #place(request: PlaceOrderRequest): Order {
    const clientOrderId = request.clientOrderId ?? `stub${this.#nextId}`;
    if (this.#orders.has(clientOrderId)) {
      throw new ExchangeError('DUPLICATE_ORDER', `${clientOrderId} exists`);
    }
    const at = Date.now();
    const order: Order = {
      orderId: String(this.#nextId++),
      clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce ?? 'GTC',
      price: request.price ?? ZERO,
      quantity: request.quantity,
      executedQty: ZERO,
      avgPrice: ZERO,
      status: 'NEW',
      reduceOnly: request.reduceOnly ?? false,
      postOnly: request.postOnly ?? false,
      createdAtMs: at,
      updateTimeMs: at,
      trades: [],
    };
    this.#orders.set(clientOrderId, order);
    this.#placed++;
    this.#deliver({ exchange: STUB_VENUE, order });
    return order;
  }

  #update(order: Order, status: 'FILLED' | 'CANCELED'): void {
    const filled = status === 'FILLED';
    const next: Order = {
      ...order,
      status,
      executedQty: filled ? order.quantity : order.executedQty,
      avgPrice: filled ? order.price : order.avgPrice,
      updateTimeMs: Date.now(),
    };
    this.#orders.set(order.clientOrderId, next);
    this.#deliver({ exchange: STUB_VENUE, order: next });
  }

  #find(query: GetOrderQuery): Order {
    const found = query.clientOrderId
      ? this.#orders.get(query.clientOrderId)
      : [...this.#orders.values()].find((o) => o.orderId === query.orderId);
    if (!found || found.symbol !== query.symbol) {
      throw new ExchangeError('ORDER_NOT_FOUND', `no order ${JSON.stringify(query)}`);
    }
    return found;
  }
}
