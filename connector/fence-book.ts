/**
 * @module connector/fence-book
 * The connector's memory of lease fencing tokens: per venue and symbol, the highest token a
 * request has carried and the engine (owner) that carried it. The connector is the last point
 * every engine's order calls pass before the venue, so it is where a paused or partitioned
 * former owner is stopped: its token is lower than the one the new owner already used, even when
 * its own look at the lease in the database passed just before it was paused.
 *
 * Pure bookkeeping, no I/O: the service turns a refusal into a FENCED error, a log line and a
 * metric (`connector/fence-guard.ts`).
 */

/** A lease as a request carries it: the engine holding it and its fencing token. */
export interface FenceClaim {
  readonly owner: string;
  readonly token: number;
}

/** Whether a request may reach the venue, and if not, whose lease it lost to. */
export type FenceVerdict =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      /** `stale`: a lower token than seen; `conflict`: the same token under another owner. */
      readonly why: 'stale' | 'conflict';
      readonly current: FenceClaim;
    };

/**
 * Entries kept at most. Symbols come from a bounded catalog (a venue lists a few thousand), so
 * this is never reached in normal operation; it bounds memory when a caller sends stamps with
 * made-up symbols (the symbol is checked for shape, not against the venue's list, before the
 * fence). Forgetting a symbol only loosens its fence until its owner's next call, so the entry
 * seen least recently goes first.
 */
export const DEFAULT_FENCE_CAPACITY = 100_000;

const ADMITTED: FenceVerdict = { admitted: true };

/** The highest fencing token seen per (venue scope, symbol). */
export class FenceBook {
  /** Insertion order is recency order: an entry is moved to the end whenever it is used. */
  private readonly entries = new Map<string, FenceClaim>();
  /** Venue scopes by identity, so one venue reached under two names shares one fence. */
  private readonly scopes = new WeakMap<object, number>();
  private nextScope = 0;
  private evicted = 0;
  private readonly capacity: number;

  /**
   * @param capacity - entries kept at most (default {@link DEFAULT_FENCE_CAPACITY})
   * @throws {Error} when `capacity` is not a positive integer
   */
  constructor(capacity = DEFAULT_FENCE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`fence book capacity must be a positive integer, was ${capacity}`);
    }
    this.capacity = capacity;
  }

  /**
   * Decides one request and records its claim when admitted. An equal token from the same owner
   * passes; a higher token passes and becomes the symbol's highest; a lower one is `stale`; the
   * same token from another owner is a `conflict` (a lease handed out one token twice).
   * @param scope - the venue (account) the request goes to, by identity
   * @param symbol - the symbol the request changes orders of
   * @param claim - the request's owner and token
   * @returns the verdict; a refusal names the claim that holds the symbol
   */
  admit(scope: object, symbol: string, claim: FenceClaim): FenceVerdict {
    const key = `${this.scopeId(scope)}|${symbol}`;
    const current = this.entries.get(key);
    if (current !== undefined) {
      if (claim.token < current.token) return { admitted: false, why: 'stale', current };
      if (claim.token === current.token && claim.owner !== current.owner) {
        return { admitted: false, why: 'conflict', current };
      }
      this.entries.delete(key);
    } else if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evicted++;
    }
    this.entries.set(
      key,
      current !== undefined && current.token === claim.token ? current : { ...claim },
    );
    return ADMITTED;
  }

  /** The claim holding `symbol` on `scope`, if any request carried one. */
  holder(scope: object, symbol: string): FenceClaim | undefined {
    const id = this.scopes.get(scope);
    return id === undefined ? undefined : this.entries.get(`${id}|${symbol}`);
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Entries forgotten so far to stay within capacity. */
  get evictions(): number {
    return this.evicted;
  }

  private scopeId(scope: object): number {
    let id = this.scopes.get(scope);
    if (id === undefined) {
      id = this.nextScope++;
      this.scopes.set(scope, id);
    }
    return id;
  }
}
