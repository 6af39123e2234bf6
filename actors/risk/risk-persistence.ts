/**
 * @module actors/risk/risk-persistence
 * Saves the risk machines' snapshots as they change, one writer per machine: saves of one machine
 * never overlap (a save in flight is followed by one more with the latest snapshot, intermediate
 * ones are skipped), the optimistic version is tracked, and a snapshot that differs only in
 * volatile fields (the last time seen, the last verdict) is not written again, so a breaker that
 * is observed every second costs no database write while nothing changes.
 *
 * Under scale-out a symbol's machines move between engines: a save that finds a newer version
 * (the previous owner saved after this engine loaded) takes that version and writes again once,
 * reported through `onStale`; a second stale save in a row is an error (two live writers).
 */
import {
  StaleRiskStateError,
  type RiskState,
  type RiskStateKey,
} from '../store/risk-states.repo.js';

/** The storage port; `RiskStatesRepo` implements it. */
export interface RiskStateStore {
  save(key: RiskStateKey, snapshot: unknown, expectedVersion: number): Promise<number>;
  loadAll(): Promise<RiskState[]>;
}

/** Context fields that change on every observation and need not survive a restart. */
const VOLATILE = new Set(['lastAtMs', 'conditionHolds']);

interface Slot {
  version: number;
  savedShape: string | null;
  latest: unknown;
  inFlight: Promise<void> | null;
  dirty: boolean;
  /** Stale saves in a row; reset by a save that lands. */
  stale: number;
}

/** Coalescing, versioned saves of machine snapshots. */
export class RiskPersistence {
  readonly #store: RiskStateStore;
  readonly #onError: (e: Error) => void;
  readonly #onStale: ((key: RiskStateKey, version: number | null) => void) | undefined;
  readonly #slots = new Map<string, Slot>();
  readonly #stored = new Map<string, RiskState>();

  /**
   * @param store - where snapshots go
   * @param onError - a save failed, or was stale twice in a row (two writers of one machine)
   * @param onStale - a save found another engine's newer version and is written again over it
   */
  constructor(
    store: RiskStateStore,
    onError: (e: Error) => void,
    onStale?: (key: RiskStateKey, version: number | null) => void,
  ) {
    this.#store = store;
    this.#onError = onError;
    this.#onStale = onStale;
  }

  /** Loads every stored snapshot; call once before restoring machines. */
  async load(): Promise<void> {
    for (const state of await this.#store.loadAll()) this.#remember(state);
  }

  /**
   * Reads `scope`'s stored snapshots again (scale-out: a symbol taken over from another engine
   * restores what that engine saved last, not what was stored when this one started).
   */
  async reload(scope: string): Promise<void> {
    for (const state of await this.#store.loadAll()) {
      if (state.scope !== scope) continue;
      const slot = this.#slots.get(keyOf(state));
      if (slot?.inFlight) await slot.inFlight;
      this.#remember(state);
    }
  }

  #remember(state: RiskState): void {
    const k = keyOf(state);
    this.#stored.set(k, state);
    this.#slots.set(k, {
      version: state.version,
      savedShape: shapeOf(state.snapshot),
      latest: state.snapshot,
      inFlight: null,
      dirty: false,
      stale: 0,
    });
  }

  /** The stored snapshot of a machine, or undefined when it has none. */
  stored(key: RiskStateKey): unknown {
    return this.#stored.get(keyOf(key))?.snapshot;
  }

  /** Saves a machine's snapshot unless only volatile fields changed. */
  save(key: RiskStateKey, snapshot: unknown): void {
    const k = keyOf(key);
    let slot = this.#slots.get(k);
    if (!slot) {
      slot = {
        version: 0,
        savedShape: null,
        latest: null,
        inFlight: null,
        dirty: false,
        stale: 0,
      };
      this.#slots.set(k, slot);
    }
    slot.latest = snapshot;
    if (slot.inFlight) {
      slot.dirty = true;
      return;
    }
    if (shapeOf(snapshot) === slot.savedShape) return;
    this.#write(key, slot);
  }

  /** Resolves once every save started so far (and its follow-up) has finished. */
  async flush(): Promise<void> {
    for (;;) {
      const pending = [...this.#slots.values()].map((s) => s.inFlight).filter((p) => p !== null);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  #write(key: RiskStateKey, slot: Slot): void {
    const snapshot = slot.latest;
    const shape = shapeOf(snapshot);
    slot.inFlight = this.#store
      .save(key, snapshot, slot.version)
      .then((version) => {
        slot.version = version;
        slot.savedShape = shape;
        slot.stale = 0;
      })
      .catch((e: unknown) => {
        if (e instanceof StaleRiskStateError) {
          // Whatever happens next, the next save names the version that is stored now
          slot.version = e.actualVersion ?? 0;
          if (slot.stale === 0 && this.#onStale) {
            slot.stale = 1;
            slot.dirty = true;
            this.#onStale(key, e.actualVersion);
            return;
          }
        }
        slot.stale = 0;
        this.#onError(e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        slot.inFlight = null;
        if (slot.dirty) {
          slot.dirty = false;
          if (shapeOf(slot.latest) !== slot.savedShape) this.#write(key, slot);
        }
      });
  }
}

function keyOf(key: RiskStateKey): string {
  return `${key.scope}|${key.machine}`;
}

/** The snapshot without volatile context fields, as a comparable string. */
function shapeOf(snapshot: unknown): string {
  return JSON.stringify(snapshot, (name, value: unknown) =>
    VOLATILE.has(name) ? undefined : value,
  );
}
