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
  /** Times the cooldown of a refused slot. */
  readonly clock: Clock;
  readonly orders: OrderGateway;
  readonly store: SymbolStore;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
}

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
  /** Look the order up on the venue and feed its state to the slot at `index`. */
  | { readonly kind: 'verify'; readonly index: number; readonly clientOrderId: string }
  /** The order stream had a gap: reconcile with the venue again. */
  | { readonly kind: 'reconcile' }
  /** Cancel every working order (the symbol is being removed). */
  | { readonly kind: 'cancelAll' }
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
  readonly slots: readonly SlotView[];
}
