/**
 * @module connector/venues/ccxt/stream-supervisor
 * Keeps one venue stream alive for all its subscribers. ccxt has no background reconnect: a
 * dropped socket rejects the pending `watch*` and only the next `watch*` call redials. So one
 * supervisor per (venue, stream) calls `watch*` in a loop, fans each update out to every sink,
 * and on a failure logs it, marks the feed stale, waits per the backoff schedule (3 s, 5 s,
 * 10 s, then 30 s) and calls again; once data flows again, every sink is told to `resync()`.
 * Failures that retrying cannot fix (bad symbol, no credentials, unsupported) end the stream.
 */
import type { ErrorReason, ExchangeError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';

/** Default reconnect schedule; the last step repeats. */
export const DEFAULT_STREAM_BACKOFF_MS: readonly number[] = [3_000, 5_000, 10_000, 30_000];

const PERMANENT: ReadonlySet<ErrorReason> = new Set([
  'AUTHENTICATION',
  'PERMISSION_DENIED',
  'UNKNOWN_SYMBOL',
  'INVALID_ARGUMENT',
  'UNIMPLEMENTED',
]);

export interface SupervisorDeps {
  /** Our venue name, for logs. */
  readonly venue: string;
  readonly logger: Logger;
  /** Waits between reconnect attempts, in ms; the last entry repeats. */
  readonly backoffMs: readonly number[];
  /** Maps what a watch call threw to our error model. */
  readonly toError: (e: unknown) => ExchangeError;
  /** Told when the feed goes down (true) and when it delivers again (false). */
  readonly onStale: (feed: string, stale: boolean) => void;
  /** Waits `ms` before a reconnect; default a timer that `close()` cuts short (tests inject). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One update source: resolves with the next batch of updates, rejects when the feed fails. */
export type Watch<T> = () => Promise<readonly T[]>;

class StreamSupervisor<T> {
  private readonly sinks = new Set<StreamSink<T>>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  readonly feed: string;
  private readonly watch: Watch<T>;
  private readonly deps: SupervisorDeps;
  private readonly onIdle: () => void;
  constructor(feed: string, watch: Watch<T>, deps: SupervisorDeps, onIdle: () => void) {
    this.feed = feed;
    this.watch = watch;
    this.deps = deps;
    this.onIdle = onIdle;
  }

  add(sink: StreamSink<T>): Subscription {
    this.sinks.add(sink);
    if (this.sinks.size === 1) void this.run();
    return {
      close: () => {
        if (!this.sinks.delete(sink) || this.sinks.size > 0) return;
        this.stop();
        this.onIdle();
      },
    };
  }

  /** Ends the loop; a pending watch call is left to settle and its result is dropped. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { logger, venue } = this.deps;
    let failures = 0;
    while (!this.stopped) {
      try {
        const updates = await this.watch();
        if (this.stopped) return;
        if (failures > 0) {
          logger.info({ venue, feed: this.feed, failures }, 'stream back: subscribers resync');
          this.deps.onStale(this.feed, false);
          failures = 0;
          for (const sink of [...this.sinks]) this.guard(() => sink.resync?.());
        }
        for (const update of updates) {
          for (const sink of [...this.sinks]) this.guard(() => sink.next(update));
        }
      } catch (e) {
        if (this.stopped) return;
        const error = this.deps.toError(e);
        if (PERMANENT.has(error.reason)) {
          logger.error({ venue, feed: this.feed, err: error.message }, 'stream failed for good');
          this.deps.onStale(this.feed, false);
          this.end(error);
          return;
        }
        const waitMs = this.deps.backoffMs[Math.min(failures, this.deps.backoffMs.length - 1)] ?? 0;
        failures++;
        logger.warn(
          { venue, feed: this.feed, attempt: failures, waitMs, err: error.message },
          'stream connection error: feed stale, reconnecting',
        );
        this.deps.onStale(this.feed, true);
        await this.sleep(waitMs);
      }
    }
  }

  /** Runs a sink callback; one misbehaving consumer must not stop the feed for the others. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.deps.logger.error(
        { venue: this.deps.venue, feed: this.feed, err: String(e) },
        'sink threw',
      );
    }
  }

  /** Stops the loop and tells every sink the feed ended with `error`. */
  end(error: ExchangeError): void {
    const sinks = [...this.sinks];
    this.sinks.clear();
    this.stop();
    this.onIdle();
    for (const sink of sinks) this.guard(() => sink.error(error));
  }

  private sleep(ms: number): Promise<void> {
    if (this.deps.sleep !== undefined) return this.deps.sleep(ms);
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}

/** The supervisors of one venue, one per feed key, created on first subscribe. */
export class StreamRegistry {
  private readonly supervisors = new Map<string, StreamSupervisor<unknown>>();

  private readonly deps: SupervisorDeps;
  constructor(deps: SupervisorDeps) {
    this.deps = deps;
  }

  /**
   * Adds `sink` to the feed `key`, starting its supervisor with `watch` if it is the first.
   * @param key feed identity, e.g. "price:BTCUSDT"; equal keys share one watch loop
   */
  subscribe<T>(key: string, watch: Watch<T>, sink: StreamSink<T>): Subscription {
    let supervisor = this.supervisors.get(key) as StreamSupervisor<T> | undefined;
    if (supervisor === undefined) {
      const created = new StreamSupervisor<T>(key, watch, this.deps, () => {
        if (this.supervisors.get(key) === created) this.supervisors.delete(key);
      });
      supervisor = created;
      this.supervisors.set(key, supervisor as StreamSupervisor<unknown>);
    }
    return supervisor.add(sink);
  }

  /** Feed keys with at least one subscriber. */
  feeds(): string[] {
    return [...this.supervisors.keys()];
  }

  /** Stops every supervisor, ending each feed with `error` for its subscribers. */
  closeAll(error: ExchangeError): void {
    const supervisors = [...this.supervisors.values()];
    this.supervisors.clear();
    for (const supervisor of supervisors) supervisor.end(error);
  }
}
