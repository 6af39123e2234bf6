/**
 * @module actors/engine/snapshot-writer
 * Saves a symbol actor's snapshot (with its order ledger's new intents) off the actor's message
 * loop, one save at a time. A save waits until the placements of its step have reached the venue
 * (capped), so on the embedded single-session PGlite it never queues in front of an order's one
 * commit; while one save runs, later states coalesce into the next (only the newest document is
 * written, every intent is), so a slow database costs the actor neither latency nor memory.
 *
 * Nothing is lost by saving after the fact: each placement carries its slot's new state in the
 * commit that starts its workflow (see carried-slots), and everything else the venue still knows
 * and reconciliation restores. A failed save (a stale version, a database error) is reported once
 * through `onError`, which fails the actor, and thrown again by `flush`.
 */
import type { SymbolId } from '../../core/types.js';
import type { LedgerOrder } from '../orders/order-ledger.types.js';
import type { SymbolStore } from './engine.store.js';

/** Longest a save waits for its step's placements to reach the venue, ms. */
export const SENT_WAIT_MS = 50;

interface Pending {
  document: unknown;
  json: string;
  intents: LedgerOrder[];
  ready: Promise<unknown>[];
}

/** One actor's snapshot saves; see the module doc. */
export class SnapshotWriter {
  readonly #symbol: SymbolId;
  readonly #store: SymbolStore;
  readonly #onError: (error: unknown) => void;
  /** The version in the database once every scheduled save is done. */
  #version: number;
  #scheduledJson = '';
  #lastSavedJson = '';
  #pending: Pending | null = null;
  #running: Promise<void> | null = null;
  #failure: { error: unknown } | null = null;

  /**
   * @param version - the version the database holds now (0: nothing saved yet)
   * @param onError - told of the first failed save (the actor crashes on it)
   */
  constructor(options: {
    readonly symbol: SymbolId;
    readonly store: SymbolStore;
    readonly version: number;
    readonly onError: (error: unknown) => void;
  }) {
    this.#symbol = options.symbol;
    this.#store = options.store;
    this.#version = options.version;
    this.#onError = options.onError;
  }

  /**
   * Schedules a save of `document` (skipped when it equals the last one scheduled and there are
   * no intents), after `ready` settles or {@link SENT_WAIT_MS} passes.
   */
  write(document: unknown, intents: readonly LedgerOrder[], ready: readonly Promise<unknown>[]) {
    // A failed writer takes nothing more: the actor is failing, its successor saves afresh
    if (this.#failure) return;
    const json = JSON.stringify(document);
    if (json === this.#scheduledJson && intents.length === 0) return;
    this.#scheduledJson = json;
    const pending = this.#pending ?? { document, json, intents: [], ready: [] };
    pending.document = document;
    pending.json = json;
    pending.intents.push(...intents);
    pending.ready.push(...ready);
    this.#pending = pending;
    if (this.#running === null) {
      // Cleared only after it is assigned: a drain that ends without awaiting must not leave a
      // settled promise behind as "running", which would make flush spin for ever
      const run: Promise<void> = this.#drain().finally(() => {
        if (this.#running === run) this.#running = null;
      });
      this.#running = run;
    }
  }

  /** True while a save is scheduled or running. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /**
   * Waits until every scheduled save is done.
   * @throws whatever made a save fail
   */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failure) throw this.#failure.error;
  }

  async #drain(): Promise<void> {
    for (let next = this.#pending; next && !this.#failure; next = this.#pending) {
      this.#pending = null;
      await within(Promise.all(next.ready), SENT_WAIT_MS);
      await this.#save(next);
    }
  }

  async #save(next: Pending): Promise<void> {
    try {
      const { document, intents } = next;
      if (next.json === this.#lastSavedJson) {
        if (intents.length > 0) await this.#store.record(intents, []);
        return;
      }
      this.#version = await this.#store.saveSnapshot(
        this.#symbol,
        document,
        this.#version,
        intents,
      );
      this.#lastSavedJson = next.json;
    } catch (e) {
      this.#failure = { error: e };
      this.#onError(e);
    }
  }
}

/** Resolves when `promise` settles or `ms` have passed, whichever comes first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise.catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
