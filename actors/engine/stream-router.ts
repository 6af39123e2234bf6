/**
 * @module actors/engine/stream-router
 * Holds the engine's one subscription per venue stream (prices of the traded symbols, every
 * order update, the account) and routes each update by symbol to that symbol's mailbox.
 *
 * Order updates are never dropped: each symbol has its own lane, and the lane awaits the
 * mailbox's `put`, so a slow or restarting symbol holds back only its own updates, in order,
 * while the others keep flowing. Prices are conflated by the mailbox. When a stream had a gap
 * (the client resubscribed, or it ended and we resubscribe), every symbol is told to reconcile,
 * because updates may have been missed meanwhile.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { StreamSink, Subscription } from '../../core/stream.js';
import type { Account, OrderUpdate } from '../../core/exchange.types.js';
import { toPlain, type Decimal } from '../../core/decimal.js';
import type { Mailbox } from './mailbox.js';
import type { SymbolMessage } from './symbol.messages.js';

/** The venue streams the engine consumes. */
export const FEEDS = ['price', 'orders', 'account'] as const;
/** One of {@link FEEDS}. */
export type Feed = (typeof FEEDS)[number];

/** What the router subscribes to and where it delivers. */
export interface StreamRouterOptions {
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly log: Logger;
  /** The mailbox of a traded symbol, or undefined for a symbol we do not trade. */
  readonly mailboxOf: (symbol: string) => Mailbox<SymbolMessage> | undefined;
  /** The symbols whose prices to subscribe to. */
  readonly symbols: () => readonly string[];
  /** Called with every account update (positions, balances). */
  readonly onAccount?: (account: Account) => void;
  /** Called with every price of a traded symbol (the risk layer's feed and price). */
  readonly onPrice?: (symbol: string, price: Decimal) => void;
  /** Called on every order update (the order feed's freshness). */
  readonly onOrderUpdate?: () => void;
  /** First wait before resubscribing a stream that ended, doubled per try; default 500 ms. */
  readonly initialBackoffMs?: number;
  /** Cap of the resubscribe wait; default 30 s. */
  readonly maxBackoffMs?: number;
}

interface Lane {
  readonly queue: OrderUpdate[];
  pumping: boolean;
}

/** One subscription per venue stream, routed by symbol; see the module doc. */
export class StreamRouter {
  readonly #options: StreamRouterOptions;
  readonly #subscriptions = new Map<Feed, Subscription>();
  readonly #timers = new Map<Feed, TimerHandle>();
  readonly #backoffMs = new Map<Feed, number>();
  readonly #lastAt = new Map<Feed, number>();
  readonly #lanes = new Map<string, Lane>();
  #running = false;

  constructor(options: StreamRouterOptions) {
    this.#options = options;
  }

  /** Subscribes to every stream. */
  start(): void {
    this.#running = true;
    for (const feed of FEEDS) this.#subscribe(feed);
  }

  /** Re-subscribes prices for the current symbol set (after a symbol was added or removed). */
  refreshSymbols(): void {
    if (!this.#running) return;
    this.#subscriptions.get('price')?.close();
    this.#subscriptions.delete('price');
    this.#subscribe('price');
  }

  /**
   * Time since each stream's last update.
   * @returns milliseconds per feed; null for a feed that has delivered nothing yet
   */
  feedAges(): Record<Feed, number | null> {
    const now = this.#options.clock.now();
    const age = (feed: Feed) => {
      const at = this.#lastAt.get(feed);
      return at === undefined ? null : now - at;
    };
    return { price: age('price'), orders: age('orders'), account: age('account') };
  }

  /** Order updates routed but not yet in a mailbox, per symbol. */
  backlog(): Record<string, number> {
    return Object.fromEntries(
      [...this.#lanes].map(([symbol, lane]) => [symbol, lane.queue.length]),
    );
  }

  /**
   * Resubscribes at once every stream waiting out its backoff (the connector answers again, so
   * waiting longer only prolongs the gap), restarting its backoff from the beginning.
   */
  retryNow(): void {
    if (!this.#running) return;
    for (const [feed, timer] of [...this.#timers]) {
      this.#options.clock.clear(timer);
      this.#timers.delete(feed);
      this.#backoffMs.delete(feed);
      this.#subscribe(feed);
      this.#gap(feed);
    }
  }

  /** Closes every subscription; updates already in a lane are still delivered. */
  stop(): void {
    this.#running = false;
    for (const subscription of this.#subscriptions.values()) subscription.close();
    this.#subscriptions.clear();
    for (const timer of this.#timers.values()) this.#options.clock.clear(timer);
    this.#timers.clear();
  }

  #subscribe(feed: Feed): void {
    const { exchange } = this.#options;
    const sink = <T>(next: (value: T) => void): StreamSink<T> => ({
      next: (value) => {
        this.#lastAt.set(feed, this.#options.clock.now());
        this.#backoffMs.delete(feed);
        next(value);
      },
      error: (e) => this.#ended(feed, e),
      resync: () => this.#gap(feed),
    });
    if (feed === 'orders') {
      this.#subscriptions.set(feed, exchange.subscribeOrders(sink((u) => this.#route(u))));
    } else if (feed === 'account') {
      const onAccount = this.#options.onAccount ?? (() => undefined);
      this.#subscriptions.set(feed, exchange.subscribeAccount(sink(onAccount)));
    } else {
      const symbols = this.#options.symbols();
      // An empty list would mean every symbol of the venue
      if (symbols.length === 0) return;
      const subscription = exchange.subscribePrice(
        symbols,
        sink((p) => {
          this.#options.onPrice?.(p.symbol, p.price);
          this.#options
            .mailboxOf(p.symbol)
            ?.offerPrice({ price: toPlain(p.price), timeMs: p.timeMs });
        }),
      );
      this.#subscriptions.set(feed, subscription);
    }
  }

  #route(update: OrderUpdate): void {
    this.#options.onOrderUpdate?.();
    const symbol = update.order.symbol;
    let lane = this.#lanes.get(symbol);
    if (!lane) {
      lane = { queue: [], pumping: false };
      this.#lanes.set(symbol, lane);
    }
    lane.queue.push(update);
    if (!lane.pumping) void this.#pump(symbol, lane);
  }

  async #pump(symbol: string, lane: Lane): Promise<void> {
    lane.pumping = true;
    try {
      for (let update = lane.queue.shift(); update; update = lane.queue.shift()) {
        const mailbox = this.#options.mailboxOf(symbol);
        if (!mailbox) {
          const ids = {
            symbol,
            orderId: update.order.orderId,
            clientOrderId: update.order.clientOrderId,
          };
          this.#options.log.debug(ids, 'order update of a symbol the engine does not trade');
          continue;
        }
        await mailbox.put({ kind: 'order', update });
      }
    } finally {
      lane.pumping = false;
    }
  }

  #ended(feed: Feed, error: ExchangeError): void {
    this.#subscriptions.delete(feed);
    if (!this.#running) return;
    const { clock, log } = this.#options;
    const waitMs = this.#backoffMs.get(feed) ?? this.#options.initialBackoffMs ?? 500;
    this.#backoffMs.set(feed, Math.min(waitMs * 2, this.#options.maxBackoffMs ?? 30_000));
    log.warn({ feed, reason: error.reason, waitMs }, `${feed} stream ended: resubscribing`);
    this.#timers.set(
      feed,
      clock.after(waitMs, () => {
        this.#timers.delete(feed);
        if (!this.#running) return;
        this.#subscribe(feed);
        this.#gap(feed);
      }),
    );
  }

  /** Updates may have been missed: order state must be rebuilt from the venue. */
  #gap(feed: Feed): void {
    if (feed !== 'orders') return;
    this.#options.log.info('order stream had a gap: reconciling every symbol');
    for (const symbol of this.#options.symbols()) {
      this.#options.mailboxOf(symbol)?.post({ kind: 'reconcile', trigger: 'stream' });
    }
  }
}
