/**
 * @module actors/cluster/fences
 * The lease checks scale-out puts in front of everything a former owner must not do: order calls
 * (checked in the database right before the venue call) and snapshot saves (checked in the
 * saving transaction, the lease row locked until it commits).
 */
import type { SymbolId } from '../../core/types.js';
import type { SnapshotFence } from '../engine/engine.store.js';
import type { Sql } from '../store/database.js';
import type { LeasesRepo } from '../store/leases.repo.js';
import type { OrderFence } from '../workflows/order.context.js';
import type { LeaseKeeper } from './lease-keeper.js';

/** A save or call for a symbol whose lease this engine no longer holds. */
export class LeaseLostError extends Error {
  readonly symbol: string;

  constructor(symbol: string, engineId: string) {
    super(`engine ${engineId} no longer holds the lease on ${symbol}: another engine owns it`);
    this.name = 'LeaseLostError';
    this.symbol = symbol;
  }
}

/** Order calls go through only while the database agrees this engine holds the lease. */
export function orderFenceOf(keeper: LeaseKeeper, repo: LeasesRepo): OrderFence {
  return {
    held: (symbol) => keeper.stamp(symbol),
    check: async (symbol) => {
      const stamp = keeper.stamp(symbol);
      if (!stamp) return null;
      const token = await repo.heldToken(symbol, keeper.engineId);
      return token === stamp.token ? stamp : null;
    },
  };
}

/**
 * Snapshot saves commit only while this engine holds the lease at the token it knows. The save's
 * transaction locks the lease row; the server ends it if it idles for `idleLimitMs` (this
 * process paused inside it), so a paused former owner never blocks the takeover for longer.
 */
export function snapshotFenceOf(
  keeper: LeaseKeeper,
  repo: LeasesRepo,
  idleLimitMs: number,
): SnapshotFence {
  return async (tx: Sql, symbol: SymbolId) => {
    const stamp = keeper.stamp(symbol);
    const token = stamp ? await repo.heldToken(symbol, keeper.engineId, tx, idleLimitMs) : null;
    if (!stamp || token !== stamp.token) throw new LeaseLostError(symbol, keeper.engineId);
  };
}
