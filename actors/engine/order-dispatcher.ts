/**
 * @module actors/engine/order-dispatcher
 * Forwards the commands a symbol's slots emit to the order gateway and hands each outcome back
 * to the symbol's mailbox as a message, never straight into a machine: the actor applies results
 * one at a time, in order with the venue's own reports. A rejected workflow promise becomes a
 * `crash` message, so it fails this symbol's actor and nothing else.
 */
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { PlaceOrderIntent } from '../workflows/order.messages.js';
import type { OrderGateway } from './order-gateway.js';
import type { SymbolMessage } from './symbol.messages.js';

/** Where a dispatcher sends work and results. */
export interface OrderDispatcherOptions {
  /** Venue name the workflows reach the venue by. */
  readonly venue: string;
  readonly gateway: OrderGateway;
  /** Where outcomes go (the symbol's mailbox). */
  readonly deliver: (message: SymbolMessage) => void;
  /** Called each time the last in-flight command settles. */
  readonly onIdle: () => void;
}

/** Forwards one symbol's slot commands as workflows and returns their outcomes as messages. */
export class OrderDispatcher {
  readonly #options: OrderDispatcherOptions;
  readonly #inflight = new Set<Promise<void>>();
  readonly #cancelAttempts = new Map<string, number>();
  #closed = false;

  constructor(options: OrderDispatcherOptions) {
    this.#options = options;
  }

  /** Commands sent whose outcome has not come back yet. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /**
   * Starts the workflow for one slot command.
   * @param command - a command a slot emitted
   * @param context.carried - for a placement: the placing slot's state, stored with the intent
   * @param context.venueOrderId - for a cancel: the venue's id of the order, when known
   * @returns resolves when a placement is about to reach the venue (or settled without), at once
   *   for a cancel
   */
  dispatch(
    command: GridSlotCommand,
    context: { readonly carried?: unknown; readonly venueOrderId?: string | null } = {},
  ): Promise<void> {
    const { gateway, venue } = this.#options;
    const index = command.slotIndex;
    const { clientOrderId, symbol } = command;
    let work: Promise<void>;
    let sent: Promise<void> = Promise.resolve();
    if (command.type === 'command.submitOrder') {
      const intent: PlaceOrderIntent = {
        venue,
        symbol,
        clientOrderId,
        side: command.side,
        type: 'LIMIT',
        price: command.price,
        quantity: command.quantity,
        postOnly: command.postOnly,
        reduceOnly: command.reduceOnly,
        slotIndex: index,
        ...(context.carried === undefined ? {} : { carried: context.carried }),
      };
      let reached = () => {};
      sent = new Promise<void>((resolve) => (reached = resolve));
      work = gateway
        .place(intent, { onVenueCall: reached })
        .then((result) => this.#deliver({ kind: 'placed', index, result }));
    } else {
      // Each cancel of an order is its own workflow; repeating attempt 1 after a restart joins it
      const attempt = (this.#cancelAttempts.get(clientOrderId) ?? 0) + 1;
      this.#cancelAttempts.set(clientOrderId, attempt);
      const venueOrderId = context.venueOrderId ?? undefined;
      // The result carries no fill figures: ask the venue what the order ended as
      work = gateway
        .cancel({
          venue,
          symbol,
          clientOrderId,
          attempt,
          ...(venueOrderId ? { venueOrderId } : {}),
        })
        .then(() =>
          this.#deliver({ kind: 'verify', index, clientOrderId, after: 'cancel', attempt: 0 }),
        );
    }
    const tracked = work.catch((error: unknown) => this.#deliver({ kind: 'crash', error }));
    this.#inflight.add(tracked);
    void tracked.finally(() => {
      this.#inflight.delete(tracked);
      if (this.#inflight.size === 0) this.#options.onIdle();
    });
    return Promise.race([sent, tracked]);
  }

  /** Stops delivering outcomes: a dead actor's successor re-sends what its slots still need. */
  close(): void {
    this.#closed = true;
  }

  #deliver(message: SymbolMessage): void {
    if (!this.#closed) this.#options.deliver(message);
  }
}
