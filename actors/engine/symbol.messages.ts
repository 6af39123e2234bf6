/**
 * @module actors/engine/symbol.messages
 * What a symbol actor is built from (its dependencies and options), what flows into it (its
 * mailbox messages) and what it shows of itself (/status).
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { OrderUpdate } from '../../core/exchange.types.js';
import type { SymbolId } from '../../core/types.js';
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { RiskGate } from './engine-risk.js';
import type { CleanerPolicy } from './order-cleaner.js';
import type { BookAnalytics } from '../book/book-analytics.port.js';
import type { ExposureSummary, LedgerOrder } from '../orders/order-ledger.types.js';
import type { PlaceOrderResult } from '../workflows/order.messages.js';
import type { EngineMetrics } from './engine.metrics.js';
import type { SymbolStore } from './engine.store.js';
import type { Mailbox } from './mailbox.js';
import type { OrderGateway } from './order-gateway.js';
import type { ReconcileSummary } from './reconcile.js';
import type { SlotView } from './slot-set.js';
import type { GridConfig, GridConfigWire } from './symbol.config.js';

/** What a symbol actor uses of the rest of the engine. */
export interface SymbolActorDeps {
  readonly exchange: Exchange;
  /** Times refusal cooldowns, reconciliation and lookups. */
  readonly clock: Clock;
  readonly orders: OrderGateway;
  readonly store: SymbolStore;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** How every symbol of this engine trades; see {@link SymbolPolicy}. */
  readonly policy: SymbolPolicy;
}

/** Engine-wide rules every symbol actor follows (engine config `orders`, `reconcile`). */
export interface SymbolPolicy {
  /** This engine instance's client order id namespace (machines/client-order-id). */
  readonly namespace: string;
  /** Wait after a slot's first refused placement, doubled per refusal in a row, ms. */
  readonly refusalBackoffInitialMs: number;
  /** Cap of that wait, ms. */
  readonly refusalBackoffMaxMs: number;
  /** Period of the reconciliation job while trading, ms. */
  readonly reconcileIntervalMs: number;
  /** Position divergence, % of the grid's capacity, above which entries pause. */
  readonly positionTolerancePct: number;
  /** Told of every position divergence a reconciliation finds (the risk layer subscribes). */
  readonly onPositionDivergence?: (divergence: PositionDivergence) => void;
  /** Told of every finished reconciliation run (the engine gRPC API follows manual runs). */
  readonly onReconciled?: (symbol: SymbolId, summary: ReconcileSummary) => void;
  /** The risk layer: pre-trade checks, the trading state, and what it is fed from the ledger. */
  readonly risk?: RiskGate;
  /** How far through the market a flatten's close is priced, percent; default "1". */
  readonly flattenSlippagePct?: string;
  /** The order cleaner's limits; absent: no cleaner. */
  readonly cleaner?: CleanerPolicy;
  /**
   * The engine's order-book analytics, shared by every symbol (dynamic slippage, REQ-RISK-002);
   * absent: grid orders are priced off the market price alone.
   */
  readonly bookAnalytics?: BookAnalytics;
}

/**
 * A reconciliation found the venue's position different from the grid's inventory. `small`
 * ones are accepted (the venue is the truth); a `large` one pauses the symbol's entries until a
 * later reconciliation finds the position back within tolerance (`resolved`).
 */
export interface PositionDivergence {
  readonly symbol: SymbolId;
  readonly severity: 'small' | 'large' | 'resolved';
  /** Base units, decimal strings; divergence = venue − grid. */
  readonly venue: string;
  readonly grid: string;
  readonly divergence: string;
  /** |divergence| as a % of the grid's capacity (levels × order quantity), decimal string. */
  readonly divergencePct: string;
  readonly atMs: number;
}

/** What asked for a reconciliation; `manual` is an operator's request (engine gRPC API). */
export type ReconcileTrigger = 'start' | 'stream' | 'timer' | 'confirm' | 'retry' | 'manual';

/** Which symbol an actor trades, and how. */
export interface SymbolActorOptions {
  readonly symbol: SymbolId;
  readonly grid: GridConfig;
  /** Start with new entries paused (risk.entries_paused); closes still go out. */
  readonly entriesPaused: boolean;
  /** The symbol's mailbox; it outlives this instance. */
  readonly mailbox: Mailbox<SymbolMessage>;
}

/** A message in a symbol's mailbox. */
export type SymbolMessage =
  /** A venue order update of this symbol, from the shared order stream. */
  | { readonly kind: 'order'; readonly update: OrderUpdate }
  /** A placement workflow's result for the slot at `index`. */
  | { readonly kind: 'placed'; readonly index: number; readonly result: PlaceOrderResult }
  /**
   * Look the order up on the venue and report it to the ledger: after its cancel was answered,
   * or after its placement's outcome stayed unknown. `attempt` counts lookups that failed.
   */
  | {
      readonly kind: 'verify';
      readonly index: number;
      readonly clientOrderId: string;
      readonly after: 'cancel' | 'placement';
      readonly attempt: number;
    }
  /** Reconcile with the venue (the order stream had a gap, the timer fired, ...). */
  | { readonly kind: 'reconcile'; readonly trigger: ReconcileTrigger }
  /** The risk layer's effective trading state for the symbol changed. */
  | { readonly kind: 'risk'; readonly state: TradingState; readonly reason: string }
  /** Run the order cleaner once. */
  | { readonly kind: 'clean' }
  /** Cancel every working order (the symbol is being removed). */
  | { readonly kind: 'cancelAll' }
  /** A slot's refusal cooldown ended: quote the grid again even if no price arrives. */
  | { readonly kind: 'wake' }
  /** Something the actor started failed asynchronously: fail the actor. */
  | { readonly kind: 'crash'; readonly error: unknown };

/** Where an actor is in its life. */
export type SymbolPhase = 'restoring' | 'reconciling' | 'trading' | 'stopping' | 'stopped';

/** One symbol's actor as /status shows it. */
export interface SymbolView {
  readonly symbol: SymbolId;
  readonly phase: SymbolPhase;
  readonly grid: GridConfigWire;
  /** Latest price, quote units; null before the first. */
  readonly lastPrice: string | null;
  /** Net inventory of the slots, base units. */
  readonly position: string;
  readonly activeOrders: number;
  readonly reconcile: ReconcileSummary | null;
  /** True while a large position divergence keeps entries paused. */
  readonly divergencePaused: boolean;
  /** The risk layer's effective trading state the actor applies. */
  readonly tradingState: TradingState;
  readonly slots: readonly SlotView[];
  /** The order ledger: orders not final yet, the latest final ones, and the exposure. */
  readonly orders: {
    readonly live: readonly LedgerOrder[];
    readonly recent: readonly LedgerOrder[];
    readonly exposure: ExposureSummary;
  };
}
