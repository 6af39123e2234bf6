/**
 * @module actors/engine/symbol-reconciliation
 * One symbol's reconciliation with the venue, run by its actor: the plan (reconcile) applied
 * finding by finding through the report path, so every finding enters the order ledger first;
 * the position judged by the divergence watch, whose verdict pauses or resumes the symbol's
 * entries; and the job that asks for runs (timer, retries) and counts them. The run before the
 * symbol trades must succeed (its failure fails the actor); a later run the venue fails on is
 * retried with backoff instead.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { OrderLedger } from '../orders/order-ledger.js';
import type { OrderReport } from '../orders/order-ledger.types.js';
import { DivergenceWatch } from './divergence-watch.js';
import type { EngineMetrics } from './engine.metrics.js';
import {
  checkPosition,
  foreignOrder,
  planReconciliation,
  type ReconcilePlan,
  type ReconcileSummary,
} from './reconcile.js';
import { CONFIRM_DELAY_MS, ReconcileJob } from './reconcile-job.js';
import type { SlotSet } from './slot-set.js';
import type { GridConfig } from './symbol.config.js';
import type { ReconcileTrigger, SymbolMessage, SymbolPolicy } from './symbol.messages.js';
import type { SymbolReports } from './symbol-reports.js';
import { reportOfOrder } from './venue-events.js';

/** What a symbol's reconciliation works with. */
export interface SymbolReconciliationOptions {
  readonly symbol: SymbolId;
  readonly grid: GridConfig;
  readonly policy: SymbolPolicy;
  /** Entries stay paused by config whatever the position says. */
  readonly entriesPaused: boolean;
  /** True while the risk layer holds entries (REDUCING or worse): a divergence ending keeps them paused. */
  readonly entriesHeld?: () => boolean;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** Where runs are asked for (the symbol's mailbox). */
  readonly post: (message: SymbolMessage) => void;
}

/** The slots, ledger and report path a run applies its findings to. */
export interface ReconcileTarget {
  readonly slots: SlotSet;
  readonly ledger: OrderLedger;
  readonly reports: SymbolReports;
}

/** One symbol's reconciliation; see the module doc. */
export class SymbolReconciliation {
  readonly #o: SymbolReconciliationOptions;
  readonly #job: ReconcileJob;
  readonly #divergence: DivergenceWatch;
  #summary: ReconcileSummary | null = null;

  constructor(options: SymbolReconciliationOptions) {
    this.#o = options;
    const { symbol, clock, metrics, log, policy } = options;
    this.#job = new ReconcileJob({
      symbol,
      clock,
      intervalMs: policy.reconcileIntervalMs,
      metrics,
      log,
      post: (trigger) => options.post({ kind: 'reconcile', trigger }),
    });
    const { levelsBelow, levelsAbove, orderQuantity } = options.grid;
    this.#divergence = new DivergenceWatch({
      symbol,
      // Every level holding one opening order's quantity: 100 % of divergence
      capacity: dec(orderQuantity).mul(levelsBelow + levelsAbove),
      tolerancePct: policy.positionTolerancePct,
      clock,
      metrics,
      log,
      ...(policy.onPositionDivergence ? { publish: policy.onPositionDivergence } : {}),
    });
  }

  /** The last run's findings, as /status shows them. */
  get summary(): ReconcileSummary | null {
    return this.#summary;
  }

  /** True while a large position divergence keeps entries paused. */
  get divergencePaused(): boolean {
    return this.#divergence.paused;
  }

  /** Starts the periodic runs (the symbol trades). */
  start(): void {
    this.#job.start();
  }

  /** Stops every timer. */
  stop(): void {
    this.#job.stop();
  }

  /**
   * The run before trading.
   * @returns the commands it produced
   * @throws {ExchangeError} when the venue cannot be asked (the actor fails)
   */
  async atStart(target: ReconcileTarget): Promise<GridSlotCommand[]> {
    const commands = await this.#run('start', target);
    this.#job.succeeded('start');
    return commands;
  }

  /**
   * A run the mailbox delivered: a transient venue failure is counted and retried with backoff.
   * @returns the commands it produced
   * @throws {Error} anything but a transient venue failure
   */
  async asked(trigger: ReconcileTrigger, target: ReconcileTarget): Promise<GridSlotCommand[]> {
    this.#job.taken();
    try {
      const commands = await this.#run(trigger, target);
      this.#job.succeeded(trigger);
      return commands;
    } catch (e) {
      if (!(e instanceof ExchangeError) || !e.transient) throw e;
      this.#job.failed(trigger, e);
      return [];
    }
  }

  async #run(trigger: ReconcileTrigger, target: ReconcileTarget): Promise<GridSlotCommand[]> {
    const { symbol, exchange, clock, log } = this.#o;
    const { slots, ledger } = target;
    const plan = await planReconciliation(symbol, slots, ledger, exchange);
    const commands = await this.#apply(plan, target);
    const summary: ReconcileSummary = {
      trigger,
      atMs: clock.now(),
      updated: plan.worked.length,
      adopted: plan.adoptions.map((a) => a.order.clientOrderId),
      resubmitted: plan.resubmit.map((c) => c.clientOrderId),
      vanished: plan.vanished.map((v) => v.working.clientOrderId),
      ledgerCorrected: plan.orphans.length + plan.lost.length,
      deferred: plan.deferred,
      foreign: plan.foreign.map(foreignOrder),
      conflicts: plan.conflicts.map((o) => o.clientOrderId),
      position: await checkPosition(exchange, symbol, slots),
    };
    this.#summary = summary;
    this.#o.policy.onReconciled?.(symbol, summary);
    const action = this.#divergence.assess(summary.position);
    if (action === 'confirm') this.#job.later('confirm', CONFIRM_DELAY_MS);
    if (action === 'pause') commands.push(...slots.broadcast({ type: 'risk.pause' }));
    if (action === 'resume' && !this.#o.entriesPaused && !(this.#o.entriesHeld?.() ?? false)) {
      commands.push(...slots.broadcast({ type: 'risk.resume' }));
    }
    const surprising = summary.foreign.length + summary.conflicts.length > 0;
    const routine = trigger === 'timer' ? 'debug' : 'info';
    const level = surprising || !summary.position.matches ? 'warn' : routine;
    log[level]({ symbol, ...summary }, 'symbol reconciled with the venue');
    return commands;
  }

  /** Reports every finding through the ledger; returns what the slots emitted, and resends. */
  async #apply(plan: ReconcilePlan, { slots, reports }: ReconcileTarget) {
    const commands: GridSlotCommand[] = [];
    const report = async (r: OrderReport) => commands.push(...(await reports.report(r)));
    for (const { index, order } of plan.worked) {
      await report(reportOfOrder(order, 'reconcile', { slotIndex: index }));
    }
    for (const { working } of plan.vanished) {
      const { clientOrderId, filledQuantity } = working;
      await report({ clientOrderId, trigger: 'CANCELED', source: 'reconcile', filledQuantity });
    }
    for (const { adoption, order } of plan.adoptions) {
      slots.adopt(adoption);
      await reports.report(reportOfOrder(order, 'reconcile', { slotIndex: adoption.index }));
    }
    for (const order of plan.orphans) await report(reportOfOrder(order, 'reconcile'));
    for (const held of plan.lost) {
      const { clientOrderId, filledQuantity } = held;
      await report(
        held.status === 'SUBMITTED'
          ? { clientOrderId, trigger: 'REJECTED', source: 'reconcile', reason: 'ORDER_NOT_FOUND' }
          : { clientOrderId, trigger: 'CANCELED', source: 'reconcile', filledQuantity },
      );
    }
    reports.resubmitting(plan.resubmit.map((c) => c.clientOrderId));
    commands.push(...plan.resubmit, ...plan.recancel);
    return commands;
  }
}
