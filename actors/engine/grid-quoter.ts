/**
 * @module actors/engine/grid-quoter
 * The grid's quoting rule, applied on every price and after every change: a slot that holds
 * inventory closes it at once (closes reduce exposure, so risk pauses do not hold them back), and
 * a free slot inside the configured window opens when the market is far enough from its level (the
 * slot machine's own guard decides, so risk pauses and the entry buffer apply). A slot whose
 * last placement the venue refused, opening or closing, waits out a cooldown first, so a refusal
 * such as INSUFFICIENT_FUNDS cannot turn into a placement on every tick.
 */
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { SlotSet } from './slot-set.js';

/** Wait before a slot whose placement was refused may place again, ms. */
export const REJECT_COOLDOWN_MS = 5_000;

/**
 * Sends each slot what the market calls for.
 * @param slots - the symbol's slots; changed in place
 * @param marketPrice - current price, quote units
 * @param nowMs - the engine clock, epoch ms
 * @param coolingUntil - per level, the time before which it must not place
 * @returns the commands the slots emitted
 * @throws {Error} when a slot machine fails (the actor crashes and restarts)
 */
export function quoteGrid(
  slots: SlotSet,
  marketPrice: string,
  nowMs: number,
  coolingUntil: ReadonlyMap<number, number>,
): GridSlotCommand[] {
  const commands: GridSlotCommand[] = [];
  const open = { type: 'slot.open', marketPrice } as const;
  for (const index of slots.indices()) {
    if (nowMs < (coolingUntil.get(index) ?? 0)) continue;
    const snapshot = slots.snapshot(index);
    if (snapshot?.matches('holding')) {
      commands.push(...slots.send(index, { type: 'slot.close' }));
    } else if (slots.isQuoted(index) && snapshot?.can(open)) {
      commands.push(...slots.send(index, open));
    }
  }
  return commands;
}
