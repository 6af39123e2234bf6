/**
 * @module actors/engine/engine.store
 * The persistence the engine's actors use, as narrow interfaces over the store's repositories:
 * a symbol actor sees only its snapshot, its order ledger's index and the fills ledger, the
 * orchestrator only the active symbol set. Tests wrap these to inject failures into one symbol
 * without touching the others.
 */
import type { Sql } from '../store/database.js';
import type { LedgerOrder, OrderLedgerStore } from '../orders/order-ledger.types.js';
import { OrderIndexRepo, recordOrders } from '../store/order-index.repo.js';
import {
  ActiveSymbolsRepo,
  type ActiveSymbol,
  type SymbolStatus,
} from '../store/active-symbols.repo.js';
import { FillsRepo, type FillRecord, type FillTotals } from '../store/fills.repo.js';
import { SnapshotsRepo } from '../store/snapshots.repo.js';
import type { SymbolId } from '../../core/types.js';

/** A symbol's last persisted snapshot and the version a save must name. */
export interface StoredSnapshot {
  readonly document: unknown;
  readonly version: number;
}

/** What one symbol actor persists: its snapshot, its order ledger, foreign fills. */
export interface SymbolStore extends OrderLedgerStore {
  /** @returns the last snapshot of `symbol`, or null on a fresh start */
  loadSnapshot(symbol: SymbolId): Promise<StoredSnapshot | null>;
  /**
   * Saves the snapshot and writes `orders` (the ledger's new intents) in one transaction.
   * @returns the new version
   * @throws {StaleSnapshotError} when another writer saved since `expectedVersion`
   */
  saveSnapshot(
    symbol: SymbolId,
    document: unknown,
    expectedVersion: number,
    orders?: readonly LedgerOrder[],
  ): Promise<number>;
  /** @returns true when recorded now, false when the trade was already in the ledger */
  appendFill(fill: FillRecord): Promise<boolean>;
  fillTotals(symbol: SymbolId): Promise<FillTotals>;
}

/** The durable set of traded symbols. */
export interface ActiveSymbolStore {
  list(): Promise<ActiveSymbol[]>;
  add(symbol: SymbolId, config: unknown): Promise<void>;
  remove(symbol: SymbolId): Promise<boolean>;
  setStatus(symbol: SymbolId, status: SymbolStatus): Promise<void>;
}

/** Everything the engine persists, over one database. */
export interface EngineStore {
  readonly symbols: SymbolStore;
  readonly activeSymbols: ActiveSymbolStore;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
}

/**
 * Scale-out's guard on a symbol's writes (snapshot saves, order index records): runs first in
 * the writing transaction and throws when this engine no longer holds the symbol's lease,
 * locking the lease row until the write commits, so a former owner never overwrites the state
 * its successor restored from.
 */
export type SnapshotFence = (tx: Sql, symbol: SymbolId) => Promise<void>;

/**
 * The engine store over the store's repositories.
 * @param sql - the migrated database's client
 * @param fence - the lease check of every snapshot save (scale-out); none for one engine alone
 * @returns the store
 */
export function engineStoreFor(sql: Sql, fence?: SnapshotFence): EngineStore {
  const snapshots = new SnapshotsRepo(sql);
  const fills = new FillsRepo(sql);
  const orders = new OrderIndexRepo(sql);
  const active = new ActiveSymbolsRepo(sql);
  return {
    symbols: {
      loadSnapshot: async (symbol) => {
        const stored = await snapshots.load(symbol);
        return stored && { document: stored.snapshot, version: stored.version };
      },
      saveSnapshot: (symbol, document, expectedVersion, intents = []) =>
        intents.length === 0 && !fence
          ? snapshots.save(symbol, document, expectedVersion)
          : sql.begin(async (tx) => {
              await fence?.(tx as unknown as Sql, symbol);
              // The transaction client takes the same tagged-template queries as the pool
              const version = await new SnapshotsRepo(tx as unknown as Sql).save(
                symbol,
                document,
                expectedVersion,
              );
              if (intents.length > 0) await recordOrders(tx, intents, []);
              return version;
            }),
      appendFill: (fill) => fills.append(fill),
      fillTotals: (symbol) => fills.totals(symbol),
      live: (venue, symbol) => orders.live(venue, symbol),
      recent: (venue, symbol, limit) => orders.recent(venue, symbol, limit),
      byClientOrderId: (clientOrderId) => orders.byClientOrderId(clientOrderId),
      heldInventory: (venue, symbol) => orders.heldInventory(venue, symbol),
      record: (changed, trades) => {
        const symbol = changed[0]?.symbol ?? trades[0]?.symbol;
        if (!fence || symbol === undefined) return orders.record(changed, trades);
        // A fenced-off former owner's late reports must not overwrite its successor's index
        return sql.begin(async (tx) => {
          await fence(tx as unknown as Sql, symbol);
          return recordOrders(tx, changed, trades);
        });
      },
    },
    activeSymbols: {
      list: () => active.list(),
      add: async (symbol, config) => {
        await active.add(symbol, config);
      },
      remove: (symbol) => active.remove(symbol),
      setStatus: async (symbol, status) => {
        await active.setStatus(symbol, status);
      },
    },
    ping: async () => {
      try {
        await sql`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
  };
}
