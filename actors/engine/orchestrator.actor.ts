/**
 * @module actors/engine/orchestrator.actor
 * Owns one supervised symbol actor per active symbol, the venue streams they share (one
 * subscription per stream, routed by symbol) and the liveness probe of the exchange connector.
 * One symbol's failure never touches another's: each is restarted, or given up on, by its own
 * supervisor; a connector outage stops symbols without counting against them, and they resume
 * by themselves once it answers again.
 *
 * Changes to the traded set are serialised per symbol and durable: `addSymbol` and
 * `removeSymbol` queue a DBOS workflow partitioned by symbol (see symbol-change.workflow), so
 * concurrent requests for one symbol apply one at a time, in order, and a crash mid-change is
 * finished by the next start. A removal is done only once the venue lists none of the symbol's
 * orders of ours; a symbol given up on (`failed`) has its orders cancelled the same way, and
 * when the venue will not let them be cancelled they are reported as unmanaged (error log,
 * `market_maker_unmanaged_orders`, /status) for an operator.
 *
 * Start-up is two steps so DBOS can launch in between: `restore()` loads the active set and each
 * actor's snapshot; `resume()` subscribes the streams and lets each actor reconcile, then trade.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import type { Logger } from 'pino';

import { WallClock, type Clock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Account } from '../../core/exchange.types.js';
import { LivenessProbe } from '../../core/liveness.js';
import type { SymbolId } from '../../core/types.js';
import { clearSymbolGauges, sample, setSymbolState, type EngineMetrics } from './engine.metrics.js';
import type { EngineStore } from './engine.store.js';
import type { OrderGateway } from './order-gateway.js';
import { StreamRouter, type Feed } from './stream-router.js';
import type { SupervisionPolicy } from './supervision.js';
import { SymbolChanges, type AddSymbolResult } from './symbol-changes.js';
import {
  bindSymbolChanges,
  runSymbolChange,
  unbindSymbolChanges,
  type SymbolChangeHandler,
  type SymbolChangeOutcome,
} from './symbol-change.workflow.js';
import { ConfigError } from '../../core/config-file.js';
import {
  admitGrid,
  SymbolRequestError,
  type GridSafetyPolicy,
  type SymbolEntry,
} from './symbol-admission.js';
import { SymbolActor } from './symbol.actor.js';
import type { SymbolActorDeps, SymbolActorOptions, SymbolPolicy } from './symbol.messages.js';
import { gridConfigToWire, parseStoredGridConfig, type GridConfig } from './symbol.config.js';
import {
  SymbolSupervisor,
  type SupervisedSymbolView,
  type SupervisorContext,
} from './symbol.supervisor.js';
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { EngineRisk } from './engine-risk.js';
import { cancelOrdersOfFailed } from './failed-symbol.js';
import { sweepOrders, type SweepPolicy } from './venue-sweep.js';
import type { SymbolOwnership } from './symbol-ownership.js';

/** Re-exported: the orchestrator's symbol listing is the supervisors' views. */
export type { SupervisedSymbolView } from './symbol.supervisor.js';
export type { AddSymbolOutcome, AddSymbolResult } from './symbol-changes.js';

/** How the connector is probed; see core/liveness. */
export interface ConnectorProbeOptions {
  /** Between probes, ms; default 1000. */
  readonly intervalMs?: number;
  /** A probe unanswered this long marks the connector down, ms; default 2000. */
  readonly timeoutMs?: number;
}

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
  /** Liveness probing of the connector. */
  readonly probe?: ConnectorProbeOptions;
  /** Checks of the venue when a symbol is removed; default 6 rounds from 200 ms to 2 s. */
  readonly removalSweep?: Omit<SweepPolicy, 'proceed'>;
  /** The safety checker's limits, applied to every added or changed grid. */
  readonly safety?: GridSafetyPolicy;
  /** The risk layer: fed by the streams, told of symbols added and removed. */
  readonly risk?: EngineRisk;
  /** Told when a symbol's actor failed and restarts, or is given up on (alerts). */
  readonly onSymbolTrouble?: SupervisorContext['onTrouble'];
  /**
   * Scale-out: symbols are traded only while this engine holds their lease; `restore` then
   * supervises none, and the lease keeper hands them over with `adopt` and takes them with
   * `drop`. None: one engine alone trades every active symbol.
   */
  readonly ownership?: SymbolOwnership;
  /** Builds each actor; tests wrap it to make one symbol misbehave. */
  readonly createActor?: (deps: SymbolActorDeps, options: SymbolActorOptions) => SymbolActor;
}

/** The engine's supervisor of symbol actors; see the module doc. */
export class Orchestrator {
  readonly #options: OrchestratorOptions;
  readonly #symbols = new Map<SymbolId, SymbolSupervisor>();
  readonly #router: StreamRouter;
  readonly #connector: LivenessProbe;
  readonly #changes: SymbolChanges;
  readonly #apply: SymbolChangeHandler;
  /** Venue checks wait in real time, whatever clock supervision runs on. */
  readonly #wallClock = new WallClock();
  /** The async context the orchestrator was built in, outside any workflow. */
  readonly #detach = AsyncLocalStorage.snapshot();
  #resumed = false;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    const { exchange, clock, log, metrics } = options;
    this.#router = new StreamRouter({
      exchange,
      clock,
      log,
      mailboxOf: (symbol) => this.#symbols.get(symbol as SymbolId)?.mailbox,
      symbols: () => [...this.#symbols.keys()],
      onAccount: (account) => this.#onAccount(account),
      onPrice: (symbol, price) => options.risk?.price(symbol, price),
      onOrderUpdate: () => options.risk?.feed('orders'),
    });
    this.#connector = new LivenessProbe({
      probe: () => exchange.getType(),
      clock,
      intervalMs: options.probe?.intervalMs ?? 1_000,
      timeoutMs: options.probe?.timeoutMs ?? 2_000,
    });
    this.#connector.onChange((status) => {
      metrics.connectorUp.set(status.state === 'down' ? 0 : 1);
      if (status.state === 'down') {
        metrics.connectorOutages.inc();
        log.warn(
          { venue: exchange.name, reason: status.reason },
          'exchange connector not answering: symbols stopped by it wait until it does',
        );
      } else {
        log.info(
          { venue: exchange.name, latencyMs: status.latencyMs },
          'exchange connector answering',
        );
        this.#router.retryNow();
      }
    });
    this.#changes = new SymbolChanges({
      exchange,
      store: options.store,
      log,
      symbols: this.#symbols,
      supervise: (symbol, grid) => this.#supervise(symbol, grid),
      safety: options.safety ?? null,
      ...(options.ownership ? { ownership: options.ownership } : {}),
      resumed: () => this.#resumed,
      refreshStreams: () => this.#router.refreshSymbols(),
      clearGauges: (symbol) => {
        clearSymbolGauges(metrics, symbol);
        options.risk?.removeSymbol(symbol);
      },
      sweep: (symbol) =>
        sweepOrders(
          exchange,
          symbol,
          options.removalSweep ?? { rounds: 6, initialBackoffMs: 200, maxBackoffMs: 2_000 },
          { clock: this.#wallClock, log, namespace: options.symbolPolicy.namespace },
        ),
    });
    this.#apply = (change) => this.#changes.apply(change);
  }

  // -- LIFECYCLE --

  /**
   * Loads the active set (seeding it with `seed` when it is empty: a fresh start, not an error)
   * and restores every actor from its last snapshot. Touches no venue. Binds the symbol-change
   * workflows to this orchestrator, so changes a crash interrupted finish once DBOS launches.
   * @param seed - the configured default symbols
   */
  async restore(seed: readonly SymbolEntry[]): Promise<void> {
    const { store, log } = this.#options;
    bindSymbolChanges(this.#apply, this.#options.ownership?.engineId ?? null);
    let active = await store.activeSymbols.list();
    if (active.length === 0 && seed.length > 0) {
      await this.#admitSeed(seed);
      for (const entry of seed) {
        await store.activeSymbols.add(entry.symbol, gridConfigToWire(entry.grid));
      }
      log.info({ symbols: seed.map((s) => s.symbol) }, 'fresh start: seeded the active symbols');
      active = await store.activeSymbols.list();
    }
    // Under scale-out the lease keeper hands each symbol over once its lease is held
    if (this.#options.ownership) return;
    for (const row of active) {
      if (row.status === 'failed') {
        log.warn({ symbol: row.symbol }, 'symbol had failed before the restart: trying it again');
        await store.activeSymbols.setStatus(row.symbol, 'active');
      }
      await this.#supervise(row.symbol, parseStoredGridConfig(row.config)).restore();
    }
  }

  /** Probes the connector, subscribes the venue streams and starts every restored actor. */
  resume(): void {
    this.#resumed = true;
    this.#connector.start();
    this.#router.start();
    for (const supervisor of this.#symbols.values()) supervisor.launch();
  }

  /**
   * Stops trading everywhere and waits for each actor to settle and persist. Orders stay on the
   * venue: the next start resumes the same grid.
   */
  async stop(): Promise<void> {
    this.#connector.stop();
    this.#router.stop();
    await Promise.all([...this.#symbols.values()].map((s) => s.halt(false)));
    unbindSymbolChanges(this.#apply);
  }

  /**
   * Scale-out: this engine now holds `symbol`'s lease. Restores its actor from the last snapshot
   * (its former owner's, fenced so none is written after the takeover) and lets it reconcile
   * with the venue, then trade, as after a restart.
   * @returns false when the symbol is no longer active (removed meanwhile)
   */
  async adopt(symbol: SymbolId): Promise<boolean> {
    const { store, log } = this.#options;
    const row = (await store.activeSymbols.list()).find((r) => r.symbol === symbol);
    if (!row) return false;
    if (this.#symbols.has(symbol)) return true;
    if (row.status === 'failed') await store.activeSymbols.setStatus(symbol, 'active');
    // Its breakers and trading state as the former owner left them, not as they were at our start
    await this.#options.risk?.reloadSymbol(symbol);
    const supervisor = this.#supervise(symbol, parseStoredGridConfig(row.config));
    await supervisor.restore();
    if (this.#resumed) supervisor.launch();
    this.#router.refreshSymbols();
    log.info({ symbol }, 'symbol taken over: reconciling, then trading');
    return true;
  }

  /**
   * Scale-out: stops trading `symbol` here, leaving its orders on the venue for the next owner.
   * @param graceful - this engine gives it back and still holds the lease, so the actor settles
   *   and saves; false when the lease was lost, and nothing more may be saved or sent
   */
  async drop(symbol: SymbolId, graceful: boolean): Promise<void> {
    const supervisor = this.#symbols.get(symbol);
    if (!supervisor) return;
    const before = supervisor.view().actor;
    try {
      await supervisor.halt(false);
      // What the next owner should find: the position and orders as this engine leaves them
      this.#options.log.info(
        {
          symbol,
          graceful,
          position: before?.position ?? null,
          working: before?.orders.live.map((o) => o.clientOrderId) ?? [],
        },
        'symbol handed over',
      );
    } catch (e) {
      // A lost lease refuses the last snapshot save: the new owner restored from the one before
      if (graceful) throw e;
      this.#options.log.warn({ symbol, err: e }, 'symbol dropped after losing its lease');
    } finally {
      this.#symbols.delete(symbol);
      supervisor.mailbox.discard();
      this.#router.refreshSymbols();
      clearSymbolGauges(this.#options.metrics, symbol);
      this.#options.risk?.removeSymbol(symbol);
    }
  }

  // -- COMMANDS --

  /**
   * Adds a symbol, re-activates a failed one, or changes the grid of a flat one, durably and
   * after every change of the same symbol requested before it.
   * @returns what changed, and any inventory of a previous grid carried into the new one
   * @throws {SymbolRequestError} `invalid` when the venue does not list the symbol or the grid
   *   does not fit it, `conflict` when the grid would change under slots that hold inventory or
   *   orders, `unavailable` when the venue could not be asked
   */
  async addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolResult> {
    const outcome = await runSymbolChange({ kind: 'add', symbol, grid: gridConfigToWire(grid) });
    const result = refusedOr(outcome);
    return {
      outcome: result.outcome as AddSymbolResult['outcome'],
      carried: (result.detail as AddSymbolResult['carried'] | undefined) ?? [],
    };
  }

  /**
   * Removes a symbol durably: its working orders are cancelled, the venue is checked until it
   * lists none of the symbol's orders of ours, then it stops being traded. Its last snapshot
   * stays, so adding it again carries any inventory it still holds.
   * @returns false when the symbol was not traded
   * @throws {SymbolRequestError} `unavailable` when the venue could not confirm that none of
   *   its orders is left (the symbol then keeps trading, managing them)
   */
  async removeSymbol(symbol: SymbolId): Promise<boolean> {
    const outcome = await runSymbolChange({ kind: 'remove', symbol });
    return refusedOr(outcome).outcome === 'removed';
  }

  /**
   * Asks `symbol`'s reconcile job for a run now (an operator's request); it runs after what its
   * mailbox already holds.
   * @returns false when the symbol is not traded or was given up on
   */
  reconcile(symbol: SymbolId): boolean {
    const supervisor = this.#symbols.get(symbol);
    if (!supervisor || supervisor.state() === 'failed') return false;
    supervisor.mailbox.post({ kind: 'reconcile', trigger: 'manual' });
    return true;
  }

  // -- QUERIES --

  /** Every supervised symbol, in the order added. */
  symbols(): SupervisedSymbolView[] {
    return [...this.#symbols.values()].map((s) => s.view());
  }

  /** The exchange connector's liveness as the last probes found it. */
  connector(): LivenessProbe {
    return this.#connector;
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
    metrics.connectorUp.set(this.#connector.isUp() ? 1 : 0);
    this.#options.risk?.publishMetrics(this.feedAges());
  }

  /**
   * Hands a symbol's new effective trading state to its actor (the risk layer's command).
   * @returns false when the symbol is not traded
   */
  applyRisk(symbol: string, state: TradingState, reason: string): boolean {
    const supervisor = this.#symbols.get(symbol as SymbolId);
    supervisor?.mailbox.post({ kind: 'risk', state, reason });
    return supervisor !== undefined;
  }

  // -- INTERNAL --

  /**
   * The config's grids pass the checks a `POST /symbols` grid passes (venue filters and the
   * safety checker) before a fresh start stores them: a grid that loses money on every round
   * trip must not start just because it came from the file. A venue that cannot be asked now
   * does not block the start; the symbol's actor checks the venue's filters when it builds.
   * @throws {ConfigError} naming each refused grid's parameter and numbers
   */
  async #admitSeed(seed: readonly SymbolEntry[]): Promise<void> {
    const { exchange, log, safety } = this.#options;
    if (!safety) return;
    const problems: string[] = [];
    for (const [i, entry] of seed.entries()) {
      try {
        await admitGrid(exchange, entry.symbol, entry.grid, null, safety);
      } catch (e) {
        if (!(e instanceof SymbolRequestError)) {
          log.warn(
            { symbol: entry.symbol, err: e },
            'the venue could not be asked to check a seeded grid: starting without the check',
          );
          continue;
        }
        problems.push(...e.problems.map((p) => `symbols[${i}] (${entry.symbol}) ${p}`));
      }
    }
    if (problems.length > 0) throw new ConfigError('symbols (seeded on a fresh start)', problems);
  }

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
      connector: this.#connector,
      detach: (fn) => this.#detach(fn),
      ...(this.#options.onSymbolTrouble ? { onTrouble: this.#options.onSymbolTrouble } : {}),
      onFailed: async (failed) => {
        await store.activeSymbols.setStatus(failed, 'failed');
        await cancelOrdersOfFailed(supervisor, {
          exchange,
          log,
          namespace: this.#options.symbolPolicy.namespace,
          metrics,
          clock: this.#wallClock,
          backoff: policy,
          stillFailed: () =>
            this.#symbols.get(failed) === supervisor && supervisor.state() === 'failed',
        });
      },
    });
    this.#symbols.set(symbol, supervisor);
    this.#options.risk?.addSymbol(symbol, grid, null);
    return supervisor;
  }

  #onAccount(account: Account): void {
    this.#options.risk?.account(account);
    for (const position of account.positions) {
      if (!this.#symbols.has(position.symbol as SymbolId)) continue;
      const labels = { symbol: position.symbol };
      this.#options.metrics.pnlUnrealized.set(labels, sample(position.unrealizedPnl));
    }
  }
}

/** The success of a change, or its refusal thrown as the error the API maps. */
function refusedOr(outcome: SymbolChangeOutcome): Extract<SymbolChangeOutcome, { ok: true }> {
  if (outcome.ok) return outcome;
  throw new SymbolRequestError(outcome.kind, outcome.problems);
}
