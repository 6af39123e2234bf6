/**
 * @module actors/cluster/lease-keeper
 * Keeps this engine's share of the active symbols, in two loops that never wait on each other.
 * Renewal, every `scanMs`: proves membership and extends the leases held, dropping the symbols
 * whose lease was lost. The scan, every `scanMs` too (one at a time): recovers the work of
 * engines found dead, takes free or expired leases until this engine holds its share (the
 * active symbols divided among the live engines, rounded up), and above its share gives one
 * symbol back, so engines that join later get theirs. A scan may take seconds (a takeover
 * restores and reconciles the symbol), which must never delay a renewal. A renewal that fails or
 * does not answer is counted and logged, and once the leases may have expired (no renewal for
 * `ttlMs` less one scan) every symbol is dropped: an engine that cannot prove it owns a symbol
 * must not trade it.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { FenceStamp } from '../../core/fence.js';
import type { Lease, LeasesRepo, MemberView } from '../store/leases.repo.js';
import type { Membership } from './membership.js';

/** What the keeper tells the engine and asks of it. */
export interface LeaseKeeperHooks {
  /** The symbols to share out (the active set). */
  activeSymbols(): Promise<readonly string[]>;
  /** This engine now owns `symbol` at `token`: restore its actor and trade. */
  acquired(symbol: string, token: number): Promise<void>;
  /**
   * This engine no longer owns `symbol`: stop its actor now. `graceful` when it gives the symbol
   * back itself (the lease is still held until the actor has stopped), false when it was lost.
   */
  dropped(symbol: string, graceful: boolean): Promise<void>;
  /** Engines found dead: recover their pending workflows before their symbols trade again. */
  recoverDead(engineIds: readonly string[]): Promise<void>;
}

export interface LeaseKeeperOptions {
  readonly repo: LeasesRepo;
  readonly membership: Membership;
  readonly hooks: LeaseKeeperHooks;
  readonly clock: Clock;
  readonly log: Logger;
  /** A lease not renewed for this long may be taken by another engine, ms. */
  readonly ttlMs: number;
  /** Between scans, ms; well under a third of `ttlMs`. */
  readonly scanMs: number;
  /** Counts scans that failed, and symbols gained and lost (metrics). */
  readonly onEvent?: (
    event: 'renewal_failed' | 'scan_failed' | 'acquired' | 'lost' | 'released',
  ) => void;
}

/** This engine's view of the cluster, for /status. */
export interface ClusterView {
  readonly engineId: string;
  readonly held: readonly { readonly symbol: string; readonly token: number }[];
  readonly members: readonly MemberView[];
  readonly leases: readonly Lease[];
}

/** See the module doc. */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #held = new Map<string, number>();
  #timer: TimerHandle | null = null;
  #renewTimer: TimerHandle | null = null;
  #scanning: Promise<void> | null = null;
  #renewing: Promise<void> | null = null;
  /** Bumped when a renewal is given up on, so its late answer is ignored. */
  #renewal = 0;
  /** The last renewal found this engine a member; none is taken while it is not. */
  #member = false;
  #stopped = false;
  #lastRenewedMs: number;
  #failures = 0;
  #scanFailures = 0;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#lastRenewedMs = options.clock.now();
  }

  get engineId(): string {
    return this.#options.membership.engineId;
  }

  /** Runs one scan now, then renewals and scans every `scanMs`. */
  async start(): Promise<void> {
    await this.#membershipAndRenewal();
    await this.scan();
    this.#renewTimer = this.#options.clock.every(this.#options.scanMs, () => {
      void this.renew();
    });
    this.#timer = this.#options.clock.every(this.#options.scanMs, () => {
      void this.scan();
    });
  }

  /**
   * One renewal; one already running is joined. One that has not answered once the leases may
   * have expired is given up on (its answer ignored) and every symbol is dropped.
   */
  renew(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#renewing) {
      this.#checkExpiry();
      return this.#renewing;
    }
    const attempt = this.#renewal;
    this.#renewing = this.#membershipAndRenewal(attempt)
      .then(
        () => {
          if (this.#failures > 0) {
            this.#options.log.info({ failures: this.#failures }, 'lease renewals work again');
          }
          this.#failures = 0;
        },
        (e: unknown) => {
          if (attempt !== this.#renewal) return;
          this.#failures += 1;
          this.#options.onEvent?.('renewal_failed');
          // First failure and every tenth after it: a long outage must not flood the log
          if (this.#failures % 10 === 1) {
            this.#options.log.warn(
              { err: e, failures: this.#failures },
              'lease renewal failed: will try again',
            );
          }
          this.#checkExpiry();
        },
      )
      .finally(() => {
        if (attempt === this.#renewal) this.#renewing = null;
      });
    return this.#renewing;
  }

  /**
   * Stops scanning, stops every held symbol's actor, then gives the leases back so the other
   * engines take them at once rather than after they expire.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) this.#options.clock.clear(this.#timer);
    if (this.#renewTimer) this.#options.clock.clear(this.#renewTimer);
    this.#timer = null;
    this.#renewTimer = null;
    await this.#scanning;
    // A renewal in flight is not waited for (it may never answer); its answer is ignored, and a
    // late one cannot extend a lease given back (a renewal needs an unexpired lease)
    this.#renewal += 1;
    this.#renewing = null;
    for (const symbol of [...this.#held.keys()]) await this.#giveBack(symbol);
  }

  /** The symbols whose lease this engine holds. */
  heldSymbols(): string[] {
    return [...this.#held.keys()];
  }

  /** The lease this engine holds on `symbol`, as order calls carry it; undefined if none. */
  stamp(symbol: string): FenceStamp | undefined {
    const token = this.#held.get(symbol);
    return token === undefined ? undefined : { symbol, owner: this.engineId, token };
  }

  /**
   * Takes `symbol`'s lease now, for a symbol being added through this engine.
   * @returns the owner: this engine's id when it holds it now, else the live owner's
   */
  async claim(symbol: string): Promise<string> {
    if (this.#held.has(symbol)) return this.engineId;
    const token = await this.#options.repo.acquire(symbol, this.engineId, this.#options.ttlMs);
    if (token !== null) {
      this.#held.set(symbol, token);
      this.#options.onEvent?.('acquired');
      return this.engineId;
    }
    const lease = await this.#options.repo.leaseOf(symbol);
    return lease?.owner ?? 'another engine';
  }

  /** Forgets `symbol` after it was removed here (its lease is given back). */
  async forget(symbol: string): Promise<void> {
    const token = this.#held.get(symbol);
    if (token === undefined) return;
    this.#held.delete(symbol);
    await this.#options.repo.release(symbol, this.engineId, token);
  }

  async view(): Promise<ClusterView> {
    const { repo } = this.#options;
    return {
      engineId: this.engineId,
      held: [...this.#held].map(([symbol, token]) => ({ symbol, token })),
      members: await repo.members(),
      leases: await repo.list(),
    };
  }

  /** One scan; a scan already running is joined rather than overlapped. */
  scan(): Promise<void> {
    this.#scanning ??= this.#scan().finally(() => {
      this.#scanning = null;
    });
    return this.#scanning;
  }

  async #scan(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#keep();
      this.#scanFailures = 0;
    } catch (e) {
      this.#scanFailures += 1;
      this.#options.onEvent?.('scan_failed');
      // First failure and every tenth after it: a long outage must not flood the log
      if (this.#scanFailures % 10 === 1) {
        this.#options.log.warn(
          { err: e, failures: this.#scanFailures },
          'cluster scan failed: will try again',
        );
      }
    }
  }

  /** Proves membership and renews; a lapsed membership or a lease not renewed is lost. */
  async #membershipAndRenewal(attempt = this.#renewal): Promise<void> {
    const { repo, membership, clock, ttlMs } = this.#options;
    const current = () => attempt === this.#renewal && !this.#stopped;
    const member = await membership.refresh();
    if (!current()) return;
    this.#member = member;
    if (!member) for (const symbol of [...this.#held.keys()]) await this.#lose(symbol);
    const held = new Map(this.#held);
    const renewedAt = clock.now();
    const renewed = await repo.renew(this.engineId, held, ttlMs);
    if (!current()) return;
    this.#lastRenewedMs = renewedAt;
    for (const symbol of held.keys()) {
      // Taken since this renewal read the map: renewed by the next one
      if (!renewed.has(symbol) && this.#held.get(symbol) === held.get(symbol)) {
        await this.#lose(symbol);
      }
    }
  }

  /** Drops every symbol once the leases may have expired without a renewal. */
  #checkExpiry(): void {
    const { clock, ttlMs, scanMs, log } = this.#options;
    if (this.#held.size === 0 || clock.now() - this.#lastRenewedMs <= ttlMs - scanMs) return;
    log.error(
      { symbols: [...this.#held.keys()] },
      'lease lost: not renewed before it may have expired; stopping every symbol',
    );
    // The renewal in flight, if it ever answers, must not act on what it read before
    this.#renewal += 1;
    this.#renewing = null;
    for (const symbol of [...this.#held.keys()]) {
      this.#lose(symbol).catch((e: unknown) =>
        log.error({ err: e, symbol }, 'symbol could not be stopped after losing its lease'),
      );
    }
  }

  async #keep(): Promise<void> {
    const { repo, hooks, ttlMs, clock, scanMs } = this.#options;
    const dead = await repo.claimDead(ttlMs, this.engineId);
    if (dead.length > 0) {
      this.#options.log.warn({ engines: dead }, 'engines found dead: recovering their workflows');
      await hooks.recoverDead(dead);
      // Only now may their leases be taken: their last placements have settled
      await repo.finishClaims(dead, this.engineId);
    }
    const active = await hooks.activeSymbols();
    const activeSet = new Set(active);
    for (const symbol of [...this.#held.keys()]) {
      if (!activeSet.has(symbol)) await this.#giveBack(symbol);
    }
    const live = (await repo.members()).filter((m) => m.locked && m.heartbeatAgeMs < ttlMs).length;
    const share = Math.ceil(active.length / Math.max(1, live));
    if (this.#held.size > share) {
      await this.#giveBack(this.#pickToGiveBack());
      return;
    }
    // An engine whose renewals do not answer, or that is no member, must not take anything
    if (!this.#member || clock.now() - this.#lastRenewedMs > 2 * scanMs) return;
    for (const symbol of spread(active, this.engineId)) {
      if (this.#held.size >= share || this.#stopped) break;
      if (!this.#held.has(symbol)) await this.#take(symbol);
    }
    // A lease left expired for a whole TTL has no owner coming back for it (its engine is live
    // but cannot renew): any engine takes it, beyond its share, so no symbol stays untraded
    for (const lease of await repo.list()) {
      if (this.#stopped) break;
      const orphaned = lease.expiresInMs < -ttlMs && activeSet.has(lease.symbol);
      if (orphaned && !this.#held.has(lease.symbol)) await this.#take(lease.symbol);
    }
  }

  async #take(symbol: string): Promise<void> {
    const { repo, hooks, ttlMs } = this.#options;
    const token = await repo.acquire(symbol, this.engineId, ttlMs);
    if (token === null) return;
    this.#held.set(symbol, token);
    this.#options.onEvent?.('acquired');
    this.#options.log.info({ symbol, token }, 'lease acquired: taking the symbol over');
    await hooks.acquired(symbol, token);
  }

  #pickToGiveBack(): string {
    const symbols = [...this.#held.keys()].sort();
    return symbols[symbols.length - 1] as string;
  }

  async #giveBack(symbol: string): Promise<void> {
    await this.#options.hooks.dropped(symbol, true);
    const token = this.#held.get(symbol);
    this.#held.delete(symbol);
    if (token !== undefined) await this.#options.repo.release(symbol, this.engineId, token);
    this.#options.onEvent?.('released');
    this.#options.log.info({ symbol }, 'lease given back');
  }

  async #lose(symbol: string): Promise<void> {
    this.#held.delete(symbol);
    this.#options.onEvent?.('lost');
    this.#options.log.warn({ symbol }, 'lease lost: stopping the symbol, another engine owns it');
    await this.#options.hooks.dropped(symbol, false);
  }
}

/**
 * The symbols in an order of this engine's own, so engines starting together try different
 * symbols first instead of all racing for the same ones.
 */
function spread(symbols: readonly string[], engineId: string): string[] {
  const rank = (symbol: string) => {
    let h = 2_166_136_261;
    for (const c of `${engineId}/${symbol}`) h = Math.imul(h ^ c.charCodeAt(0), 16_777_619);
    return h >>> 0;
  };
  return [...symbols].sort((a, b) => rank(a) - rank(b));
}
