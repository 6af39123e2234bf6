/**
 * @module actors/engine/reconcile
 * Reconciliation of one symbol's slots with the venue, the source of truth. Run before a symbol
 * trades (after a start or restart) and again whenever the order stream had a gap.
 *
 * - An order a slot works is looked up: whatever happened while we were away is fed to the slot
 *   as the venue reports it, so an order filled while down becomes inventory, never "canceled".
 * - A slot whose placement never reached the venue resubmits it (same client order id, so the
 *   workflow or the venue's duplicate check makes it a no-op if it did land after all).
 * - An order the venue had acknowledged but no longer knows (purged from its history, or a venue
 *   whose state was reset) is over: the slot hears it as canceled with the fills it already had,
 *   and reopens under a new client order id. Resubmitting the old id would be answered from the
 *   finished placement workflow without reaching the venue, leaving the slot waiting forever.
 * - An open order carrying our prefix for this symbol that no slot works is adopted by its slot.
 * - Any other open order (manual, another bot) is foreign: left alone and reported.
 * - The venue position is compared with the slots' inventory and any difference reported.
 */
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order } from '../../core/exchange.types.js';
import { isClientOrderIdFor, parseClientOrderId } from '../../machines/client-order-id.js';
import { toPlain, ZERO } from '../../core/decimal.js';
import type {
  CancelOrderCommand,
  GridSlotCommand,
  GridSlotVenueEvent,
  SubmitOrderCommand,
  WorkingOrder,
} from '../../machines/grid-slot.machine.js';
import type { SymbolId } from '../../core/types.js';
import type { Adoption, SlotSet } from './slot-set.js';
import { eventForOrder, factsOfOrder, isOpenStatus } from './venue-events.js';

/** What the venue says about the orders of one symbol, sorted into what to do with each. */
export interface ReconcilePlan {
  /** The venue's view of orders slots are working; fed to those slots as events. */
  readonly updates: readonly { readonly index: number; readonly order: Order }[];
  /** Open orders of ours no slot works, each taken over by the free slot of its level. */
  readonly adoptions: readonly Adoption[];
  /** Slots whose placement the venue has never seen: submit again under the same id. */
  readonly resubmit: readonly SubmitOrderCommand[];
  /** Acknowledged orders the venue no longer knows: ended as canceled on their slots. */
  readonly vanished: readonly { readonly index: number; readonly event: GridSlotVenueEvent }[];
  /** Slots canceling an order that is still open: send the cancel again. */
  readonly recancel: readonly CancelOrderCommand[];
  /** Open orders that are not ours; never touched. */
  readonly foreign: readonly Order[];
  /** Open orders of ours whose slot is busy with another order; left alone and reported. */
  readonly conflicts: readonly Order[];
}

/** What a reconciliation found, as logs and /status report it. */
export interface ReconcileSummary {
  /** Working orders whose venue state was fed to their slots. */
  readonly updated: number;
  readonly adopted: readonly string[];
  readonly resubmitted: readonly string[];
  /** Client ids of acknowledged orders the venue no longer knows. */
  readonly vanished: readonly string[];
  readonly foreign: readonly ForeignOrder[];
  readonly conflicts: readonly string[];
  readonly position: PositionCheck;
}

/** An open order that is not ours, as reported. */
export interface ForeignOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: string;
  readonly price: string;
  readonly quantity: string;
}

/** The venue position against the slots' inventory, base units. */
export interface PositionCheck {
  readonly venue: string;
  readonly grid: string;
  readonly matches: boolean;
}

/**
 * Asks the venue about every order of `symbol` and sorts the answers into a plan.
 * @param symbol - the symbol to reconcile
 * @param slots - its slots, as restored
 * @param venue - the venue port
 * @returns the plan; the caller applies it to the slots
 * @throws {ExchangeError} when the venue cannot be asked (the actor fails and retries later)
 */
export async function planReconciliation(
  symbol: SymbolId,
  slots: SlotSet,
  venue: Exchange,
): Promise<ReconcilePlan> {
  const open = new Map((await venue.getOpenOrders(symbol)).map((o) => [o.clientOrderId, o]));
  const updates: { index: number; order: Order }[] = [];
  const resubmit: SubmitOrderCommand[] = [];
  const recancel: CancelOrderCommand[] = [];
  const vanished: { index: number; event: GridSlotVenueEvent }[] = [];
  const worked = new Set<string>();

  for (const index of slots.indices()) {
    const snapshot = slots.snapshot(index);
    const working = snapshot?.context.order;
    if (!snapshot || !working) continue;
    worked.add(working.clientOrderId);
    const order = open.get(working.clientOrderId) ?? (await lookup(venue, symbol, working));
    const canceling = slots.isCanceling(index);
    if (order === null) {
      const unacknowledged =
        snapshot.matches({ opening: 'pending' }) || snapshot.matches({ closing: 'pending' });
      if (unacknowledged) resubmit.push(submitCommand(symbol, index, working));
      else {
        const { clientOrderId, filledQuantity } = working;
        vanished.push({ index, event: { type: 'order.canceled', clientOrderId, filledQuantity } });
      }
      continue;
    }
    updates.push({ index, order });
    if (canceling && isOpenStatus(order.status)) {
      recancel.push({
        type: 'command.cancelOrder',
        clientOrderId: working.clientOrderId,
        symbol,
        slotIndex: index,
      });
    }
  }

  const adoptions: Adoption[] = [];
  const foreign: Order[] = [];
  const conflicts: Order[] = [];
  for (const order of open.values()) {
    if (worked.has(order.clientOrderId)) continue;
    const parts = isClientOrderIdFor(order.clientOrderId, symbol)
      ? parseClientOrderId(order.clientOrderId)
      : null;
    if (!parts) {
      foreign.push(order);
      continue;
    }
    const slot = slots.snapshot(parts.slotIndex);
    const taken = adoptions.some((a) => a.index === parts.slotIndex);
    if ((slot && !slot.matches('free')) || taken) {
      conflicts.push(order);
      continue;
    }
    adoptions.push({
      index: parts.slotIndex,
      generation: parts.generation,
      order: workingOrderOf(order),
    });
  }
  return { updates, adoptions, resubmit, vanished, recancel, foreign, conflicts };
}

/**
 * Reconciles a symbol's slots with the venue: plans, feeds each working order's venue state to
 * its slot through `feed`, adopts our lost orders, and checks the position.
 * @param symbol - the symbol to reconcile
 * @param slots - its slots; changed in place
 * @param venue - the venue port
 * @param feed - applies one venue order to the slot at `index` (fills ledger and machine event)
 * @returns the commands to forward (resubmits, re-sent cancels, whatever `feed` produced) and a
 *   summary of what was found
 * @throws {ExchangeError} when the venue cannot be asked
 */
export async function reconcileSlots(
  symbol: SymbolId,
  slots: SlotSet,
  venue: Exchange,
  feed: (index: number, order: Order) => Promise<GridSlotCommand[]>,
): Promise<{ commands: GridSlotCommand[]; summary: ReconcileSummary }> {
  const plan = await planReconciliation(symbol, slots, venue);
  const commands: GridSlotCommand[] = [];
  for (const { index, order } of plan.updates) commands.push(...(await feed(index, order)));
  for (const { index, event } of plan.vanished) commands.push(...slots.send(index, event));
  for (const adoption of plan.adoptions) slots.adopt(adoption);
  commands.push(...plan.resubmit, ...plan.recancel);
  const summary: ReconcileSummary = {
    updated: plan.updates.length,
    adopted: plan.adoptions.map((a) => a.order.clientOrderId),
    resubmitted: plan.resubmit.map((c) => c.clientOrderId),
    vanished: plan.vanished.map((v) => v.event.clientOrderId),
    foreign: plan.foreign.map((o) => ({
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      side: o.side,
      price: toPlain(o.price),
      quantity: toPlain(o.quantity),
    })),
    conflicts: plan.conflicts.map((o) => o.clientOrderId),
    position: await checkPosition(venue, symbol, slots),
  };
  return { commands, summary };
}

/**
 * Compares the venue's position in `symbol` with the slots' net inventory.
 * @param venue - the venue port
 * @param symbol - the symbol
 * @param slots - its slots, after the plan was applied
 * @returns both sizes as decimal strings and whether they agree
 */
export async function checkPosition(
  venue: Exchange,
  symbol: SymbolId,
  slots: SlotSet,
): Promise<PositionCheck> {
  const positions = await venue.getPositions(symbol);
  const held = positions
    .filter((p) => p.symbol === symbol)
    .reduce((sum, p) => sum.add(p.size), ZERO);
  const grid = slots.position();
  return { venue: toPlain(held), grid: toPlain(grid), matches: held.eq(grid) };
}

/**
 * Asks the venue where one working order stands, for a slot that cannot trust what it was told
 * (a cancel's result carries no fill figures; a placement's outcome may be unknown).
 * @param venue - the venue port
 * @param symbol - the order's symbol
 * @param working - the slot's working order
 * @param canceling - whether the slot is waiting for a cancel of it
 * @returns the event for the slot, and the venue's order (null when the venue never had it)
 * @throws {ExchangeError} when the venue cannot be asked
 */
export async function verifyOrder(
  venue: Exchange,
  symbol: SymbolId,
  working: WorkingOrder,
  canceling: boolean,
): Promise<{ event: GridSlotVenueEvent; order: Order | null }> {
  const { clientOrderId } = working;
  const order = await lookup(venue, symbol, working);
  if (order === null) {
    return { event: { type: 'order.rejected', clientOrderId, reason: 'ORDER_NOT_FOUND' }, order };
  }
  if (canceling && isOpenStatus(order.status)) {
    return { event: { type: 'order.cancelRejected', clientOrderId, reason: 'STILL_OPEN' }, order };
  }
  return { event: eventForOrder(factsOfOrder(order)), order };
}

/** The slot command that places `order` again, exactly as the slot first emitted it. */
function submitCommand(symbol: SymbolId, index: number, order: WorkingOrder): SubmitOrderCommand {
  return {
    type: 'command.submitOrder',
    clientOrderId: order.clientOrderId,
    symbol,
    slotIndex: index,
    side: order.side,
    price: order.price,
    quantity: order.quantity,
    // Slots place every order as a maker; closes are reduce-only (grid-slot.machine)
    postOnly: true,
    reduceOnly: order.role === 'close',
  };
}

/** A venue order of ours as the working order of the slot that adopts it. */
function workingOrderOf(order: Order): WorkingOrder {
  return {
    clientOrderId: order.clientOrderId as WorkingOrder['clientOrderId'],
    // Only closing orders are reduce-only, so the flag tells the order's role
    role: order.reduceOnly ? 'close' : 'open',
    side: order.side,
    price: toPlain(order.price),
    quantity: toPlain(order.quantity),
    filledQuantity: toPlain(order.executedQty),
  };
}

async function lookup(venue: Exchange, symbol: SymbolId, working: WorkingOrder) {
  try {
    return await venue.getOrder({ symbol, clientOrderId: working.clientOrderId });
  } catch (e) {
    if (e instanceof ExchangeError && e.reason === 'ORDER_NOT_FOUND') return null;
    throw e;
  }
}
