/**
 * @module actors/engine/symbol-reports
 * The four ways a report about one of a symbol's orders reaches it (an order stream update, a
 * placement workflow's result, a reconciliation finding (symbol-reconciliation), a cancel or
 * placement verification), all funnelled into one path: the order ledger judges the report and persists it, then the
 * order's slot gets at most one event, derived from the order as the ledger now holds it (so a
 * slot that lags the ledger after a restart catches up, and a duplicate changes nothing).
 *
 * Refusals are paced here: when a report leaves a slot with one more refusal in a row, the slot's
 * cooldown starts (warn log with the reason and ids, counted per reason). A placement whose
 * outcome stayed unknown is looked up after a short wait; a lookup the venue fails is retried
 * with backoff (250 ms doubling) a few times, then the venue error fails the actor, so the
 * supervisor restarts it (a fresh reconciliation) or gives up on the symbol.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import { toExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { OrderUpdate, Trade } from '../../core/exchange.types.js';
import type { ClientOrderId, SymbolId } from '../../core/types.js';
import type { GridSlotCommand, GridSlotVenueEvent } from '../../machines/grid-slot.machine.js';
import type { OrderLedger } from '../orders/order-ledger.js';
import type { LedgerOrder, OrderReport } from '../orders/order-ledger.types.js';
import { isTerminal } from '../orders/order-status.table.js';
import type { PlaceOrderResult } from '../workflows/order.messages.js';
import type { EngineMetrics } from './engine.metrics.js';
import type { FillRecorder } from './fill-recorder.js';
import type { Mailbox } from './mailbox.js';
import { lookup } from './reconcile.js';
import type { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet } from './slot-set.js';
import type { RiskGate } from './engine-risk.js';
import { RoundTripTracker } from './round-trips.js';
import type { SymbolMessage } from './symbol.messages.js';
import { isOpenStatus, reportOfOrder, reportOfPlacement, slotEventFor } from './venue-events.js';

/** Failed lookups of one order before the venue error fails the actor. */
const MAX_LOOKUP_ATTEMPTS = 5;
/** Wait before the first lookup of an order, doubled per failed lookup. */
const LOOKUP_BACKOFF_MS = 250;

type Verify = Extract<SymbolMessage, { kind: 'verify' }>;

/** What the report path of one symbol works on. */
export interface SymbolReportsOptions {
  readonly symbol: SymbolId;
  readonly exchange: Exchange;
  readonly slots: SlotSet;
  readonly ledger: OrderLedger;
  readonly fills: FillRecorder;
  readonly cooldown: RefusalCooldown;
  readonly mailbox: Mailbox<SymbolMessage>;
  readonly clock: Clock;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** The risk layer: told of refusals and round trips. */
  readonly risk?: RiskGate;
}

/** One symbol's report path; see the module doc. */
export class SymbolReports {
  readonly #o: SymbolReportsOptions;
  readonly #timers = new Set<TimerHandle>();
  /** Placements a reconciliation sent again because the venue did not know them. */
  readonly #resubmitted = new Set<string>();
  readonly #roundTrips = new RoundTripTracker();

  constructor(options: SymbolReportsOptions) {
    this.#o = options;
  }

  /** Cancels pending lookups (the actor is stopping). */
  stop(): void {
    for (const timer of this.#timers) this.#o.clock.clear(timer);
    this.#timers.clear();
  }

  // -- INTENTS --

  /**
   * Records what the slots are about to send: placements as SUBMITTED, cancels as
   * PENDING_CANCEL. The ledger persists them with the actor's next snapshot.
   */
  recordIntents(commands: readonly GridSlotCommand[]): void {
    for (const command of commands) {
      if (command.type === 'command.cancelOrder') {
        this.#o.ledger.cancelRequested(command.clientOrderId);
        continue;
      }
      this.#o.ledger.submitted({
        clientOrderId: command.clientOrderId,
        side: command.side,
        price: command.price,
        quantity: command.quantity,
        reduceOnly: command.reduceOnly,
        slotIndex: command.slotIndex,
      });
    }
  }

  /**
   * After a restart: a working order the ledger has no record of (the crash came before the
   * intent was saved) is recorded as submitted, so the ledger holds every order a slot works,
   * and a slot still cooling down from refusals waits again.
   */
  recoverIntents(): void {
    const { slots, ledger, cooldown } = this.#o;
    for (const view of slots.views()) {
      if (view.refusals > 0) cooldown.refused(view.index, view.refusals);
      const order = view.order;
      if (!order || ledger.byClientOrderId(order.clientOrderId)) continue;
      ledger.submitted({
        clientOrderId: order.clientOrderId,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        reduceOnly: order.role === 'close',
        slotIndex: view.index,
      });
    }
  }

  // -- REPORTS --

  /** A venue order update of this symbol from the shared order stream. */
  async onStreamUpdate({ order, lastTrade }: OrderUpdate): Promise<GridSlotCommand[]> {
    const trades = lastTrade ? [lastTrade] : [];
    const { ledger, fills, slots, log } = this.#o;
    if (!ledger.owns(order.clientOrderId)) {
      for (const trade of trades) await fills.recordForeign(trade);
      const ids = {
        symbol: this.#o.symbol,
        orderId: order.orderId,
        clientOrderId: order.clientOrderId,
      };
      log.debug(ids, 'order update for an order that is not ours');
      return [];
    }
    const slotIndex = slots.slotOf(order.clientOrderId);
    return this.report(reportOfOrder(order, 'stream', { trades, slotIndex }));
  }

  /** A placement workflow's result for the slot at `index`. */
  async onPlaced(index: number, result: PlaceOrderResult): Promise<GridSlotCommand[]> {
    const report = reportOfPlacement(result);
    if (report === null) {
      // Transient failures outlasted the placement's attempts: the venue decides, shortly
      this.#o.log.warn(
        {
          symbol: this.#o.symbol,
          slot: index,
          clientOrderId: result.clientOrderId,
          reason: result.outcome !== 'placed' ? result.reason : undefined,
        },
        'placement outcome unknown: looking the order up',
      );
      this.#lookUpLater({
        kind: 'verify',
        index,
        clientOrderId: result.clientOrderId,
        after: 'placement',
        attempt: 0,
      });
      return [];
    }
    if (result.outcome === 'placed') {
      const { side, type } = result.order;
      this.#o.metrics.ordersPlaced.inc({ symbol: this.#o.symbol, side, type });
    }
    const commands = await this.report(report);
    if (this.#resubmitted.delete(result.clientOrderId) && result.outcome === 'placed') {
      // A resubmit may be answered from its finished workflow without reaching the venue (one
      // that since lost the order): ask the venue whether it really holds it
      const clientOrderId = result.clientOrderId;
      this.#o.mailbox.post({
        kind: 'verify',
        index,
        clientOrderId,
        after: 'placement',
        attempt: 0,
      });
    }
    return commands;
  }

  /** Looks an order up on the venue after its cancel was answered or its placement was not. */
  async verify(message: Verify): Promise<GridSlotCommand[]> {
    const { ledger, exchange, symbol, metrics, log } = this.#o;
    const held = ledger.byClientOrderId(message.clientOrderId);
    if (!held || isTerminal(held.status)) return [];
    let order;
    try {
      order = await lookup(exchange, symbol, held.clientOrderId);
    } catch (e) {
      const error = toExchangeError(e);
      if (!error.transient) throw e;
      metrics.orderLookupFailures.inc({ symbol, reason: error.reason });
      const attempt = message.attempt + 1;
      const ids = { symbol, clientOrderId: held.clientOrderId, reason: error.reason, attempt };
      if (attempt >= MAX_LOOKUP_ATTEMPTS) throw error;
      log.warn(ids, 'order lookup failed: trying again after a backoff');
      this.#lookUpLater({ ...message, attempt });
      return [];
    }
    const clientOrderId = held.clientOrderId;
    if (order === null) {
      // Never reached the venue, or gone from it with the fills we already know of
      const report: OrderReport =
        held.status === 'SUBMITTED'
          ? { clientOrderId, trigger: 'REJECTED', source: 'verify', reason: 'ORDER_NOT_FOUND' }
          : {
              clientOrderId,
              trigger: 'CANCELED',
              source: 'verify',
              filledQuantity: held.filledQuantity,
            };
      return this.report(report);
    }
    const refused = message.after === 'cancel' && isOpenStatus(order.status);
    const trigger = refused ? 'CANCEL_REJECTED' : order.status;
    return this.report(reportOfOrder(order, 'verify', { trigger, slotIndex: held.slotIndex }));
  }

  /** Placements a reconciliation sends again: their answers are checked on the venue. */
  resubmitting(clientOrderIds: readonly string[]): void {
    for (const id of clientOrderIds) this.#resubmitted.add(id);
  }

  /**
   * The one path of every report: the ledger judges and persists it, then the order's slot gets
   * the event for the order as the ledger holds it, if its state takes it.
   */
  async report(report: OrderReport): Promise<GridSlotCommand[]> {
    const { ledger, fills, slots, metrics, symbol } = this.#o;
    const applied = await ledger.apply(report);
    fills.recorded(applied.newTrades);
    const order = applied.order;
    if (!order || applied.outcome === 'unknown') return [];
    if (applied.outcome === 'illegal') {
      // The report is refused, but a slot still working an order the ledger has finished (a
      // placement refused while its slot was cancelling it, or fenced off on a takeover) must
      // hear how it ended, or it waits for that order forever
      if (!isTerminal(order.status)) return [];
      const index = order.slotIndex ?? slots.slotOf(order.clientOrderId);
      const event = index === null ? null : slotEventFor(order, order.status);
      return index === null || event === null ? [] : this.#feed(index, event);
    }
    if (applied.outcome === 'applied' && order.status === 'REJECTED') {
      const reason = order.rejectReason ?? 'ORDER_REJECTED';
      metrics.orderRejections.inc({ symbol, reason });
      this.#o.risk?.refusal(symbol, reason);
    }
    if (applied.outcome === 'applied') {
      this.#o.risk?.ordersChanged(symbol, [order]);
      this.#roundTrip(order, applied.newTrades);
    }
    const index = order.slotIndex ?? slots.slotOf(order.clientOrderId);
    const event = index === null ? null : slotEventFor(order, report.trigger);
    return index === null || event === null ? [] : this.#feed(index, event);
  }

  /**
   * A pre-trade check denied a slot's placement before it reached the workflow: the slot gets
   * the refusal (its entry stays un-placed, its refusal cooldown starts).
   * @returns what the slot emitted in answer
   */
  denied(index: number, clientOrderId: ClientOrderId, reason: string): GridSlotCommand[] {
    return this.#feed(index, { type: 'order.rejected', clientOrderId, reason });
  }

  /** Tells the risk layer of a round trip a close order of ours finished. */
  #roundTrip(order: LedgerOrder, trades: readonly Trade[]): void {
    const risk = this.#o.risk;
    if (!risk) return;
    const tracker = this.#roundTrips;
    const filled = order.status === 'FILLED';
    let done = tracker.trades(order.clientOrderId, order.reduceOnly, trades, filled);
    // A close canceled after a partial fill still closed what it filled
    if (!filled && isTerminal(order.status)) done = tracker.ended(order.clientOrderId);
    if (done) risk.roundTrip(this.#o.symbol, done.grossPnl, done.fees);
  }

  /** Sends one event to a slot whose state takes it, and paces the slot after a refusal. */
  #feed(index: number, event: GridSlotVenueEvent): GridSlotCommand[] {
    const { slots, cooldown, metrics, log, symbol } = this.#o;
    const snapshot = slots.snapshot(index);
    if (!snapshot?.can(event)) {
      const ids = { symbol, slot: index, event: event.type, clientOrderId: event.clientOrderId };
      log.debug(ids, 'slot already past this report');
      return [];
    }
    const before = snapshot.context;
    if (event.type === 'order.filled' && before.order) {
      metrics.ordersFilled.inc({ symbol, side: before.order.side });
    }
    const commands = slots.send(index, event);
    const after = slots.snapshot(index)?.context;
    if (after && after.refusals > before.refusals) {
      const reason = event.type === 'order.rejected' ? event.reason : 'EXPIRED_UNFILLED';
      if (event.type !== 'order.rejected') metrics.orderRejections.inc({ symbol, reason });
      const waitMs = cooldown.refused(index, after.refusals);
      this.#later(waitMs, { kind: 'wake' });
      log.warn(
        {
          symbol,
          slot: index,
          clientOrderId: event.clientOrderId,
          reason,
          refusals: after.refusals,
          waitMs,
        },
        'placement refused: the slot waits before placing again',
      );
    } else if (after && after.refusals === 0 && before.refusals > 0) {
      cooldown.cleared(index);
    }
    return commands;
  }

  /** Posts a lookup after the backoff of its attempt. */
  #lookUpLater(message: Verify): void {
    this.#later(LOOKUP_BACKOFF_MS * 2 ** message.attempt, message);
  }

  #later(waitMs: number, message: SymbolMessage): void {
    const timer = this.#o.clock.after(waitMs, () => {
      this.#timers.delete(timer);
      this.#o.mailbox.post(message);
    });
    this.#timers.add(timer);
  }
}
