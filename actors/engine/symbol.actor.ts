/**
 * @module actors/engine/symbol.actor
 * The actor of one symbol: owns its grid-slot machines and its order ledger, and consumes one
 * mailbox, one message at a time, so its machines never see two events at once.
 *
 * Every report about one of our orders (order stream update, placement workflow result,
 * reconciliation finding, cancel verification) goes through the order ledger, which applies the
 * order status table to the persisted order index, and only then gives the order's slot one event
 * (see symbol-reports). Commands the slots emit become durable workflows: a placement carries its
 * slot's new state in its input, so the one commit that starts its workflow is the only commit
 * before the venue call; the snapshot and the ledger's new intents are saved in one transaction
 * once the placements have reached the venue, off the message loop (snapshot-writer). A slot
 * whose placement the venue refused waits out an exponential cooldown before it places again.
 *
 * The risk layer (policy `risk`, see engine-risk) sits between the slots' intents and the
 * workflows: each placement passes the pre-trade checks first (a denied one never reaches a
 * workflow; its slot gets the refusal), and the symbol's effective trading state, delivered as a
 * `risk` message, is applied to the slots: REDUCING pauses entries, HALTED cancels every order
 * and quotes nothing, FLATTENING cancels, then closes what the slots hold through the market and
 * reports the symbol flat. The order cleaner (policy `cleaner`) runs as a `clean` message.
 *
 * Lifecycle: `restore()` loads the last saved snapshot and fill totals (no venue I/O); `run()`
 * takes back any slot state a placement carried past a lost save, builds the grid, loads the
 * ledger, reconciles with the venue, then trades until `stop()`, reconciling again on a timer
 * (symbol-reconciliation).
 * `run()` rejects when anything inside the symbol throws (a broken invariant, a failed save, a
 * rejected workflow promise); the supervisor then restarts a new instance from the last snapshot.
 */
import { dec, toPlain } from '../../core/decimal.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import { entriesAllowed, type TradingState } from '../../machines/trading-state.machine.js';
import type { SymbolId } from '../../core/types.js';
import { OrderLedger } from '../orders/order-ledger.js';
import { sample } from './engine.metrics.js';
import type { StoredSnapshot } from './engine.store.js';
import { FillRecorder } from './fill-recorder.js';
import { latestSlots } from './carried-slots.js';
import { buildSlots } from './grid-builder.js';
import { quotingOf } from './grid-quoter.js';
import { GridPass } from './grid-pass.js';
import type { PriceTick } from './mailbox.js';
import { OrderDispatcher } from './order-dispatcher.js';
import { OrderCleanerJob, planCleanup } from './order-cleaner.js';
import { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet } from './slot-set.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { gridConfigToWire } from './symbol.config.js';
import type {
  SymbolActorDeps,
  SymbolActorOptions,
  SymbolMessage,
  SymbolPhase,
  SymbolView,
} from './symbol.messages.js';
import { SymbolReconciliation, type ReconcileTarget } from './symbol-reconciliation.js';
import { SymbolReports } from './symbol-reports.js';

/** What an actor has once its grid is built. */
interface BuiltGrid {
  readonly slots: SlotSet;
  readonly reports: SymbolReports;
  readonly writer: SnapshotWriter;
}

/** Final orders /status lists per symbol. */
const STATUS_RECENT_ORDERS = 20;

/** The actor of one symbol; see the module doc for its lifecycle. */
export class SymbolActor {
  readonly symbol: SymbolId;
  readonly #deps: SymbolActorDeps;
  readonly #options: SymbolActorOptions;
  readonly #fills: FillRecorder;
  readonly #orders: OrderDispatcher;
  readonly #ledger: OrderLedger;
  readonly #cooldown: RefusalCooldown;
  readonly #reconciliation: SymbolReconciliation;
  /** Trailing window, dynamic interval and dynamic slippage around the quoter. */
  readonly #pass: GridPass;
  #phase: SymbolPhase = 'restoring';
  /** What exists once the grid is built. */
  #grid: BuiltGrid | null = null;
  #stored: StoredSnapshot | null = null;
  #stop: { cancelOrders: boolean; deadline: boolean } | null = null;
  #running: Promise<void> | null = null;
  /** The price fetched at start, quoted on until the price stream delivers one. */
  #startPrice: string | null = null;
  /** The risk layer's effective trading state, as last applied to the slots. */
  #risk: TradingState;
  /** A flattening symbol reported itself flat (once per flatten). */
  #flatReported = false;
  readonly #cleaner: OrderCleanerJob | null;

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
    this.#risk = policy.risk?.state(options.symbol) ?? 'ACTIVE';
    this.#cleaner = policy.cleaner
      ? new OrderCleanerJob(clock, policy.cleaner, () => options.mailbox.post({ kind: 'clean' }))
      : null;
    this.#pass = new GridPass({
      symbol: options.symbol,
      grid: options.grid,
      exchange: deps.exchange,
      clock,
      log,
      metrics,
      ...(policy.bookAnalytics && { book: policy.bookAnalytics }),
    });
    this.#reconciliation = new SymbolReconciliation({
      symbol: options.symbol,
      grid: options.grid,
      policy,
      entriesPaused: options.entriesPaused,
      entriesHeld: () => !entriesAllowed(this.#risk),
      exchange: deps.exchange,
      clock,
      metrics,
      log,
      post: (message) => options.mailbox.post(message),
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
      this.#reconciliation.stop();
      this.#cleaner?.stop();
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
    const views = this.#grid?.slots.views() ?? [];
    return {
      symbol: this.symbol,
      phase: this.#phase,
      grid: gridConfigToWire(this.#options.grid),
      lastPrice: this.#options.mailbox.lastPrice?.price ?? this.#startPrice,
      position: this.#grid ? toPlain(this.#grid.slots.position()) : '0',
      activeOrders: views.filter((v) => v.order !== null).length,
      reconcile: this.#reconciliation.summary,
      divergencePaused: this.#reconciliation.divergencePaused,
      tradingState: this.#risk,
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
    return this.#grid?.writer.busy ?? false;
  }

  /** The symbol's order ledger: open and in-flight orders, lookups, exposure. */
  get ledger(): OrderLedger {
    return this.#ledger;
  }

  async #run(): Promise<void> {
    const { exchange, log } = this.#deps;
    const mailbox = this.#options.mailbox;
    try {
      const price = mailbox.lastPrice?.price ?? toPlain(await exchange.getLatestPrice(this.symbol));
      this.#startPrice = price;
      const { slots, reports } = await this.#build(price);
      reports.recoverIntents();
      this.#setPhase('reconciling');
      const held = this.#options.entriesPaused || !entriesAllowed(this.#risk);
      const commands = slots.broadcast({ type: held ? 'risk.pause' : 'risk.resume' });
      // A halt or flatten that began while the actor was down pulls what still rests
      if (this.#risk === 'HALTED' || this.#risk === 'FLATTENING') {
        commands.push(...slots.broadcast({ type: 'slot.cancel' }));
      }
      commands.push(...(await this.#reconciliation.atStart(this.#target())));
      this.#setPhase('trading');
      this.#reconciliation.start();
      this.#cleaner?.start();
      this.#pass.start(slots);
      log.info({ symbol: this.symbol, slots: slots.indices().length }, 'symbol trading');
      await this.#afterChange(commands, mailbox.lastPrice);
      while (!this.#finished()) {
        const delivery = await mailbox.take();
        if (delivery?.kind === 'price') await this.#afterChange([], delivery.tick);
        else if (delivery) await this.#afterChange(await this.#handle(delivery.message), null);
      }
      await this.#grid?.writer.flush();
    } finally {
      await this.#grid?.writer.flush().catch(() => undefined);
      this.#phase = 'stopped';
      this.#reconciliation.stop();
      this.#cleaner?.stop();
      this.#pass.stop();
      this.#grid?.reports.stop();
      this.#orders.close();
      this.#grid?.slots.stop();
    }
  }

  /**
   * Builds the grid from the newest state (the saved snapshot and what placements carried past a
   * lost save), loads the ledger, and sets up the report path and the snapshot writer.
   */
  async #build(price: string): Promise<BuiltGrid> {
    const { exchange, log, policy, orders, store } = this.#deps;
    const { grid, mailbox } = this.#options;
    const latest = await latestSlots({
      symbol: this.symbol,
      namespace: policy.namespace,
      gateway: orders,
      log,
      saved: this.#stored?.document ?? null,
      slotCount: grid.levelsBelow + grid.levelsAbove,
    });
    const slots = await buildSlots(
      exchange,
      this.symbol,
      grid,
      latest.document,
      price,
      log,
      policy.namespace,
      await this.#pass.initialAtr(),
    );
    await this.#ledger.load();
    const reports = new SymbolReports({
      ...this.#deps,
      ...(policy.risk ? { risk: policy.risk } : {}),
      symbol: this.symbol,
      slots,
      ledger: this.#ledger,
      fills: this.#fills,
      cooldown: this.#cooldown,
      mailbox,
    });
    const writer = new SnapshotWriter({
      symbol: this.symbol,
      store,
      version: this.#stored?.version ?? 0,
      onError: (error) => mailbox.post({ kind: 'crash', error }),
    });
    this.#grid = { slots, reports, writer };
    return this.#grid;
  }

  #setPhase(phase: SymbolPhase): void {
    if (!this.#stop) this.#phase = phase;
  }

  #finished(): boolean {
    const stop = this.#stop;
    if (!stop) return false;
    if (stop.deadline) return true;
    const working = stop.cancelOrders && (this.#grid?.slots.views() ?? []).some((v) => v.order);
    // Results already delivered are applied and saved too, so the next start finds them
    const queued = this.#options.mailbox.depth.queued > 0;
    return this.#orders.inflight === 0 && !queued && !working;
  }

  // -- EVENT HANDLERS --

  async #handle(message: SymbolMessage): Promise<GridSlotCommand[]> {
    const { reports, slots } = this.#requireGrid();
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
        return this.#reconciliation.asked(message.trigger, this.#target());
      case 'cancelAll':
        return slots.broadcast({ type: 'slot.cancel' });
      case 'risk':
        return this.#applyRisk(message.state, message.reason);
      case 'clean':
        return this.#clean();
      case 'wake':
        return [];
    }
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
    const { slots, reports, writer } = this.#requireGrid();
    if (this.#phase === 'trading' && price !== null) {
      const save = async () => {
        writer.write(slots.document(), this.#ledger.takeDirty(), []);
        await writer.flush();
      };
      const flattenSlippagePct = dec(this.#deps.policy.flattenSlippagePct ?? '1');
      commands.push(
        ...(await this.#pass.quote(slots, price, this.#cooldown, save, {
          quoting: quotingOf(this.#risk),
          flattenSlippagePct,
        })),
      );
    }
    const allowed = this.#preTrade(commands);
    reports.recordIntents(allowed);
    const sent: Promise<void>[] = [];
    for (const command of allowed) {
      if (command.type === 'command.submitOrder') {
        const carried = slots.document([command.slotIndex]);
        sent.push(this.#orders.dispatch(command, { carried }));
      } else {
        const venueOrderId = this.#ledger.byClientOrderId(command.clientOrderId)?.venueOrderId;
        this.#orders.dispatch(command, { venueOrderId: venueOrderId ?? null });
      }
    }
    const dirty = this.#ledger.takeDirty();
    this.#deps.policy.risk?.ordersChanged(this.symbol, dirty);
    writer.write(slots.document(), dirty, sent);
    this.#publishGauges();
    this.#checkFlat();
  }

  /**
   * Runs each placement past the pre-trade checks; a denied one never reaches its workflow, and
   * its slot gets the refusal instead (so its cooldown applies). Cancels are never checked.
   * @returns the commands that may go, with whatever the refused slots emitted in answer
   */
  #preTrade(commands: readonly GridSlotCommand[]): GridSlotCommand[] {
    const risk = this.#deps.policy.risk;
    if (!risk) return [...commands];
    // The checks must see the fills and cancels this step applied (a close reduces a position
    // the fill just opened, a filled entry no longer rests)
    const { slots } = this.#requireGrid();
    risk.ordersChanged(this.symbol, this.#ledger.peekDirty());
    risk.inventory(this.symbol, slots.position(), this.#fills.realizedPnl);
    const allowed: GridSlotCommand[] = [];
    const queue = [...commands];
    for (let command = queue.shift(); command; command = queue.shift()) {
      const denial = command.type === 'command.submitOrder' ? risk.check(command) : null;
      if (denial === null) {
        allowed.push(command);
        continue;
      }
      const answer = this.#requireGrid().reports.denied(
        command.slotIndex,
        command.clientOrderId,
        denial.reason,
      );
      queue.push(...answer);
    }
    return allowed;
  }

  // -- RISK --

  /**
   * Applies the risk layer's effective state to the slots: REDUCING pauses entries (a slot pulls
   * its resting entry), HALTED and FLATTENING also cancel every working order (closes too;
   * FLATTENING then closes what the slots hold at the market, see {@link quotingOf}), ACTIVE
   * resumes entries unless the config or a position divergence holds them.
   */
  #applyRisk(state: TradingState, reason: string): GridSlotCommand[] {
    const { slots } = this.#requireGrid();
    const before = this.#risk;
    this.#risk = state;
    if (state !== 'FLATTENING') this.#flatReported = false;
    if (state === before) return [];
    this.#deps.log.warn(
      { symbol: this.symbol, from: before, to: state, reason },
      'risk state applied',
    );
    if (state === 'ACTIVE') {
      const held = this.#options.entriesPaused || this.#reconciliation.divergencePaused;
      return held ? [] : slots.broadcast({ type: 'risk.resume' });
    }
    const commands = slots.broadcast({ type: 'risk.pause' });
    if (state === 'HALTED' || state === 'FLATTENING') {
      commands.push(...slots.broadcast({ type: 'slot.cancel' }));
    }
    return commands;
  }

  /** One run of the order cleaner: the slots owning the targets cancel their orders. */
  #clean(): GridSlotCommand[] {
    const policy = this.#deps.policy.cleaner;
    if (!policy || !this.#cleaner || this.#phase !== 'trading') return [];
    const { slots } = this.#requireGrid();
    const price = this.#options.mailbox.lastPrice?.price ?? this.#startPrice;
    const targets = planCleanup(
      this.#ledger.openOrders(),
      (id) => slots.slotOf(id),
      price === null ? null : dec(price),
      this.#deps.clock.now(),
      policy,
    );
    this.#cleaner.ran(targets);
    const commands: GridSlotCommand[] = [];
    for (const target of targets) {
      const snapshot = slots.snapshot(target.slotIndex);
      if (snapshot?.context.order?.clientOrderId !== target.clientOrderId) continue;
      if (!snapshot.can({ type: 'slot.cancel' })) continue;
      this.#deps.metrics.risk.ordersCleaned.inc({ symbol: this.symbol, reason: target.reason });
      commands.push(...slots.send(target.slotIndex, { type: 'slot.cancel' }));
    }
    if (targets.length > 0) {
      this.#deps.log.warn(
        { symbol: this.symbol, targets, nextRunMs: this.#cleaner.waitMs },
        'order cleaner pulled resting entries',
      );
    }
    return commands;
  }

  /** A flattening symbol that holds nothing and works no order tells the risk layer, once. */
  #checkFlat(): void {
    if (this.#risk !== 'FLATTENING' || this.#flatReported) return;
    const { slots } = this.#requireGrid();
    if (!slots.position().isZero() || slots.views().some((v) => v.order !== null)) return;
    if (this.#orders.inflight > 0) return;
    this.#flatReported = true;
    this.#deps.policy.risk?.flattenDone(this.symbol);
  }

  // -- INTERNAL --

  #publishGauges(): void {
    const labels = { symbol: this.symbol };
    const { slots } = this.#requireGrid();
    const active = slots.views().filter((v) => v.order !== null).length;
    this.#deps.metrics.ordersActive.set(labels, active);
    this.#deps.metrics.positionSize.set(labels, sample(slots.position()));
    this.#deps.policy.risk?.inventory(this.symbol, slots.position(), this.#fills.realizedPnl);
  }

  #target(): ReconcileTarget {
    const { slots, reports } = this.#requireGrid();
    return { slots, ledger: this.#ledger, reports };
  }

  #requireGrid(): BuiltGrid {
    if (!this.#grid) throw new Error(`${this.symbol} has no grid yet`);
    return this.#grid;
  }
}
