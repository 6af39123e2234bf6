/**
 * @module actors/risk/risk-controller
 * The risk layer's one stateful component: a trading-state machine per symbol and one global, a
 * breaker machine per enabled kind and scope, the evaluators that feed them, and the wiring
 * between: a breaker that opens places a hold (its configured action) on its scope's trading
 * state, a breaker that resets lifts it; operators, the risk monitor and the kill switch place
 * holds too. Every machine snapshot is persisted as it changes and restored on start.
 *
 * Out: for each symbol, the commands its *effective* state (the stricter of its own and the
 * global) implies, on every change of it: `cancelOpeningOrders` (REDUCING: pause entries, pull
 * resting entries), `cancelAllOrders` (HALTED), `cancelAllOrders` + `closePosition`
 * (FLATTENING; report {@link RiskController.flattenDone} when flat), `resumeEntries` (ACTIVE).
 * Alerts go to the {@link AlertSink}; metrics to {@link RiskMetrics}.
 */
import { createActor, type Actor } from 'xstate';

import type { Clock } from '../../core/clock.js';
import type { Decimal } from '../../core/decimal.js';
import type { Logger } from '../../core/logger.js';
import { breakerMachine, type BreakerNotice } from '../../machines/breaker.machine.js';
import {
  stricterTradingState,
  tradingStateMachine,
  type HoldLevel,
  type TradingState,
  type TradingStateCommand,
} from '../../machines/trading-state.machine.js';
import { inspectOptions } from '../engine/machine-inspection.js';
import type { AlertSink } from '../alerts/alert.types.js';
import { BreakerBank, GLOBAL, type BreakerId } from './breaker-bank.js';
import type { MonitorChange } from './kline-monitor.js';
import { RiskPersistence, type RiskStateStore } from './risk-persistence.js';
import type { BreakerKind, BreakersConfig } from './risk.config.js';
import type { RiskStateKey } from '../store/risk-states.repo.js';
import {
  recordBreakerState,
  recordTradingState,
  type Feed,
  type RiskMetrics,
} from './risk.metrics.js';
import { breakerAlert, tradingAlert } from './risk-alerts.js';

/** What a symbol's strategy must do now. */
export interface SymbolRiskCommand {
  readonly type: 'cancelOpeningOrders' | 'cancelAllOrders' | 'closePosition' | 'resumeEntries';
  /** The effective state that implies it. */
  readonly state: TradingState;
  readonly reason: string;
}

export interface RiskControllerOptions {
  readonly breakers: BreakersConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: RiskStateStore;
  readonly alerts?: AlertSink;
  readonly metrics?: RiskMetrics;
  /** Action of the risk monitor's hold on the global state; default reduce. */
  readonly monitorAction?: HoldLevel;
  /** Commands for one symbol's strategy. */
  readonly onCommand: (symbol: string, command: SymbolRiskCommand) => void;
  /** A scope's own trading state changed (for the RiskView: ExposureBook.symbolState). */
  readonly onTradingState?: (scope: string, state: TradingState) => void;
  /** A persistence or alert failure the owner must handle (restart the controller). */
  readonly onError: (e: Error) => void;
  /** A save found another engine's newer version (scale-out) and was written again over it. */
  readonly onStale?: (key: RiskStateKey, version: number | null) => void;
}

type TradingActor = Actor<typeof tradingStateMachine>;
type BreakerActor = Actor<typeof breakerMachine>;

/** The outcome of an operator's request. */
export type OperatorResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Trading states and breakers of the whole engine. */
export class RiskController {
  readonly #o: RiskControllerOptions;
  readonly #persistence: RiskPersistence;
  readonly #bank: BreakerBank;
  readonly #trading = new Map<string, TradingActor>();
  readonly #breakers = new Map<string, BreakerActor>();
  readonly #effective = new Map<string, TradingState>();
  readonly #flatPending = new Set<string>();
  #lastRefusal: string | null = null;

  private constructor(options: RiskControllerOptions, persistence: RiskPersistence) {
    this.#o = options;
    this.#persistence = persistence;
    this.#bank = new BreakerBank(options.breakers, options.clock.now());
    this.#startTrading(GLOBAL);
    for (const id of this.#bank.ids()) this.#startBreaker(id);
    this.#reconcileHolds(GLOBAL);
  }

  /**
   * Loads the stored machines and starts the global scope.
   * @param options - config, ports and callbacks
   * @returns the controller; add each traded symbol with {@link addSymbol}
   */
  static async open(options: RiskControllerOptions): Promise<RiskController> {
    const persistence = new RiskPersistence(options.store, options.onError, options.onStale);
    await persistence.load();
    return new RiskController(options, persistence);
  }

  // -- SCOPES --

  /** Starts a symbol's trading state and breakers (restored when stored); sends its commands. */
  addSymbol(symbol: string): void {
    if (this.#trading.has(symbol)) return;
    this.#bank.addSymbol(symbol, this.#now());
    this.#startTrading(symbol);
    for (const id of this.#bank.ids()) if (id.scope === symbol) this.#startBreaker(id);
    this.#reconcileHolds(symbol);
    this.#effective.delete(symbol);
    this.#refresh(symbol, 'symbol added');
  }

  /**
   * Reads a symbol's stored machines again before {@link addSymbol} (scale-out: a symbol taken
   * over restores what its former owner saved last).
   */
  reloadSymbol(symbol: string): Promise<void> {
    return this.#persistence.reload(symbol);
  }

  /** Stops a symbol's machines (their stored state stays for a re-add). */
  removeSymbol(symbol: string): void {
    this.#trading.get(symbol)?.stop();
    this.#trading.delete(symbol);
    for (const [k, actor] of this.#breakers) {
      if (k.endsWith(`|${symbol}`)) {
        actor.stop();
        this.#breakers.delete(k);
      }
    }
    this.#bank.removeSymbol(symbol);
    this.#effective.delete(symbol);
    if (this.#o.metrics) recordTradingState(this.#o.metrics, symbol, null);
  }

  /** The state `symbol` trades under: the stricter of its own and the global. */
  effectiveState(symbol: string): TradingState {
    const own = this.#trading.get(symbol)?.getSnapshot().context.state ?? 'ACTIVE';
    return stricterTradingState(own, this.#globalState());
  }

  // -- INPUTS --

  /** A round trip of `symbol` closed. */
  roundTrip(symbol: string, grossPnl: Decimal, fees: Decimal): void {
    this.#bank.roundTrip(symbol, grossPnl, fees);
    this.#observe('loss_streak', symbol);
  }

  /** Equity of a scope (`global`: wallet + unrealized; a symbol: capital + PnL). */
  equity(scope: string, equity: Decimal): void {
    this.#bank.equity(scope, this.#now(), equity);
    this.#observe('drawdown', scope);
  }

  /** A venue call's latency. */
  latency(symbol: string, latencyMs: number): void {
    this.#bank.latency(symbol, this.#now(), latencyMs);
  }

  /** An update of a feed arrived. */
  feed(feed: Feed, symbol: string): void {
    this.#bank.feed(feed, symbol, this.#now());
  }

  /** The venue refused or failed a call. */
  refusal(symbol: string, reason: string): void {
    this.#bank.refusal(symbol, this.#now(), reason);
    this.#lastRefusal = reason;
    this.#observe('refusal_storm', symbol);
  }

  /** An account update. */
  account(maintenanceMargin: Decimal, marginBalance: Decimal): void {
    this.#bank.account(maintenanceMargin, marginBalance);
    this.#observe('margin_ratio', GLOBAL);
  }

  /** A position update. */
  position(symbol: string, size: Decimal, markPrice: Decimal, liquidationPrice: Decimal): void {
    this.#bank.position(symbol, size, markPrice, liquidationPrice);
    this.#observe('liquidation_distance', symbol);
  }

  /** A reconciliation's position finding. */
  reconciled(symbol: string, local: Decimal, venue: Decimal): void {
    this.#bank.reconciled(symbol, local, venue);
    this.#observe('position_divergence', symbol);
  }

  /** The risk monitor's global verdict changed. */
  monitorChange(change: MonitorChange): void {
    const trading = this.#trading.get(GLOBAL);
    const atMs = this.#now();
    if (change.type === 'monitor.triggered') {
      const level = this.#o.monitorAction ?? 'reduce';
      trading?.send({ type: 'hold.set', source: 'monitor', level, reason: change.reason, atMs });
    } else {
      trading?.send({ type: 'hold.clear', source: 'monitor', atMs });
    }
  }

  /** Evaluates every breaker and lets time pass (call about once a second). */
  tick(): void {
    const atMs = this.#now();
    for (const { id, verdict } of this.#bank.verdicts(atMs)) {
      const actor = this.#breakers.get(breakerKey(id));
      actor?.send({ type: 'breaker.observe', atMs, holds: verdict.holds, reason: verdict.reason });
      actor?.send({ type: 'clock.tick', atMs });
    }
  }

  /** `symbol`'s position is closed and none of our orders rests: its flatten is done. */
  flattenDone(symbol: string): void {
    const atMs = this.#now();
    const own = this.#trading.get(symbol);
    if (own?.getSnapshot().value === 'FLATTENING') own.send({ type: 'flatten.done', atMs });
    this.#flatPending.delete(symbol);
    const global = this.#trading.get(GLOBAL);
    if (global?.getSnapshot().value === 'FLATTENING' && this.#flatPending.size === 0) {
      global.send({ type: 'flatten.done', atMs });
    }
  }

  // -- OPERATOR --

  /** Places an operator's hold (pause = reduce, halt, flatten) on a scope; latched. */
  hold(scope: string, level: HoldLevel, by: string, reason?: string): OperatorResult {
    const trading = this.#trading.get(scope);
    if (!trading) return { ok: false, reason: `unknown scope ${scope}` };
    const text = reason ?? `${level} by ${by}`;
    trading.send({
      type: 'hold.set',
      source: 'operator',
      level,
      reason: text,
      atMs: this.#now(),
      latched: true,
    });
    this.#o.logger.warn({ scope, level, by }, 'operator hold');
    return { ok: true };
  }

  /** Lifts the latched holds of a scope (operator resume). */
  resume(scope: string, by: string): OperatorResult {
    const trading = this.#trading.get(scope);
    if (!trading) return { ok: false, reason: `unknown scope ${scope}` };
    if (trading.getSnapshot().value === 'FLATTENING') {
      return { ok: false, reason: `${scope} is flattening; resume once it is HALTED` };
    }
    trading.send({ type: 'operator.resume', by, atMs: this.#now() });
    this.#o.logger.warn({ scope, by }, 'operator resume');
    return { ok: true };
  }

  /** Trips a breaker by hand. */
  tripBreaker(kind: BreakerKind, scope: string, by: string, reason: string): OperatorResult {
    const actor = this.#breakers.get(breakerKey({ kind, scope }));
    if (!actor) return { ok: false, reason: `breaker ${kind} is not enabled for ${scope}` };
    actor.send({ type: 'breaker.trip', atMs: this.#now(), by, reason });
    return { ok: true };
  }

  /** Resets a breaker by hand; refused while its condition holds. */
  resetBreaker(kind: BreakerKind, scope: string, by: string): OperatorResult {
    const actor = this.#breakers.get(breakerKey({ kind, scope }));
    if (!actor) return { ok: false, reason: `breaker ${kind} is not enabled for ${scope}` };
    const verdict = this.#bank.verdict({ kind, scope }, this.#now());
    const atMs = this.#now();
    if (verdict)
      actor.send({ type: 'breaker.observe', atMs, holds: verdict.holds, reason: verdict.reason });
    actor.send({ type: 'breaker.reset', atMs, by });
    const after = actor.getSnapshot();
    return after.value === 'closed'
      ? { ok: true }
      : {
          ok: false,
          reason: `the condition still holds: ${verdict?.reason ?? after.context.reason}`,
        };
  }

  // -- QUERIES --

  /** Every trading state with its holds, and every breaker, for GET /risk and /status. */
  report() {
    return {
      trading: [...this.#trading].map(([scope, actor]) => {
        const { context } = actor.getSnapshot();
        return {
          scope,
          state: context.state,
          effective: scope === GLOBAL ? context.state : this.effectiveState(scope),
          since: context.changedAtMs,
          reason: context.reason,
          holds: Object.values(context.holds),
        };
      }),
      breakers: [...this.#breakers.values()].map((actor) => {
        const { value, context } = actor.getSnapshot();
        return {
          breaker: context.name,
          scope: context.scope,
          state: value,
          reason: context.reason,
          since: context.sinceMs,
          tripsToday: context.tripsToday,
          autoReset: context.autoReset,
        };
      }),
    };
  }

  /** Drawdown per scope, fraction of the window's peak equity (gauges, GET /risk). */
  drawdowns(): Map<string, Decimal> {
    return this.#bank.drawdowns(this.#now());
  }

  /** Waits for every pending snapshot save. */
  flush(): Promise<void> {
    return this.#persistence.flush();
  }

  /** Stops every machine. */
  stop(): void {
    for (const actor of [...this.#trading.values(), ...this.#breakers.values()]) actor.stop();
  }

  // -- INTERNAL --

  #now(): number {
    return this.#o.clock.now();
  }

  #globalState(): TradingState {
    return this.#trading.get(GLOBAL)?.getSnapshot().context.state ?? 'ACTIVE';
  }

  #observe(kind: BreakerKind, symbol: string): void {
    const scope = this.#bank.scopeFor(kind, symbol);
    const verdict = this.#bank.verdict({ kind, scope }, this.#now());
    const actor = this.#breakers.get(breakerKey({ kind, scope }));
    if (!verdict || !actor) return;
    actor.send({
      type: 'breaker.observe',
      atMs: this.#now(),
      holds: verdict.holds,
      reason: verdict.reason,
    });
  }

  #startTrading(scope: string): void {
    const key = { scope, machine: 'trading' };
    const snapshot = this.#persistence.stored(key);
    const actor = createActor(tradingStateMachine, {
      input: { scope },
      ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
      ...inspectOptions(),
    });
    actor.on('*', (notice) => this.#onTrading(scope, notice as TradingStateCommand));
    actor.subscribe(() => this.#persistence.save(key, actor.getPersistedSnapshot()));
    actor.start();
    this.#trading.set(scope, actor);
    const state = actor.getSnapshot().context.state;
    if (this.#o.metrics) recordTradingState(this.#o.metrics, scope, state);
    this.#o.onTradingState?.(scope, state);
  }

  #startBreaker(id: BreakerId): void {
    const config = this.#o.breakers[id.kind];
    const key = { scope: id.scope, machine: `breaker:${id.kind}` };
    const snapshot = this.#persistence.stored(key);
    const input = {
      name: id.kind,
      scope: id.scope,
      cooldownMs: config.cooldown_ms,
      maxAutoResetsPerDay: config.max_auto_resets_per_day,
    };
    const actor = createActor(breakerMachine, {
      input,
      ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
      ...inspectOptions(),
    });
    actor.on('*', (notice) => this.#onBreaker(id, notice as BreakerNotice));
    actor.subscribe(() => this.#persistence.save(key, actor.getPersistedSnapshot()));
    actor.start();
    // The policy in the config wins over the stored one
    actor.send({
      type: 'breaker.configure',
      atMs: this.#now(),
      cooldownMs: input.cooldownMs,
      maxAutoResetsPerDay: input.maxAutoResetsPerDay,
    });
    this.#breakers.set(breakerKey(id), actor);
    if (this.#o.metrics)
      recordBreakerState(this.#o.metrics, id.kind, id.scope, actor.getSnapshot().value);
  }

  #onBreaker(id: BreakerId, notice: BreakerNotice): void {
    const trading = this.#trading.get(id.scope);
    const source = `breaker:${id.kind}`;
    const metrics = this.#o.metrics;
    switch (notice.type) {
      case 'breaker.opened':
        this.#bank.acknowledge(id);
        trading?.send({
          type: 'hold.set',
          source,
          level: this.#o.breakers[id.kind].action,
          reason: notice.reason,
          atMs: notice.atMs,
        });
        metrics?.breakerTrips.inc({ breaker: id.kind, scope: id.scope });
        this.#o.logger.warn({ ...id, reason: notice.reason, by: notice.by }, 'breaker opened');
        break;
      case 'breaker.closed':
        trading?.send({ type: 'hold.clear', source, atMs: notice.atMs });
        this.#o.logger.info({ ...id, how: notice.how, by: notice.by }, 'breaker closed');
        break;
      case 'breaker.cooling':
        this.#o.logger.info({ ...id, untilMs: notice.untilMs }, 'breaker cooling down');
        break;
      case 'breaker.resetRefused':
        this.#o.logger.warn(
          { ...id, by: notice.by, reason: notice.reason },
          'breaker reset refused',
        );
        break;
    }
    if (metrics)
      recordBreakerState(
        metrics,
        id.kind,
        id.scope,
        notice.type === 'breaker.closed' ? 'closed' : 'open',
      );
    const alert = breakerAlert(notice, this.#o.breakers[id.kind].action, this.#lastRefusal);
    if (alert) this.#raise(alert);
  }

  #onTrading(scope: string, notice: TradingStateCommand): void {
    if (notice.type !== 'trading.changed') return;
    if (this.#o.metrics) recordTradingState(this.#o.metrics, scope, notice.to);
    this.#o.onTradingState?.(scope, notice.to);
    const alert = tradingAlert(notice);
    if (alert) this.#raise(alert);
    if (notice.to === 'FLATTENING' && scope === GLOBAL) {
      for (const symbol of this.#trading.keys())
        if (symbol !== GLOBAL) this.#flatPending.add(symbol);
    }
    const symbols =
      scope === GLOBAL ? [...this.#trading.keys()].filter((s) => s !== GLOBAL) : [scope];
    for (const symbol of symbols) this.#refresh(symbol, notice.reason);
  }

  /**
   * Makes a restored scope's breaker holds match its breakers: a crash between saving a breaker
   * and saving its trading state must not leave a hold nobody lifts, or an open breaker without
   * its hold (a breaker no longer enabled loses its hold too).
   */
  #reconcileHolds(scope: string): void {
    const trading = this.#trading.get(scope);
    if (!trading) return;
    const atMs = this.#now();
    const holds = trading.getSnapshot().context.holds;
    for (const source of Object.keys(holds)) {
      if (!source.startsWith('breaker:')) continue;
      const breaker = this.#breakers.get(
        breakerKey({ kind: source.slice(8) as BreakerKind, scope }),
      );
      if (!breaker || breaker.getSnapshot().value === 'closed') {
        trading.send({ type: 'hold.clear', source, atMs });
      }
    }
    for (const [k, breaker] of this.#breakers) {
      const { value, context } = breaker.getSnapshot();
      const source = `breaker:${context.name}`;
      if (!k.endsWith(`|${scope}`) || value === 'closed' || holds[source]) continue;
      const level = this.#o.breakers[context.name as BreakerKind].action;
      trading.send({ type: 'hold.set', source, level, reason: context.reason ?? 'open', atMs });
    }
  }

  /** Sends a symbol the commands of its effective state if that changed. */
  #refresh(symbol: string, reason: string): void {
    const state = this.effectiveState(symbol);
    const before = this.#effective.get(symbol) ?? 'ACTIVE';
    const first = !this.#effective.has(symbol);
    this.#effective.set(symbol, state);
    if (state === before && !(first && state !== 'ACTIVE')) return;
    const send = (type: SymbolRiskCommand['type']) =>
      this.#o.onCommand(symbol, { type, state, reason });
    if (state === 'ACTIVE') send('resumeEntries');
    if (state === 'REDUCING') send('cancelOpeningOrders');
    if (state === 'HALTED' || state === 'FLATTENING') send('cancelAllOrders');
    if (state === 'FLATTENING') send('closePosition');
  }

  #raise(alert: Parameters<AlertSink['raise']>[0]): void {
    this.#o.alerts?.raise(alert).catch((e: unknown) => {
      this.#o.logger.error({ err: e, key: alert.dedupKey }, 'alert could not be stored');
      this.#o.onError(e instanceof Error ? e : new Error(String(e)));
    });
  }
}

function breakerKey(id: BreakerId): string {
  return `${id.kind}|${id.scope}`;
}
