/**
 * @module server/live/upstream-feed
 * The live server's only link to the venue: one subscription per stream (klines, orders,
 * account, position of the symbol), shared by every dashboard client, feeding the market view.
 * On start and after every gap it loads a snapshot over the venue port while the streams buffer,
 * then replays what arrived meanwhile. A stream that ends tears all four down and resubscribes
 * with backoff; a stream that resubscribed by itself (`resync`) triggers a snapshot reload only.
 * Either way every client then gets a fresh snapshot.
 *
 * Streams can go quiet without ending (a frozen connector keeps its sockets open), so the
 * connector is also probed with a cheap call on a deadline: a refusal or a missed deadline counts
 * as a failure like a stream ending, so /health and every client hear of the outage within
 * about one probe timeout, and an answer after an outage retries at once.
 */
import type { Logger } from 'pino';
import { WallClock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import { LivenessProbe } from '../../core/liveness.js';
import type { Subscription } from '../../core/stream.js';
import type { Order } from '../../core/exchange.types.js';
import type { MarketView, UpstreamEvent, VenueSnapshot } from './market-view.js';
import type { LiveMessage, StatusData, UpstreamState } from './messages.js';
import { toUnixSeconds } from './messages.js';

/** The feed's venue, symbol, retry policy and where its output goes. */
export interface UpstreamFeedOptions {
  /** Yields the venue port; retried with backoff until it resolves. */
  readonly connect: () => Promise<Exchange>;
  readonly symbol: string;
  readonly interval: string;
  readonly intervalSeconds: number;
  /** Candles fetched for a snapshot. */
  readonly historyLimit: number;
  /** Builds the view once the symbol's quote asset is known. */
  readonly createView: (quoteAsset: string) => MarketView;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Live updates to broadcast. */
  readonly onMessages: (messages: readonly LiveMessage[]) => void;
  /** The view was (re)loaded: every client needs a fresh snapshot (which carries the status). */
  readonly onSnapshot: () => void;
  readonly logger: Logger;
  /** Between liveness probes of the connector, ms; default 1000. */
  readonly probeIntervalMs?: number;
  /** A probe unanswered this long counts as an outage, ms; default 2000. */
  readonly probeTimeoutMs?: number;
}

/** Feeds one market view from a venue; `start()` it, `close()` it. */
export class UpstreamFeed {
  private exchange: Exchange | undefined;
  private view: MarketView | undefined;
  private subscriptions: Subscription[] = [];
  /** Bumped on every resubscription so callbacks of torn-down streams are ignored. */
  private generation = 0;
  private pending: UpstreamEvent[] | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private state: UpstreamState = 'connecting';
  private problem = 'connecting to the exchange connector';
  private probe: LivenessProbe | undefined;
  private outageCount = 0;

  private readonly options: UpstreamFeedOptions;
  constructor(options: UpstreamFeedOptions) {
    this.options = options;
  }

  /** The view being fed; undefined until the venue was reached. */
  get marketView(): MarketView | undefined {
    return this.view;
  }

  status(): StatusData {
    return {
      upstream: this.state,
      exchange: this.exchange?.name ?? '',
      symbol: this.options.symbol,
      interval: this.options.interval,
      intervalSeconds: this.options.intervalSeconds,
      message: this.state === 'live' ? '' : this.problem,
      time: toUnixSeconds(Date.now()),
    };
  }

  /** Times the upstream went from live to failing since start. */
  get outages(): number {
    return this.outageCount;
  }

  /** Connects, subscribes and loads the first snapshot, retrying until it works. */
  start(): void {
    void this.attempt();
  }

  /** Ends every subscription and stops retrying. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.probe?.stop();
    this.unsubscribe();
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.exchange === undefined) {
        this.exchange = await this.options.connect();
        this.watch(this.exchange);
      }
      if (this.view === undefined) {
        const info = await this.exchange.getSymbolInfo(this.options.symbol);
        this.view = this.options.createView(info.quoteAsset);
      }
      this.subscribe(this.exchange);
      await this.requestReload();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Probes the connector from now on; an outage fails the feed, an answer retries at once. */
  private watch(exchange: Exchange): void {
    const probe = new LivenessProbe({
      probe: () => exchange.getType(),
      clock: new WallClock(),
      intervalMs: this.options.probeIntervalMs ?? 1_000,
      timeoutMs: this.options.probeTimeoutMs ?? 2_000,
    });
    probe.onChange((status) => {
      if (this.closed) return;
      if (status.state === 'down' && this.state === 'live') {
        this.fail(new Error(`exchange connector not answering: ${status.reason ?? 'unknown'}`));
      } else if (status.state === 'up' && this.state !== 'live' && this.retryTimer !== undefined) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        void this.attempt();
      }
    });
    this.probe = probe;
    probe.start();
  }

  private subscribe(exchange: Exchange): void {
    this.unsubscribe();
    const generation = ++this.generation;
    this.pending = [];
    const sink = <T>(toEvent: (value: T) => UpstreamEvent) => ({
      next: (value: T) => {
        if (generation === this.generation) this.deliver(toEvent(value));
      },
      error: (e: Error) => {
        if (generation === this.generation) this.fail(e);
      },
      resync: () => {
        if (generation === this.generation) this.requestReload().catch((e) => this.fail(e));
      },
    });
    const { symbol, interval } = this.options;
    // Kept one by one (and in whatever list is current, should a sink fail during this), so a
    // subscribe call that throws leaves the earlier ones closable
    const keep = (subscription: Subscription): void => void this.subscriptions.push(subscription);
    keep(
      exchange.subscribeKlines(
        [symbol],
        interval,
        sink((value) => ({ kind: 'kline', value })),
      ),
    );
    keep(exchange.subscribeOrders(sink((value) => ({ kind: 'order', value }))));
    keep(exchange.subscribeAccount(sink((value) => ({ kind: 'account', value }))));
    keep(
      exchange.subscribePositions(
        symbol,
        sink((value) => ({ kind: 'position', value })),
      ),
    );
  }

  private unsubscribe(): void {
    this.generation++;
    for (const s of this.subscriptions) s.close();
    this.subscriptions = [];
  }

  private deliver(event: UpstreamEvent): void {
    if (this.pending !== undefined) this.pending.push(event);
    else if (this.view !== undefined) this.options.onMessages(this.view.apply(event));
  }

  /**
   * Reloads the snapshot. Calls during a reload coalesce into one more reload after it succeeds
   * (a failed one is followed by a full resubscription instead).
   * @returns the reload this call started; a coalesced call gets one that never rejects
   */
  private requestReload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.reloadAgain = true;
      return this.reloading.catch(() => undefined);
    }
    this.pending ??= [];
    const reloading = this.reload().finally(() => (this.reloading = undefined));
    this.reloading = reloading;
    reloading.then(
      () => {
        if (!this.reloadAgain || this.closed) return;
        this.reloadAgain = false;
        this.requestReload().catch((e: unknown) => this.fail(e));
      },
      () => (this.reloadAgain = false),
    );
    return reloading;
  }

  private async reload(): Promise<void> {
    const exchange = this.exchange as Exchange;
    const view = this.view as MarketView;
    const generation = this.generation;
    this.pending ??= [];
    const snapshot = await this.fetchSnapshot(exchange, view);
    if (generation !== this.generation || this.closed) return;
    const events = this.pending ?? [];
    this.pending = undefined;
    const catchUp = view.load(snapshot, events);
    this.failures = 0;
    const wasLive = this.state === 'live';
    this.state = 'live';
    this.options.logger.info(
      { symbol: this.options.symbol, exchange: exchange.name, replayed: events.length },
      wasLive ? 'upstream resynced' : 'upstream live',
    );
    this.options.onMessages(catchUp);
    this.options.onSnapshot();
  }

  private async fetchSnapshot(exchange: Exchange, view: MarketView): Promise<VenueSnapshot> {
    const { symbol, interval, historyLimit } = this.options;
    const [candles, openOrders, account, positions] = await Promise.all([
      exchange.getHistoricalKlines(symbol, interval, historyLimit),
      exchange.getOpenOrders(symbol),
      exchange.getAccount(),
      exchange.getPositions(symbol),
    ]);
    const stillOpen = new Set(openOrders.map((o) => o.orderId));
    const gone = view.openOrderIds().filter((id) => !stillOpen.has(id));
    const closedOrders = await Promise.all(gone.map((id) => this.finalState(exchange, id)));
    return {
      candles,
      openOrders,
      account,
      position: positions.find((p) => p.symbol === symbol),
      closedOrders: closedOrders.filter((o): o is Order => o !== undefined),
    };
  }

  /** How an order that closed during a gap ended; undefined when the venue forgot it. */
  private async finalState(exchange: Exchange, orderId: string): Promise<Order | undefined> {
    try {
      return await exchange.getOrder({ symbol: this.options.symbol, orderId });
    } catch (e) {
      this.options.logger.warn({ orderId, err: e }, 'cannot learn how an order closed');
      return undefined;
    }
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.pending = undefined;
    this.failures++;
    const cap = Math.min(
      this.options.maxBackoffMs,
      this.options.initialBackoffMs * 2 ** (this.failures - 1),
    );
    // Equal jitter: many live servers restarted together do not retry in lockstep
    const delayMs = Math.round(cap / 2 + (Math.random() * cap) / 2);
    const message = e instanceof Error ? e.message : String(e);
    const before = this.state;
    if (this.state === 'live') {
      this.state = 'reconnecting';
      this.outageCount++;
    }
    this.problem = message;
    this.options.logger.warn(
      { symbol: this.options.symbol, attempt: this.failures, delayMs, err: message },
      'upstream failed; retrying',
    );
    if (before === 'live') this.options.onMessages([{ type: 'status', data: this.status() }]);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delayMs);
    this.retryTimer.unref();
  }
}
