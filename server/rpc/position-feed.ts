/**
 * @module server/rpc/position-feed
 * The live side of SubscribePositions: while anyone subscribes, polls the fills ledger for fills
 * of our orders recorded since the last poll (one query per poll for every subscriber), replays
 * each touched (venue, symbol) into its position and tells the subscribers of that symbol, with
 * the order whose fill moved it last (one update per position and poll). Commits can land out of
 * recording order, so each poll overlaps the last by `overlapMs` and drops fills already seen. A
 * failed poll is logged at warn, counted, and retried with the same window after a backoff that
 * doubles up to 30 s, so no fill is skipped and a failing database is not hammered.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { FillRecord } from '../../actors/store/fills.repo.js';
import { RECORDED_PAGE, type HistoricOrder } from '../../actors/store/order-history.repo.js';
import type { HistoryPort } from './rpc.ports.js';
import { positionKey, replayFills, type PositionFigures } from './position-math.js';

/** One change of a position, as subscribers get it. */
export interface PositionChange {
  readonly position: PositionFigures;
  /** The fill that moved it; null for the snapshot sent on subscribe. */
  readonly fill: FillRecord | null;
  /** The order of that fill, as the index holds it; null when unknown. */
  readonly order: HistoricOrder | null;
}

type Listener = (change: PositionChange) => void;

/** Longest wait between polls while they keep failing, ms. */
const MAX_RETRY_MS = 30_000;

export interface PositionFeedOptions {
  readonly history: HistoryPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** Between polls, ms; default 250. */
  readonly pollMs?: number;
  /** How far each poll reaches back before the last one, ms; default 5000. */
  readonly overlapMs?: number;
  /** Told of every failed poll (a metric). */
  readonly onPollFailed?: () => void;
}

/** Position changes from the fills ledger; see the module doc. */
export class PositionFeed {
  readonly #o: PositionFeedOptions;
  readonly #listeners = new Set<{ symbols: ReadonlySet<string>; listener: Listener }>();
  readonly #seen = new Map<string, number>();
  #timer: TimerHandle | null = null;
  /** Where the next poll reads from, on the database's clock; null before the first poll. */
  #sinceMs: number | null = null;
  #polling = false;
  #failures = 0;
  /** No poll before this (clock ms) while polls keep failing. */
  #retryAtMs = 0;

  constructor(options: PositionFeedOptions) {
    this.#o = options;
  }

  /**
   * Subscribes to changes of `symbols` (empty = every symbol); the first subscriber starts the
   * polling, the last one to leave stops it.
   * @returns a function that unsubscribes
   */
  subscribe(symbols: readonly string[], listener: Listener): () => void {
    const entry = { symbols: new Set(symbols), listener };
    this.#listeners.add(entry);
    if (this.#timer === null) this.#start();
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** Polls failed in a row (0 while healthy). */
  get failures(): number {
    return this.#failures;
  }

  /** Stops polling and drops every subscriber. */
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #start(): void {
    const { clock, pollMs = 250 } = this.#o;
    this.#sinceMs = null;
    this.#seen.clear();
    this.#polling = false;
    this.#retryAtMs = 0;
    void this.#poll();
    this.#timer = clock.every(pollMs, () => void this.#poll());
  }

  #stop(): void {
    if (this.#timer) this.#o.clock.clear(this.#timer);
    this.#timer = null;
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#o.clock.now() < this.#retryAtMs) return;
    this.#polling = true;
    const { history, log, overlapMs = 5_000 } = this.#o;
    try {
      // The first poll only learns where now is: fills recorded before the first subscriber are
      // history (the snapshot covers them), not changes
      const priming = this.#sinceMs === null;
      if (this.#sinceMs === null) {
        this.#sinceMs = (await history.recordedSince(null)).nowMs - overlapMs;
      }
      const { nowMs, fills } = await history.recordedSince(this.#sinceMs);
      const fresh = fills.filter((f) => !this.#seen.has(`${f.venue}/${f.tradeId}`));
      for (const f of fills) this.#seen.set(`${f.venue}/${f.tradeId}`, f.recordedAtMs);
      // A full page means more follow: read on from the last one instead of from now
      const last = fills.at(-1);
      const next = fills.length >= RECORDED_PAGE && last ? last.recordedAtMs : nowMs - overlapMs;
      this.#sinceMs = Math.max(this.#sinceMs, next);
      for (const [key, at] of this.#seen) if (at < this.#sinceMs) this.#seen.delete(key);
      this.#failures = 0;
      this.#retryAtMs = 0;
      if (!priming && this.#timer !== null) await this.#publish(fresh);
    } catch (e) {
      this.#failures++;
      // A database that keeps failing is asked less and less often, up to MAX_RETRY_MS apart
      const { pollMs = 250 } = this.#o;
      const waitMs = Math.min(pollMs * 2 ** this.#failures, MAX_RETRY_MS);
      this.#retryAtMs = this.#o.clock.now() + waitMs;
      this.#o.onPollFailed?.();
      log.warn(
        { err: e, failures: this.#failures, retryInMs: waitMs },
        'position feed: polling the fills failed',
      );
    } finally {
      this.#polling = false;
    }
  }

  async #publish(fills: readonly FillRecord[]): Promise<void> {
    if (fills.length === 0) return;
    const symbols = [...new Set(fills.map((f) => f.symbol))];
    const wanted = symbols.filter((s) => this.#wanted(s));
    if (wanted.length === 0) return;
    const positions = replayFills(await this.#o.history.ownFills(wanted));
    // One update per position, after the last of its new fills
    const last = new Map<string, FillRecord>();
    for (const fill of fills) last.set(positionKey(fill.venue, fill.symbol), fill);
    for (const [key, fill] of last) {
      const position = positions.get(key);
      if (!position || !this.#wanted(fill.symbol)) continue;
      const order = fill.clientOrderId ? await this.#o.history.order(fill.clientOrderId) : null;
      for (const { symbols: filter, listener } of this.#listeners) {
        if (filter.size === 0 || filter.has(fill.symbol)) listener({ position, fill, order });
      }
    }
  }

  #wanted(symbol: string): boolean {
    for (const { symbols } of this.#listeners)
      if (symbols.size === 0 || symbols.has(symbol)) return true;
    return false;
  }
}
