/**
 * @module actors/engine/grid-quoter
 * The grid's quoting rule, applied on every price and after every change: a slot that holds
 * inventory closes it at once, priced off the current market (closes reduce exposure, so risk
 * pauses do not hold them back), and a free slot inside the window opens when the market is far
 * enough from its level (the slot machine's own guard decides, so risk pauses and the entry
 * buffer apply). A slot whose last placement the venue refused, opening or closing, for any
 * reason, waits out its cooldown first (see refusal-cooldown), so a refusal can never turn into a
 * placement on every tick.
 *
 * A trailing grid moves its window first (the slot set spawns and drops slots), then pulls every
 * resting entry beyond the window's keep range: cancel first, and the slot opens again only once
 * the cancel is acknowledged, so a slot never has two live orders. A slot holding inventory keeps
 * its close wherever the window goes. While a lattice generation drains, every entry is pulled
 * and nothing opens.
 *
 * With an order book (dynamic slippage, REQ-RISK-002), every maker order is priced so it cannot
 * cross: an entry whose level would cross is placed at the best non-crossing price when that is
 * within `maxSlippageBps` of the level, else skipped with a reason; a close is moved past the
 * touch (a better price for us) and never skipped.
 */
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import type { Side } from '../../core/types.js';
import { closePrice, entrySide, levelPrice } from '../../machines/grid-lattice.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet, SlotWindow } from './slot-set.js';

/** Why an entry was not placed: the book crosses its level by more than the slippage bound. */
export const SLIPPAGE_SKIP_REASON = 'WOULD_CROSS_BEYOND_MAX_SLIPPAGE';

/** The order book as the quoter reads it. */
export interface BookLimiter {
  /**
   * Where a maker order wanting `price` on `side` can rest without crossing the newest book:
   * `price`, or one tick inside the opposite touch. `price` itself without a book.
   * @param side - the order's side
   * @param price - the wanted price, quote units
   * @returns the price, quote units, decimal string
   */
  nonCrossing(side: Side, price: string): string;
  /** How far an entry may move off its level to stay a maker, basis points of the level. */
  readonly maxSlippageBps: number;
}

/** An entry the book kept from being placed. */
export interface EntrySkip {
  readonly index: number;
  readonly side: Side;
  readonly levelPrice: string;
  /** The best non-crossing price, quote units. */
  readonly bookPrice: string;
  readonly slippageBps: string;
  readonly reason: typeof SLIPPAGE_SKIP_REASON;
}

/** What shapes one quoting pass besides the market price; every field optional. */
export interface QuoteOptions {
  /** A trailing grid's window now; absent: the window the slot set was built with. */
  readonly window?: SlotWindow;
  /** Pull every entry and open none (a new lattice generation is waiting). */
  readonly draining?: boolean;
  /** The order book; absent: orders are priced off the market price alone. */
  readonly book?: BookLimiter;
  /** Told of every entry the book skipped, and of every slot whose skip ended. */
  readonly onSkip?: (index: number, skip: EntrySkip | null) => void;
  /** What the trading state allows; default everything. */
  readonly quoting?: Quoting;
  /** How far through the market a flatten's close is priced, percent; default 1. */
  readonly flattenSlippagePct?: Decimal;
}

/**
 * What a trading state lets the quoter do: everything (ACTIVE, and REDUCING, where the slots'
 * own pause holds entries back), only close what the slots hold, through the market
 * (FLATTENING), or nothing (HALTED: no order of ours may rest).
 */
export type Quoting = 'all' | 'closes' | 'none';

/**
 * @param state - the symbol's effective trading state
 * @returns what the quoter may send
 */
export function quotingOf(state: TradingState): Quoting {
  if (state === 'HALTED') return 'none';
  return state === 'FLATTENING' ? 'closes' : 'all';
}

/**
 * Sends each slot what the market calls for.
 * @param slots - the symbol's slots; changed in place
 * @param marketPrice - current price, quote units
 * @param cooldown - which slots must not place yet
 * @param options - trading state, trailing window, draining, order book
 * @returns the commands the slots emitted
 * @throws {Error} when a slot machine fails (the actor crashes and restarts)
 */
export function quoteGrid(
  slots: SlotSet,
  marketPrice: string,
  cooldown: RefusalCooldown,
  options: QuoteOptions = {},
): GridSlotCommand[] {
  if (options.window) slots.setWindow(options.window);
  const commands: GridSlotCommand[] = [];
  const quoting = options.quoting ?? 'all';
  if (quoting === 'none') return commands;
  for (const index of slots.indices()) {
    const snapshot = slots.snapshot(index);
    if (!snapshot) continue;
    const entryResting =
      snapshot.matches({ opening: 'pending' }) || snapshot.matches({ opening: 'resting' });
    if (entryResting) {
      if (options.draining || slots.isBeyondWindow(index)) {
        commands.push(...slots.send(index, { type: 'slot.cancel' }));
      }
      continue;
    }
    if (cooldown.cooling(index)) continue;
    if (snapshot.matches('holding') && quoting === 'closes') {
      const { position, tickSize } = snapshot.context;
      const limitPrice = flattenPrice(
        dec(position),
        dec(marketPrice),
        dec(tickSize),
        options.flattenSlippagePct ?? dec(1),
      );
      commands.push(...slots.send(index, { type: 'slot.flatten', limitPrice }));
    } else if (snapshot.matches('holding')) {
      commands.push(...slots.send(index, closeEvent(slots, index, marketPrice, options.book)));
    } else if (quoting === 'all' && !options.draining && slots.isQuoted(index)) {
      commands.push(...open(slots, index, marketPrice, options));
    }
  }
  return commands;
}

/**
 * The limit price of a flatten's close: `slippagePct` through the market (a sell under it, a buy
 * over it), on the tick grid, so it trades at once against the book yet never at any price.
 * @param position - the inventory to close (signed)
 * @param market - the market price
 * @param tick - the venue's tick size
 * @param slippagePct - percent
 * @returns quote units, a decimal string
 */
export function flattenPrice(
  position: Decimal,
  market: Decimal,
  tick: Decimal,
  slippagePct: Decimal,
): string {
  const shift = market.mul(slippagePct).div(100);
  if (position.isPositive()) {
    const raw = market.sub(shift);
    const floored = raw.div(tick).floor().mul(tick);
    return toPlain(floored.gt(0) ? floored : tick);
  }
  return toPlain(market.add(shift).div(tick).ceil().mul(tick));
}

function open(
  slots: SlotSet,
  index: number,
  marketPrice: string,
  { book, onSkip }: QuoteOptions,
): GridSlotCommand[] {
  const event = { type: 'slot.open', marketPrice } as const;
  if (!slots.snapshot(index)?.can(event)) return [];
  const { lattice } = slots;
  const side = entrySide(lattice, index, marketPrice, lattice.mode);
  if (!book || side === null) return slots.send(index, event);
  const level = dec(levelPrice(lattice, index));
  const bookPrice = dec(book.nonCrossing(side, toPlain(level)));
  if (bookPrice.eq(level)) {
    onSkip?.(index, null);
    return slots.send(index, event);
  }
  const slippageBps = level.sub(bookPrice).abs().div(level).mul(10_000);
  if (bookPrice.gt(0) && slippageBps.lte(book.maxSlippageBps)) {
    onSkip?.(index, null);
    return slots.send(index, { ...event, limitPrice: toPlain(bookPrice) });
  }
  onSkip?.(index, {
    index,
    side,
    levelPrice: toPlain(level),
    bookPrice: toPlain(bookPrice),
    slippageBps: toPlain(slippageBps.toDecimalPlaces(2)),
    reason: SLIPPAGE_SKIP_REASON,
  });
  return [];
}

function closeEvent(
  slots: SlotSet,
  index: number,
  marketPrice: string,
  book: BookLimiter | undefined,
): { type: 'slot.close'; marketPrice: string; limitPrice?: string } {
  const event = { type: 'slot.close', marketPrice } as const;
  const held = dec(slots.snapshot(index)?.context.position ?? '0');
  if (!book || held.isZero()) return event;
  const entry: Side = held.isPositive() ? 'BUY' : 'SELL';
  const close = closePrice(slots.lattice, index, entry, marketPrice);
  const limitPrice = book.nonCrossing(entry === 'BUY' ? 'SELL' : 'BUY', close);
  return dec(limitPrice).eq(close) ? event : { ...event, limitPrice };
}
