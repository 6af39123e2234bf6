/**
 * @module actors/engine/mailbox
 * The inbox of one symbol: the only way messages reach its actor, and the reason one actor's
 * pace never loses another's updates. Venue order updates go through a bounded FIFO whose `put`
 * waits for room (backpressure on the router's lane for that symbol) instead of discarding.
 * Prices are state, not events, so they are conflated into one slot holding the latest.
 * Messages the actor posts to itself (workflow results, reconcile requests) share the FIFO, so
 * they keep their order relative to venue updates, but never wait: their number is bounded by
 * the slots' in-flight orders.
 *
 * The mailbox outlives the actor instances that consume it: a restarted actor takes over the
 * same mailbox with nothing lost in between.
 */

/** A message of the FIFO, and whether it counted against the capacity. */
interface Entry<T> {
  readonly message: T;
  readonly bounded: boolean;
}

/** The latest price of the symbol, conflated. */
export interface PriceTick {
  /** Decimal string in quote units. */
  readonly price: string;
  /** Venue time of the price, epoch ms. */
  readonly timeMs: number;
}

/** What `take` returns: a FIFO message, or the latest price when the FIFO is empty. */
export type Delivery<T> =
  | { readonly kind: 'message'; readonly message: T }
  | { readonly kind: 'price'; readonly tick: PriceTick };

/** A bounded, backpressured inbox with a conflated price slot; one consumer at a time. */
export class Mailbox<T> {
  readonly capacity: number;
  readonly #fifo: Entry<T>[] = [];
  readonly #putters: (() => void)[] = [];
  #bounded = 0;
  #price: PriceTick | null = null;
  #lastPrice: PriceTick | null = null;
  #taker: ((delivery: Delivery<T> | null) => void) | null = null;
  #discarding = false;
  #discarded = 0;

  /**
   * @param capacity - venue updates held before `put` waits; at least 1
   * @throws {RangeError} when capacity is not a positive integer
   */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`mailbox capacity must be a positive integer, was ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Venue updates waiting to be taken, and producers waiting for room. */
  get depth(): { readonly queued: number; readonly waiting: number } {
    return { queued: this.#fifo.length, waiting: this.#putters.length };
  }

  /** True when the consumer is waiting and nothing is pending: it has handled everything. */
  get idle(): boolean {
    return this.#taker !== null && this.#fifo.length === 0 && this.#price === null;
  }

  /** Updates dropped while the symbol was failed (see `discard`). */
  get discarded(): number {
    return this.#discarded;
  }

  /**
   * Queues a venue update, waiting while the mailbox is full.
   * @param message - the update
   * @returns resolves once the update is queued
   */
  async put(message: T): Promise<void> {
    while (!this.#discarding && this.#bounded >= this.capacity) {
      await new Promise<void>((resolve) => this.#putters.push(resolve));
    }
    if (this.#discarding) {
      this.#discarded++;
      return;
    }
    this.#bounded++;
    this.#enqueue({ message, bounded: true });
  }

  /** Queues a message the actor sends itself; never waits. */
  post(message: T): void {
    this.#enqueue({ message, bounded: false });
  }

  /** Replaces the pending price with a newer one. */
  offerPrice(tick: PriceTick): void {
    this.#price = tick;
    this.#lastPrice = tick;
    if (this.#taker && this.#fifo.length === 0) this.#deliver();
  }

  /** The latest price offered, taken or not; survives actor restarts. */
  get lastPrice(): PriceTick | null {
    return this.#lastPrice;
  }

  /**
   * The next message (FIFO first, then the pending price), waiting for one to arrive.
   * @returns the delivery, or null when `interrupt` was called while waiting
   * @throws {Error} when another take is already waiting (one consumer at a time)
   */
  take(): Promise<Delivery<T> | null> {
    if (this.#taker) throw new Error('mailbox already has a waiting consumer');
    return new Promise((resolve) => {
      this.#taker = resolve;
      if (this.#fifo.length > 0 || this.#price) this.#deliver();
    });
  }

  /** Makes a waiting `take` return null, so a stopping actor leaves its loop. */
  interrupt(): void {
    const taker = this.#taker;
    this.#taker = null;
    taker?.(null);
  }

  /**
   * Drops every queued and future venue update (and self-posted message) until `accept` is
   * called. Only for a symbol the supervisor gave up on: the venue keeps the truth, and the
   * symbol reconciles from it when it is started again.
   */
  discard(): void {
    this.#discarding = true;
    this.#discarded += this.#fifo.length;
    this.#fifo.length = 0;
    this.#bounded = 0;
    this.#price = null;
    for (const wake of this.#putters.splice(0)) wake();
  }

  /** Ends `discard`: updates queue again. */
  accept(): void {
    this.#discarding = false;
  }

  #enqueue(entry: Entry<T>): void {
    if (this.#discarding) {
      this.#discarded++;
      return;
    }
    this.#fifo.push(entry);
    if (this.#taker) this.#deliver();
  }

  #deliver(): void {
    const taker = this.#taker;
    if (!taker) return;
    const entry = this.#fifo.shift();
    let delivery: Delivery<T>;
    if (entry) {
      if (entry.bounded) {
        this.#bounded--;
        this.#putters.shift()?.();
      }
      delivery = { kind: 'message', message: entry.message };
    } else if (this.#price) {
      delivery = { kind: 'price', tick: this.#price };
      this.#price = null;
    } else {
      return;
    }
    this.#taker = null;
    taker(delivery);
  }
}
