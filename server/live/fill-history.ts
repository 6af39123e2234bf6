/**
 * @module server/live/fill-history
 * The recent fills of one symbol, each trade id once, newest first, bounded. Fills arrive from
 * two places that overlap: the venue's trade history (on start and after every gap) and the live
 * order stream. `add` keeps a fill the first time its id is seen and tells which were new, so a
 * page lists and counts every fill exactly once; `enrich` swaps in the history's fuller record
 * (fee, maker flag) of a fill first seen on the stream.
 */
import { compareTrades } from '../../core/trade-history.js';
import type { FillData } from './book-messages.js';

/** One fill in the list. */
export interface FillEntry {
  readonly tradeId: string;
  /** Epoch ms, for ordering. */
  readonly timeMs: number;
  readonly data: FillData;
}

export class FillHistory {
  private readonly byId = new Map<string, FillEntry>();
  private newest: FillEntry[] = [];

  private readonly capacity: number;
  /** @param capacity fills kept; the oldest beyond it are dropped */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /**
   * Adds fills not seen before.
   * @returns the ones that were new (and are kept), oldest first
   */
  add(entries: readonly FillEntry[]): FillEntry[] {
    const fresh: FillEntry[] = [];
    for (const entry of entries) {
      if (this.byId.has(entry.tradeId)) continue;
      this.byId.set(entry.tradeId, entry);
      fresh.push(entry);
    }
    if (fresh.length === 0) return [];
    this.newest = [...this.newest, ...fresh].sort((a, b) => compareTrades(b, a));
    for (const dropped of this.newest.splice(this.capacity)) this.byId.delete(dropped.tradeId);
    return fresh.filter((e) => this.byId.get(e.tradeId) === e).sort(compareTrades);
  }

  /** Replaces the record of a fill already listed (same id); unknown ids are ignored. */
  enrich(entry: FillEntry): void {
    const held = this.byId.get(entry.tradeId);
    if (held === undefined) return;
    this.byId.set(entry.tradeId, entry);
    this.newest[this.newest.indexOf(held)] = entry;
  }

  /** Newest first. */
  list(): FillData[] {
    return this.newest.map((e) => e.data);
  }

  /** Time of the newest fill kept, or undefined when there is none. */
  get newestTimeMs(): number | undefined {
    return this.newest[0]?.timeMs;
  }
}
