/**
 * @module actors/arbitrage/pair.supervisor
 * Supervision of one arbitrage pair, like a grid symbol's (actors/engine/symbol.supervisor): a
 * pair actor that fails (a throw or a rejected promise anywhere inside it) is replaced by a new
 * one restored from the pair's persisted state after an exponential backoff; too many failures
 * within the window and the pair is `failed` (stored as such, alerted, no more restarts) while
 * every other pair and symbol trades on. A failure caused by a connector outage is not the pair's
 * fault: it is not counted, and the pair restarts once its backoff has passed. Each restart is a
 * fresh actor; a cycle the failed one left running is joined by the new one (see pair.actor).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { FailureWindow, outageReason, type SupervisionPolicy } from '../engine/supervision.js';
import type { ArbitragePairConfig } from './arbitrage.config.js';
import { PAIR_STATES, type ArbitrageMetrics } from './arbitrage.metrics.js';
import type { PairActor } from './pair.actor.js';
import type { PairView } from './pair.state.js';

/** Where a supervised pair is. */
export type PairSupervisionState = 'starting' | 'running' | 'restarting' | 'waiting' | 'failed';

/** What every pair's supervision shares. */
export interface PairSupervisorContext {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ArbitrageMetrics;
  readonly policy: SupervisionPolicy;
  /** Builds each actor instance; tests wrap it to make one pair misbehave. */
  readonly createActor: (config: ArbitragePairConfig) => PairActor;
  /** Runs `fn` outside any durable-workflow context. */
  readonly detach: <T>(fn: () => T) => T;
  /** Records that the pair was given up on. */
  readonly onFailed: (pairId: string, error: string) => Promise<void>;
}

/** One supervised pair as /status and GET /arbitrage show it. */
export interface SupervisedPairView {
  readonly pair: string;
  readonly state: PairSupervisionState;
  readonly failures: number;
  readonly restarts: number;
  readonly lastError: string | null;
  readonly actor: PairView | null;
}

/** Runs, restarts and gives up on the actor of one pair. */
export class PairSupervisor {
  readonly #context: PairSupervisorContext;
  readonly #failures: FailureWindow;
  #config: ArbitragePairConfig;
  #actor: PairActor | null = null;
  #state: PairSupervisionState = 'starting';
  #restarts = 0;
  #outages = 0;
  #lastError: string | null = null;
  #timer: TimerHandle | null = null;
  #launched = false;
  #halted = false;

  constructor(config: ArbitragePairConfig, context: PairSupervisorContext) {
    this.#config = config;
    this.#context = context;
    this.#failures = new FailureWindow(context.policy);
  }

  get pairId(): string {
    return this.#config.pairId;
  }

  get config(): ArbitragePairConfig {
    return this.#config;
  }

  /** The running actor, if any. */
  get actor(): PairActor | null {
    return this.#actor;
  }

  /** Builds an actor and loads its persisted state (no venue I/O). */
  async restore(): Promise<void> {
    const actor = this.#context.createActor(this.#config);
    this.#actor = actor;
    this.#state = 'starting';
    try {
      await actor.restore();
    } catch (e) {
      this.#failed(actor, e);
    }
  }

  /** Runs the restored actor and every replacement after it. */
  launch(): void {
    this.#launched = true;
    const actor = this.#actor;
    if (!actor) return;
    this.#state = 'running';
    this.#publishState();
    this.#context.detach(() =>
      actor.run().then(
        () => undefined,
        (e: unknown) => this.#failed(actor, e),
      ),
    );
  }

  /** Stops the running actor and any pending restart. */
  async halt(): Promise<void> {
    this.#halted = true;
    if (this.#timer) this.#context.clock.clear(this.#timer);
    this.#timer = null;
    const actor = this.#actor;
    this.#actor = null;
    await actor?.stop();
  }

  /** Restarts the pair by hand, with a new config or after it failed: failures are forgotten. */
  async reactivate(config: ArbitragePairConfig): Promise<void> {
    await this.halt();
    this.#config = config;
    this.#failures.reset();
    this.#halted = false;
    await this.restore();
    if (this.#launched) this.launch();
  }

  state(): PairSupervisionState {
    return this.#state;
  }

  view(): SupervisedPairView {
    return {
      pair: this.#config.pairId,
      state: this.#state,
      failures: this.#failures.count,
      restarts: this.#restarts,
      lastError: this.#lastError,
      actor: this.#actor?.view() ?? null,
    };
  }

  #failed(actor: PairActor, e: unknown): void {
    if (this.#actor !== actor || this.#halted) return;
    this.#actor = null;
    this.#lastError = e instanceof Error ? e.message : String(e);
    const { clock, log } = this.#context;
    const pair = this.#config.pairId;
    const outage = outageReason(e);
    if (outage !== null) {
      this.#outages++;
      this.#state = 'waiting';
      const waitMs = this.#failures.backoffMs(this.#outages);
      log.warn({ pair, reason: outage, waitMs, err: e }, 'arbitrage pair stopped by an outage');
      this.#schedule(waitMs);
      return;
    }
    this.#outages = 0;
    const failures = this.#failures.record(clock.now());
    if (this.#failures.exhausted(failures)) {
      this.#state = 'failed';
      this.#publishState();
      log.error({ pair, failures, err: e }, 'arbitrage pair failed too often: giving up on it');
      this.#context.onFailed(pair, this.#lastError).catch((error: unknown) => {
        log.error({ pair, err: error }, 'could not record the arbitrage pair as failed');
      });
      return;
    }
    const waitMs = this.#failures.backoffMs(failures);
    this.#state = 'restarting';
    this.#publishState();
    log.error(
      { pair, failures, waitMs, err: e },
      'arbitrage pair failed: restarting from its state',
    );
    this.#schedule(waitMs);
  }

  #schedule(waitMs: number): void {
    this.#timer = this.#context.clock.after(waitMs, () => {
      this.#timer = null;
      if (this.#halted) return;
      this.#restarts++;
      void this.restore().then(() => {
        if (this.#launched && !this.#halted && this.#actor) this.launch();
      });
    });
  }

  #publishState(): void {
    if (this.#state !== 'failed') return;
    const pair = this.#config.pairId;
    for (const state of PAIR_STATES) {
      this.#context.metrics.pairState.set({ pair, state }, state === 'failed' ? 1 : 0);
    }
  }
}
