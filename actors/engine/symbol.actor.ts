/**
 * @module actors/engine/symbol.actor
 * The actor of one symbol: owns its grid-slot machines, feeds them venue reports, forwards the
 * commands they emit to the durable order workflows, and persists their snapshots after every
 * change, before a single command leaves. It consumes one mailbox, one message at a time, so
 * its machines never see two events at once.
 *
 * Lifecycle: `restore()` loads the last snapshot (no venue I/O); `run()` builds a fresh grid if
 * there was none, reconciles with the venue, then trades until `stop()`. `run()` rejects when
 * anything inside the symbol throws (a broken invariant, a failed save, a rejected workflow
 * promise); the supervisor then restarts a new instance from the last persisted snapshot.
 */
import type { Order, OrderUpdate } from '../../core/exchange.types.js';
import { toPlain } from '../../core/decimal.js';
import type { GridSlotCommand, GridSlotEvent } from '../../machines/grid-slot.machine.js';
import type { SymbolId } from '../../core/types.js';
import type { PlaceOrderResult } from '../workflows/order.messages.js';
import { sample } from './engine.metrics.js';
import type { StoredSnapshot } from './engine.store.js';
import { FillRecorder } from './fill-recorder.js';
import { buildSlots } from './grid-builder.js';
import { quoteGrid, REJECT_COOLDOWN_MS } from './grid-quoter.js';
import type { PriceTick } from './mailbox.js';
import { OrderDispatcher } from './order-dispatcher.js';
import { reconcileSlots, verifyOrder, type ReconcileSummary } from './reconcile.js';
import type { SlotSet } from './slot-set.js';
import { gridConfigToWire } from './symbol.config.js';
import type {
  SymbolActorDeps,
  SymbolActorOptions,
  SymbolMessage,
  SymbolPhase,
  SymbolView,
} from './symbol.messages.js';
import { eventForOrder, eventForPlacement, factsOfOrder } from './venue-events.js';

/** The actor of one symbol; see the module doc for its lifecycle. */
export class SymbolActor {
  readonly symbol: SymbolId;
  readonly #deps: SymbolActorDeps;
  readonly #options: SymbolActorOptions;
  readonly #fills: FillRecorder;
  readonly #orders: OrderDispatcher;
  #phase: SymbolPhase = 'restoring';
  #slots: SlotSet | null = null;
  #stored: StoredSnapshot | null = null;
  #savedJson = '';
  #reconcile: ReconcileSummary | null = null;
  #stop: { cancelOrders: boolean; deadline: boolean } | null = null;
  #running: Promise<void> | null = null;
  /** Per level, the time (epoch ms) before which a refused slot must not open again. */
  readonly #cooling = new Map<number, number>();
  /** The price fetched at start, quoted on until the price stream delivers one. */
  #startPrice: string | null = null;

  constructor(deps: SymbolActorDeps, options: SymbolActorOptions) {
    this.#deps = deps;
    this.#options = options;
    this.symbol = options.symbol;
    this.#fills = new FillRecorder(options.symbol, deps.exchange.name, deps.store, deps.metrics);
    this.#orders = new OrderDispatcher({
      venue: deps.exchange.name,
      gateway: deps.orders,
      deliver: (message) => options.mailbox.post(message),
      onIdle: () => {
        if (this.#stop) options.mailbox.interrupt();
      },
    });
  }

  // -- LIFECYCLE --

  /** Loads the last persisted snapshot and fill totals; touches no venue. */
  async restore(): Promise<void> {
    this.#stored = await this.#deps.store.loadSnapshot(this.symbol);
    await this.#fills.load();
  }

  /**
   * Builds or restores the grid, reconciles it with the venue, then trades until stopped.
   * @returns resolves once stopped; calling again returns the same run
   * @throws {Error} whatever failed inside the symbol; the actor is dead after that
   */
  run(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /**
   * Stops trading: no new intents; results of in-flight workflows are applied and persisted for
   * up to `graceMs`. With `cancelOrders` every working order is canceled and awaited too (the
   * symbol is being removed); without, orders stay on the venue for the next start to resume.
   * @returns resolves when the run has ended, however it ended
   */
  async stop(options: { readonly cancelOrders: boolean; readonly graceMs: number }): Promise<void> {
    const mailbox = this.#options.mailbox;
    if (!this.#stop && this.#phase !== 'stopped') {
      const stop = { cancelOrders: options.cancelOrders, deadline: false };
      this.#stop = stop;
      this.#phase = 'stopping';
      const timer = setTimeout(() => {
        stop.deadline = true;
        mailbox.interrupt();
      }, options.graceMs).unref();
      void (this.#running ?? Promise.resolve())
        .finally(() => clearTimeout(timer))
        .catch(() => undefined);
      if (options.cancelOrders) mailbox.post({ kind: 'cancelAll' });
      else mailbox.interrupt();
    }
    await this.#running?.catch(() => undefined);
  }

  /** The symbol as /status shows it. */
  view(): SymbolView {
    const views = this.#slots?.views() ?? [];
    return {
      symbol: this.symbol,
      phase: this.#phase,
      grid: gridConfigToWire(this.#options.grid),
      lastPrice: this.#options.mailbox.lastPrice?.price ?? this.#startPrice,
      position: this.#slots ? toPlain(this.#slots.position()) : '0',
      activeOrders: views.filter((v) => v.order !== null).length,
      reconcile: this.#reconcile,
      slots: views,
    };
  }

  async #run(): Promise<void> {
    const { exchange, log } = this.#deps;
    const mailbox = this.#options.mailbox;
    try {
      const price = mailbox.lastPrice?.price ?? toPlain(await exchange.getLatestPrice(this.symbol));
      this.#startPrice = price;
      const stored = this.#stored?.document ?? null;
      this.#slots = await buildSlots(exchange, this.symbol, this.#options.grid, stored, price, log);
      this.#setPhase('reconciling');
      const commands = await this.#reconcileNow();
      if (this.#options.entriesPaused)
        commands.push(...this.#requireSlots().broadcast({ type: 'risk.pause' }));
      this.#setPhase('trading');
      log.info({ symbol: this.symbol, slots: this.#slots.indices().length }, 'symbol trading');
      await this.#afterChange(commands, mailbox.lastPrice);
      while (!this.#finished()) {
        const delivery = await mailbox.take();
        if (delivery?.kind === 'price') await this.#afterChange([], delivery.tick);
        else if (delivery) await this.#afterChange(await this.#handle(delivery.message), null);
      }
    } finally {
      this.#phase = 'stopped';
      this.#orders.close();
      this.#slots?.stop();
    }
  }

  #setPhase(phase: SymbolPhase): void {
    if (!this.#stop) this.#phase = phase;
  }

  #finished(): boolean {
    const stop = this.#stop;
    if (!stop) return false;
    if (stop.deadline) return true;
    const working = stop.cancelOrders && (this.#slots?.views() ?? []).some((v) => v.order);
    return this.#orders.inflight === 0 && !working;
  }

  // -- EVENT HANDLERS --

  async #handle(message: SymbolMessage): Promise<GridSlotCommand[]> {
    switch (message.kind) {
      case 'crash':
        throw message.error;
      case 'order':
        return this.#onOrderUpdate(message.update);
      case 'placed':
        return this.#onPlaced(message.index, message.result);
      case 'verify':
        return this.#verify(message.index, message.clientOrderId);
      case 'reconcile':
        return this.#reconcileNow();
      case 'cancelAll':
        return this.#requireSlots().broadcast({ type: 'slot.cancel' });
    }
  }

  async #onOrderUpdate({ order, lastTrade }: OrderUpdate): Promise<GridSlotCommand[]> {
    if (lastTrade) await this.#fills.record(lastTrade, order.clientOrderId);
    const index = this.#slots?.slotOf(order.clientOrderId) ?? null;
    if (index === null) {
      const ids = {
        symbol: this.symbol,
        orderId: order.orderId,
        clientOrderId: order.clientOrderId,
      };
      this.#deps.log.debug(ids, 'order update for an order no slot owns');
      return [];
    }
    return this.#report(index, eventForOrder(factsOfOrder(order)), 'warn');
  }

  #onPlaced(index: number, result: PlaceOrderResult): GridSlotCommand[] {
    const { metrics } = this.#deps;
    if (result.outcome === 'rejected') {
      metrics.orderRejections.inc({ symbol: this.symbol, reason: result.reason });
      // Post-only refusals are repriced by the slot itself; any other waits before reopening
      if (result.reason !== 'POST_ONLY_WOULD_CROSS') {
        this.#cooling.set(index, this.#deps.clock.now() + REJECT_COOLDOWN_MS);
      }
    }
    const event = eventForPlacement(result);
    if (event === null) {
      // Outcome unknown after retries: the venue decides whether the order exists
      this.#options.mailbox.post({ kind: 'verify', index, clientOrderId: result.clientOrderId });
      return [];
    }
    if (result.outcome === 'placed') {
      const { side, type } = result.order;
      metrics.ordersPlaced.inc({ symbol: this.symbol, side, type });
    }
    return this.#report(index, event, 'debug');
  }

  /** Asks the venue where an order stands and feeds the answer to its slot. */
  async #verify(index: number, clientOrderId: string): Promise<GridSlotCommand[]> {
    const slots = this.#requireSlots();
    const working = slots.snapshot(index)?.context.order;
    if (working?.clientOrderId !== clientOrderId) return [];
    const canceling = slots.isCanceling(index);
    const { event, order } = await verifyOrder(
      this.#deps.exchange,
      this.symbol,
      working,
      canceling,
    );
    for (const trade of order?.trades ?? []) await this.#fills.record(trade, clientOrderId);
    return this.#report(index, event, 'debug');
  }

  async #reconcileNow(): Promise<GridSlotCommand[]> {
    const slots = this.#requireSlots();
    const { commands, summary } = await reconcileSlots(
      this.symbol,
      slots,
      this.#deps.exchange,
      (index, order) => this.#feed(index, order),
    );
    this.#reconcile = summary;
    const surprising = summary.foreign.length + summary.conflicts.length > 0;
    const level = surprising || !summary.position.matches ? 'warn' : 'info';
    this.#deps.log[level]({ symbol: this.symbol, ...summary }, 'symbol reconciled with the venue');
    return commands;
  }

  /** Records an order's trades and feeds its state to the slot at `index`. */
  async #feed(index: number, order: Order): Promise<GridSlotCommand[]> {
    for (const trade of order.trades) await this.#fills.record(trade, order.clientOrderId);
    return this.#report(index, eventForOrder(factsOfOrder(order)), 'debug');
  }

  // -- COMMANDS --

  /** Quotes the grid, persists what changed, then forwards the commands. */
  async #afterChange(commands: GridSlotCommand[], tick: PriceTick | null): Promise<void> {
    const price = tick?.price ?? this.#options.mailbox.lastPrice?.price ?? this.#startPrice;
    if (this.#phase === 'trading' && price !== null) {
      const nowMs = this.#deps.clock.now();
      commands.push(...quoteGrid(this.#requireSlots(), price, nowMs, this.#cooling));
    }
    await this.#persist();
    this.#publishGauges();
    for (const command of commands) this.#orders.dispatch(command);
  }

  /** Feeds a report to its slot when the slot's state accepts it. */
  #report(index: number, event: GridSlotEvent, refused: 'warn' | 'debug'): GridSlotCommand[] {
    const slots = this.#requireSlots();
    const snapshot = slots.snapshot(index);
    const working = snapshot?.context.order ?? null;
    if (!snapshot?.can(event)) {
      const clientOrderId = 'clientOrderId' in event ? event.clientOrderId : null;
      const ids = { symbol: this.symbol, slot: index, event: event.type, clientOrderId };
      // The working order's report refused by its state is a surprise; the rest are echoes
      const surprise = refused === 'warn' && working?.clientOrderId === clientOrderId;
      const duplicate =
        event.type === 'order.accepted' && snapshot?.matches({ opening: 'resting' });
      this.#deps.log[surprise && !duplicate ? 'warn' : 'debug'](ids, 'slot refused a venue report');
      return [];
    }
    if (event.type === 'order.filled' && working) {
      this.#deps.metrics.ordersFilled.inc({ symbol: this.symbol, side: working.side });
    }
    return slots.send(index, event);
  }

  // -- INTERNAL --

  async #persist(): Promise<void> {
    const document = this.#requireSlots().document();
    const json = JSON.stringify(document);
    if (json === this.#savedJson) return;
    const expected = this.#stored?.version ?? 0;
    const version = await this.#deps.store.saveSnapshot(this.symbol, document, expected);
    this.#stored = { document, version };
    this.#savedJson = json;
  }

  #publishGauges(): void {
    const labels = { symbol: this.symbol };
    const slots = this.#requireSlots();
    const active = slots.views().filter((v) => v.order !== null).length;
    this.#deps.metrics.ordersActive.set(labels, active);
    this.#deps.metrics.positionSize.set(labels, sample(slots.position()));
  }

  #requireSlots(): SlotSet {
    if (!this.#slots) throw new Error(`${this.symbol} has no grid yet`);
    return this.#slots;
  }
}
