/**
 * @module actors/arbitrage/pair.actor
 * The actor of one funding-rate arbitrage pair. It watches both legs' funding and prices, decides
 * (machines/arbitrage-decision) and runs every change of position as a cycle workflow (see
 * pair-cycle.workflow), one at a time; between cycles it persists the position machine's
 * snapshot, its guards and its money (pair-ledger) in `arbitrage_pairs`.
 *
 * Guards go through a trading-state machine of its own (the risk layer's, scope = pair):
 * - a stale or missing funding or price feed places a `reduce` hold: no entries, exits continue
 *   (REQ-ARB-002);
 * - the leg-imbalance guard: a pair the machine leaves waiting unhedged (repairs that executed
 *   nothing, REQ-ARB-004) is retried with a doubling backoff, and after `maxRetries` retries it
 *   is halted (latched: an operator resumes it) with a critical alert;
 * - a perp leg closer to liquidation than `minLiquidationDistance` places a `flatten` hold: the
 *   pair exits at once (reduce-only on the perp) and stays halted.
 *
 * Recovery: the cycle after the last one applied is looked up first; a cycle a crash interrupted
 * is joined (DBOS resumes it at launch) and its result applied before anything is decided.
 * `run()` rejects when the actor fails; its supervisor restarts it from the persisted state.
 */
import { createActor, type Snapshot } from 'xstate';

import type { Clock, TimerHandle } from '../../core/clock.js';
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Logger } from '../../core/logger.js';
import type { ArbitrageDecision } from '../../machines/arbitrage-decision.js';
import { parseArbitrageOrderId } from '../../machines/arbitrage-order-id.js';
import {
  arbitragePositionMachine,
  type ArbitrageAlertCommand,
  type ArbitrageControlEvent,
  type ArbitragePositionInput,
} from '../../machines/arbitrage-position.machine.js';
import { LEG_KEYS, type LegKey } from '../../machines/arbitrage-pair.js';
import {
  entriesAllowed,
  stricterTradingState,
  tradingStateMachine,
  type TradingState,
  type TradingStateEvent,
} from '../../machines/trading-state.machine.js';
import type { AlertSink } from '../alerts/alert.types.js';
import type { ArbitragePairsRepo } from '../store/arbitrage-pairs.repo.js';
import { INCARNATION } from '../workflows/order.context.js';
import { hedgeToleranceOf, type ArbitragePairConfig } from './arbitrage.config.js';
import type { ArbitrageMetrics } from './arbitrage.metrics.js';
import type { LegAssets } from './arbitrage.steps.js';
import type { FundingMonitor } from './funding-monitor.js';
import { decidePair, enterEvent, positionView } from './pair-decision.js';
import { withExecutions, withSettlement } from './pair-ledger.js';
import { publishPair, pairViewOf } from './pair.publish.js';
import {
  runPairCycle,
  startedPairCycle,
  type PairCycleInput,
  type PairCycleResult,
} from './pair-cycle.workflow.js';
import {
  pairStateOf,
  placeholderInput,
  sameLeg,
  type PairState,
  type PairView,
} from './pair.state.js';
import { feedHoldChange, imbalanceHalt, liquidationGuard } from './pair-guards.js';

/** The pair's guard settings (engine config `arbitrage.guards`). */
export interface PairGuards {
  /** Between decisions when no feed update arrives, ms. */
  readonly evaluateIntervalMs: number;
  /** First wait before retrying a pair left unhedged, ms (doubles per retry). */
  readonly retryBackoffMs: number;
  /** Retries of an unhedged pair before it is halted. */
  readonly maxRetries: number;
  /** A perp leg whose liquidation is closer than this fraction of the mark exits the pair. */
  readonly minLiquidationDistance: string;
  /** Between liquidation checks, ms. */
  readonly riskCheckIntervalMs: number;
}

export interface PairActorDeps {
  readonly venue: (name: string) => Exchange;
  readonly monitor: FundingMonitor;
  readonly repo: ArbitragePairsRepo;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ArbitrageMetrics;
  readonly alerts: AlertSink | null;
  readonly guards: PairGuards;
  /**
   * The engine's global trading state (the operator's /halt and /flatten, global breakers): a
   * pair obeys the stricter of it and its own; default: always ACTIVE.
   */
  readonly globalTrading?: () => TradingState;
  /** The cycle runner; tests replace it. */
  readonly cycles?: {
    run(input: PairCycleInput): Promise<PairCycleResult>;
    started(pairId: string, cycle: number): Promise<PairCycleResult | null>;
  };
}

const DEFAULT_CYCLES = { run: runPairCycle, started: startedPairCycle };

/** One pair's actor; see the module doc. */
export class PairActor {
  readonly config: ArbitragePairConfig;
  readonly #deps: PairActorDeps;
  #state: PairState;
  #version = 0;
  #input: ArbitragePositionInput | null = null;
  #assets: Record<LegKey, LegAssets> | null = null;
  #trading = createActor(tradingStateMachine, { input: { scope: 'pair' } });
  #decision: ArbitrageDecision | null = null;
  #busy = false;
  #again = false;
  #stopped = false;
  #retryAtMs = 0;
  #lastRiskMs = 0;
  #timer: TimerHandle | null = null;
  #watching = false;
  #unsubscribe: (() => void) | null = null;
  #seen: Partial<Record<LegKey, { next: number; rate: Decimal; price: Decimal | null }>> = {};
  #done: { resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(config: ArbitragePairConfig, deps: PairActorDeps) {
    this.config = config;
    this.#deps = deps;
    this.#state = pairStateOf(null);
  }

  /** Loads the persisted state (no venue I/O). */
  async restore(): Promise<void> {
    const stored = await this.#deps.repo.load(this.config.pairId);
    if (!stored) throw new Error(`arbitrage pair ${this.config.pairId} is not stored`);
    this.#state = pairStateOf(stored.state);
    this.#version = stored.version;
    const snapshot = this.#state.trading as Snapshot<unknown> | null;
    this.#trading = createActor(tradingStateMachine, {
      input: { scope: this.config.pairId },
      ...(snapshot === null ? {} : { snapshot }),
    }).start();
  }

  /**
   * Recovers the pair, then decides on every feed update until stopped.
   * @returns resolves when stopped; rejects when the actor fails
   */
  run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.#done = { resolve, reject }));
    void this.#start().catch((e: unknown) => this.#fail(e));
    return done;
  }

  /** Stops deciding and waits for a cycle in flight to be applied. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#detach();
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 20));
    this.#done?.resolve();
  }

  /** Lifts the latched halt of the imbalance guard or a finished flatten. */
  async resume(by: string): Promise<void> {
    this.#state = { ...this.#state, retries: 0 };
    this.#sendTrading({ type: 'operator.resume', by, atMs: this.#deps.clock.now() });
    await this.#save();
    this.#tick();
  }

  /** True while a leg holds anything or a cycle runs. */
  isBusy(): boolean {
    return this.#busy || !this.#position().matches('flat');
  }

  view(): PairView {
    return pairViewOf(this.#viewInput());
  }

  // -- LOOP --

  async #start(): Promise<void> {
    const { venue, monitor, clock, guards } = this.#deps;
    const infos = {
      a: await venue(this.config.legs.a.venue).getSymbolInfo(this.config.legs.a.symbol),
      b: await venue(this.config.legs.b.venue).getSymbolInfo(this.config.legs.b.symbol),
    };
    const tolerance = hedgeToleranceOf(this.config, infos);
    const leg = (key: LegKey) => ({
      ...this.config.legs[key],
      stepSize: toPlain(infos[key].stepSize),
    });
    this.#input = {
      pairId: this.config.pairId,
      legs: { a: leg('a'), b: leg('b') },
      firstLeg: this.config.firstLeg,
      hedgeTolerance: toPlain(tolerance),
      maxRepairAttempts: this.config.maxRepairAttempts,
    };
    this.#assets = {
      a: { base: infos.a.baseAsset, quote: infos.a.quoteAsset },
      b: { base: infos.b.baseAsset, quote: infos.b.quoteAsset },
    };
    const cycles = this.#deps.cycles ?? DEFAULT_CYCLES;
    const interrupted = await cycles.started(this.config.pairId, this.#state.cycle + 1);
    if (interrupted) {
      this.#deps.log.warn(
        { pair: this.config.pairId, cycle: interrupted.cycle },
        'arbitrage cycle interrupted by a restart: applying its result',
      );
      await this.#apply(interrupted);
    }
    if (this.#stopped) return;
    for (const key of LEG_KEYS) monitor.watch(this.config.legs[key]);
    this.#watching = true;
    const unsubscribe = monitor.onUpdate((key) => {
      if (LEG_KEYS.some((k) => sameLeg(this.config.legs[k], key))) this.#tick();
    });
    const timer = clock.every(guards.evaluateIntervalMs, () => this.#tick());
    this.#unsubscribe = unsubscribe;
    this.#timer = timer;
    this.#tick();
  }

  #tick(): void {
    if (this.#stopped || this.#input === null) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    void this.#step()
      .catch((e: unknown) => this.#fail(e))
      .finally(() => {
        this.#busy = false;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#tick();
        }
      });
  }

  async #step(): Promise<void> {
    const now = this.#deps.clock.now();
    await this.#account(now);
    const position = this.#position();
    if (position.context.order !== null) return this.#cycle(null);
    await this.#checkLiquidation(now, position.matches('flat'));
    const own = this.#trading.getSnapshot().context.state;
    const trading = stricterTradingState(own, this.#deps.globalTrading?.() ?? 'ACTIVE');
    if (trading === 'FLATTENING') {
      if (position.matches('flat')) {
        if (own !== 'FLATTENING') return;
        this.#sendTrading({ type: 'flatten.done', atMs: now });
        return this.#save();
      }
      const reason = own === 'FLATTENING' ? 'liquidation distance' : 'the engine is flattening';
      return this.#cycle({ type: 'arb.emergencyExit', reason });
    }
    if (trading === 'HALTED') return;
    const unhedged = position.matches({ repairing: 'waiting' });
    if (unhedged || (position.matches('hedged') && position.context.targetSize !== null)) {
      return this.#retry(now, unhedged);
    }
    const decision = decidePair(
      this.#deps.monitor,
      this.config,
      positionView(position, this.#state.exitedAtMs),
      now,
    );
    this.#decision = decision;
    this.#feedHold(decision, now);
    publishPair(this.#deps.metrics, this.#viewInput());
    if (decision.action === 'enter') {
      if (!entriesAllowed(trading) || !entriesAllowed(this.#trading.getSnapshot().context.state))
        return;
      return this.#cycle(enterEvent(decision, this.config, now));
    }
    if (decision.action === 'exit') return this.#cycle({ type: 'arb.exit' });
  }

  /** The leg-imbalance guard: retry with backoff, then halt and alert. */
  async #retry(now: number, unhedged: boolean): Promise<void> {
    if (now < this.#retryAtMs) return;
    const { guards } = this.#deps;
    if (this.#state.retries >= guards.maxRetries) {
      const halt = imbalanceHalt(this.#state.retries, unhedged, now);
      this.#sendTrading(halt.event);
      await this.#alert('critical', 'Arbitrage pair halted', halt.reason, `halt:${now}`);
      return this.#save();
    }
    this.#state = { ...this.#state, retries: this.#state.retries + 1 };
    this.#retryAtMs = now + guards.retryBackoffMs * 2 ** this.#state.retries;
    this.#deps.log.warn(
      { pair: this.config.pairId, retry: this.#state.retries },
      unhedged ? 'arbitrage pair unhedged: retrying its repair' : 'retrying a failed exit',
    );
    return this.#cycle({ type: 'arb.retry' });
  }

  async #cycle(event: ArbitrageControlEvent | null): Promise<void> {
    const cycles = this.#deps.cycles ?? DEFAULT_CYCLES;
    const result = await cycles.run({
      pairId: this.config.pairId,
      cycle: this.#state.cycle + 1,
      machineInput: this.#input as ArbitragePositionInput,
      snapshot: this.#state.machine,
      event,
      assets: this.#assets as Record<LegKey, LegAssets>,
      incarnation: INCARNATION,
    });
    await this.#apply(result);
    if (result.unresolved) this.#again = true;
  }

  async #apply(result: PairCycleResult): Promise<void> {
    const wasFlat = this.#position().matches('flat');
    const { metrics } = this.#deps;
    this.#state = {
      ...this.#state,
      cycle: result.cycle,
      machine: result.snapshot,
      ledger: withExecutions(this.#state.ledger, result.executions),
    };
    const position = this.#position();
    const rests = position.matches('flat') || position.matches('hedged');
    if (rests && position.context.targetSize === null) this.#state = { ...this.#state, retries: 0 };
    const traded = result.executions.some((e) => dec(e.executedQty).gt(0));
    // A compensated entry ends flat too: it starts the re-entry cooldown like an exit
    if (position.matches('flat') && (!wasFlat || traded)) {
      this.#state = { ...this.#state, exitedAtMs: this.#deps.clock.now() };
    }
    for (const e of result.executions) {
      if (parseArbitrageOrderId(e.clientOrderId)?.purpose === 'unwind') {
        metrics.compensations.inc({ pair: this.config.pairId });
      }
    }
    for (const alert of result.alerts) await this.#machineAlert(alert);
    await this.#save();
    publishPair(metrics, this.#viewInput());
  }

  // -- GUARDS AND MONEY --

  #feedHold(decision: ArbitrageDecision, now: number): void {
    const change = feedHoldChange(decision, this.#trading.getSnapshot().context.holds, now);
    if (change) this.#sendTrading(change);
  }

  async #checkLiquidation(now: number, flat: boolean): Promise<void> {
    const { guards, venue, metrics } = this.#deps;
    if (flat || now - this.#lastRiskMs < guards.riskCheckIntervalMs) return;
    this.#lastRiskMs = now;
    for (const key of LEG_KEYS) {
      const leg = this.config.legs[key];
      if (leg.market !== 'perp') continue;
      const [position] = await venue(leg.venue).getPositions(leg.symbol);
      const guard = liquidationGuard(key, position, guards.minLiquidationDistance, now);
      if (!guard) continue;
      const labels = { pair: this.config.pairId, leg: key, role: 'perp' } as const;
      metrics.liquidationDistance.set(labels, guard.distance.toNumber());
      if (!guard.event || !guard.reason) continue;
      this.#sendTrading(guard.event);
      await this.#alert(
        'critical',
        'Arbitrage pair exiting: liquidation near',
        guard.reason,
        `liq:${now}`,
      );
    }
  }

  /** Accounts the funding settlements that passed since the last look at each perp leg. */
  async #account(now: number): Promise<void> {
    const legs = this.#position().context.legs;
    let ledger = this.#state.ledger;
    for (const key of LEG_KEYS) {
      if (this.config.legs[key].market !== 'perp') continue;
      const seen = this.#seen[key];
      if (seen) {
        const position = dec(legs[key].position);
        const settled = withSettlement(
          ledger,
          { leg: key, nextFundingTimeMs: seen.next, rate: seen.rate, price: seen.price, position },
          now,
        );
        ledger = settled.ledger;
        if (settled.payment) {
          this.#deps.log.info(
            { pair: this.config.pairId, leg: key, payment: toPlain(settled.payment) },
            'arbitrage funding settlement accounted',
          );
        }
      }
      const s = this.#deps.monitor.snapshot(this.config.legs[key]);
      if (s.nextFundingTimeMs > now)
        this.#seen[key] = { next: s.nextFundingTimeMs, rate: s.rate, price: s.price };
    }
    if (ledger !== this.#state.ledger) {
      this.#state = { ...this.#state, ledger };
      await this.#save();
    }
  }

  // -- HELPERS --

  #position() {
    const snapshot = this.#state.machine as Snapshot<unknown> | null;
    const input = this.#input ?? placeholderInput(this.config);
    return createActor(arbitragePositionMachine, {
      input,
      ...(snapshot === null ? {} : { snapshot }),
    }).getSnapshot();
  }

  #viewInput() {
    return {
      config: this.config,
      position: this.#position(),
      trading: this.#trading.getSnapshot().context,
      monitor: this.#deps.monitor,
      decision: this.#decision,
      state: this.#state,
      busy: this.#busy,
      nowMs: this.#deps.clock.now(),
    };
  }

  #sendTrading(event: TradingStateEvent): void {
    this.#trading.send(event);
    this.#state = { ...this.#state, trading: this.#trading.getPersistedSnapshot() };
  }

  async #save(): Promise<void> {
    this.#version = await this.#deps.repo.saveState(this.config.pairId, this.#state, this.#version);
  }

  async #machineAlert(alert: ArbitrageAlertCommand): Promise<void> {
    const title = `Arbitrage ${this.config.pairId}: ${alert.reason}`;
    await this.#alert(alert.severity, title, alert.detail, `${alert.reason}:${this.#state.cycle}`);
  }

  async #alert(severity: 'warning' | 'critical', title: string, body: string, key: string) {
    const pair = this.config.pairId;
    const log = severity === 'critical' ? this.#deps.log.error : this.#deps.log.warn;
    log.call(this.#deps.log, { pair, alert: title }, body);
    await this.#deps.alerts?.raise({
      kind: 'risk_limit_breached',
      severity,
      title,
      body,
      fields: { pair },
      dedupKey: `risk_limit_breached:${pair}:${key}`,
    });
  }

  #detach(): void {
    if (this.#timer) this.#deps.clock.clear(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#watching)
      for (const key of LEG_KEYS) this.#deps.monitor.unwatch(this.config.legs[key]);
    this.#watching = false;
  }

  #fail(e: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#detach();
    this.#done?.reject(e);
  }
}
