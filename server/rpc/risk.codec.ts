/**
 * @module server/rpc/risk.codec
 * RiskService messages from domain values and back. Decimals are plain strings and an unknown
 * value is an absent decimal, never a zero; request decimals are parsed strictly (core/decimal)
 * and must be positive. Times follow the original contract: `RiskAlert.timestamp`,
 * `started_at`, `completed_at` and `opened_at` are epoch seconds (original-facts §1.1).
 */
import type { Decimal } from '../../core/decimal.js';
import { invalidArgument } from '../../core/errors.js';
import type {
  CircuitBreakerStatus as CircuitBreakerStatusProto,
  GetExposureResponse as GetExposureResponseProto,
  GetPositionLimitsResponse as GetPositionLimitsResponseProto,
  GetReconciliationStatusResponse as GetReconciliationStatusResponseProto,
  RiskAlert as RiskAlertProto,
  SymbolRiskMetrics as SymbolRiskMetricsProto,
  UpdatePositionLimitsRequest as UpdatePositionLimitsRequestProto,
} from '../../proto/gen/opensqt/market_maker/v1/risk.js';
import {
  fromProtoOptionalDecimal,
  toProtoDecimal,
  toProtoOptionalDecimal,
} from '../../connector/codec.js';
import type { ReconcileRunView } from './reconcile-tracker.js';
import type { RiskAlertEvent } from './rpc.ports.js';

/** Epoch ms to the wire's epoch seconds; 0 stays 0 (unknown). */
export function toProtoSeconds(ms: number): bigint {
  return ms <= 0 ? 0n : BigInt(Math.floor(ms / 1000));
}

const opt = (value: Decimal | null) => toProtoOptionalDecimal(value ?? undefined);

/** One symbol's risk as GetRiskMetrics reports it; null = unknown. */
export interface SymbolRiskView {
  readonly symbol: string;
  /** Signed base units. */
  readonly position: Decimal;
  /** |position| × mark, quote units. */
  readonly notional: Decimal | null;
  readonly unrealized: Decimal | null;
  /** Position notional ÷ the account's margin balance. */
  readonly leverage: Decimal | null;
  /** Highest use of the symbol's exposure limits, 0-1 (≥ 1 at or over a limit). */
  readonly riskScore: Decimal | null;
  readonly breach: boolean;
  /** The binding limit or breaker, e.g. `max_position_notional`, `breaker:drawdown`. */
  readonly limitType: string;
  readonly mark: Decimal | null;
}

export function toProtoRiskMetrics(view: SymbolRiskView): SymbolRiskMetricsProto {
  return {
    symbol: view.symbol,
    positionSize: toProtoDecimal(view.position),
    notionalValue: opt(view.notional),
    unrealizedPnl: opt(view.unrealized),
    leverage: opt(view.leverage),
    riskScore: opt(view.riskScore),
    limitBreach: view.breach,
    limitType: view.limitType,
    lastPrice: opt(view.mark),
  };
}

/** Exposure across symbols; `share` is each symbol's percentage of the total. */
export interface ExposureView {
  readonly total: Decimal;
  readonly unrealized: Decimal;
  readonly leverage: Decimal | null;
  readonly symbols: readonly {
    readonly symbol: string;
    readonly notional: Decimal;
    readonly share: Decimal | null;
  }[];
}

export function toProtoExposure(view: ExposureView): GetExposureResponseProto {
  return {
    totalNotional: toProtoDecimal(view.total),
    totalUnrealizedPnl: toProtoDecimal(view.unrealized),
    portfolioLeverage: opt(view.leverage),
    exposures: view.symbols.map((s) => ({
      symbol: s.symbol,
      notionalValue: toProtoDecimal(s.notional),
      percentageOfPortfolio: opt(s.share),
    })),
  };
}

/** Limits as GetPositionLimits reports them; null = switched off or unknown. */
export interface LimitsView {
  readonly symbol: string;
  readonly maxPositionSize: Decimal | null;
  readonly maxNotional: Decimal | null;
  readonly maxLeverage: Decimal | null;
  readonly maxOrderSize: Decimal | null;
}

export function toProtoLimits(view: LimitsView): GetPositionLimitsResponseProto {
  return {
    symbol: view.symbol,
    maxPositionSize: opt(view.maxPositionSize),
    maxNotionalValue: opt(view.maxNotional),
    maxLeverage: opt(view.maxLeverage),
    maxOrderSize: opt(view.maxOrderSize),
  };
}

/** What an UpdatePositionLimits asks to change; absent fields stay as they are. */
export interface LimitsChange {
  readonly maxPositionSize?: Decimal;
  readonly maxNotional?: Decimal;
  readonly maxLeverage?: Decimal;
  readonly maxOrderSize?: Decimal;
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming a malformed or non-positive field */
export function fromProtoLimitsChange(request: UpdatePositionLimitsRequestProto): LimitsChange {
  const positive = (value: typeof request.maxLeverage, field: string) => {
    const parsed = fromProtoOptionalDecimal(value, field);
    if (parsed !== undefined && !parsed.gt(0)) {
      throw invalidArgument(
        field,
        `must be positive, was ${value?.value}; omit it to keep the limit`,
      );
    }
    return parsed;
  };
  const change = {
    maxPositionSize: positive(request.maxPositionSize, 'max_position_size'),
    maxNotional: positive(request.maxNotionalValue, 'max_notional_value'),
    maxLeverage: positive(request.maxLeverage, 'max_leverage'),
    maxOrderSize: positive(request.maxOrderSize, 'max_order_size'),
  };
  return Object.fromEntries(
    Object.entries(change).filter(([, v]) => v !== undefined),
  ) as LimitsChange;
}

export function toProtoRiskAlert(alert: RiskAlertEvent): RiskAlertProto {
  return {
    symbol: alert.symbol,
    alertType: alert.type,
    severity: alert.severity,
    message: alert.message,
    timestamp: toProtoSeconds(alert.atMs),
    metadata: { ...alert.metadata },
  };
}

export function toProtoReconcileRun(run: ReconcileRunView): GetReconciliationStatusResponseProto {
  return {
    reconciliationId: run.id,
    status: run.status,
    startedAt: toProtoSeconds(run.startedAtMs),
    completedAt: toProtoSeconds(run.completedAtMs),
    results: run.results.map((r) => ({
      symbol: r.symbol,
      positionMatch: r.positionMatch,
      localPosition: { value: r.localPosition },
      exchangePosition: { value: r.exchangePosition },
      divergence: { value: r.divergence },
      corrected: r.corrected,
    })),
  };
}

/** One symbol's breakers as GetCircuitBreakerStatus reports them. */
export interface BreakerView {
  readonly symbol: string;
  readonly open: boolean;
  /** Each open breaker with its reason, `; `-separated; empty when closed. */
  readonly reason: string;
  /** When the earliest open breaker opened, epoch ms; 0 when closed or unknown. */
  readonly openedAtMs: number;
  readonly lossStreak: number;
  /** Realized PnL of the symbol net of fees, all time. */
  readonly totalPnl: Decimal;
}

export function toProtoBreaker(view: BreakerView): CircuitBreakerStatusProto {
  return {
    symbol: view.symbol,
    isOpen: view.open,
    reason: view.reason,
    openedAt: toProtoSeconds(view.openedAtMs),
    consecutiveLosses: view.lossStreak,
    totalPnl: toProtoDecimal(view.totalPnl),
  };
}
