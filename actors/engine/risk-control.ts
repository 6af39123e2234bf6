/**
 * @module actors/engine/risk-control
 * The operator's controls over the risk layer, shared by the admin API and Telegram: pause,
 * resume, halt and flatten a symbol or everything, trip and reset a breaker, change the
 * pre-trade limits at runtime. Every change is durable (holds and breakers live in the risk
 * controller's persisted machines; limits are stored in `risk_states` as `global/limits`),
 * logged at warn with who asked, and raised as an `operator_action` alert; each answers only once
 * the change is stored, so an acknowledged halt survives a crash right after. A refusal (unknown
 * scope, a reset while the condition holds, a bad limit) is an {@link OperatorResult} with the
 * reason, never an exception.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { describeIssues } from '../../core/config-file.js';
import type { HoldLevel } from '../../machines/trading-state.machine.js';
import type { AlertSink } from '../alerts/alert.types.js';
import type { PnlReport, StatusReport, TradingControlPort } from '../alerts/telegram-control.js';
import { GLOBAL } from '../risk/breaker-bank.js';
import { preTradeLimitsFromConfig } from '../risk/pre-trade.js';
import type { OperatorResult } from '../risk/risk-controller.js';
import type { RiskStateStore } from '../risk/risk-persistence.js';
import {
  BREAKER_KINDS,
  limitsConfigSchema,
  type BreakerKind,
  type LimitsConfig,
} from '../risk/risk.config.js';
import type { EngineRisk } from './engine-risk.js';

const LIMITS_KEY = { scope: GLOBAL, machine: 'limits' } as const;

/** What the controls work on. */
export interface RiskControlOptions {
  readonly risk: EngineRisk;
  readonly limits: LimitsConfig;
  readonly store: RiskStateStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly alerts?: AlertSink;
  /** Realized and unrealized PnL and fees per symbol, for Telegram's /pnl. */
  readonly pnl: () => Promise<PnlReport>;
}

/** See the module doc. */
export class RiskControl implements TradingControlPort {
  readonly #o: RiskControlOptions;
  #limits: LimitsConfig;
  #limitsVersion = 0;

  private constructor(options: RiskControlOptions) {
    this.#o = options;
    this.#limits = options.limits;
  }

  /**
   * Loads limits an operator changed before the restart (they win over the config file).
   * @returns the controls
   */
  static async open(options: RiskControlOptions): Promise<RiskControl> {
    const control = new RiskControl(options);
    const stored = (await options.store.loadAll()).find(
      (s) => s.scope === LIMITS_KEY.scope && s.machine === LIMITS_KEY.machine,
    );
    if (stored) {
      control.#limitsVersion = stored.version;
      const parsed = limitsConfigSchema.safeParse(stored.snapshot);
      if (parsed.success) {
        control.#limits = parsed.data;
        options.risk.checker.setLimits(preTradeLimitsFromConfig(parsed.data), options.clock.now());
        options.log.warn({ limits: parsed.data }, 'pre-trade limits changed at runtime restored');
      } else {
        options.log.error(
          { problems: describeIssues(parsed.error) },
          'stored pre-trade limits are invalid: the config file limits apply',
        );
      }
    }
    return control;
  }

  /** The limits in force, in config form. */
  get limits(): LimitsConfig {
    return this.#limits;
  }

  /**
   * Places a latched operator hold on a scope (`global` or a symbol).
   * @param level - reduce (pause entries), halt (cancel our orders), flatten (close)
   */
  hold(scope: string, level: HoldLevel, by: string): Promise<OperatorResult> {
    const result = this.#o.risk.controller.hold(scope, level, by);
    if (result.ok) this.#announce(`${level} ${scope}`, by);
    return this.#durable(result);
  }

  /** Lifts the operator holds of a scope. */
  resumeScope(scope: string, by: string): Promise<OperatorResult> {
    const result = this.#o.risk.controller.resume(scope, by);
    if (result.ok) this.#announce(`resume ${scope}`, by);
    return this.#durable(result);
  }

  /** Trips a breaker by hand. */
  trip(kind: string, scope: string, by: string, reason: string): Promise<OperatorResult> {
    if (!isBreakerKind(kind)) return Promise.resolve(unknownBreaker(kind));
    const result = this.#o.risk.controller.tripBreaker(kind, scope, by, reason);
    if (result.ok) this.#announce(`trip breaker ${kind} on ${scope}`, by);
    return this.#durable(result);
  }

  /** Resets a breaker by hand; refused while its condition holds. */
  reset(kind: string, scope: string, by: string): Promise<OperatorResult> {
    if (!isBreakerKind(kind)) return Promise.resolve(unknownBreaker(kind));
    const result = this.#o.risk.controller.resetBreaker(kind, scope, by);
    if (result.ok) this.#announce(`reset breaker ${kind} on ${scope}`, by);
    return this.#durable(result);
  }

  /**
   * Changes pre-trade limits: `patch` is merged over the limits in force, validated as the
   * `risk.limits` config section, stored, then applied.
   * @returns the problems ("field: reason") when the patch is invalid
   */
  async setLimits(
    patch: Readonly<Record<string, unknown>>,
    by: string,
  ): Promise<{ ok: true; limits: LimitsConfig } | { ok: false; problems: string[] }> {
    const merged = {
      ...this.#limits,
      ...patch,
      order_rate: {
        ...this.#limits.order_rate,
        ...(isObject(patch.order_rate) ? patch.order_rate : {}),
      },
    };
    const parsed = limitsConfigSchema.safeParse(merged);
    if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error) };
    this.#limitsVersion = await this.#o.store.save(LIMITS_KEY, parsed.data, this.#limitsVersion);
    this.#limits = parsed.data;
    this.#o.risk.checker.setLimits(preTradeLimitsFromConfig(parsed.data), this.#o.clock.now());
    this.#announce('change pre-trade limits', by, { limits: JSON.stringify(patch) });
    return { ok: true, limits: parsed.data };
  }

  // -- TELEGRAM (TradingControlPort) --

  status(): Promise<StatusReport> {
    const report = this.#o.risk.controller.report();
    const open = (scope: string) =>
      report.breakers
        .filter((b) => b.scope === scope && b.state !== 'closed')
        .map((b) => ({ breaker: b.breaker, reason: b.reason ?? '' }));
    const global = report.trading.find((t) => t.scope === GLOBAL);
    return Promise.resolve({
      global: { state: global?.state ?? 'ACTIVE', openBreakers: open(GLOBAL) },
      symbols: report.trading
        .filter((t) => t.scope !== GLOBAL)
        .map((t) => ({ symbol: t.scope, state: t.effective, openBreakers: open(t.scope) })),
    });
  }

  pnl(): Promise<PnlReport> {
    return this.#o.pnl();
  }

  pause(symbol: string, by: string): Promise<OperatorResult> {
    return this.hold(symbol, 'reduce', by);
  }

  resume(symbol: string, by: string): Promise<OperatorResult> {
    return this.resumeScope(symbol, by);
  }

  haltAll(by: string): Promise<OperatorResult> {
    return this.hold(GLOBAL, 'halt', by);
  }

  // -- INTERNAL --

  /** Answers once the change is stored: an acknowledged halt survives a crash right after. */
  async #durable(result: OperatorResult): Promise<OperatorResult> {
    if (result.ok) await this.#o.risk.controller.flush();
    return result;
  }

  #announce(action: string, by: string, fields: Record<string, string> = {}): void {
    const atMs = this.#o.clock.now();
    this.#o.log.warn({ action, by, ...fields }, 'operator action');
    this.#o.alerts
      ?.raise({
        kind: 'operator_action',
        severity: 'warning',
        title: `Operator: ${action}`,
        body: `${by} asked to ${action}.`,
        fields: { by, ...fields },
        dedupKey: `operator_action:${action.replaceAll(' ', '_')}:${atMs}`,
        topic: `operator_action:${action.split(' ')[0] ?? 'action'}`,
      })
      .catch((e: unknown) => this.#o.log.error({ err: e, action }, 'alert could not be stored'));
  }
}

function isBreakerKind(kind: string): kind is BreakerKind {
  return (BREAKER_KINDS as readonly string[]).includes(kind);
}

function unknownBreaker(kind: string): OperatorResult {
  return { ok: false, reason: `unknown breaker ${kind}; one of ${BREAKER_KINDS.join(', ')}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
