/**
 * @module actors/engine/symbol.supervisor
 * Supervision of one symbol: runs its actor, and when the actor fails (a throw or a rejected
 * promise anywhere inside it) starts a new one from the last persisted snapshot after an
 * exponential backoff. Too many failures within the window and the symbol is `failed`: no more
 * restarts, its mailbox discards, and the failure is handed to `onFailed` (which records it and
 * cancels the symbol's orders), while every other symbol trades on. A failure caused by a
 * connector outage is not the symbol's fault: it is not counted, the symbol is `waiting`, and
 * it restarts by itself once its backoff has passed and the connector answers again. A failed
 * XState actor is never reused; each restart is a fresh instance on the same mailbox, so no
 * venue update routed meanwhile is lost.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { LivenessProbe } from '../../core/liveness.js';
import type { Logger } from 'pino';

import type { SymbolId } from '../../core/types.js';
import { LeaseLostError } from '../cluster/fences.js';
import { setSymbolState, type EngineMetrics, type SymbolState } from './engine.metrics.js';
import { Mailbox } from './mailbox.js';
import { FailureWindow, outageReason, type SupervisionPolicy } from './supervision.js';
import type { SymbolActor } from './symbol.actor.js';
import { gridConfigToWire, type GridConfig, type GridConfigWire } from './symbol.config.js';
import type {
  SymbolActorDeps,
  SymbolActorOptions,
  SymbolMessage,
  SymbolView,
} from './symbol.messages.js';

/** What every symbol's supervision shares. */
export interface SupervisorContext {
  readonly actorDeps: SymbolActorDeps;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  readonly policy: SupervisionPolicy;
  readonly entriesPaused: boolean;
  readonly mailboxCapacity: number;
  readonly stopGraceMs: number;
  /** Builds each actor instance; tests wrap it to make one symbol misbehave. */
  readonly createActor: (deps: SymbolActorDeps, options: SymbolActorOptions) => SymbolActor;
  /** The exchange connector's liveness: a symbol stopped by an outage waits for it. */
  readonly connector: LivenessProbe;
  /**
   * Runs `fn` outside any durable-workflow context: an actor started while a symbol change (a
   * workflow step) runs must not inherit that context, or its own order workflows would count
   * as started from inside a step.
   */
  readonly detach: <T>(fn: () => T) => T;
  /** Records that the symbol was given up on and deals with its orders. */
  readonly onFailed: (symbol: SymbolId) => Promise<void>;
  /**
   * Told when the actor failed (not an outage) and restarts after `waitMs`, or was given up on
   * (`waitMs` null): the engine raises the alert.
   */
  readonly onTrouble?: (trouble: SymbolTrouble) => void;
}

/** A symbol's actor failed: it restarts, or it was given up on. */
export interface SymbolTrouble {
  readonly symbol: SymbolId;
  readonly kind: 'restarting' | 'failed';
  readonly failures: number;
  readonly error: string;
  /** Wait before the restart, ms; null when given up on. */
  readonly waitMs: number | null;
}

/** What became of a failed symbol's orders (see the orchestrator's failure policy). */
export interface OrderCleanup {
  readonly state: 'cancelling' | 'cancelled' | 'unmanaged';
  /** Our orders still open on the venue (client order ids); empty once cancelled. */
  readonly remaining: readonly string[];
  readonly message: string;
}

/** One supervised symbol as /status shows it. */
export interface SupervisedSymbolView {
  readonly symbol: SymbolId;
  readonly state: SymbolState;
  readonly grid: GridConfigWire;
  /** Failures within the current window. */
  readonly failures: number;
  readonly restarts: number;
  readonly lastError: string | null;
  /**
   * What a `waiting` symbol waits for: the connector to answer, or (scale-out) the lease keeper
   * to hand the symbol to its new owner after this engine lost its lease; null otherwise.
   */
  readonly waitingFor: 'connector' | 'lease' | null;
  /** Failures caused by connector outages, never counted toward `failed`. */
  readonly outages: number;
  /** A failed symbol's orders: cancelled, or left to the operator with an alert. */
  readonly cleanup: OrderCleanup | null;
  readonly mailbox: {
    readonly queued: number;
    readonly waiting: number;
    readonly discarded: number;
  };
  readonly actor: SymbolView | null;
}

/** Runs, restarts and gives up on the actor of one symbol; see the module doc. */
export class SymbolSupervisor {
  readonly symbol: SymbolId;
  readonly mailbox: Mailbox<SymbolMessage>;
  readonly #context: SupervisorContext;
  readonly #failures: FailureWindow;
  #grid: GridConfig;
  #actor: SymbolActor | null = null;
  #state: SymbolState = 'starting';
  #restarts = 0;
  #lastError: string | null = null;
  #timer: TimerHandle | null = null;
  #launched = false;
  #halted = false;
  #outages = 0;
  #consecutiveOutages = 0;
  #waitingFor: 'connector' | 'lease' | null = null;
  #stopWaiting: (() => void) | null = null;
  #cleanup: OrderCleanup | null = null;
  #lastPosition: string | null = null;

  constructor(symbol: SymbolId, grid: GridConfig, context: SupervisorContext) {
    this.symbol = symbol;
    this.#grid = grid;
    this.#context = context;
    this.mailbox = new Mailbox<SymbolMessage>(context.mailboxCapacity);
    this.#failures = new FailureWindow(context.policy);
  }

  get grid(): GridConfig {
    return this.#grid;
  }

  // -- LIFECYCLE --

  /** Builds an actor and loads its last snapshot (no venue I/O). */
  async restore(): Promise<void> {
    const options = {
      symbol: this.symbol,
      grid: this.#grid,
      entriesPaused: this.#context.entriesPaused,
      mailbox: this.mailbox,
    };
    const actor = this.#context.createActor(this.#context.actorDeps, options);
    this.#actor = actor;
    this.#state = 'starting';
    try {
      await actor.restore();
    } catch (e) {
      this.#failed(actor, e);
    }
  }

  /** Runs the restored actor (reconcile, then trade) and every replacement after it. */
  launch(): void {
    this.#launched = true;
    if (this.#actor) this.#run(this.#actor);
  }

  /**
   * Stops the running actor and any pending restart.
   * @param cancelOrders - cancel its working orders first (the symbol is being removed)
   */
  async halt(cancelOrders: boolean): Promise<void> {
    this.#halted = true;
    if (this.#timer) this.#context.clock.clear(this.#timer);
    this.#timer = null;
    this.#stopWaiting?.();
    this.#stopWaiting = null;
    const actor = this.#actor;
    this.#actor = null;
    await actor?.stop({ cancelOrders, graceMs: this.#context.stopGraceMs });
  }

  /**
   * Restarts the symbol by hand, with a new grid or after it failed: failures are forgotten.
   * @param grid - the grid to trade from now on
   */
  async reactivate(grid: GridConfig): Promise<void> {
    await this.halt(false);
    this.#grid = grid;
    this.#failures.reset();
    this.#consecutiveOutages = 0;
    this.#waitingFor = null;
    this.#cleanup = null;
    this.mailbox.accept();
    this.#halted = false;
    await this.restore();
    if (this.#launched) this.launch();
  }

  // -- QUERIES --

  /** Where the symbol is: its actor's phase while one runs, else the supervisor's verdict. */
  state(): SymbolState {
    const phase = this.#actor?.view().phase;
    if (phase === 'reconciling' || phase === 'trading') return phase;
    return this.#actor ? 'starting' : this.#state;
  }

  /**
   * Records what became of a failed symbol's orders, for /status.
   * @param cleanup - the latest outcome
   */
  recordCleanup(cleanup: OrderCleanup): void {
    if (this.#state === 'failed' && !this.#actor) this.#cleanup = cleanup;
  }

  /** Net inventory of the slots when the last actor failed, base units; null before. */
  get lastPosition(): string | null {
    return this.#lastPosition;
  }

  /** True when a slot holds inventory or works an order. */
  isBusy(): boolean {
    return this.#actor?.view().slots.some((slot) => slot.state !== 'free') ?? false;
  }

  view(): SupervisedSymbolView {
    return {
      symbol: this.symbol,
      state: this.state(),
      grid: gridConfigToWire(this.#grid),
      failures: this.#failures.count,
      restarts: this.#restarts,
      lastError: this.#lastError,
      waitingFor: this.#actor ? null : this.#waitingFor,
      outages: this.#outages,
      cleanup: this.#cleanup,
      mailbox: { ...this.mailbox.depth, discarded: this.mailbox.discarded },
      actor: this.#actor?.view() ?? null,
    };
  }

  // -- SUPERVISION --

  #run(actor: SymbolActor): void {
    // Restarts and give-ups follow from here, so they stay outside any workflow context too
    this.#context.detach(() =>
      actor.run().then(
        () => undefined,
        (e: unknown) => this.#failed(actor, e),
      ),
    );
  }

  #failed(actor: SymbolActor, e: unknown): void {
    if (this.#actor !== actor || this.#halted) return;
    this.#actor = null;
    this.#lastPosition = actor.view().position;
    this.#lastError = e instanceof Error ? e.message : String(e);
    if (e instanceof LeaseLostError) return this.#leaseLost(e);
    const outage = outageReason(e);
    if (outage !== null) return this.#waitForConnector(outage, e);
    const { clock, log, metrics } = this.#context;
    const failures = this.#failures.record(clock.now());
    const ids = { symbol: this.symbol, failures, err: e };
    if (this.#failures.exhausted(failures)) {
      this.#state = 'failed';
      this.mailbox.discard();
      setSymbolState(metrics, this.symbol, 'failed');
      log.error(ids, `symbol failed ${failures} times within the window: giving up on it`);
      this.#trouble('failed', failures, null);
      this.#context.onFailed(this.symbol).catch((error: unknown) => {
        log.error({ symbol: this.symbol, err: error }, 'could not record the symbol as failed');
      });
      return;
    }
    const waitMs = this.#failures.backoffMs(failures);
    this.#state = 'restarting';
    setSymbolState(metrics, this.symbol, 'restarting');
    log.error({ ...ids, waitMs }, 'symbol actor failed: restarting from its last snapshot');
    this.#trouble('restarting', failures, waitMs);
    this.#timer = clock.after(waitMs, () => {
      this.#timer = null;
      void this.#restart();
    });
  }

  /**
   * Scale-out: the actor's save was fenced off, another engine owns the symbol now. A restart
   * here would be fenced off again (and count toward giving the symbol up, for everyone), so the
   * symbol stops without an alert and waits for the lease keeper, which drops it on its scan.
   */
  #leaseLost(e: LeaseLostError): void {
    const { log, metrics } = this.#context;
    this.#halted = true;
    this.#state = 'waiting';
    this.#waitingFor = 'lease';
    this.mailbox.discard();
    setSymbolState(metrics, this.symbol, 'waiting');
    log.warn(
      { symbol: this.symbol, err: e },
      'symbol stopped: its lease was lost to another engine (not counted as a failure)',
    );
  }

  /** An outage stopped the actor: wait out a backoff, then for the connector to answer. */
  #waitForConnector(reason: string, e: unknown): void {
    const { clock, log, metrics } = this.#context;
    this.#outages++;
    this.#consecutiveOutages++;
    metrics.symbolOutageWaits.inc({ symbol: this.symbol });
    this.#state = 'waiting';
    this.#waitingFor = 'connector';
    setSymbolState(metrics, this.symbol, 'waiting');
    const waitMs = this.#failures.backoffMs(this.#consecutiveOutages);
    log.warn(
      { symbol: this.symbol, reason, waitMs, outages: this.#outages, err: e },
      'symbol stopped by a connector outage (not counted as a failure): it resumes by itself ' +
        'once the connector answers',
    );
    this.#timer = clock.after(waitMs, () => {
      this.#timer = null;
      if (this.#halted) return;
      const { connector } = this.#context;
      if (connector.isUp()) return void this.#restart();
      this.#stopWaiting = connector.onChange((status) => {
        if (status.state !== 'up') return;
        this.#stopWaiting?.();
        this.#stopWaiting = null;
        // The connector is back: the next outage starts its backoff afresh
        this.#consecutiveOutages = 0;
        void this.#restart();
      });
    });
  }

  #trouble(kind: SymbolTrouble['kind'], failures: number, waitMs: number | null): void {
    const error = this.#lastError ?? 'unknown';
    this.#context.onTrouble?.({ symbol: this.symbol, kind, failures, error, waitMs });
  }

  async #restart(): Promise<void> {
    if (this.#halted) return;
    this.#restarts++;
    this.#context.metrics.symbolRestarts.inc({ symbol: this.symbol });
    await this.restore();
    if (this.#launched && !this.#halted) this.launch();
  }
}
