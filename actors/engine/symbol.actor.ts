/**
 * @module actors/engine/symbol.actor
 * The actor of one symbol: owns its grid-slot machines and its order ledger, and consumes one
 * mailbox, one message at a time, so its machines never see two events at once.
 *
 * Every report about one of our orders (order stream update, placement workflow result,
 * reconciliation finding, cancel verification) goes through the order ledger, which applies the
 * order status table to the persisted order index, and only then gives the order's slot one event
 * (see symbol-reports). Commands the slots emit become durable workflows: a placement carries the
 * actor's next snapshot in its input, so the one commit that starts its workflow is the only
 * commit before the venue call; the actor saves the snapshot (and the ledger's new intents) right
 * after, in one transaction, before it takes the next message. A slot whose placement the venue
 * refused waits out an exponential cooldown before it places again.
 *
 * Lifecycle: `restore()` loads the last saved snapshot and fill totals (no venue I/O); `run()`
 * takes a newer snapshot a placement carried if a crash lost the save, builds the grid, loads the
 * ledger, reconciles with the venue, then trades until `stop()`, reconciling again on a timer.
 * `run()` rejects when anything inside the symbol throws (a broken invariant, a failed save, a
 * rejected workflow promise); the supervisor then restarts a new instance from the last snapshot.
 */
import { dec, toPlain } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import { clientOrderIdPrefix } from '../../machines/client-order-id.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { SymbolId } from '../../core/types.js';
import { OrderLedger } from '../orders/order-ledger.js';
import { DivergenceWatch } from './divergence-watch.js';
import { sample } from './engine.metrics.js';
import type { StoredSnapshot } from './engine.store.js';
import { FillRecorder } from './fill-recorder.js';
import { isSlotDocument, mergeCarriedSlots } from './carried-slots.js';
import { buildSlots } from './grid-builder.js';
import { quoteGrid } from './grid-quoter.js';
import type { PriceTick } from './mailbox.js';
import { OrderDispatcher } from './order-dispatcher.js';
import { type ReconcileSummary } from './reconcile.js';
import { CONFIRM_DELAY_MS, ReconcileJob } from './reconcile-job.js';
import { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet } from './slot-set.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { gridConfigToWire } from './symbol.config.js';
import type {
  ReconcileTrigger,
  SymbolActorDeps,
  SymbolActorOptions,
  SymbolMessage,
  SymbolPhase,
  SymbolView,
} from './symbol.messages.js';
import { SymbolReports } from './symbol-reports.js';

/** Final orders /status lists per symbol. */
const STATUS_RECENT_ORDERS = 20;
/** Placements read back at recovery beyond two per slot. */
const CARRIED_MARGIN = 16;

/** The actor of one symbol; see the module doc for its lifecycle. */
export class SymbolActor {
  readonly symbol: SymbolId;
  readonly #deps: SymbolActorDeps;
  readonly #options: SymbolActorOptions;
  readonly #fills: FillRecorder;
  readonly #orders: OrderDispatcher;
  readonly #ledger: OrderLedger;
  readonly #cooldown: RefusalCooldown;
  readonly #job: ReconcileJob;
  readonly #divergence: DivergenceWatch;
  #reports: SymbolReports | null = null;
  #phase: SymbolPhase = 'restoring';
  #slots: SlotSet | null = null;
  #stored: StoredSnapshot | null = null;
  #writer: SnapshotWriter | null = null;
  #reconcile: ReconcileSummary | null = null;
  #stop: { cancelOrders: boolean; deadline: boolean } | null = null;
  #running: Promise<void> | null = null;
  /** The price fetched at start, quoted on until the price stream delivers one. */
  #startPrice: string | null = null;

  constructor(deps: SymbolActorDeps, options: SymbolActorOptions) {
    this.#deps = deps;
    this.#options = options;
    this.symbol = options.symbol;
    const { clock, log, metrics, policy } = deps;
    const venue = deps.exchange.name;
    this.#fills = new FillRecorder(options.symbol, venue, deps.store, metrics);
    this.#orders = new OrderDispatcher({
      venue,
      gateway: deps.orders,
      deliver: (message) => options.mailbox.post(message),
      onIdle: () => {
        if (this.#stop) options.mailbox.interrupt();
      },
    });
    this.#ledger = new OrderLedger({
      symbol: options.symbol,
      venue,
      namespace: policy.namespace,
      store: deps.store,
      metrics: {
        reports: metrics.orderReports,
        illegalTransitions: metrics.orderIllegalTransitions,
      },
      clock,
      log,
    });
    const backoff = {
      initialMs: policy.refusalBackoffInitialMs,
      maxMs: policy.refusalBackoffMaxMs,
    };
    this.#cooldown = new RefusalCooldown(backoff, clock);
    this.#job = new ReconcileJob({
      symbol: options.symbol,
      clock,
      intervalMs: policy.reconcileIntervalMs,
      metrics,
      log,
      post: (trigger) => options.mailbox.post({ kind: 'reconcile', trigger }),
    });
    const { levelsBelow, levelsAbove, orderQuantity } = options.grid;
    this.#divergence = new DivergenceWatch({
      symbol: options.symbol,
      capacity: toDecimalCapacity(levelsBelow + levelsAbove, orderQuantity),
      tolerancePct: policy.positionTolerancePct,
      clock,
      metrics,
      log,
      ...(policy.onPositionDivergence ? { publish: policy.onPositionDivergence } : {}),
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
      this.#job.stop();
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
      divergencePaused: this.#divergence.paused,
      slots: views,
      orders: {
        live: this.#ledger.liveOrders(),
        recent: this.#ledger.recentOrders().slice(0, STATUS_RECENT_ORDERS),
        exposure: this.#ledger.exposure(),
      },
    };
  }

  /** True while a snapshot save is scheduled or running (benches wait for a quiet engine). */
  get saving(): boolean {
    return this.#writer?.busy ?? false;
  }

  /** The symbol's order ledger: open and in-flight orders, lookups, exposure. */
  get ledger(): OrderLedger {
    return this.#ledger;
  }

  async #run(): Promise<void> {
    const { exchange, log, policy } = this.#deps;
    const mailbox = this.#options.mailbox;
    try {
      const price = mailbox.lastPrice?.price ?? toPlain(await exchange.getLatestPrice(this.symbol));
      this.#startPrice = price;
      const document = await this.#latestDocument();
      this.#writer = new SnapshotWriter({
        symbol: this.symbol,
        store: this.#deps.store,
        version: this.#stored?.version ?? 0,
        onError: (error) => mailbox.post({ kind: 'crash', error }),
      });
      const grid = this.#options.grid;
      const slots = await buildSlots(
        exchange,
        this.symbol,
        grid,
        document,
        price,
        log,
        policy.namespace,
      );
      this.#slots = slots;
      await this.#ledger.load();
      const reports = new SymbolReports({
        ...this.#deps,
        symbol: this.symbol,
        slots,
        ledger: this.#ledger,
        fills: this.#fills,
        cooldown: this.#cooldown,
        mailbox,
      });
      this.#reports = reports;
      reports.recoverIntents();
      this.#setPhase('reconciling');
      const gate = this.#options.entriesPaused ? 'risk.pause' : 'risk.resume';
      const commands = slots.broadcast({ type: gate });
      commands.push(...(await this.#reconcileNow('start')));
      this.#job.succeeded('start');
      this.#setPhase('trading');
      this.#job.start();
      log.info({ symbol: this.symbol, slots: slots.indices().length }, 'symbol trading');
      await this.#afterChange(commands, mailbox.lastPrice);
      while (!this.#finished()) {
        const delivery = await mailbox.take();
        if (delivery?.kind === 'price') await this.#afterChange([], delivery.tick);
        else if (delivery) await this.#afterChange(await this.#handle(delivery.message), null);
      }
      await this.#writer?.flush();
    } finally {
      await this.#writer?.flush().catch(() => undefined);
      this.#phase = 'stopped';
      this.#job.stop();
      this.#reports?.stop();
      this.#orders.close();
      this.#slots?.stop();
    }
  }

  /**
   * The newest state of the grid: the last snapshot saved, with any slot whose placement carried
   * a newer state (a crash came between the placement's start and the save that follows it).
   */
  async #latestDocument(): Promise<unknown> {
    const stored = this.#stored;
    const saved = stored?.document ?? null;
    if (saved !== null && !isSlotDocument(saved)) return saved;
    const prefix = clientOrderIdPrefix(this.#deps.policy.namespace, this.symbol);
    const { levelsBelow, levelsAbove } = this.#options.grid;
    const slotCount = Math.max(levelsBelow + levelsAbove, Object.keys(saved?.slots ?? {}).length);
    const carried = await this.#deps.orders.carried(prefix, 2 * slotCount + CARRIED_MARGIN);
    const { document, taken } = mergeCarriedSlots(saved, carried);
    if (taken.length === 0) return saved;
    this.#deps.log.info(
      { symbol: this.symbol, slots: taken },
      'resuming slots from the state their last placement carried (the save after it was lost)',
    );
    // The database still holds the older snapshot: the next save replaces it
    this.#stored = { document, version: stored?.version ?? 0 };
    return document;
  }

  #setPhase(phase: SymbolPhase): void {
    if (!this.#stop) this.#phase = phase;
  }

  #finished(): boolean {
    const stop = this.#stop;
    if (!stop) return false;
    if (stop.deadline) return true;
    const working = stop.cancelOrders && (this.#slots?.views() ?? []).some((v) => v.order);
    // Results already delivered are applied and saved too, so the next start finds them
    const queued = this.#options.mailbox.depth.queued > 0;
    return this.#orders.inflight === 0 && !queued && !working;
  }

  // -- EVENT HANDLERS --

  async #handle(message: SymbolMessage): Promise<GridSlotCommand[]> {
    const reports = this.#requireReports();
    switch (message.kind) {
      case 'crash':
        throw message.error;
      case 'order':
        return reports.onStreamUpdate(message.update);
      case 'placed':
        return reports.onPlaced(message.index, message.result);
      case 'verify':
        return reports.verify(message);
      case 'reconcile':
        this.#job.taken();
        return this.#reconcileWithRetry(message.trigger);
      case 'cancelAll':
        return this.#requireSlots().broadcast({ type: 'slot.cancel' });
      case 'wake':
        return [];
    }
  }

  /** A reconciliation after start: a transient venue failure is retried, not fatal. */
  async #reconcileWithRetry(trigger: ReconcileTrigger): Promise<GridSlotCommand[]> {
    try {
      const commands = await this.#reconcileNow(trigger);
      this.#job.succeeded(trigger);
      return commands;
    } catch (e) {
      if (!(e instanceof ExchangeError) || !e.transient) throw e;
      this.#job.failed(trigger, e);
      return [];
    }
  }

  async #reconcileNow(trigger: ReconcileTrigger): Promise<GridSlotCommand[]> {
    const { commands, summary } = await this.#requireReports().reconcile(trigger);
    this.#reconcile = summary;
    const action = this.#divergence.assess(summary.position);
    if (action === 'confirm') this.#job.later('confirm', CONFIRM_DELAY_MS);
    const slots = this.#requireSlots();
    if (action === 'pause') commands.push(...slots.broadcast({ type: 'risk.pause' }));
    if (action === 'resume' && !this.#options.entriesPaused) {
      commands.push(...slots.broadcast({ type: 'risk.resume' }));
    }
    const surprising = summary.foreign.length + summary.conflicts.length > 0;
    const level =
      surprising || !summary.position.matches ? 'warn' : trigger === 'timer' ? 'debug' : 'info';
    this.#deps.log[level]({ symbol: this.symbol, ...summary }, 'symbol reconciled with the venue');
    return commands;
  }

  // -- COMMANDS --

  /**
   * Quotes the grid, records the commands' intents in the ledger, starts their workflows (each
   * placement carrying its slot's new state, stored in the commit that starts the workflow), then
   * hands the snapshot and the intents to the writer, which saves them in one transaction once
   * the placements have reached the venue, without holding up the next message.
   */
  async #afterChange(commands: GridSlotCommand[], tick: PriceTick | null): Promise<void> {
    const price = tick?.price ?? this.#options.mailbox.lastPrice?.price ?? this.#startPrice;
    const slots = this.#requireSlots();
    if (this.#phase === 'trading' && price !== null) {
      commands.push(...quoteGrid(slots, price, this.#cooldown));
    }
    this.#requireReports().recordIntents(commands);
    const sent: Promise<void>[] = [];
    for (const command of commands) {
      if (command.type === 'command.submitOrder') {
        const carried = slots.document([command.slotIndex]);
        sent.push(this.#orders.dispatch(command, { carried }));
      } else {
        const venueOrderId = this.#ledger.byClientOrderId(command.clientOrderId)?.venueOrderId;
        this.#orders.dispatch(command, { venueOrderId: venueOrderId ?? null });
      }
    }
    this.#requireWriter().write(slots.document(), this.#ledger.takeDirty(), sent);
    this.#publishGauges();
  }

  // -- INTERNAL --

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

  #requireWriter(): SnapshotWriter {
    if (!this.#writer) throw new Error(`${this.symbol} has no grid yet`);
    return this.#writer;
  }

  #requireReports(): SymbolReports {
    if (!this.#reports) throw new Error(`${this.symbol} has no grid yet`);
    return this.#reports;
  }
}

/** The grid's capacity, base units: every level holding one opening order's quantity. */
function toDecimalCapacity(levels: number, orderQuantity: string) {
  return dec(orderQuantity).mul(levels);
}
