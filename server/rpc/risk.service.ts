/**
 * @module server/rpc/risk.service
 * RiskService of the original contract over the engine's ports: risk metrics and exposure from
 * the positions the fills built, the engine's marks, the order ledgers' resting opening orders,
 * the venue account and the pre-trade limits; limits read (and changed, when a live pre-trade
 * checker runs); alerts streamed as the risk layer and reconciliation raise them; manual
 * reconciliation through each symbol's reconcile job; per-symbol circuit breakers through the
 * risk controller's trip and reset (a refusal is FAILED_PRECONDITION with the controller's
 * reason). Without a risk controller the breaker status still answers (the engine's own
 * divergence pause, loss streak and PnL from fills) and breaker control is FAILED_PRECONDITION.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import { invalidArgument } from '../../core/errors.js';
import { requireSymbol, optionalSymbol } from '../../connector/request-validation.js';
import type { RiskServiceServer } from '../../proto/gen/opensqt/market_maker/v1/risk.js';
import type { PreTradeLimits } from '../../actors/risk/pre-trade.js';
import { checkReason, checkReconciliationId, checkSymbols } from './request-checks.js';
import { failedPrecondition, notFound } from './rpc-errors.js';
import { serverStream, unary, type HandlerContext } from './rpc-handler.js';
import { replayFills, unrealizedPnl, type PositionFigures } from './position-math.js';
import type { ReconcileTracker } from './reconcile-tracker.js';
import {
  fromProtoLimitsChange,
  toProtoBreaker,
  toProtoExposure,
  toProtoLimits,
  toProtoReconcileRun,
  toProtoRiskAlert,
  toProtoRiskMetrics,
  type SymbolRiskView,
} from './risk.codec.js';
import type {
  AccountPort,
  AlertFeedPort,
  BreakerReport,
  HistoryPort,
  LedgerPort,
  LimitsPort,
  LiveSymbol,
  RiskControlPort,
} from './rpc.ports.js';

export interface RiskServiceDeps {
  readonly ledger: LedgerPort;
  readonly history: HistoryPort;
  readonly account: AccountPort;
  readonly limits: LimitsPort;
  /** The risk controller; null while the engine runs without one. */
  readonly risk: RiskControlPort | null;
  readonly alerts: AlertFeedPort;
  readonly reconciliations: ReconcileTracker;
  /** The breaker kind OpenCircuitBreaker trips (config `rpc.manual_breaker`). */
  readonly manualBreaker: string;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Who breaker changes made over gRPC are attributed to (logs, alerts, persisted holds). */
const BY = 'grpc';
const HUNDRED = dec(100);
const GLOBAL = 'global';
const RISK_OFF =
  'risk layer not enabled: this engine runs without a risk controller, so there is no breaker to open or close';

/** The RiskService handlers over the engine's ports. */
export function createRiskService(deps: RiskServiceDeps, ctx: HandlerContext): RiskServiceServer {
  const { ledger, history, account, limits, risk, alerts, reconciliations, clock } = deps;

  const traded = (symbol: string, field = 'symbol'): LiveSymbol => {
    const live = ledger.symbols().find((s) => s.symbol === symbol);
    if (!live) {
      throw notFound(field, `${symbol} is not traded by this engine; add it first (POST /symbols)`);
    }
    return live;
  };

  /** Position of each traded symbol on its venue, replayed from the fills of our orders. */
  const positionsOf = async (symbols: readonly LiveSymbol[]) => {
    const replayed = replayFills(await history.ownFills(symbols.map((s) => s.symbol)));
    return new Map(
      symbols.map((s) => {
        const p = [...replayed.values()].find((f) => f.symbol === s.symbol && f.venue === s.venue);
        return [s.symbol, p ?? null] as const;
      }),
    );
  };

  const exposureOf = (live: LiveSymbol, position: PositionFigures | null): Decimal => {
    const held = position && live.mark ? position.quantity.abs().mul(live.mark) : ZERO;
    const resting = live.exposure
      ? dec(live.exposure.openingBuyNotional).add(live.exposure.openingSellNotional)
      : ZERO;
    return held.add(resting);
  };

  const openBreakers = (symbol: string): BreakerReport[] =>
    (risk?.report().breakers ?? []).filter(
      (b) => (b.scope === symbol || b.scope === GLOBAL) && b.state !== 'closed',
    );

  const breakerText = (b: BreakerReport) =>
    `${b.breaker}${b.scope === GLOBAL ? ' (global)' : ''}: ${b.reason ?? b.state}`;

  return {
    getRiskMetrics: unary(ctx, 'GetRiskMetrics', async (request) => {
      checkSymbols(request.symbols);
      const symbols =
        request.symbols.length === 0
          ? ledger.symbols()
          : request.symbols.map((s, i) => traded(s, `symbols[${i}]`));
      const all = ledger.symbols();
      const [positions, allPositions, acct] = await Promise.all([
        positionsOf(symbols),
        positionsOf(all),
        account.getAccount(),
      ]);
      const gross = all.reduce(
        (sum, s) => sum.add(exposureOf(s, allPositions.get(s.symbol) ?? null)),
        ZERO,
      );
      const { maxPositionNotional, maxGrossExposure } = limits.limits();
      const metrics = symbols.map((live): SymbolRiskView => {
        const position = positions.get(live.symbol) ?? null;
        const quantity = position?.quantity ?? ZERO;
        const notional = live.mark ? quantity.abs().mul(live.mark) : null;
        const exposure = exposureOf(live, position);
        const uses: [string, Decimal][] = [];
        if (maxPositionNotional)
          uses.push(['max_position_notional', exposure.div(maxPositionNotional)]);
        if (maxGrossExposure) uses.push(['max_gross_exposure', gross.div(maxGrossExposure)]);
        const [binding] = uses.sort((a, b) => b[1].comparedTo(a[1]));
        const open = openBreakers(live.symbol);
        const over = binding !== undefined && binding[1].gte(1);
        return {
          symbol: live.symbol,
          position: quantity,
          notional,
          unrealized: position && live.mark ? unrealizedPnl(position, live.mark) : null,
          leverage:
            notional && acct.totalMarginBalance.gt(0)
              ? notional.div(acct.totalMarginBalance)
              : null,
          riskScore: binding ? binding[1].toDecimalPlaces(4) : null,
          breach: over || open.length > 0 || live.divergencePaused,
          limitType: over
            ? binding[0]
            : open[0]
              ? `breaker:${open[0].breaker}`
              : live.divergencePaused
                ? 'position_divergence'
                : '',
          mark: live.mark,
        };
      });
      return { metrics: metrics.map(toProtoRiskMetrics) };
    }),

    getPositionLimits: unary(ctx, 'GetPositionLimits', async (request) => {
      optionalSymbol(request.symbol);
      const mark = request.symbol === '' ? null : traded(request.symbol).mark;
      const l = limits.limits();
      const inBase = (notional: Decimal | null) => (notional && mark ? notional.div(mark) : null);
      return toProtoLimits({
        symbol: request.symbol,
        maxPositionSize: inBase(l.maxPositionNotional),
        maxNotional: l.maxPositionNotional,
        maxLeverage: dec(limits.maxLeverage()),
        maxOrderSize: inBase(l.maxOrderNotional),
      });
    }),

    updatePositionLimits: unary(ctx, 'UpdatePositionLimits', async (request) => {
      optionalSymbol(request.symbol);
      const change = fromProtoLimitsChange(request);
      const reason = checkReason(request.reason, 'changed over gRPC');
      if (Object.keys(change).length === 0) {
        throw invalidArgument(
          'max_notional_value',
          'nothing to change: set at least one of max_position_size, max_notional_value, max_order_size',
        );
      }
      if (change.maxPositionSize && change.maxNotional) {
        throw invalidArgument(
          'max_position_size',
          'give max_position_size (base units) or max_notional_value (quote units), not both',
        );
      }
      if (change.maxLeverage) {
        throw failedPrecondition(
          'max_leverage is risk.safety.max_leverage in the config, checked when a grid starts; change it there and restart',
        );
      }
      const setLimits = limits.setLimits;
      if (!setLimits) {
        throw failedPrecondition(
          "risk layer not enabled: no pre-trade checker runs, so the limits are the config file's (risk.limits); change them there",
        );
      }
      const needsMark = change.maxPositionSize ?? change.maxOrderSize;
      if (needsMark && request.symbol === '') {
        throw invalidArgument(
          'symbol',
          'is required with max_position_size or max_order_size: their base units are converted to quote units at its price',
        );
      }
      const mark = request.symbol === '' ? null : traded(request.symbol).mark;
      if (needsMark && !mark) {
        throw failedPrecondition(
          `${request.symbol} has no price yet; retry once it has, or give quote units`,
        );
      }
      const toQuote = (base: Decimal | undefined) => (base && mark ? base.mul(mark) : undefined);
      const current = limits.limits();
      const next: PreTradeLimits = {
        ...current,
        maxPositionNotional:
          change.maxNotional ?? toQuote(change.maxPositionSize) ?? current.maxPositionNotional,
        maxOrderNotional: toQuote(change.maxOrderSize) ?? current.maxOrderNotional,
      };
      setLimits(next);
      const text = (d: Decimal | null) => (d === null ? 'off' : toPlain(d));
      ctx.log.warn(
        { by: BY, reason, symbol: request.symbol },
        'pre-trade limits changed over gRPC',
      );
      return {
        success: true,
        message: `limits of every symbol: max_position_notional ${text(next.maxPositionNotional)}, max_order_notional ${text(next.maxOrderNotional)} (quote units)`,
      };
    }),

    getExposure: unary(ctx, 'GetExposure', async () => {
      const symbols = ledger.symbols();
      const [positions, acct] = await Promise.all([positionsOf(symbols), account.getAccount()]);
      const rows = symbols.map((s) => ({
        symbol: s.symbol,
        notional: exposureOf(s, positions.get(s.symbol) ?? null),
      }));
      const total = rows.reduce((sum, r) => sum.add(r.notional), ZERO);
      let held = ZERO;
      let unrealized = ZERO;
      for (const s of symbols) {
        const p = positions.get(s.symbol);
        if (!p || !s.mark) continue;
        held = held.add(p.quantity.abs().mul(s.mark));
        unrealized = unrealized.add(unrealizedPnl(p, s.mark));
      }
      return toProtoExposure({
        total,
        unrealized,
        leverage: acct.totalMarginBalance.gt(0) ? held.div(acct.totalMarginBalance) : null,
        symbols: rows.map((r) => ({
          ...r,
          share: total.gt(0) ? r.notional.div(total).mul(HUNDRED).toDecimalPlaces(4) : null,
        })),
      });
    }),

    subscribeRiskAlerts: serverStream(ctx, 'SubscribeRiskAlerts', (_request, writer) => {
      // The original greeted each subscriber; clients use it to know the stream is live
      writer.write(
        toProtoRiskAlert({
          symbol: '',
          type: 'connected',
          severity: 'info',
          message: 'Connected to Risk Service',
          atMs: clock.now(),
          metadata: {},
        }),
      );
      return alerts.subscribe((alert) => writer.write(toProtoRiskAlert(alert)));
    }),

    triggerReconciliation: unary(ctx, 'TriggerReconciliation', async (request) => {
      optionalSymbol(request.symbol);
      if (request.symbol !== '' && !ledger.symbols().some((s) => s.symbol === request.symbol)) {
        throw invalidArgument(
          'symbol',
          `${request.symbol} is not traded by this engine; name a traded symbol, or none for all`,
        );
      }
      const symbols =
        request.symbol === '' ? ledger.symbols().map((s) => s.symbol) : [request.symbol];
      const run = reconciliations.trigger(symbols);
      ctx.log.info({ id: run.id, symbols }, 'reconciliation triggered over gRPC');
      return { reconciliationId: run.id, status: run.status };
    }),

    getReconciliationStatus: unary(ctx, 'GetReconciliationStatus', async (request) => {
      checkReconciliationId(request.reconciliationId);
      const run = reconciliations.get(request.reconciliationId);
      if (!run) {
        throw notFound(
          'reconciliation_id',
          `${request.reconciliationId} is unknown: never issued by this engine, from before its last restart, or older than the last 100 runs`,
        );
      }
      return toProtoReconcileRun(run);
    }),

    getCircuitBreakerStatus: unary(ctx, 'GetCircuitBreakerStatus', async (request) => {
      requireSymbol(request.symbol);
      const live = traded(request.symbol);
      const open = openBreakers(live.symbol);
      const fills = await history.ownFills([live.symbol]);
      const position = [...replayFills(fills).values()].find((p) => p.venue === live.venue);
      const reasons = open.map(breakerText);
      if (live.divergencePaused) {
        reasons.push(
          'position_divergence (reconciliation): entries paused until the position is back within tolerance',
        );
      }
      const since = open.map((b) => b.since ?? 0).filter((t) => t > 0);
      return {
        status: toProtoBreaker({
          symbol: live.symbol,
          open: reasons.length > 0,
          reason: reasons.join('; '),
          openedAtMs: since.length === 0 ? 0 : Math.min(...since),
          lossStreak: position?.lossStreak ?? 0,
          totalPnl: position?.realizedNet ?? ZERO,
        }),
      };
    }),

    openCircuitBreaker: unary(ctx, 'OpenCircuitBreaker', async (request) => {
      requireSymbol(request.symbol);
      const reason = checkReason(request.reason, 'opened over gRPC');
      traded(request.symbol);
      if (!risk) throw failedPrecondition(RISK_OFF);
      const outcome = risk.tripBreaker(deps.manualBreaker, request.symbol, BY, reason);
      if (!outcome.ok) throw failedPrecondition(outcome.reason);
      ctx.log.warn(
        { symbol: request.symbol, breaker: deps.manualBreaker, reason },
        'breaker opened over gRPC',
      );
      return { success: true };
    }),

    closeCircuitBreaker: unary(ctx, 'CloseCircuitBreaker', async (request) => {
      requireSymbol(request.symbol);
      const live = traded(request.symbol);
      if (!risk) throw failedPrecondition(RISK_OFF);
      const open = openBreakers(live.symbol);
      const refusals: string[] = [];
      for (const b of open.filter((o) => o.scope === live.symbol)) {
        const outcome = risk.resetBreaker(b.breaker, b.scope, BY);
        if (!outcome.ok) refusals.push(`${b.breaker}: ${outcome.reason}`);
      }
      for (const b of open.filter((o) => o.scope === GLOBAL)) {
        refusals.push(`${b.breaker} is open for every symbol (global scope); reset it globally`);
      }
      if (live.divergencePaused) {
        refusals.push(
          'position_divergence (reconciliation) lifts itself once the position is back within tolerance: TriggerReconciliation',
        );
      }
      if (refusals.length > 0) throw failedPrecondition(`not closed: ${refusals.join('; ')}`);
      ctx.log.warn(
        { symbol: live.symbol, reset: open.map((b) => b.breaker) },
        'breakers closed over gRPC',
      );
      return { success: true };
    }),
  };
}
