/**
 * @module actors/cluster/lease-keeper
 * Keeps this engine's share of the active symbols. Every scan (one at a time, never
 * overlapping) it renews the leases it holds, drops the symbols whose lease it lost, recovers
 * the work of engines found dead, and takes free or expired leases until it holds its share
 * (the active symbols divided among the live engines, rounded up); above its share it gives one
 * symbol back per scan, so engines that join later get theirs. A scan that cannot reach the
 * database is counted and logged, and once the leases may have expired (no renewal for
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
  readonly onEvent?: (event: 'scan_failed' | 'acquired' | 'lost' | 'released') => void;
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
  #scanning: Promise<void> | null = null;
  #stopped = false;
  #lastRenewedMs: number;
  #failures = 0;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#lastRenewedMs = options.clock.now();
  }

  get engineId(): string {
    return this.#options.membership.engineId;
  }

  /** Runs one scan now, then one every `scanMs`. */
  async start(): Promise<void> {
    await this.scan();
    this.#timer = this.#options.clock.every(this.#options.scanMs, () => {
      void this.scan();
    });
  }

  /**
   * Stops scanning, stops every held symbol's actor, then gives the leases back so the other
   * engines take them at once rather than after they expire.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) this.#options.clock.clear(this.#timer);
    this.#timer = null;
    await this.#scanning;
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
    const lease = (await this.#options.repo.list()).find((l) => l.symbol === symbol);
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
    const { clock, log, ttlMs, scanMs } = this.#options;
    try {
      await this.#keep();
      if (this.#failures > 0) log.info({ failures: this.#failures }, 'cluster scans work again');
      this.#failures = 0;
    } catch (e) {
      this.#failures += 1;
      this.#options.onEvent?.('scan_failed');
      // First failure and every tenth after it: a long outage must not flood the log
      if (this.#failures % 10 === 1) {
        log.warn({ err: e, failures: this.#failures }, 'cluster scan failed: will try again');
      }
      if (this.#held.size > 0 && clock.now() - this.#lastRenewedMs > ttlMs - scanMs) {
        log.error(
          { symbols: [...this.#held.keys()] },
          'leases could not be renewed before they may expire: stopping every symbol',
        );
        for (const symbol of [...this.#held.keys()]) await this.#lose(symbol);
      }
    }
  }

  async #keep(): Promise<void> {
    const { repo, membership, hooks, clock, ttlMs } = this.#options;
    if (!(await membership.refresh())) {
      for (const symbol of [...this.#held.keys()]) await this.#lose(symbol);
    }
    const renewedAt = clock.now();
    const renewed = await repo.renew(this.engineId, this.#held, ttlMs);
    this.#lastRenewedMs = renewedAt;
    for (const symbol of [...this.#held.keys()]) {
      if (!renewed.has(symbol)) await this.#lose(symbol);
    }
    const dead = await repo.claimDead(ttlMs);
    if (dead.length > 0) {
      this.#options.log.warn({ engines: dead }, 'engines found dead: recovering their workflows');
      await hooks.recoverDead(dead);
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
    for (const symbol of spread(active, this.engineId)) {
      if (this.#held.size >= share || this.#stopped) break;
      if (this.#held.has(symbol)) continue;
      const token = await repo.acquire(symbol, this.engineId, ttlMs);
      if (token === null) continue;
      this.#held.set(symbol, token);
      this.#options.onEvent?.('acquired');
      this.#options.log.info({ symbol, token }, 'lease acquired: taking the symbol over');
      await hooks.acquired(symbol, token);
    }
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
