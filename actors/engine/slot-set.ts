/**
 * @module actors/engine/slot-set
 * The grid-slot machines of one symbol, keyed by lattice level, and their persisted form. Sending
 * an event returns the commands the slot emitted during that step, so the symbol actor can
 * persist the new snapshots before it forwards a single command (a crash in between replays the
 * same deterministic client order ids, which the workflows and the venue recognise).
 *
 * Slots outside the configured window are kept, not dropped: they finish and close what they
 * hold but never open again, and their generation keeps client order ids unique if the window
 * grows back over them. A trailing grid moves its window (`setWindow`) and would keep a slot for
 * every level the price ever visited, so there a free slot well outside the window is dropped
 * and its generation folds into the set's generation floor: every slot spawned later starts
 * after it, so no client order id is minted twice. The floor is persisted with the slots.
 */
import { createActor, type Actor, type Snapshot, type SnapshotFrom } from 'xstate';

import { isClientOrderIdFor, parseClientOrderId } from '../../machines/client-order-id.js';
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { GridMode } from '../../machines/grid-lattice.js';
import {
  gridSlotMachine,
  type GridSlotCommand,
  type GridSlotEvent,
  type GridSlotInput,
  type WorkingOrder,
} from '../../machines/grid-slot.machine.js';
import type { SymbolId } from '../../core/types.js';
import { inspectOptions } from './machine-inspection.js';
import { generationFloor } from './grid-change.js';

type SlotActor = Actor<typeof gridSlotMachine>;
/** One slot machine's snapshot. */
export type SlotSnapshot = SnapshotFrom<typeof gridSlotMachine>;

/** Where a symbol's grid sits; fixed for one lattice generation. Decimal strings, quote units. */
export interface GridLattice {
  readonly anchorPrice: string;
  readonly interval: string;
  readonly tickSize: string;
  readonly mode: GridMode;
  /** Base units per opening order. */
  readonly orderQuantity: string;
}

/** The persisted form of a symbol's slots (the `symbol_snapshots.snapshot` JSON). */
export interface SlotSetDocument {
  readonly format: 1;
  readonly lattice: GridLattice;
  /** `getPersistedSnapshot()` of each slot, keyed by its level index. */
  readonly slots: Readonly<Record<string, Snapshot<unknown>>>;
  /**
   * The highest generation of a slot that was dropped (trailing window) or of a previous lattice
   * generation; a slot absent from `slots` mints after it. Absent: 0.
   */
  readonly generationFloor?: number;
}

/** The levels a trailing window quotes, and the range its resting entries may stay in. */
export interface SlotWindow {
  readonly levels: readonly number[];
  /** Resting entries outside `keepFrom`..`keepTo` (inclusive) are pulled; free slots dropped. */
  readonly keepFrom: number;
  readonly keepTo: number;
}

/** One slot as /status shows it. */
export interface SlotView {
  readonly index: number;
  /** Machine state, e.g. "free", "opening.resting". */
  readonly state: string;
  readonly levelPrice: string;
  /** Signed inventory, base units. */
  readonly position: string;
  readonly order: WorkingOrder | null;
  readonly lastRejectReason: string | null;
  /** Placements refused in a row; the slot cools down before placing again while above 0. */
  readonly refusals: number;
  /** Outside the configured window: closes what it holds, never opens. */
  readonly retired: boolean;
  /** Why the last entry this slot wanted was not placed (dynamic slippage); null when it was. */
  readonly skipped: string | null;
}

/** An order of ours found on the venue that no slot is working, to be taken over. */
export interface Adoption {
  readonly index: number;
  readonly generation: number;
  readonly order: WorkingOrder;
}

/** The slot machines of one symbol by level; see the module doc. */
export class SlotSet {
  readonly symbol: SymbolId;
  #lattice: GridLattice;
  readonly #slots = new Map<number, SlotActor>();
  #window: ReadonlySet<number>;
  /** The trailing window's keep range; null for a window fixed by the config. */
  #keep: { readonly from: number; readonly to: number } | null = null;
  /** Persisted: the highest generation of a dropped slot or of an earlier lattice generation. */
  #floor: number;
  /**
   * Not persisted: the highest generation of the slots this set was built with (and of a
   * previous grid). A slot spawned later starts after both, so it never mints an id any slot of
   * its level used before.
   */
  readonly #builtFloor: number;
  readonly #skipped = new Map<number, string>();
  readonly #namespace: string;
  #outbox: GridSlotCommand[] = [];
  #failure: unknown = undefined;

  /**
   * Builds the slots of a grid: restored from `document` where it has them, fresh elsewhere.
   * @param symbol - the symbol traded
   * @param lattice - the grid's lattice; a document's slots must share it
   * @param window - level indices the config wants quoted
   * @param document - the persisted slots, or null on a fresh start
   * @param namespace - this engine's client order id namespace; every slot mints ids in it
   * @param carried - per level, the last generation an earlier grid used (fresh slots only)
   * @throws {Error} when a slot input is invalid (e.g. a level price at or below zero)
   */
  constructor(
    symbol: SymbolId,
    lattice: GridLattice,
    window: readonly number[],
    document: SlotSetDocument | null,
    namespace: string,
    carried: ReadonlyMap<number, number> = new Map(),
  ) {
    this.symbol = symbol;
    this.#lattice = lattice;
    this.#window = new Set(window);
    this.#namespace = namespace;
    this.#floor = document?.generationFloor ?? 0;
    this.#builtFloor = Math.max(generationFloor(document), ...carried.values());
    const stored = document?.slots ?? {};
    const indices = new Set([...window, ...carried.keys(), ...Object.keys(stored).map(Number)]);
    for (const index of [...indices].sort((a, b) => a - b)) {
      this.#spawn(index, stored[String(index)] ?? null, carried.get(index) ?? 0);
    }
  }

  /** The lattice the slots price on. */
  get lattice(): GridLattice {
    return this.#lattice;
  }

  /** Level indices of every slot, ascending. */
  indices(): number[] {
    return [...this.#slots.keys()].sort((a, b) => a - b);
  }

  /**
   * Moves a trailing window: spawns a slot for each level of the window that has none, and
   * drops every free slot outside the keep range (its generation raises the floor).
   * @param window - the levels to quote and the range resting entries may stay in
   * @returns the levels dropped
   */
  setWindow(window: SlotWindow): number[] {
    this.#window = new Set(window.levels);
    this.#keep = { from: window.keepFrom, to: window.keepTo };
    for (const index of window.levels) {
      if (!this.#slots.has(index)) this.#spawn(index, null, this.#spawnFloor());
    }
    const dropped: number[] = [];
    for (const [index, slot] of this.#slots) {
      if (!this.isBeyondWindow(index)) continue;
      const snapshot = slot.getSnapshot();
      if (!snapshot.matches('free')) continue;
      this.#floor = Math.max(this.#floor, snapshot.context.generation);
      slot.stop();
      this.#slots.delete(index);
      this.#skipped.delete(index);
      dropped.push(index);
    }
    return dropped;
  }

  /** True when a trailing window's keep range leaves `index` out (its entry is pulled). */
  isBeyondWindow(index: number): boolean {
    const keep = this.#keep;
    return keep !== null && (index < keep.from || index > keep.to);
  }

  /**
   * Starts a new lattice generation: every slot is dropped (all must be free) and the floor
   * rises over every generation used, so the new lattice's slots never mint an id again.
   * @param lattice - the new lattice
   * @param window - the levels a fixed window quotes on it (a trailing grid sets its window on
   *   the next quote)
   * @throws {Error} when a slot holds inventory or works an order
   */
  relattice(lattice: GridLattice, window: readonly number[]): void {
    if (!this.isIdle()) throw new Error(`${this.symbol} cannot change lattice while slots work`);
    this.#floor = this.#spawnFloor();
    for (const slot of this.#slots.values()) {
      this.#floor = Math.max(this.#floor, slot.getSnapshot().context.generation);
      slot.stop();
    }
    this.#slots.clear();
    this.#skipped.clear();
    this.#lattice = lattice;
    this.#window = new Set(window);
    for (const index of window) this.#spawn(index, null, this.#floor);
  }

  /** True when any slot holds inventory (long or short), whatever its order. */
  holdsInventory(): boolean {
    return [...this.#slots.values()].some(
      (slot) => !dec(slot.getSnapshot().context.position).isZero(),
    );
  }

  #spawnFloor(): number {
    return Math.max(this.#floor, this.#builtFloor);
  }

  /**
   * Records why the slot's entry was not placed, or clears it (null).
   * @returns true when the reason changed (the caller logs only changes)
   */
  noteSkip(index: number, reason: string | null): boolean {
    const before = this.#skipped.get(index) ?? null;
    if (reason === null) this.#skipped.delete(index);
    else this.#skipped.set(index, reason);
    return before !== reason;
  }

  /** True when the slot exists and is inside the configured window. */
  isQuoted(index: number): boolean {
    return this.#window.has(index) && this.#slots.has(index);
  }

  /** @returns the slot's current snapshot, or undefined when there is no such slot */
  snapshot(index: number): SlotSnapshot | undefined {
    return this.#slots.get(index)?.getSnapshot();
  }

  /**
   * Sends one event to one slot.
   * @returns the commands the slot emitted while handling it
   * @throws {Error} when there is no such slot, or the machine failed on the event (a broken
   *   invariant: the symbol actor must crash and restart from the last persisted snapshot)
   */
  send(index: number, event: GridSlotEvent): GridSlotCommand[] {
    const slot = this.#slots.get(index);
    if (!slot) throw new Error(`${this.symbol} has no slot ${index}`);
    this.#outbox = [];
    slot.send(event);
    if (slot.getSnapshot().status === 'error' || this.#failure !== undefined) {
      const cause = this.#failure ?? slot.getSnapshot().error;
      throw new Error(`${this.symbol} slot ${index} failed on ${event.type}`, { cause });
    }
    const commands = this.#outbox;
    this.#outbox = [];
    return commands;
  }

  /**
   * Sends `event` to every slot whose state accepts it.
   * @returns the commands the slots emitted
   */
  broadcast(event: GridSlotEvent): GridSlotCommand[] {
    return this.indices().flatMap((index) =>
      this.snapshot(index)?.can(event) ? this.send(index, event) : [],
    );
  }

  /**
   * The level of the slot an order of ours belongs to.
   * @param clientOrderId - any client order id the venue reported
   * @returns the level, or null when the id is not ours for this symbol or names no slot
   */
  slotOf(clientOrderId: string): number | null {
    if (!isClientOrderIdFor(clientOrderId, this.symbol, this.#namespace)) return null;
    const index = parseClientOrderId(clientOrderId)?.slotIndex;
    return index !== undefined && this.#slots.has(index) ? index : null;
  }

  /** True when the slot at `index` is waiting for a cancel to be acknowledged. */
  isCanceling(index: number): boolean {
    const snapshot = this.snapshot(index);
    return Boolean(
      snapshot?.matches({ opening: 'canceling' }) || snapshot?.matches({ closing: 'canceling' }),
    );
  }

  /**
   * Takes over an order of ours the slots lost track of: the slot is rebuilt working it.
   * @param adoption - the level, the generation its id carries, and the order
   * @throws {Error} when the slot exists and is not free
   */
  adopt(adoption: Adoption): void {
    const current = this.#slots.get(adoption.index)?.getSnapshot();
    if (current && !current.matches('free')) {
      throw new Error(`${this.symbol} slot ${adoption.index} is busy; cannot adopt an order`);
    }
    const base =
      current?.context ?? this.#fresh(adoption.index, this.#spawnFloor()).getSnapshot().context;
    const { order } = adoption;
    const unfilled = dec(order.quantity).sub(order.filledQuantity);
    // Open orders have built what they filled; a close still holds what it has not sold
    const held = order.role === 'open' ? dec(order.filledQuantity) : unfilled;
    const longHeld = (order.role === 'open') === (order.side === 'BUY');
    const resolved = gridSlotMachine.resolveState({
      value: { [order.role === 'open' ? 'opening' : 'closing']: 'resting' },
      context: {
        ...base,
        generation: Math.max(base.generation, adoption.generation),
        position: toPlain(longHeld ? held : held.neg()),
        order,
      },
    });
    this.#slots.get(adoption.index)?.stop();
    this.#slots.delete(adoption.index);
    this.#spawn(adoption.index, gridSlotMachine.getPersistedSnapshot(resolved), 0);
  }

  /**
   * The persisted form of the slots at `indices` (every slot when omitted).
   * @returns a document with the lattice and those slots only
   */
  document(indices?: readonly number[]): SlotSetDocument {
    const slots: Record<string, Snapshot<unknown>> = {};
    for (const [index, slot] of this.#slots) {
      if (!indices || indices.includes(index)) slots[String(index)] = slot.getPersistedSnapshot();
    }
    const floor = this.#floor > 0 ? { generationFloor: this.#floor } : {};
    return { format: 1, lattice: this.#lattice, slots, ...floor };
  }

  /** Every slot as /status shows it, ascending by level. */
  views(): SlotView[] {
    return this.indices().map((index) => {
      const slot = this.#slots.get(index)!;
      const snapshot = slot.getSnapshot();
      const { context } = snapshot;
      return {
        index,
        state: stateName(snapshot.value),
        levelPrice: context.levelPrice,
        position: context.position,
        order: context.order,
        lastRejectReason: context.lastRejectReason,
        refusals: context.refusals,
        retired: !this.#window.has(index),
        skipped: this.#skipped.get(index) ?? null,
      };
    });
  }

  /** Net inventory of all slots, base units (positive long). */
  position(): Decimal {
    let total = ZERO;
    for (const slot of this.#slots.values()) {
      total = total.add(slot.getSnapshot().context.position);
    }
    return total;
  }

  /** True when no slot holds inventory or works an order. */
  isIdle(): boolean {
    return [...this.#slots.values()].every((slot) => slot.getSnapshot().matches('free'));
  }

  /** Stops every slot actor. */
  stop(): void {
    for (const slot of this.#slots.values()) slot.stop();
  }

  #fresh(index: number, generation: number): SlotActor {
    return createActor(gridSlotMachine, {
      input: this.#input(index, generation),
      ...inspectOptions(),
    });
  }

  #input(index: number, generation: number): GridSlotInput {
    const { anchorPrice, interval, tickSize, mode, orderQuantity } = this.#lattice;
    return {
      namespace: this.#namespace,
      symbol: this.symbol,
      slotIndex: index,
      mode,
      orderQuantity,
      anchorPrice,
      interval,
      tickSize,
      generation,
    };
  }

  #spawn(index: number, persisted: Snapshot<unknown> | null, generation: number): void {
    const input = this.#input(index, generation);
    const snapshot = persisted && this.#current(persisted);
    const slot = createActor(gridSlotMachine, {
      input,
      ...(snapshot ? { snapshot } : {}),
      ...inspectOptions(),
    });
    slot.on('*', (command) => this.#outbox.push(command));
    // Without an error observer XState rethrows asynchronously and would crash the process
    slot.subscribe({ error: (e) => (this.#failure ??= e) });
    slot.start();
    if (slot.getSnapshot().status === 'error') {
      throw new Error(`${this.symbol} slot ${index} cannot start`, {
        cause: slot.getSnapshot().error,
      });
    }
    this.#slots.set(index, slot);
  }

  /**
   * A persisted slot brought to this build and engine: it mints ids in this engine's namespace
   * (a snapshot from before namespaces has none) and counts refusals from 0 if it never did.
   */
  #current(persisted: Snapshot<unknown>): Snapshot<unknown> {
    const stored = persisted as Snapshot<unknown> & { readonly context?: Record<string, unknown> };
    if (!stored.context) return persisted;
    const { maxPostOnlyReprices: _max, postOnlyReprices: _spent, ...context } = stored.context;
    const refusals = context.refusals ?? 0;
    const current = { ...stored, context: { ...context, namespace: this.#namespace, refusals } };
    // Same shape as stored, with the context patched; xstate types snapshots loosely here
    return current as unknown as Snapshot<unknown>;
  }
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [parent, child] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  return child === undefined ? String(parent) : `${parent}.${stateName(child)}`;
}
