/**
 * @module server/rpc/rpc.adapters
 * Binds the engine gRPC API's ports to the running engine: the order ledgers through the
 * engine's symbol views, the order index and fills ledger through their repository, the account
 * through the venue port, the pre-trade limits (the config's until a live checker is handed in),
 * the reconcile jobs through the engine, and alerts from the engine's position divergences (plus
 * whatever sink is wrapped with the feed's `tee`). The risk controller and the funding scan are
 * optional: the caller passes them once the engine runs them.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { dec } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import type { Engine } from '../../actors/engine/engine.js';
import { preTradeLimitsFromConfig, type PreTradeLimits } from '../../actors/risk/pre-trade.js';
import { BREAKER_KINDS, type BreakerKind, type RiskConfig } from '../../actors/risk/risk.config.js';
import type { RiskController } from '../../actors/risk/risk-controller.js';
import type { Sql } from '../../actors/store/database.js';
import { OrderHistoryRepo } from '../../actors/store/order-history.repo.js';
import { AlertFeed } from './alert-feed.js';
import type { EngineRpcDeps } from './rpc.server.js';
import type {
  FundingScanPort,
  LedgerPort,
  LimitsPort,
  ReconcilePort,
  RiskControlPort,
} from './rpc.ports.js';

/** What the engine's API is bound to. */
export interface EngineRpcBinding {
  readonly engine: Engine;
  /** The venue port the engine trades through (RemoteExchange). */
  readonly exchange: Pick<Exchange, 'getAccount' | 'getLatestPrice'>;
  readonly sql: Sql;
  readonly risk: RiskConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** The risk controller, when the engine runs one. */
  readonly controller?: RiskControlPort | null;
  /** The live pre-trade checker, when the engine runs one: limits become changeable. */
  readonly checker?: {
    readonly limits: PreTradeLimits;
    setLimits(limits: PreTradeLimits, nowMs: number): void;
  } | null;
  /** The arbitrage funding scan, when the engine runs arbitrage. */
  readonly funding?: FundingScanPort | null;
  /** The alert feed the engine's alerter was tapped with (EngineDeps.alertTap); default: a new one. */
  readonly alerts?: AlertFeed;
}

/** The order ledgers of the engine's symbols, through its /status views. */
export function engineLedgerPort(engine: Engine): LedgerPort {
  return {
    symbols: () => {
      const venue = engine.health().connector.venue;
      return engine.symbols().map((s) => ({
        symbol: s.symbol,
        venue,
        mark: s.actor?.lastPrice ? dec(s.actor.lastPrice) : null,
        liveOrders: s.actor?.orders.live ?? [],
        exposure: s.actor?.orders.exposure ?? null,
        divergencePaused: s.actor?.divergencePaused ?? false,
      }));
    },
  };
}

/**
 * The risk controller as the API drives it: its report, and trip and reset by breaker kind (an
 * unknown kind is refused with the list of kinds).
 */
export function riskControlPort(controller: RiskController): RiskControlPort {
  const kind = (name: string): BreakerKind | null =>
    (BREAKER_KINDS as readonly string[]).includes(name) ? (name as BreakerKind) : null;
  const unknown = (name: string) => ({
    ok: false as const,
    reason: `no breaker kind ${name}; kinds: ${BREAKER_KINDS.join(', ')}`,
  });
  return {
    report: () => controller.report(),
    tripBreaker: (name, scope, by, reason) => {
      const k = kind(name);
      return k ? controller.tripBreaker(k, scope, by, reason) : unknown(name);
    },
    resetBreaker: (name, scope, by) => {
      const k = kind(name);
      return k ? controller.resetBreaker(k, scope, by) : unknown(name);
    },
  };
}

/** The engine's reconcile jobs. */
export function engineReconcilePort(engine: Engine): ReconcilePort {
  return {
    symbols: () => engine.symbols().map((s) => s.symbol),
    request: (symbol) => engine.reconcile(symbol as SymbolId),
    onReconciled: (listener) => engine.onReconciled(listener),
  };
}

/** The limits in force: the live checker's, else the config's (read-only). */
export function limitsPort(
  binding: Pick<EngineRpcBinding, 'risk' | 'checker' | 'clock'>,
): LimitsPort {
  const { checker, clock } = binding;
  const configured = preTradeLimitsFromConfig(binding.risk.limits);
  return {
    limits: () => checker?.limits ?? configured,
    maxLeverage: () => binding.risk.safety.max_leverage,
    setLimits: checker ? (limits) => checker.setLimits(limits, clock.now()) : null,
  };
}

/**
 * Everything the server needs, bound to the engine.
 * @returns the deps, and a function that detaches the alert feed from the engine
 */
export function bindEngineRpc(binding: EngineRpcBinding): {
  readonly deps: EngineRpcDeps;
  readonly detach: () => void;
} {
  const { engine, clock, log } = binding;
  const alerts = binding.alerts ?? new AlertFeed(clock, log);
  const detach = engine.onPositionDivergence((d) => alerts.divergence(d));
  return {
    deps: {
      ledger: engineLedgerPort(engine),
      history: new OrderHistoryRepo(binding.sql),
      account: binding.exchange,
      limits: limitsPort(binding),
      reconcile: engineReconcilePort(engine),
      alerts,
      risk: binding.controller ?? null,
      funding: binding.funding ?? null,
      clock,
      log,
    },
    detach,
  };
}
