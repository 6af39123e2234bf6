/**
 * @module server/live/symbol-feeds
 * Every symbol one live server shows. The configured symbol is fed from start (the original
 * pages connect to `/ws` without naming one and get it, unchanged); any other symbol the
 * connector lists gets its feed when the first page asks for it (`/ws?symbol=ETHUSDT`) and
 * loses it a while after the last page left. All feeds share one connection to the connector,
 * and at most `dashboard.max_symbols` run at once.
 */
import type { Logger } from 'pino';
import type { Exchange } from '../../core/exchange.port.js';
import type { LiveServerConfig } from './live.config.js';
import type { LiveMetrics } from './live.metrics.js';
import { SymbolFeed } from './symbol-feed.js';

/** What a symbol looks like on the wire: exchange-native, upper case. */
const SYMBOL = /^[A-Z0-9]{2,24}$/;
/** How long the connector's symbol list is trusted before it is asked again. */
const SYMBOL_LIST_TTL_MS = 60_000;
/** How often idle feeds are looked for, at most. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

/** Why a symbol cannot be served, as an HTTP status and a message naming the fix. */
export interface SymbolRefusal {
  readonly status: 400 | 404 | 503;
  readonly message: string;
}

export interface SymbolFeedsOptions {
  readonly config: LiveServerConfig;
  /** Yields the venue port; called once and shared (a failure is retried on the next call). */
  readonly connect: () => Promise<Exchange>;
  readonly logger: Logger;
  /** Broadcast timings of every symbol; none in tests that do not look. */
  readonly metrics?: LiveMetrics;
}

export class SymbolFeeds {
  readonly defaultSymbol: string;
  private readonly feeds = new Map<string, SymbolFeed>();
  private connecting: Promise<Exchange> | undefined;
  private listed: { readonly symbols: readonly string[]; readonly atMs: number } | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  private readonly options: SymbolFeedsOptions;
  constructor(options: SymbolFeedsOptions) {
    this.options = options;
    this.defaultSymbol = options.config.trading.symbol;
    const sweepMs = Math.max(
      50,
      Math.min(MAX_SWEEP_INTERVAL_MS, options.config.dashboard.idle_close_ms / 2),
    );
    this.sweeper = setInterval(() => void this.closeIdle(), sweepMs).unref();
  }

  /** The configured symbol's feed, started now unless a page already started it. */
  startDefault(): SymbolFeed {
    return this.feeds.get(this.defaultSymbol) ?? this.open(this.defaultSymbol);
  }

  /**
   * The feed of `symbol` (the configured one when absent), started if it was not running.
   * @returns the feed, or why it cannot be served: a malformed symbol (400), one the connector
   *   does not list (404), or too many symbols open (503)
   */
  feedFor(symbol: string | undefined): SymbolFeed | SymbolRefusal {
    const wanted = symbol === undefined || symbol === '' ? this.defaultSymbol : symbol;
    const running = this.feeds.get(wanted);
    if (running !== undefined) return running;
    if (!SYMBOL.test(wanted)) {
      return { status: 400, message: `symbol must be an exchange symbol such as BTCUSDT` };
    }
    const listed = this.listed?.symbols;
    if (listed !== undefined && !listed.includes(wanted)) {
      return {
        status: 404,
        message: `symbol ${wanted} is not listed by the exchange connector; GET /symbols lists them`,
      };
    }
    const max = this.options.config.dashboard.max_symbols;
    if (this.feeds.size >= max) {
      return { status: 503, message: `${max} symbols are open already (dashboard.max_symbols)` };
    }
    return this.open(wanted);
  }

  /** The symbols the connector lists (cached for a minute), the configured one first. */
  async symbols(): Promise<readonly string[]> {
    const now = Date.now();
    if (this.listed === undefined || now - this.listed.atMs > SYMBOL_LIST_TTL_MS) {
      const all = await (await this.exchange()).getSymbols();
      const sorted = [...all].sort();
      this.listed = { symbols: sorted, atMs: now };
    }
    const rest = this.listed.symbols.filter((s) => s !== this.defaultSymbol);
    return [this.defaultSymbol, ...rest];
  }

  /** The running feeds. */
  running(): readonly SymbolFeed[] {
    return [...this.feeds.values()];
  }

  /** Stops every feed and closes every page with 1001. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.feeds.values()].map((feed) => feed.close(graceMs)));
    this.feeds.clear();
  }

  private open(symbol: string): SymbolFeed {
    const feed = new SymbolFeed({
      symbol,
      config: this.options.config,
      connect: () => this.exchange(),
      logger: this.options.logger.child({ symbol }),
      ...(this.options.metrics === undefined ? {} : { metrics: this.options.metrics }),
    });
    this.feeds.set(symbol, feed);
    feed.start();
    // Learn the symbol list early, so later requests for unlisted symbols are refused; until it
    // is known a symbol is accepted and its feed reports what the connector says of it
    if (this.listed === undefined) {
      this.symbols().catch((e: unknown) =>
        this.options.logger.debug({ err: (e as Error).message }, 'symbol list not known yet'),
      );
    }
    return feed;
  }

  private exchange(): Promise<Exchange> {
    this.connecting ??= this.options.connect().catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  private async closeIdle(): Promise<void> {
    if (this.closing) return;
    const now = Date.now();
    const idleMs = this.options.config.dashboard.idle_close_ms;
    for (const [symbol, feed] of this.feeds) {
      if (symbol === this.defaultSymbol || feed.idleForMs(now) < idleMs) continue;
      this.feeds.delete(symbol);
      this.options.logger.info({ symbol }, 'no page watches this symbol any more: feed stopped');
      await feed.close(0);
    }
  }
}
