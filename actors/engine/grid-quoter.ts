/**
 * @module actors/engine/grid-quoter
 * The grid's quoting rule, applied on every price and after every change: a slot that holds
 * inventory closes it at once, priced off the current market (closes reduce exposure, so risk
 * pauses do not hold them back), and a free slot inside the configured window opens when the
 * market is far enough from its level (the slot machine's own guard decides, so risk pauses and
 * the entry buffer apply). A slot whose last placement the venue refused, opening or closing,
 * for any reason, waits out its cooldown first (see refusal-cooldown), so a refusal can never
 * turn into a placement on every tick.
 */
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet } from './slot-set.js';

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
 * @param quoting - what the trading state allows; default everything
 * @param flattenSlippagePct - how far through the market a flatten's close is priced, percent
 * @returns the commands the slots emitted
 * @throws {Error} when a slot machine fails (the actor crashes and restarts)
 */
export function quoteGrid(
  slots: SlotSet,
  marketPrice: string,
  cooldown: RefusalCooldown,
  quoting: Quoting = 'all',
  flattenSlippagePct: Decimal = dec(1),
): GridSlotCommand[] {
  const commands: GridSlotCommand[] = [];
  if (quoting === 'none') return commands;
  const open = { type: 'slot.open', marketPrice } as const;
  for (const index of slots.indices()) {
    if (cooldown.cooling(index)) continue;
    const snapshot = slots.snapshot(index);
    if (snapshot?.matches('holding') && quoting === 'closes') {
      const { position, tickSize } = snapshot.context;
      const limitPrice = flattenPrice(
        dec(position),
        dec(marketPrice),
        dec(tickSize),
        flattenSlippagePct,
      );
      commands.push(...slots.send(index, { type: 'slot.flatten', limitPrice }));
    } else if (snapshot?.matches('holding')) {
      commands.push(...slots.send(index, { type: 'slot.close', marketPrice }));
    } else if (quoting === 'all' && slots.isQuoted(index) && snapshot?.can(open)) {
      commands.push(...slots.send(index, open));
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
