/**
 * @module test/connector/ccxt/emulators/simple-orders
 * The order store shared by the Bitget, Gate, OKX and Bybit emulators: resting limit orders on
 * one instrument with a fixed book (bid 99999.9 / ask 100000.1), a quote balance that bounds the
 * notional, unique client ids, post-only orders that would take rejected, and cancels. Each
 * emulator renders these records in its venue's JSON and reports changes to its order stream.
 */
import { Decimal } from '../../../../../core/decimal.js';
import type { LoopbackServer } from './loopback-server.js';

export const BID = '99999.9';
export const ASK = '100000.1';

export interface SimpleOrder {
  readonly id: string;
  readonly clientId: string;
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  /** In the venue's amount unit (contracts on OKX and Gate swaps). */
  readonly size: string;
  readonly postOnly: boolean;
  status: 'open' | 'canceled';
  readonly createdMs: number;
  updatedMs: number;
}

export interface NewSimpleOrder {
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly size: string;
  readonly clientId: string;
  readonly postOnly: boolean;
  /** False on venues that accept a crossing post-only order and cancel it (OKX). */
  readonly rejectCrossing?: boolean;
  /** Base units per `size` unit. */
  readonly contractValue: string;
}

export type Rejection = 'duplicate' | 'insufficient' | 'would-cross';

/** What the venue tests need from each of the four simple emulators. */
export interface VenueEmulator {
  readonly server: LoopbackServer;
  readonly store: SimpleOrderStore;
  /** When true, signed requests get the venue's rate-limit error. */
  rateLimited: boolean;
  start(): Promise<unknown>;
  /** Live WebSocket subscriptions: top-of-book and private order channels. */
  subscriptions(): number;
}

export class SimpleOrderStore {
  readonly orders: SimpleOrder[] = [];
  private nextId: bigint;

  /**
   * @param firstId first venue order id (large, as real venues' ids are)
   * @param balance quote balance bounding the notional of open orders at 10x leverage
   */
  private readonly now: () => number;
  private readonly balance;
  private readonly onChange: (order: SimpleOrder) => void;
  private readonly uniqueClientIds;
  constructor(
    now: () => number,
    firstId: bigint,
    balance = new Decimal(10_000),
    onChange: (order: SimpleOrder) => void = () => undefined,
    /** Gate: a repeated client id is accepted and the newer order wins lookups by it. */
    uniqueClientIds = true,
  ) {
    this.now = now;
    this.balance = balance;
    this.onChange = onChange;
    this.uniqueClientIds = uniqueClientIds;
    this.nextId = firstId;
  }

  place(input: NewSimpleOrder): SimpleOrder | Rejection {
    if (
      this.uniqueClientIds &&
      input.clientId !== '' &&
      this.orders.some((o) => o.clientId === input.clientId)
    ) {
      return 'duplicate';
    }
    const price = new Decimal(input.price);
    if (
      input.postOnly &&
      input.rejectCrossing !== false &&
      (input.side === 'buy' ? price.gte(ASK) : price.lte(BID))
    ) {
      return 'would-cross';
    }
    const notional = price.mul(input.size).mul(input.contractValue);
    if (notional.div(10).gt(this.balance)) return 'insufficient';
    const t = this.now();
    const order: SimpleOrder = {
      id: String(this.nextId++),
      clientId: input.clientId,
      instrument: input.instrument,
      side: input.side,
      price: input.price,
      size: input.size,
      postOnly: input.postOnly,
      status: 'open',
      createdMs: t,
      updatedMs: t,
    };
    this.orders.push(order);
    this.onChange(order);
    return order;
  }

  find(id?: string, clientId?: string): SimpleOrder | undefined {
    return this.orders.findLast((o) =>
      id ? o.id === id : clientId !== undefined && o.clientId === clientId,
    );
  }

  /** Cancels an open order; undefined when there is none by that id. */
  cancel(id?: string, clientId?: string): SimpleOrder | undefined {
    const order = this.find(id, clientId);
    if (order === undefined || order.status !== 'open') return undefined;
    order.status = 'canceled';
    order.updatedMs = this.now();
    this.onChange(order);
    return order;
  }

  open(): SimpleOrder[] {
    return this.orders.filter((o) => o.status === 'open');
  }
}
