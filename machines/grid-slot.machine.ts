/**
 * @module grid-slot.machine
 * One grid slot: a single lattice level that opens a position with a post-only maker order, holds
 * it, and closes it one level away with a reduce-only order. In long mode the opening order is a
 * buy and the closing order a sell; neutral mode may also open short with a sell above the market.
 *
 * Consumes control events from the owning symbol actor (`slot.*`, `risk.*`) and venue reports
 * (`order.*`, each naming the client order id it is about). Emits `command.submitOrder` and
 * `command.cancelOrder` for the actor to forward. Pure: no I/O, clock, randomness, timers or
 * invoke, and the context is plain JSON so `getPersistedSnapshot()` survives JSON.stringify.
 *
 * A placement the venue refuses (any reason, post-only crossing included) is never retried from
 * here: the slot settles back to `free` or `holding` and counts the refusal in `refusals`, and the
 * owning actor decides when it may place again (its cooldown clock backs off on that counter). A
 * close is priced from the market the actor reports with `slot.close`, so a market that has passed
 * the exit gets a close one tick beyond it instead of a post-only order that would cross.
 *
 * Life of a slot: free → opening.pending → opening.resting → holding → closing.pending →
 * closing.resting → free, with `canceling` under each phase; `settling` is transient and routes
 * to `free` or `holding` by inventory.
 */
import { assertEvent, assign, emit, setup } from 'xstate';

import { clientOrderIdFor, MAX_SLOT_INDEX, namespaceError } from './client-order-id.js';
import { dec, Decimal, toPlain } from '../core/decimal.js';
import {
  closePrice,
  entrySide,
  latticeSpecError,
  levelPrice,
  type GridMode,
  type LatticeSpec,
} from './grid-lattice.js';
import type { ErrorReason } from '../core/errors.js';
import type { ClientOrderId, Side, SymbolId } from '../core/types.js';

/** The venue port's reason on `order.rejected` when a post-only order would have crossed the book. */
export const POST_ONLY_REJECT_REASON = 'POST_ONLY_WOULD_CROSS' satisfies ErrorReason;

/** Static description of a slot; prices are decimal strings in quote units. */
export interface GridSlotInput extends LatticeSpec {
  /** The engine instance's client order id namespace (machines/client-order-id). */
  readonly namespace: string;
  readonly symbol: SymbolId;
  /** Lattice level k; the slot's price is anchorPrice + k × interval and must be positive. */
  readonly slotIndex: number;
  readonly mode: GridMode;
  /**
   * Size of every opening order in BASE units (BTC for BTCUSDT), never quote notional. The
   * closing order is for exactly the inventory held, which can be less after a partial fill.
   */
  readonly orderQuantity: string;
  /** Last generation this slot already used (recovery passes the highest seen); default 0. */
  readonly generation?: number;
}

/** Whether the risk layer currently lets the slot open new positions. */
export type EntryGate = 'allowed' | 'paused';

/** An opening order grows inventory; a closing order is reduce-only and shrinks it. */
export type OrderRole = 'open' | 'close';

/** The one order a slot may be working. Quantities are base units, decimal strings. */
export interface WorkingOrder {
  readonly clientOrderId: ClientOrderId;
  readonly role: OrderRole;
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  /** Cumulative executed quantity already applied to `position`. */
  readonly filledQuantity: string;
  /** True for a flatten's close: it may take liquidity (not post-only). */
  readonly taker?: boolean;
}

/** Slot state; strings, numbers and null only, so it persists as JSON. */
export interface GridSlotContext extends Required<GridSlotInput> {
  readonly levelPrice: string;
  /** Signed inventory in base units: positive long, negative short (neutral mode only). */
  readonly position: string;
  readonly entries: EntryGate;
  readonly order: WorkingOrder | null;
  /**
   * Consecutive placements the venue did not keep (refused, or expired unfilled at once); back to
   * 0 on any report that shows the venue took the order (ack, fill, cancel, cancel refusal). The
   * owning actor's cooldown backs off on it.
   */
  readonly refusals: number;
  readonly lastRejectReason: string | null;
}

/**
 * Intents from the owning symbol actor and its risk layer. `limitPrice` (quote units, optional)
 * is the most aggressive price the order book lets a maker order of the slot's side rest at (a
 * buy at most, a sell at least; dynamic slippage): the order takes the more passive of it and
 * the price the lattice and the market give.
 */
export type GridSlotControlEvent =
  | { readonly type: 'slot.open'; readonly marketPrice: string; readonly limitPrice?: string }
  /** Close what the slot holds; `marketPrice` (quote units) prices it off the current market. */
  | { readonly type: 'slot.close'; readonly marketPrice: string; readonly limitPrice?: string }
  | { readonly type: 'slot.cancel' }
  /**
   * Close what the slot holds now (the risk layer flattens): a reduce-only limit at
   * `limitPrice`, which the actor sets through the market, allowed to take liquidity.
   */
  | { readonly type: 'slot.flatten'; readonly limitPrice: string }
  | { readonly type: 'risk.pause' }
  | { readonly type: 'risk.resume' };

type Report<T extends string, Fields = unknown> = T extends string
  ? { readonly type: T; readonly clientOrderId: ClientOrderId } & Readonly<Fields>
  : never;

/**
 * Venue reports. `filledQuantity` is the order's cumulative executed quantity (base units), so a
 * duplicate or reordered report cannot count a fill twice; a cancel or expiry carries it when the
 * venue does, which covers a partial fill report that the cancel ack overtook.
 */
export type GridSlotVenueEvent =
  | Report<'order.accepted' | 'order.filled'>
  | Report<'order.partiallyFilled', { filledQuantity: string }>
  | Report<'order.canceled' | 'order.expired', { filledQuantity?: string }>
  | Report<'order.rejected' | 'order.cancelRejected', { reason: string }>;

/** Everything a slot consumes. */
export type GridSlotEvent = GridSlotControlEvent | GridSlotVenueEvent;

interface SlotOrderRef {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: SymbolId;
  readonly slotIndex: number;
}

/** A new limit order with everything the actor needs to forward it as is. */
export interface SubmitOrderCommand extends SlotOrderRef {
  readonly type: 'command.submitOrder';
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
}

/** Cancel the slot's working order by its client order id. */
export interface CancelOrderCommand extends SlotOrderRef {
  readonly type: 'command.cancelOrder';
}

/** Everything a slot emits. */
export type GridSlotCommand = SubmitOrderCommand | CancelOrderCommand;

/**
 * Checks a slot input before an actor is built from it; the context factory throws the same
 * reason, which leaves an actor in `error` status.
 * @param input - the slot to check
 * @returns the reason it is invalid, or null when it is valid
 */
export function gridSlotInputError(input: GridSlotInput): string | null {
  const latticeError = latticeSpecError(input);
  if (latticeError) return latticeError;
  if (typeof input.symbol !== 'string' || input.symbol === '') return 'symbol must be non-empty';
  const namespaceProblem = namespaceError(String(input.namespace));
  if (namespaceProblem) return `namespace ${namespaceProblem}`;
  if (input.mode !== 'long' && input.mode !== 'neutral') {
    return `mode must be long or neutral, was ${String(input.mode)}`;
  }
  if (!Number.isSafeInteger(input.slotIndex) || Math.abs(input.slotIndex) > MAX_SLOT_INDEX) {
    return `slotIndex must be an integer within ±${MAX_SLOT_INDEX}, was ${input.slotIndex}`;
  }
  const price = levelPrice(input, input.slotIndex);
  if (!dec(price).gt(0)) return `level price must be positive, was ${price}`;
  // Plain digits only: an exponent form like 1e-3 is not a decimal string at our boundaries
  if (!/^\d+(\.\d+)?$/.test(input.orderQuantity) || !dec(input.orderQuantity).gt(0)) {
    return `orderQuantity must be positive base units, was ${input.orderQuantity}`;
  }
  const generation = input.generation ?? 0;
  if (!Number.isSafeInteger(generation) || generation < 0) {
    return `generation must be a non-negative integer, was ${generation}`;
  }
  return null;
}

function contextFromInput(input: GridSlotInput): GridSlotContext {
  const error = gridSlotInputError(input);
  if (error) throw new Error(`grid slot ${String(input.symbol)}/${input.slotIndex}: ${error}`);
  return {
    ...input,
    orderQuantity: toPlain(dec(input.orderQuantity)),
    generation: input.generation ?? 0,
    levelPrice: levelPrice(input, input.slotIndex),
    position: '0',
    entries: 'allowed',
    order: null,
    refusals: 0,
    lastRejectReason: null,
  };
}

function working(context: GridSlotContext): WorkingOrder {
  if (!context.order) throw new Error(`slot ${context.symbol}/${context.slotIndex} has no order`);
  return context.order;
}

/** The cumulative fill a report implies, or null when the report is not about our order. */
function reportedFill(context: GridSlotContext, event: GridSlotEvent): string | null {
  const order = context.order;
  if (!order || !('clientOrderId' in event) || event.clientOrderId !== order.clientOrderId) {
    return null;
  }
  if (event.type === 'order.filled') return order.quantity;
  const reported = 'filledQuantity' in event ? event.filledQuantity : undefined;
  if (reported === undefined) return order.filledQuantity;
  const cumulative = dec(reported);
  // Fills only ever grow; a smaller figure is a stale report and must not undo inventory
  if (cumulative.gt(order.quantity) || cumulative.isNegative()) return null;
  return toPlain(cumulative.lt(order.filledQuantity) ? dec(order.filledQuantity) : cumulative);
}

/** The more passive of `price` and the book's limit for `side`; `price` without a usable limit. */
function passive(side: Side, price: string, limitPrice: string | undefined): string {
  if (limitPrice === undefined) return price;
  const limit = dec(limitPrice);
  if (!limit.gt(0)) return price;
  const wanted = dec(price);
  return toPlain(side === 'BUY' ? Decimal.min(wanted, limit) : Decimal.max(wanted, limit));
}

/** A fresh order for this slot, minted with the next generation. */
function nextOrder(
  context: GridSlotContext,
  role: OrderRole,
  side: Side,
  price: string,
  quantity: string,
) {
  const generation = context.generation + 1;
  const { namespace, symbol, slotIndex } = context;
  const clientOrderId = clientOrderIdFor(namespace, symbol, slotIndex, side, generation);
  const order: WorkingOrder = { clientOrderId, role, side, price, quantity, filledQuantity: '0' };
  return { generation, order };
}

const slotSetup = setup({
  types: {
    input: {} as GridSlotInput,
    context: {} as GridSlotContext,
    events: {} as GridSlotEvent,
    emitted: {} as GridSlotCommand,
  },
  guards: {
    isWorkingReport: ({ context, event }) => reportedFill(context, event) !== null,
    isFreshPartialFill: ({ context, event }) => {
      const cumulative = reportedFill(context, event);
      return cumulative !== null && dec(cumulative).gt(working(context).filledQuantity);
    },
    canOpen: ({ context, event }) => {
      assertEvent(event, 'slot.open');
      if (context.entries !== 'allowed') return false;
      return entrySide(context, context.slotIndex, event.marketPrice, context.mode) !== null;
    },
    isUnfilledExpiry: ({ context, event }) => {
      const cumulative = reportedFill(context, event);
      return event.type === 'order.expired' && cumulative !== null && dec(cumulative).isZero();
    },
    isFlat: ({ context }) => dec(context.position).isZero(),
  },
  actions: {
    placeEntry: assign(({ context, event }) => {
      assertEvent(event, 'slot.open');
      const side = entrySide(context, context.slotIndex, event.marketPrice, context.mode);
      if (!side) throw new Error(`slot ${context.symbol}/${context.slotIndex} cannot open`);
      const price = passive(side, context.levelPrice, event.limitPrice);
      const next = nextOrder(context, 'open', side, price, context.orderQuantity);
      return { ...next, lastRejectReason: null };
    }),
    placeExit: assign(({ context, event }) => {
      assertEvent(event, 'slot.close');
      const held = dec(context.position);
      const side: Side = held.isPositive() ? 'SELL' : 'BUY';
      const entry: Side = side === 'SELL' ? 'BUY' : 'SELL';
      const lattice = closePrice(context, context.slotIndex, entry, event.marketPrice);
      const price = passive(side, lattice, event.limitPrice);
      const next = nextOrder(context, 'close', side, price, toPlain(held.abs()));
      return { ...next, lastRejectReason: null };
    }),
    placeFlatten: assign(({ context, event }) => {
      assertEvent(event, 'slot.flatten');
      const held = dec(context.position);
      const side: Side = held.isPositive() ? 'SELL' : 'BUY';
      const next = nextOrder(context, 'close', side, event.limitPrice, toPlain(held.abs()));
      return { ...next, order: { ...next.order, taker: true }, lastRejectReason: null };
    }),
    applyFill: assign(({ context, event }) => {
      const order = working(context);
      const cumulative = reportedFill(context, event) ?? order.filledQuantity;
      const delta = dec(cumulative).sub(order.filledQuantity);
      const signed = order.side === 'BUY' ? delta : delta.neg();
      return {
        position: toPlain(dec(context.position).add(signed)),
        order: { ...order, filledQuantity: cumulative },
      };
    }),
    clearOrder: assign({ order: null }),
    recordReject: assign({
      lastRejectReason: ({ event }) => ('reason' in event ? event.reason : null),
    }),
    countRefusal: assign({ refusals: ({ context }) => context.refusals + 1 }),
    // The venue took the order: the run of refusals is over
    resetRefusals: assign({ refusals: 0 }),
    pauseEntries: assign({ entries: 'paused' as EntryGate }),
    resumeEntries: assign({ entries: 'allowed' as EntryGate }),
    submitOrder: emit(({ context }): SubmitOrderCommand => {
      const order = working(context);
      return {
        type: 'command.submitOrder',
        clientOrderId: order.clientOrderId,
        symbol: context.symbol,
        slotIndex: context.slotIndex,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        // Makers only: a taker fill would pay fees and trade away from the lattice (a flatten
        // is the exception: it must close now)
        postOnly: order.taker !== true,
        reduceOnly: order.role === 'close',
      };
    }),
    cancelOrder: emit(({ context }): CancelOrderCommand => ({
      type: 'command.cancelOrder',
      clientOrderId: working(context).clientOrderId,
      symbol: context.symbol,
      slotIndex: context.slotIndex,
    })),
  },
});

const settle = { guard: 'isWorkingReport', target: '#gridSlot.settling' } as const;
const refused = ['recordReject', 'clearOrder', 'countRefusal'] as const;
const cancel = { target: 'canceling', actions: 'cancelOrder' } as const;

/** One order's life, shared by the opening and the closing phase. */
function workingPhase(role: OrderRole) {
  // Risk pulls resting entries, never exits: closing always reduces exposure
  const pause =
    role === 'open'
      ? ({ target: 'canceling', actions: ['pauseEntries', 'cancelOrder'] } as const)
      : ({ actions: 'pauseEntries' } as const);
  return slotSetup.createStateConfig({
    initial: 'pending',
    on: {
      // Also taken from canceling: the fill can overtake the cancel ack, and the fill wins
      'order.filled': { ...settle, actions: ['applyFill', 'clearOrder', 'resetRefusals'] },
      'order.canceled': { ...settle, actions: ['applyFill', 'clearOrder', 'resetRefusals'] },
      'order.expired': [
        // Gone at once without a fill (e.g. a post-only GTX order the venue expired instead of
        // refusing): as good as a refusal
        { guard: 'isUnfilledExpiry', target: '#gridSlot.settling', actions: refused },
        { ...settle, actions: ['applyFill', 'clearOrder', 'resetRefusals'] },
      ],
      // Never repriced here: the actor's cooldown decides when the slot may place again
      'order.rejected': { ...settle, actions: refused },
    },
    states: {
      pending: {
        on: {
          'order.accepted': {
            guard: 'isWorkingReport',
            target: 'resting',
            actions: 'resetRefusals',
          },
          // A fill report can overtake the ack; it proves acceptance
          'order.partiallyFilled': {
            guard: 'isFreshPartialFill',
            target: 'resting',
            actions: ['applyFill', 'resetRefusals'],
          },
          'slot.cancel': cancel,
          'risk.pause': pause,
        },
      },
      resting: {
        on: {
          'order.partiallyFilled': {
            guard: 'isFreshPartialFill',
            actions: ['applyFill', 'resetRefusals'],
          },
          'slot.cancel': cancel,
          'risk.pause': pause,
        },
      },
      canceling: {
        on: {
          // Fills keep arriving until the cancel ack: the fill can overtake it
          'order.partiallyFilled': {
            guard: 'isFreshPartialFill',
            actions: ['applyFill', 'resetRefusals'],
          },
          // The order is still live, or its fill report is on the way
          'order.cancelRejected': {
            guard: 'isWorkingReport',
            target: 'resting',
            actions: 'resetRefusals',
          },
        },
      },
    },
  });
}

/** The grid slot machine; create one actor per lattice level with a {@link GridSlotInput}. */
export const gridSlotMachine = slotSetup.createMachine({
  id: 'gridSlot',
  context: ({ input }) => contextFromInput(input),
  initial: 'free',
  on: {
    'risk.pause': { actions: 'pauseEntries' },
    'risk.resume': { actions: 'resumeEntries' },
  },
  states: {
    free: {
      on: {
        'slot.open': {
          guard: 'canOpen',
          target: 'opening',
          actions: ['placeEntry', 'submitOrder'],
        },
      },
    },
    opening: workingPhase('open'),
    holding: {
      on: {
        'slot.close': { target: 'closing', actions: ['placeExit', 'submitOrder'] },
        'slot.flatten': { target: 'closing', actions: ['placeFlatten', 'submitOrder'] },
      },
    },
    closing: workingPhase('close'),
    settling: {
      always: [{ guard: 'isFlat', target: 'free' }, { target: 'holding' }],
    },
  },
});
