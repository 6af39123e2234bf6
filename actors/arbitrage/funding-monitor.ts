/**
 * @module actors/arbitrage/funding-monitor
 * Funding and price feeds of arbitrage legs, per (venue, market, symbol), shared by every pair
 * that watches the same leg. A perp leg has a funding feed (rate, next funding time and the
 * venue's ACTUAL interval, from `getFundingRate`, `getHistoricalFundingRates` and the
 * `subscribeFundingRate` stream) and a price feed. A spot leg carries no funding (rate 0, next
 * time 0, REQ-FUND-004) and is judged fresh or stale by its price feed alone: the original judged
 * spot legs by a funding feed spot venues never stream, so every pair stopped deciding one TTL
 * after start.
 *
 * Freshness is measured from receipt on our clock, never from venue timestamps. A feed whose
 * stream ends is resubscribed (snapshot first, then the stream) with doubling backoff, each
 * attempt logged at warn and counted in `market_maker_arb_feed_retries_total`; after
 * `maxRetries` attempts in a row the feed gives up (`failed`) and stays stale until watched anew.
 * A stream that resyncs by itself (RemoteExchange after a connector restart) gets a fresh snapshot.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { ZERO, type Decimal } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { FundingRate } from '../../core/exchange.types.js';
import type { Logger } from '../../core/logger.js';
import type { Subscription } from '../../core/stream.js';
import type { LegView } from '../../machines/arbitrage-decision.js';
import type { LegMarket, PairLeg } from '../../machines/arbitrage-pair.js';
import type { ArbitrageMetrics, FeedLabel } from './arbitrage.metrics.js';
import { intervalFromAdvance, intervalFromHistory } from './funding-interval.js';

/** One leg market: the unit the monitor keeps feeds for. */
export type FeedKey = PairLeg;

/** What the monitor knows about one leg. */
export interface LegFeedSnapshot {
  readonly key: FeedKey;
  /** `live` once every feed of the leg delivered; `failed` after retries ran out. */
  readonly status: 'starting' | 'live' | 'retrying' | 'failed';
  readonly rate: Decimal;
  readonly predictedRate: Decimal;
  /** Epoch ms; 0 on spot (not applicable). */
  readonly nextFundingTimeMs: number;
  /** The venue's actual interval, ms; null on spot or while unknown. */
  readonly intervalMs: number | null;
  readonly price: Decimal | null;
  /** Receipt time of the last funding update (perp only), epoch ms. */
  readonly fundingAtMs: number | null;
  /** Receipt time of the last price update, epoch ms. */
  readonly priceAtMs: number | null;
}

/** How old a leg's feeds may be before entries stop (REQ-ARB-002). */
export interface Staleness {
  readonly fundingStaleMs: number;
  readonly priceStaleMs: number;
}

export interface FundingMonitorDeps {
  /** The venue port of a venue name (in the engine: a RemoteExchange with `x-exchange`). */
  venue(name: string): Exchange;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: Pick<ArbitrageMetrics, 'feedRetries'>;
}

export interface FundingMonitorOptions {
  /** Settlements read to find a perp's interval; default 12. */
  readonly historyDepth?: number;
  /** First retry delay, ms (doubles per attempt); default 500. */
  readonly retryInitialMs?: number;
  /** Largest retry delay, ms; default 30 000. */
  readonly retryMaxMs?: number;
  /** Attempts in a row before a feed gives up; default 60 (about half an hour at the cap). */
  readonly maxRetries?: number;
}

type Listener = (key: FeedKey, feed: FeedLabel) => void;

interface Part {
  subscription: Subscription | null;
  timer: TimerHandle | null;
  attempts: number;
  failed: boolean;
}

interface Feed {
  readonly key: FeedKey;
  refs: number;
  closed: boolean;
  snapshot: Omit<LegFeedSnapshot, 'status' | 'key'>;
  readonly parts: Partial<Record<FeedLabel, Part>>;
}

/** The string a feed is filed under. */
export function feedId(key: FeedKey): string {
  return `${key.venue}/${key.market}/${key.symbol}`;
}

/** Funding and price feeds of arbitrage legs. */
export class FundingMonitor {
  private readonly deps: FundingMonitorDeps;
  private readonly historyDepth: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly maxRetries: number;
  private readonly feeds = new Map<string, Feed>();
  private readonly listeners = new Set<Listener>();

  constructor(deps: FundingMonitorDeps, options: FundingMonitorOptions = {}) {
    this.deps = deps;
    this.historyDepth = options.historyDepth ?? 12;
    this.retryInitialMs = options.retryInitialMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 60;
  }

  /** Starts the feeds of a leg, or adds a watcher to running ones. */
  watch(key: FeedKey): void {
    const id = feedId(key);
    const existing = this.feeds.get(id);
    if (existing) {
      existing.refs++;
      return;
    }
    const feed: Feed = {
      key: { venue: key.venue, market: key.market, symbol: key.symbol },
      refs: 1,
      closed: false,
      snapshot: {
        rate: ZERO,
        predictedRate: ZERO,
        nextFundingTimeMs: 0,
        intervalMs: null,
        price: null,
        fundingAtMs: null,
        priceAtMs: null,
      },
      parts: key.market === 'perp' ? { funding: part(), price: part() } : { price: part() },
    };
    this.feeds.set(id, feed);
    this.start(feed, 'price');
    if (key.market === 'perp') this.start(feed, 'funding');
  }

  /** Drops a watcher; the last one stops the leg's feeds. */
  unwatch(key: FeedKey): void {
    const feed = this.feeds.get(feedId(key));
    if (!feed || --feed.refs > 0) return;
    this.stop(feed);
  }

  /** Calls `listener` after every funding or price update; returns the unsubscriber. */
  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a leg's feeds run (someone watches it). */
  isWatched(key: FeedKey): boolean {
    return this.feeds.has(feedId(key));
  }

  /**
   * What is known about a watched leg.
   * @throws {Error} when the leg is not watched
   */
  snapshot(key: FeedKey): LegFeedSnapshot {
    const feed = this.feedOf(key);
    const parts = Object.values(feed.parts);
    const status = parts.some((p) => p.failed)
      ? 'failed'
      : parts.some((p) => p.timer !== null)
        ? 'retrying'
        : this.hasData(feed)
          ? 'live'
          : 'starting';
    return { key: feed.key, status, ...feed.snapshot };
  }

  /**
   * The leg as the decision reads it: funding plus whether its feeds are fresh at `nowMs`.
   * @throws {Error} when the leg is not watched
   */
  legView(key: FeedKey, staleness: Staleness, nowMs = this.deps.clock.now()): LegView {
    const s = this.snapshot(key);
    return {
      market: key.market,
      rate: s.rate,
      intervalMs: s.intervalMs,
      nextFundingTimeMs: s.nextFundingTimeMs,
      feedProblem: feedProblem(key.market, s, staleness, nowMs),
    };
  }

  /** Stops every feed. */
  close(): void {
    for (const feed of [...this.feeds.values()]) this.stop(feed);
    this.listeners.clear();
  }

  // -- FEEDS --

  private start(feed: Feed, label: FeedLabel): void {
    const p = feed.parts[label] as Part;
    p.timer = null;
    const venue = this.deps.venue(feed.key.venue);
    const { symbol } = feed.key;
    const load =
      label === 'price'
        ? venue.getLatestPrice(symbol).then((price) => this.applyPrice(feed, price))
        : this.loadFunding(feed, venue);
    load.then(
      () => {
        if (feed.closed) return;
        p.subscription =
          label === 'price'
            ? venue.subscribePrice([symbol], {
                next: (change) => this.applyPrice(feed, change.price),
                error: (e) => this.retry(feed, label, e),
              })
            : venue.subscribeFundingRate(symbol, {
                next: (rate) => this.applyFunding(feed, rate),
                error: (e) => this.retry(feed, label, e),
                resync: () =>
                  void this.loadFunding(feed, venue).catch((e) => this.retry(feed, label, e)),
              });
      },
      (e: unknown) => this.retry(feed, label, e),
    );
  }

  private async loadFunding(feed: Feed, venue: Exchange): Promise<void> {
    const { symbol } = feed.key;
    const [rate, history] = await Promise.all([
      venue.getFundingRate(symbol),
      venue.getHistoricalFundingRates(symbol, this.historyDepth),
    ]);
    if (feed.closed) return;
    const interval = intervalFromHistory(
      history.map((h) => h.timeMs),
      rate.nextFundingTimeMs,
      this.deps.clock.now(),
    );
    if (interval !== null) feed.snapshot = { ...feed.snapshot, intervalMs: interval };
    this.applyFunding(feed, rate);
  }

  private applyFunding(feed: Feed, rate: FundingRate): void {
    if (feed.closed) return;
    const before = feed.snapshot.nextFundingTimeMs;
    const observed = intervalFromAdvance(before, rate.nextFundingTimeMs);
    // A settlement only moves the schedule forward; an older snapshot must not move it back
    const next = Math.max(before, rate.nextFundingTimeMs);
    feed.snapshot = {
      ...feed.snapshot,
      rate: rate.rate,
      predictedRate: rate.predictedRate,
      nextFundingTimeMs: next,
      intervalMs: observed ?? feed.snapshot.intervalMs,
      fundingAtMs: this.deps.clock.now(),
    };
    this.delivered(feed, 'funding');
  }

  private applyPrice(feed: Feed, price: Decimal): void {
    if (feed.closed) return;
    feed.snapshot = { ...feed.snapshot, price, priceAtMs: this.deps.clock.now() };
    this.delivered(feed, 'price');
  }

  private delivered(feed: Feed, label: FeedLabel): void {
    const p = feed.parts[label];
    if (p) p.attempts = 0;
    for (const listener of this.listeners) listener(feed.key, label);
  }

  private retry(feed: Feed, label: FeedLabel, e: unknown): void {
    const p = feed.parts[label] as Part;
    p.subscription?.close();
    p.subscription = null;
    if (feed.closed || p.timer !== null) return;
    const { venue, symbol } = feed.key;
    p.attempts++;
    const reason = e instanceof Error ? e.message : String(e);
    if (p.attempts > this.maxRetries) {
      p.failed = true;
      this.deps.log.error(
        { venue, symbol, feed: label, attempts: p.attempts - 1, reason },
        'arbitrage feed gave up; the leg stays stale until watched again',
      );
      return;
    }
    const delayMs = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (p.attempts - 1));
    this.deps.metrics?.feedRetries.inc({ venue, feed: label });
    this.deps.log.warn(
      { venue, symbol, feed: label, attempt: p.attempts, delayMs, reason },
      'arbitrage feed ended; resubscribing',
    );
    p.timer = this.deps.clock.after(delayMs, () => {
      if (!feed.closed) this.start(feed, label);
    });
  }

  private stop(feed: Feed): void {
    feed.closed = true;
    for (const p of Object.values(feed.parts)) {
      p.subscription?.close();
      if (p.timer !== null) this.deps.clock.clear(p.timer);
      p.timer = null;
    }
    this.feeds.delete(feedId(feed.key));
  }

  private hasData(feed: Feed): boolean {
    const s = feed.snapshot;
    return s.priceAtMs !== null && (feed.key.market === 'spot' || s.fundingAtMs !== null);
  }

  private feedOf(key: FeedKey): Feed {
    const feed = this.feeds.get(feedId(key));
    if (!feed) throw new Error(`funding monitor: ${feedId(key)} is not watched`);
    return feed;
  }
}

function part(): Part {
  return { subscription: null, timer: null, attempts: 0, failed: false };
}

/**
 * Why a leg's feeds are not good enough for an entry at `nowMs`, or null when they are. A perp
 * needs fresh funding and a fresh price; a spot leg a fresh price only.
 */
export function feedProblem(
  market: LegMarket,
  s: Pick<LegFeedSnapshot, 'fundingAtMs' | 'priceAtMs'>,
  staleness: Staleness,
  nowMs: number,
): LegView['feedProblem'] {
  if (s.priceAtMs === null || (market === 'perp' && s.fundingAtMs === null)) return 'FEED_MISSING';
  if (nowMs - s.priceAtMs > staleness.priceStaleMs) return 'FEED_STALE';
  if (market === 'perp' && nowMs - (s.fundingAtMs as number) > staleness.fundingStaleMs) {
    return 'FEED_STALE';
  }
  return null;
}
