/**
 * @module server/live/symbol-feed
 * Everything the dashboard shows of one symbol, for every page watching it: the upstream feed
 * and market view (candles, orders, account, position, PnL), the order book (`depth`), the
 * recent fills from the venue's trade history (`fills`), and the hub of the pages connected to
 * this symbol: pages that named it get every message, pages of the original contract (no
 * `?symbol=`) exactly the original ones. On start and after every gap the fill list is reloaded from trade history, so
 * fills made before a page opened, or while the upstream was down, are listed; fills reach the
 * list from history and from the live stream alike, and each trade id counts once.
 */
import type { Logger } from 'pino';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Trade } from '../../core/exchange.types.js';
import { toFillData, type DepthData, type FillData } from './book-messages.js';
import { ClientHub } from './client-hub.js';
import { DepthFeed } from './depth-feed.js';
import { FillHistory, type FillEntry } from './fill-history.js';
import { INTERVAL_SECONDS, type LiveServerConfig } from './live.config.js';
import type { LiveMetrics } from './live.metrics.js';
import { MarketView } from './market-view.js';
import { encodeMessage, type LiveMessage, type TradeEventData } from './messages.js';
import { UpstreamFeed } from './upstream-feed.js';

/** Pages of trade history one reload may read before it stops (logged). */
const MAX_HISTORY_PAGES = 20;
/** Overlap when a reload reads history from the newest fill it has, in ms. */
const HISTORY_OVERLAP_MS = 60_000;

export interface SymbolFeedOptions {
  readonly symbol: string;
  readonly config: LiveServerConfig;
  /** The venue port, shared by every symbol (one connection to the connector). */
  readonly connect: () => Promise<Exchange>;
  readonly logger: Logger;
  /** Times each broadcast to the symbol's pages. */
  readonly metrics?: LiveMetrics;
}

/** A fill of the live stream as the list keeps it (fee unknown until history has it). */
function streamEntry(event: TradeEventData): FillEntry {
  return {
    tradeId: event.id,
    timeMs: event.time * 1000,
    data: { ...event, fee: '', feeAsset: '', maker: false },
  };
}

function historyEntry(trade: Trade): FillEntry {
  return { tradeId: trade.tradeId, timeMs: trade.timeMs, data: toFillData(trade) };
}

export class SymbolFeed {
  readonly symbol: string;
  /** Pages of the original contract (connected without `?symbol=`): its messages only. */
  readonly hub: ClientHub;
  /** Pages that named the symbol (`?symbol=`): every message, with `depth` and `fills`. */
  readonly pageHub: ClientHub;
  readonly upstream: UpstreamFeed;
  private readonly depth: DepthFeed;
  private readonly fills: FillHistory;
  private exchange: Exchange | undefined;
  private historyLoaded = false;
  private loadingHistory = false;
  private historyFailures = 0;
  /** False once the connector said it has no trade history (the original contract). */
  private historyServed = true;
  /** When the last page left, or 0 while pages are connected (for idle closing). */
  private idleSinceMs = 0;

  private readonly options: SymbolFeedOptions;
  constructor(options: SymbolFeedOptions) {
    this.options = options;
    this.symbol = options.symbol;
    const { config, logger } = options;
    const { trading, performance: perf, dashboard } = config;
    this.fills = new FillHistory(dashboard.recent_fills);
    this.depth = new DepthFeed({
      symbol: options.symbol,
      levels: dashboard.depth_levels,
      minIntervalMs: Math.round(1000 / dashboard.depth_updates_per_second),
      initialBackoffMs: config.upstream.initial_backoff_ms,
      maxBackoffMs: config.upstream.max_backoff_ms,
      onDepth: (data) => this.pageHub.broadcast([{ type: 'depth', data }]),
      logger,
    });
    // The feed's callbacks reach the hub only after start(), so the two can reference each other
    this.upstream = new UpstreamFeed({
      connect: async () => {
        const exchange = await options.connect();
        this.exchange = exchange;
        this.depth.start(exchange);
        return exchange;
      },
      symbol: options.symbol,
      interval: trading.interval,
      intervalSeconds: INTERVAL_SECONDS[trading.interval],
      historyLimit: trading.historical_limit,
      createView: (quoteAsset) =>
        new MarketView({
          symbol: options.symbol,
          quoteAsset,
          historyLimit: trading.historical_limit,
          sinceMs: Date.now(),
        }),
      initialBackoffMs: config.upstream.initial_backoff_ms,
      maxBackoffMs: config.upstream.max_backoff_ms,
      onMessages: (messages) => this.relay(messages),
      onSnapshot: () => {
        this.hub.resnapshot();
        this.pageHub.resnapshot();
        void this.loadHistory();
      },
      logger,
      probeIntervalMs: config.connector.probe_interval_ms,
      probeTimeoutMs: config.connector.probe_timeout_ms,
    });
    const hubOptions = {
      maxBufferedBytes: perf.client_buffer_bytes,
      pingIntervalMs: perf.ping_interval_ms,
      pongTimeoutMs: perf.pong_timeout_ms,
      writeTimeoutMs: perf.write_timeout_ms,
      logger,
    };
    this.hub = new ClientHub({ ...hubOptions, snapshot: () => this.snapshotFrames(false) });
    this.pageHub = new ClientHub({ ...hubOptions, snapshot: () => this.snapshotFrames(true) });
  }

  /** Pages connected to this symbol. */
  get pages(): number {
    return this.hub.size + this.pageHub.size;
  }

  /** Pages this symbol has cut for reading too slowly, since start. */
  get slowDisconnects(): number {
    return this.hub.slowDisconnects + this.pageHub.slowDisconnects;
  }

  /** Connects, subscribes and loads the first snapshot, retrying until it works. */
  start(): void {
    this.upstream.start();
  }

  /** Milliseconds since the last page left, or 0 while one is connected. */
  idleForMs(nowMs: number): number {
    if (this.pages > 0) {
      this.idleSinceMs = 0;
      return 0;
    }
    if (this.idleSinceMs === 0) this.idleSinceMs = nowMs;
    return nowMs - this.idleSinceMs;
  }

  /** The newest order book sent to pages. */
  latestDepth(): DepthData | undefined {
    return this.depth.latest();
  }

  /** Recent fills, newest first. */
  recentFills(): FillData[] {
    return this.fills.list();
  }

  /** Stops the streams and closes this symbol's pages with 1001. */
  async close(graceMs: number): Promise<void> {
    this.upstream.close();
    this.depth.close();
    await Promise.all([this.hub.close(graceMs), this.pageHub.close(graceMs)]);
  }

  private snapshotFrames(extended: boolean): string[] | undefined {
    const frames = this.upstream.marketView?.snapshotFrames();
    if (frames === undefined) return undefined;
    const extra: LiveMessage[] = [{ type: 'status', data: this.upstream.status() }];
    if (!extended) return [...frames, ...extra.map(encodeMessage)];
    const depth = this.depth.latest();
    if (depth !== undefined) extra.push({ type: 'depth', data: depth });
    if (this.historyLoaded) extra.push(this.fillsMessage(this.recentFills(), 'snapshot'));
    return [...frames, ...extra.map(encodeMessage)];
  }

  private fillsMessage(fills: readonly FillData[], kind: 'snapshot' | 'append'): LiveMessage {
    return { type: 'fills', data: { symbol: this.symbol, fills, kind } };
  }

  /** Broadcasts what the upstream feed produced, recording its fills in the list. */
  private relay(messages: readonly LiveMessage[]): void {
    for (const message of messages) {
      if (message.type === 'trade_event') this.fills.add([streamEntry(message.data)]);
    }
    const broadcast = (): void => {
      this.hub.broadcast(messages);
      this.pageHub.broadcast(messages);
    };
    if (this.options.metrics) this.options.metrics.timeBroadcast(messages.length, broadcast);
    else broadcast();
  }

  /**
   * Reads the venue's trade history since the newest fill known (the lookback on the first
   * load) and sends pages the fills they have not had. A failure is logged and retried at the
   * next reload; the rest of the dashboard keeps working.
   */
  /**
   * The venue's clock, from its current one-minute candle: the lookback is measured in venue
   * time, which a simulated venue (or a skewed host clock) does not share with ours.
   */
  private async venueNowMs(exchange: Exchange): Promise<number> {
    const [current] = await exchange.getHistoricalKlines(this.symbol, '1m', 1);
    return current === undefined ? Date.now() : current.openTimeMs + 60_000 - 1;
  }

  private async loadHistory(): Promise<void> {
    const exchange = this.exchange;
    if (exchange === undefined || this.loadingHistory || !this.historyServed) return;
    this.loadingHistory = true;
    const { logger, config } = this.options;
    const newest = this.fills.newestTimeMs;
    try {
      const startTimeMs =
        this.historyLoaded && newest !== undefined
          ? Math.max(1, newest - HISTORY_OVERLAP_MS)
          : Math.max(
              1,
              (await this.venueNowMs(exchange)) - config.dashboard.fill_history_hours * 3_600_000,
            );
      const found: Trade[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const page = await exchange.getTradeHistory({
          symbol: this.symbol,
          startTimeMs,
          limit: 1000,
          cursor,
        });
        found.push(...page.trades);
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== '' && pages < MAX_HISTORY_PAGES);
      if (cursor !== '') {
        logger.warn(
          { symbol: this.symbol, pages },
          'trade history longer than one reload reads; older fills not listed',
        );
      }
      const entries = found.map(historyEntry);
      const fresh = this.fills.add(entries);
      // History carries the fee and maker flag the stream's event lacks
      for (const entry of entries) this.fills.enrich(entry);
      this.historyFailures = 0;
      const first = !this.historyLoaded;
      this.historyLoaded = true;
      if (first) this.pageHub.broadcast([this.fillsMessage(this.recentFills(), 'snapshot')]);
      else if (fresh.length > 0) {
        const added = fresh.reverse().map((e) => e.data);
        this.pageHub.broadcast([this.fillsMessage(added, 'append')]);
      }
    } catch (e) {
      if (e instanceof ExchangeError && e.reason === 'UNIMPLEMENTED') {
        this.historyServed = false;
        logger.warn(
          { symbol: this.symbol, err: e.message },
          'the exchange connector serves no trade history; fills are listed from the live stream only',
        );
        return;
      }
      this.historyFailures++;
      logger.warn(
        { symbol: this.symbol, failures: this.historyFailures, err: (e as Error).message },
        'cannot load trade history; retrying at the next reload',
      );
    } finally {
      this.loadingHistory = false;
    }
  }
}
