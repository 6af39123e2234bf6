/**
 * @module server/rpc/rpc.ports
 * What the engine's gRPC services read and drive, as small interfaces: the services depend on
 * these, never on engine internals, and `rpc.adapters` binds them to the running engine, the
 * stores and (when present) the risk layer and the arbitrage funding monitor. Domain types only:
 * decimals are decimal.js, times epoch ms; generated protobuf types stay in the codecs.
 */
import type { Decimal } from '../../core/decimal.js';
import type { Account } from '../../core/exchange.types.js';
import type { LedgerOrder, ExposureSummary } from '../../actors/orders/order-ledger.types.js';
import type { FillRecord } from '../../actors/store/fills.repo.js';
import type {
  FillPageKey,
  HistoricOrder,
  OrderPageKey,
  Page,
  PageQuery,
  RecordedFills,
} from '../../actors/store/order-history.repo.js';
import type { PreTradeLimits } from '../../actors/risk/pre-trade.js';
import type { ReconcileSummary } from '../../actors/engine/reconcile.js';

/** One traded symbol as its order ledger sees it right now. */
export interface LiveSymbol {
  readonly symbol: string;
  /** Venue its orders go to (the `exchange` of PositionData). */
  readonly venue: string;
  /** Latest price the engine saw, quote units; null before the first. */
  readonly mark: Decimal | null;
  /** Orders not final yet, including intents not persisted yet; oldest first. */
  readonly liveOrders: readonly LedgerOrder[];
  /** Resting and in-flight opening notional and open-order counts (the ledger's). */
  readonly exposure: ExposureSummary | null;
  /** True while a large position divergence keeps the symbol's entries paused. */
  readonly divergencePaused: boolean;
}

/** The order ledgers of the symbols the engine trades. */
export interface LedgerPort {
  /** Every traded symbol, in the order added. */
  symbols(): readonly LiveSymbol[];
}

/** The persisted order index and fills ledger (actors/store/order-history.repo). */
export interface HistoryPort {
  orders(query: PageQuery<OrderPageKey>): Promise<Page<HistoricOrder>>;
  fills(query: PageQuery<FillPageKey>): Promise<Page<FillRecord>>;
  order(id: string): Promise<HistoricOrder | null>;
  fillsOf(order: HistoricOrder): Promise<FillRecord[]>;
  ownFills(symbols: readonly string[], toMs?: number): Promise<FillRecord[]>;
  recordedSince(sinceMs: number | null): Promise<RecordedFills>;
}

/** The venue account (through the connector). */
export interface AccountPort {
  getAccount(): Promise<Account>;
  getLatestPrice(symbol: string): Promise<Decimal>;
}

/** One breaker as the risk controller reports it. */
export interface BreakerReport {
  readonly breaker: string;
  readonly scope: string;
  /** `closed`, `open` or `cooling`. */
  readonly state: string;
  readonly reason: string | null;
  /** Epoch ms the current state began; null when closed. */
  readonly since: number | null;
}

/** One scope's trading state as the risk controller reports it. */
export interface TradingReport {
  readonly scope: string;
  readonly state: string;
  readonly effective: string;
  readonly reason: string | null;
}

/** The outcome of an operator request to the risk controller. */
export type OperatorOutcome =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The risk controller (actors/risk/risk-controller): its report and breaker controls. */
export interface RiskControlPort {
  report(): {
    readonly trading: readonly TradingReport[];
    readonly breakers: readonly BreakerReport[];
  };
  tripBreaker(kind: string, scope: string, by: string, reason: string): OperatorOutcome;
  resetBreaker(kind: string, scope: string, by: string): OperatorOutcome;
}

/** The pre-trade limits in force, and changing them when a live checker holds them. */
export interface LimitsPort {
  limits(): PreTradeLimits;
  /** Highest account leverage a grid may start with (risk.safety.max_leverage). */
  maxLeverage(): number;
  /** Null when no live pre-trade checker runs (the limits are the config's, read-only). */
  readonly setLimits: ((limits: PreTradeLimits) => void) | null;
}

/** A risk alert as subscribers see it. */
export interface RiskAlertEvent {
  readonly symbol: string;
  /** The alert kind, e.g. `breaker_tripped`, `reconcile_divergence`. */
  readonly type: string;
  /** `info`, `warning`, `error` or `critical`. */
  readonly severity: string;
  readonly message: string;
  readonly atMs: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Where risk alerts are published as they are raised. */
export interface AlertFeedPort {
  /** @returns a function that unsubscribes */
  subscribe(listener: (alert: RiskAlertEvent) => void): () => void;
}

/** Asks the engine's reconcile job of one symbol for a run, and hears of every finished run. */
export interface ReconcilePort {
  /** Symbols that can be reconciled now. */
  symbols(): readonly string[];
  /**
   * Queues a run of `symbol`'s reconciliation.
   * @returns false when the symbol is not traded
   */
  request(symbol: string): boolean;
  /** @returns a function that unsubscribes */
  onReconciled(listener: (symbol: string, summary: ReconcileSummary) => void): () => void;
}

/** One configured arbitrage pair as the funding monitor prices it now. */
export interface FundingOpportunity {
  readonly pairId: string;
  readonly long: { readonly venue: string; readonly market: string; readonly symbol: string };
  readonly short: { readonly venue: string; readonly market: string; readonly symbol: string };
  /** Short-leg rate − long-leg rate per period (fraction). */
  readonly spread: Decimal;
  /** Spread annualised with each venue's real interval (fraction). */
  readonly apr: Decimal;
  /** APR after round-trip fees, slippage and borrow interest over the expected hold (fraction). */
  readonly netApr: Decimal;
  /** (perp − spot) / spot of the two legs' prices, or between the perps; null without prices. */
  readonly basis: Decimal | null;
  /** The pair's configured size, base units, and its notional at the long leg's price. */
  readonly quantity: Decimal;
  readonly notional: Decimal | null;
  /** True when the pair's entry rules (fresh feeds, APR over entry, net edge > 0) say enter. */
  readonly entry: boolean;
  readonly atMs: number;
}

/** Which configured arbitrage pairs pay best now (actors/arbitrage funding monitor). */
export interface FundingScanPort {
  /** Every configured pair that can be priced, best net APR first; empty when none. */
  opportunities(nowMs: number): readonly FundingOpportunity[];
}
