/**
 * @module test/actors/engine/paper-grid
 * A paper venue for a whole slot set, in memory and synchronous: placements go live (and are
 * acknowledged) as the quoter emits them, `settle` acknowledges the cancels asked for and fills
 * every live order the market has crossed, feeding each report back to its slot. It keeps its
 * own books and checks on every command that no client order id is placed twice and that no
 * slot ever has two live orders.
 */
import assert from 'node:assert/strict';

import { dec, toPlain, ZERO, type Decimal } from '../../../core/decimal.js';
import type { GridSlotCommand, SubmitOrderCommand } from '../../../machines/grid-slot.machine.js';
import type { SlotSet } from '../../../actors/engine/slot-set.js';

/** A live order on the paper venue. */
export interface PaperOrder extends SubmitOrderCommand {
  canceling: boolean;
}

/** See the module doc. */
export class PaperGrid {
  readonly live = new Map<string, PaperOrder>();
  readonly placed = new Set<string>();
  /** Net position from fills, base units. */
  position: Decimal = ZERO;
  /** Fills in order: "SIDE price". */
  readonly fills: string[] = [];
  readonly #slots: SlotSet;

  constructor(slots: SlotSet) {
    this.#slots = slots;
  }

  /** Takes the commands a quoting pass emitted; placements are acknowledged at once. */
  apply(commands: readonly GridSlotCommand[]): GridSlotCommand[] {
    const more: GridSlotCommand[] = [];
    for (const command of commands) {
      if (command.type === 'command.cancelOrder') {
        const order = this.live.get(command.clientOrderId);
        assert.ok(order, `cancel of an order that is not live: ${command.clientOrderId}`);
        order.canceling = true;
        continue;
      }
      assert.ok(!this.placed.has(command.clientOrderId), `placed twice: ${command.clientOrderId}`);
      const busy = [...this.live.values()].find((o) => o.slotIndex === command.slotIndex);
      assert.equal(busy, undefined, `slot ${command.slotIndex} would have two live orders`);
      this.placed.add(command.clientOrderId);
      this.live.set(command.clientOrderId, { ...command, canceling: false });
      more.push(
        ...this.#slots.send(command.slotIndex, {
          type: 'order.accepted',
          clientOrderId: command.clientOrderId,
        }),
      );
    }
    return more.length > 0 ? [...more, ...this.apply(more)] : [];
  }

  /** Acknowledges cancels and fills every order the market has crossed; returns slot commands. */
  settle(marketPrice: string): GridSlotCommand[] {
    const market = dec(marketPrice);
    const commands: GridSlotCommand[] = [];
    for (const order of [...this.live.values()]) {
      const price = dec(order.price);
      const crossed = order.side === 'BUY' ? market.lte(price) : market.gte(price);
      const { clientOrderId, slotIndex } = order;
      if (crossed) {
        this.live.delete(clientOrderId);
        const signed = dec(order.quantity).mul(order.side === 'BUY' ? 1 : -1);
        this.position = this.position.add(signed);
        this.fills.push(`${order.side} ${toPlain(price)}`);
        commands.push(...this.#slots.send(slotIndex, { type: 'order.filled', clientOrderId }));
      } else if (order.canceling) {
        this.live.delete(clientOrderId);
        commands.push(
          ...this.#slots.send(slotIndex, {
            type: 'order.canceled',
            clientOrderId,
            filledQuantity: '0',
          }),
        );
      }
    }
    return commands;
  }

  /** Live orders as "SIDE price", sorted. */
  orders(): string[] {
    return [...this.live.values()].map((o) => `${o.side} ${o.price}`).sort();
  }
}
