/**
 * @module server/live/depth-feed
 * One symbol's order book for the dashboard: one SubscribeOrderBook stream per symbol shared by
 * every page, throttled to a few updates a second (a page cannot read faster, and the connector
 * may send every change), the latest kept for pages that connect later. A stream that ends is
 * resubscribed with doubling backoff, logged at warn and counted; a connector without order
 * books (UNIMPLEMENTED: the original contract) is told once and left alone.
 */
import type { Logger } from 'pino';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { OrderBook } from '../../core/exchange.types.js';
import type { Subscription } from '../../core/stream.js';
import { toDepthData, type DepthData } from './book-messages.js';

export interface DepthFeedOptions {
  readonly symbol: string;
  /** Levels per side shown. */
  readonly levels: number;
  /** Least time between two broadcasts, in ms. */
  readonly minIntervalMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A new depth to broadcast (throttled). */
  readonly onDepth: (depth: DepthData) => void;
  readonly logger: Logger;
}

export class DepthFeed {
  private exchange: Exchange | undefined;
  private subscription: Subscription | undefined;
  private latestDepth: DepthData | undefined;
  private lastSentMs = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private resubscribed = 0;
  private closed = false;

  private readonly options: DepthFeedOptions;
  constructor(options: DepthFeedOptions) {
    this.options = options;
  }

  /** The newest depth, for a page that connects now. */
  latest(): DepthData | undefined {
    return this.latestDepth;
  }

  /** Resubscriptions after a stream ended, since start. */
  get resubscriptions(): number {
    return this.resubscribed;
  }

  /** Starts streaming from `exchange`; later calls are ignored. */
  start(exchange: Exchange): void {
    if (this.exchange !== undefined || this.closed) return;
    this.exchange = exchange;
    this.subscribe();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.sendTimer);
    clearTimeout(this.retryTimer);
    this.subscription?.close();
  }

  private subscribe(): void {
    const exchange = this.exchange;
    if (exchange === undefined || this.closed) return;
    let ended = false;
    this.subscription = exchange.subscribeOrderBook(this.options.symbol, this.options.levels, {
      next: (book) => {
        if (ended || this.closed) return;
        this.failures = 0;
        this.received(book);
      },
      error: (e) => {
        if (ended || this.closed) return;
        ended = true;
        this.retry(e);
      },
    });
  }

  private received(book: OrderBook): void {
    this.latestDepth = toDepthData(book);
    if (this.sendTimer !== undefined) return;
    const wait = this.lastSentMs + this.options.minIntervalMs - Date.now();
    if (wait <= 0) return this.send();
    this.sendTimer = setTimeout(() => this.send(), wait);
    this.sendTimer.unref();
  }

  private send(): void {
    this.sendTimer = undefined;
    if (this.closed || this.latestDepth === undefined) return;
    this.lastSentMs = Date.now();
    this.options.onDepth(this.latestDepth);
  }

  private retry(e: Error): void {
    if (e instanceof ExchangeError && e.reason === 'UNIMPLEMENTED') {
      // A connector of the original contract has no order books: say so once, do not poll it
      this.options.logger.warn(
        { symbol: this.options.symbol, err: e.message },
        'the exchange connector serves no order books; the page shows none',
      );
      return;
    }
    this.failures++;
    this.resubscribed++;
    const delayMs = Math.min(
      this.options.maxBackoffMs,
      this.options.initialBackoffMs * 2 ** (this.failures - 1),
    );
    this.options.logger.warn(
      { symbol: this.options.symbol, attempt: this.failures, delayMs, err: e.message },
      'order book stream ended; resubscribing',
    );
    this.retryTimer = setTimeout(() => this.subscribe(), delayMs);
    this.retryTimer.unref();
  }
}
