/**
 * @module actors/engine/orchestrator.actor
 * Owns one supervised symbol actor per active symbol and the venue streams they share (one
 * subscription per stream, routed by symbol). One symbol's failure never touches another's:
 * each is restarted, or given up on, by its own supervisor. Symbols are added and removed at
 * runtime, and the active set is durable.
 *
 * Start-up is two steps so DBOS can launch in between: `restore()` loads the active set and each
 * actor's snapshot; `resume()` subscribes the streams and lets each actor reconcile, then trade.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Account } from '../../core/exchange.types.js';
import type { SymbolId } from '../../core/types.js';
import { sample, setSymbolState, type EngineMetrics } from './engine.metrics.js';
import type { EngineStore } from './engine.store.js';
import type { OrderGateway } from './order-gateway.js';
import { StreamRouter, type Feed } from './stream-router.js';
import type { SupervisionPolicy } from './supervision.js';
import { admitGrid, SymbolRequestError, type SymbolEntry } from './symbol-admission.js';
import { SymbolActor } from './symbol.actor.js';
import type { SymbolActorDeps, SymbolActorOptions, SymbolPolicy } from './symbol.messages.js';
import {
  gridConfigToWire,
  parseStoredGridConfig,
  sameGridConfig,
  type GridConfig,
} from './symbol.config.js';
import { SymbolSupervisor, type SupervisedSymbolView } from './symbol.supervisor.js';

/** Re-exported: the orchestrator's symbol listing is the supervisors' views. */
export type { SupervisedSymbolView } from './symbol.supervisor.js';

/** What the orchestrator runs on; validated by the types, frozen for its life. */
export interface OrchestratorOptions {
  readonly exchange: Exchange;
  readonly orders: OrderGateway;
  readonly store: EngineStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  readonly policy: SupervisionPolicy;
  /** How every symbol trades (client id namespace, refusal backoff, reconciliation). */
  readonly symbolPolicy: SymbolPolicy;
  /** Every symbol starts with entries paused. */
  readonly entriesPaused: boolean;
  /** Venue updates a symbol's mailbox holds before routing waits; default 1024. */
  readonly mailboxCapacity?: number;
  /** How long a stopping symbol may take to settle its workflows, ms; default 5000. */
  readonly stopGraceMs?: number;
  /** Builds each actor; tests wrap it to make one symbol misbehave. */
  readonly createActor?: (deps: SymbolActorDeps, options: SymbolActorOptions) => SymbolActor;
}

/** Outcome of `addSymbol`. */
export type AddSymbolOutcome = 'added' | 'unchanged' | 'reactivated' | 'reconfigured';

/** The engine's supervisor of symbol actors; see the module doc. */
export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #symbols = new Map<SymbolId, SymbolSupervisor>();
  readonly #router: StreamRouter;
  #resumed = false;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#router = new StreamRouter({
      exchange: options.exchange,
      clock: options.clock,
      log: options.log,
      mailboxOf: (symbol) => this.#symbols.get(symbol as SymbolId)?.mailbox,
      symbols: () => [...this.#symbols.keys()],
      onAccount: (account) => this.#onAccount(account),
    });
  }

  // -- LIFECYCLE --

  /**
   * Loads the active set (seeding it with `seed` when it is empty: a fresh start, not an error)
   * and restores every actor from its last snapshot. Touches no venue.
   * @param seed - the configured default symbols
   */
  async restore(seed: readonly SymbolEntry[]): Promise<void> {
    const { store, log } = this.#options;
    let active = await store.activeSymbols.list();
    if (active.length === 0 && seed.length > 0) {
      for (const entry of seed) {
        await store.activeSymbols.add(entry.symbol, gridConfigToWire(entry.grid));
      }
      log.info({ symbols: seed.map((s) => s.symbol) }, 'fresh start: seeded the active symbols');
      active = await store.activeSymbols.list();
    }
    for (const row of active) {
      if (row.status === 'failed') {
        log.warn({ symbol: row.symbol }, 'symbol had failed before the restart: trying it again');
        await store.activeSymbols.setStatus(row.symbol, 'active');
      }
      await this.#supervise(row.symbol, parseStoredGridConfig(row.config)).restore();
    }
  }

  /** Subscribes the venue streams and starts every restored actor (reconcile, then trade). */
  resume(): void {
    this.#resumed = true;
    this.#router.start();
    for (const supervisor of this.#symbols.values()) supervisor.launch();
  }

  /**
   * Stops trading everywhere and waits for each actor to settle and persist. Orders stay on the
   * venue: the next start resumes the same grid.
   */
  async stop(): Promise<void> {
    this.#router.stop();
    await Promise.all([...this.#symbols.values()].map((s) => s.halt(false)));
  }

  // -- COMMANDS --

  /**
   * Adds a symbol, re-activates a failed one, or changes the grid of a flat one, durably.
   * @returns what changed
   * @throws {SymbolRequestError} when the venue does not list the symbol, the grid does not fit
   *   its filters, or the grid would change under slots that hold inventory or orders
   */
  async addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolOutcome> {
    await admitGrid(this.#options.exchange, symbol, grid);
    const current = this.#symbols.get(symbol);
    const same = current !== undefined && sameGridConfig(current.grid, grid);
    if (same && current.state() !== 'failed') return 'unchanged';
    if (current && !same && current.isBusy()) {
      throw new SymbolRequestError('conflict', [
        `grid: ${symbol} slots hold inventory or orders; its grid can change once they are ` +
          `flat (DELETE /symbols/${symbol} cancels its orders)`,
      ]);
    }
    await this.#options.store.activeSymbols.add(symbol, gridConfigToWire(grid));
    if (current) {
      await current.reactivate(grid);
      return same ? 'reactivated' : 'reconfigured';
    }
    const supervisor = this.#supervise(symbol, grid);
    await supervisor.restore();
    if (this.#resumed) supervisor.launch();
    this.#router.refreshSymbols();
    return 'added';
  }

  /**
   * Removes a symbol durably: its working orders are canceled, then it stops being traded. Its
   * last snapshot stays, so adding it again resumes any inventory it still holds.
   * @returns false when the symbol was not traded
   */
  async removeSymbol(symbol: SymbolId): Promise<boolean> {
    const supervisor = this.#symbols.get(symbol);
    if (!supervisor) return false;
    await supervisor.halt(true);
    await this.#options.store.activeSymbols.remove(symbol);
    this.#symbols.delete(symbol);
    supervisor.mailbox.discard();
    this.#router.refreshSymbols();
    setSymbolState(this.#options.metrics, symbol, null);
    this.#options.log.info({ symbol }, 'symbol removed');
    return true;
  }

  // -- QUERIES --

  /** Every supervised symbol, in the order added. */
  symbols(): SupervisedSymbolView[] {
    return [...this.#symbols.values()].map((s) => s.view());
  }

  /** Milliseconds since each venue stream's last update (null: none yet). */
  feedAges(): Record<Feed, number | null> {
    return this.#router.feedAges();
  }

  /** Brings the gauges that are read rather than counted up to date (call before a scrape). */
  publishMetrics(): void {
    const { metrics } = this.#options;
    for (const supervisor of this.#symbols.values()) {
      setSymbolState(metrics, supervisor.symbol, supervisor.state());
    }
    for (const [feed, age] of Object.entries(this.feedAges())) {
      if (age !== null) metrics.feedAge.set({ feed }, age);
    }
  }

  // -- INTERNAL --

  #supervise(symbol: SymbolId, grid: GridConfig): SymbolSupervisor {
    const { exchange, orders, store, clock, log, metrics, policy } = this.#options;
    const supervisor = new SymbolSupervisor(symbol, grid, {
      actorDeps: {
        exchange,
        clock,
        orders,
        store: store.symbols,
        metrics,
        log,
        policy: this.#options.symbolPolicy,
      },
      clock,
      log,
      metrics,
      policy,
      entriesPaused: this.#options.entriesPaused,
      mailboxCapacity: this.#options.mailboxCapacity ?? 1024,
      stopGraceMs: this.#options.stopGraceMs ?? 5_000,
      createActor: this.#options.createActor ?? ((deps, options) => new SymbolActor(deps, options)),
      onFailed: (failed) => store.activeSymbols.setStatus(failed, 'failed'),
    });
    this.#symbols.set(symbol, supervisor);
    return supervisor;
  }

  #onAccount(account: Account): void {
    for (const position of account.positions) {
      if (!this.#symbols.has(position.symbol as SymbolId)) continue;
      const labels = { symbol: position.symbol };
      this.#options.metrics.pnlUnrealized.set(labels, sample(position.unrealizedPnl));
    }
  }
}
