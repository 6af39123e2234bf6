/**
 * @module actors/engine/reconcile
 * Reconciliation of one symbol with the venue, the source of truth: which orders to report to
 * the order ledger (and through it to their slots), which to place or cancel again, which to
 * adopt. The symbol actor runs it before it trades, whenever the order stream reconnects, and on
 * a timer (see reconcile-job); it applies the plan itself, report by report.
 *
 * - An order a slot works is looked up: whatever happened meanwhile is reported as the venue
 *   says, so an order filled while we were away becomes inventory, never "canceled".
 * - A slot whose placement never reached the venue resubmits it (same client order id: the
 *   workflow or the placement step's lookup makes it a no-op if it did land after all).
 * - An order the venue had acknowledged but no longer knows (purged from its history, or a venue
 *   whose state was reset) is over: reported canceled with the fills it already had, so its slot
 *   reopens under a new client order id.
 * - Every other order the ledger still holds open is looked up too (at most
 *   `ORPHAN_LOOKUPS_PER_RUN` a run), so the order index ends equal to the venue for every order.
 * - An open order of ours for this symbol that no slot works is adopted by its slot.
 * - Any other open order (manual, another bot, another engine) is foreign: left alone, reported.
 * - The venue position is compared with the slots' inventory (see divergence-watch).
 */
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order } from '../../core/exchange.types.js';
import { toPlain, ZERO } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import { parseClientOrderId } from '../../machines/client-order-id.js';
import type {
  CancelOrderCommand,
  SubmitOrderCommand,
  WorkingOrder,
} from '../../machines/grid-slot.machine.js';
import type { OrderLedger } from '../orders/order-ledger.js';
import type { LedgerOrder } from '../orders/order-ledger.types.js';
import type { Adoption, SlotSet } from './slot-set.js';
import { isOpenStatus } from './venue-events.js';

/** Lookups of orders no slot works, per run; the rest wait for the next run. */
export const ORPHAN_LOOKUPS_PER_RUN = 50;

/** What the venue says about the orders of one symbol, sorted into what to do with each. */
export interface ReconcilePlan {
  /** The venue's view of orders slots are working: reported, and so fed to those slots. */
  readonly worked: readonly { readonly index: number; readonly order: Order }[];
  /** Open orders of ours no slot works, each taken over by the free slot of its level. */
  readonly adoptions: readonly { readonly adoption: Adoption; readonly order: Order }[];
  /** Slots whose placement the venue has never seen: submit again under the same id. */
  readonly resubmit: readonly SubmitOrderCommand[];
  /** Acknowledged working orders the venue no longer knows: reported canceled. */
  readonly vanished: readonly { readonly index: number; readonly working: WorkingOrder }[];
  /** Slots canceling an order that is still open: send the cancel again. */
  readonly recancel: readonly CancelOrderCommand[];
  /** Ledger orders no slot works, as the venue has them now. */
  readonly orphans: readonly Order[];
  /** Ledger orders no slot works that the venue does not know. */
  readonly lost: readonly LedgerOrder[];
  /** Ledger orders no slot works left for the next run (the lookup bound). */
  readonly deferred: number;
  /** Open orders that are not ours; never touched. */
  readonly foreign: readonly Order[];
  /** Open orders of ours whose slot is busy with another order; left alone and reported. */
  readonly conflicts: readonly Order[];
}

/** What a reconciliation found, as logs and /status report it. */
export interface ReconcileSummary {
  readonly trigger: string;
  readonly atMs: number;
  /** Working orders whose venue state was reported. */
  readonly updated: number;
  readonly adopted: readonly string[];
  readonly resubmitted: readonly string[];
  /** Client ids of acknowledged orders the venue no longer knows. */
  readonly vanished: readonly string[];
  /** Ledger orders no slot works that were brought in line with the venue. */
  readonly ledgerCorrected: number;
  readonly deferred: number;
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
 * Asks the venue about every order of `symbol` the slots work or the ledger holds open, and sorts
 * the answers into a plan.
 * @param symbol - the symbol to reconcile
 * @param slots - its slots
 * @param ledger - its order ledger (which ids are ours, which orders are open)
 * @param venue - the venue port
 * @returns the plan; the caller applies it
 * @throws {ExchangeError} when the venue cannot be asked
 */
export async function planReconciliation(
  symbol: SymbolId,
  slots: SlotSet,
  ledger: OrderLedger,
  venue: Exchange,
): Promise<ReconcilePlan> {
  const open = new Map((await venue.getOpenOrders(symbol)).map((o) => [o.clientOrderId, o]));
  const worked: { index: number; order: Order }[] = [];
  const resubmit: SubmitOrderCommand[] = [];
  const recancel: CancelOrderCommand[] = [];
  const vanished: { index: number; working: WorkingOrder }[] = [];
  const workedIds = new Set<string>();

  for (const index of slots.indices()) {
    const snapshot = slots.snapshot(index);
    const working = snapshot?.context.order;
    if (!snapshot || !working) continue;
    workedIds.add(working.clientOrderId);
    const order =
      open.get(working.clientOrderId) ?? (await lookup(venue, symbol, working.clientOrderId));
    if (order === null) {
      const unacknowledged =
        snapshot.matches({ opening: 'pending' }) || snapshot.matches({ closing: 'pending' });
      if (unacknowledged) resubmit.push(submitCommand(symbol, index, working));
      else vanished.push({ index, working });
      continue;
    }
    worked.push({ index, order });
    if (slots.isCanceling(index) && isOpenStatus(order.status)) {
      recancel.push({
        type: 'command.cancelOrder',
        clientOrderId: working.clientOrderId,
        symbol,
        slotIndex: index,
      });
    }
  }

  const orphans: Order[] = [];
  const lost: LedgerOrder[] = [];
  let lookups = 0;
  let deferred = 0;
  for (const held of ledger.liveOrders()) {
    if (workedIds.has(held.clientOrderId)) continue;
    const resting = open.get(held.clientOrderId);
    if (resting) {
      orphans.push(resting);
      continue;
    }
    if (lookups >= ORPHAN_LOOKUPS_PER_RUN) {
      deferred++;
      continue;
    }
    lookups++;
    const order = await lookup(venue, symbol, held.clientOrderId);
    if (order) orphans.push(order);
    else lost.push(held);
  }

  const adoptions: { adoption: Adoption; order: Order }[] = [];
  const foreign: Order[] = [];
  const conflicts: Order[] = [];
  for (const order of open.values()) {
    if (workedIds.has(order.clientOrderId)) continue;
    const parts = ledger.owns(order.clientOrderId) ? parseClientOrderId(order.clientOrderId) : null;
    if (!parts) {
      foreign.push(order);
      continue;
    }
    const slot = slots.snapshot(parts.slotIndex);
    const taken = adoptions.some((a) => a.adoption.index === parts.slotIndex);
    if ((slot && !slot.matches('free')) || taken) {
      conflicts.push(order);
      continue;
    }
    const adoption = {
      index: parts.slotIndex,
      generation: parts.generation,
      order: workingOrderOf(order),
    };
    adoptions.push({ adoption, order });
  }
  // An adopted order is reported through its slot, not as an orphan
  const adoptedIds = new Set(adoptions.map((a) => a.order.clientOrderId));
  return {
    worked,
    adoptions,
    resubmit,
    vanished,
    recancel,
    orphans: orphans.filter((o) => !adoptedIds.has(o.clientOrderId)),
    lost,
    deferred,
    foreign,
    conflicts,
  };
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

/** An open order that is not ours, as /status shows it. */
export function foreignOrder(o: Order): ForeignOrder {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    price: toPlain(o.price),
    quantity: toPlain(o.quantity),
  };
}

/**
 * The venue's order for our client order id.
 * @returns the order, or null when the venue does not know it
 * @throws {ExchangeError} when the venue cannot be asked
 */
export async function lookup(venue: Exchange, symbol: SymbolId, clientOrderId: string) {
  try {
    return await venue.getOrder({ symbol, clientOrderId });
  } catch (e) {
    if (e instanceof ExchangeError && e.reason === 'ORDER_NOT_FOUND') return null;
    throw e;
  }
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
    // Slots place every order as a maker but a flatten's close; closes are reduce-only
    postOnly: order.taker !== true,
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
