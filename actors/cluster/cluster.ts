/**
 * @module actors/cluster/cluster
 * Scale-out assembled for one engine: its membership, the lease keeper, and the fences the
 * engine puts on order calls and snapshot saves. The engine supplies what a lease gained or lost
 * does to its symbols.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { FenceStamp } from '../../core/fence.js';
import type { SymbolId } from '../../core/types.js';
import type { EngineConfig } from '../engine/engine.config.js';
import type { EngineMetrics } from '../engine/engine.metrics.js';
import type { SnapshotFence } from '../engine/engine.store.js';
import type { SymbolOwnership } from '../engine/symbol-ownership.js';
import type { Sql } from '../store/database.js';
import { LeasesRepo } from '../store/leases.repo.js';
import type { OrderFence } from '../workflows/order.context.js';
import { orderFenceOf, snapshotFenceOf } from './fences.js';
import { LeaseKeeper, type ClusterView, type LeaseKeeperHooks } from './lease-keeper.js';
import { defaultEngineId, Membership } from './membership.js';
import { recoverWorkflowsOf } from './workflow-recovery.js';

/** What a lease gained or lost does to the engine's symbols. */
type EngineHooks = Omit<LeaseKeeperHooks, 'recoverDead'>;

/** One engine's part in the cluster. */
export interface Cluster {
  readonly engineId: string;
  readonly orderFence: OrderFence;
  readonly snapshotFence: SnapshotFence;
  readonly ownership: SymbolOwnership;
  /** The lease this engine holds on `symbol` now, from memory; undefined if none. */
  stamp(symbol: string): FenceStamp | undefined;
  /** Starts sharing out the symbols; call once the engine's actors can run. */
  start(hooks: EngineHooks): Promise<void>;
  view(): Promise<ClusterView>;
  /** Gives every symbol back (their actors stopped first) and leaves. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly sql: Sql;
  readonly config: EngineConfig['cluster'];
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
}

/**
 * How long a transaction of a clustered engine may sit idle before PostgreSQL ends it, ms: half
 * the lease TTL, so a paused engine's row locks are gone before its leases expire and its symbols
 * move (a takeover must never wait for the process it replaces).
 */
export function clusterIdleLimitMs(config: Pick<EngineConfig['cluster'], 'lease_ttl_ms'>): number {
  return Math.ceil(config.lease_ttl_ms / 2);
}

/**
 * Joins the cluster under the configured engine id.
 * @throws {EngineIdInUseError} when a running engine has that id
 */
export async function joinCluster(options: ClusterOptions): Promise<Cluster> {
  const { sql, config, clock, log, metrics } = options;
  const repo = new LeasesRepo(sql);
  const engineId = config.engine_id || defaultEngineId();
  const membership = await Membership.join(sql, repo, engineId);
  let hooks: EngineHooks | null = null;
  const keeper = new LeaseKeeper({
    repo,
    membership,
    clock,
    log: log.child({ engineId }),
    ttlMs: config.lease_ttl_ms,
    scanMs: config.scan_interval_ms,
    onEvent: (event) => {
      metrics.clusterEvents.inc({ event });
      metrics.clusterSymbolsOwned.set(keeper.heldSymbols().length);
    },
    hooks: {
      activeSymbols: () => bound().activeSymbols(),
      acquired: (symbol, token) => bound().acquired(symbol, token),
      dropped: (symbol, graceful) => bound().dropped(symbol, graceful),
      recoverDead: async (engineIds) => {
        await recoverWorkflowsOf(engineIds, { log, waitMs: config.recovery_wait_ms });
      },
    },
  });
  function bound(): EngineHooks {
    if (!hooks) throw new Error('the cluster was not started: call start() with its hooks');
    return hooks;
  }
  log.info({ engineId, leaseTtlMs: config.lease_ttl_ms }, 'joined the engine cluster');
  return {
    engineId,
    orderFence: orderFenceOf(keeper, repo),
    snapshotFence: snapshotFenceOf(keeper, repo, clusterIdleLimitMs(config)),
    ownership: {
      engineId,
      ownerElsewhere: async (symbol: SymbolId) => {
        const lease = await repo.leaseOf(symbol);
        return lease && lease.owner !== engineId && lease.expiresInMs > 0 ? lease.owner : null;
      },
      claim: (symbol) => keeper.claim(symbol),
      forget: (symbol) => keeper.forget(symbol),
    },
    start: async (engineHooks) => {
      hooks = engineHooks;
      await keeper.start();
    },
    stamp: (symbol) => keeper.stamp(symbol),
    view: () => keeper.view(),
    stop: async () => {
      await keeper.stop();
      await membership.leave();
    },
  };
}
