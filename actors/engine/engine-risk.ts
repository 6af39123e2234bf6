/**
 * @module actors/engine/engine-risk
 * The risk layer wired into the engine: one {@link RiskController} (trading states and
 * breakers), one {@link PreTradeChecker} shared by every symbol (the global buckets and exposure
 * are shared), and one {@link ExposureBook} as the checks' {@link RiskView}, fed by each symbol's
 * order ledger (its orders as they change, its inventory) and by the venue streams (prices,
 * marks). The engine feeds it from the stream router (every update of a feed), the timed venue
 * port (latencies), the report path (refusals, round trips) and reconciliation (divergences);
 * the controller's verdict for a symbol reaches the symbol's actor as its effective
 * {@link TradingState}, which the actor applies (see symbol.actor).
 *
 * Read by others (stable; the gRPC RiskService reads them): {@link EngineRisk.report} (trading
 * states, breakers, limits, exposure per symbol and total, margin, drawdowns) and
 * {@link EngineRisk.view} (the exposure book).
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Decimal } from '../../core/decimal.js';
import { ZERO, dec, toPlain } from '../../core/decimal.js';
import type { Account } from '../../core/exchange.types.js';
import type { SubmitOrderCommand } from '../../machines/grid-slot.machine.js';
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { AlertSink } from '../alerts/alert.types.js';
import { isTerminal } from '../orders/order-status.table.js';
import type { LedgerOrder } from '../orders/order-ledger.types.js';
import { ExposureBook } from '../risk/exposure-book.js';
import { GLOBAL } from '../risk/breaker-bank.js';
import { PreTradeChecker, preTradeLimitsFromConfig, type Denial } from '../risk/pre-trade.js';
import type { RiskStateStore } from '../risk/risk-persistence.js';
import { RiskController, type SymbolRiskCommand } from '../risk/risk-controller.js';
import type { RiskConfig } from '../risk/risk.config.js';
import { recordDenial, sampleOf, type Feed, type RiskMetrics } from '../risk/risk.metrics.js';
import { liquidationDistancePct } from '../risk/state-evaluators.js';
import { symbolEquity } from '../risk/window-evaluators.js';
import type { GridConfig } from './symbol.config.js';
import type { PositionDivergence } from './symbol.messages.js';

/** What the engine's risk layer runs on. */
export interface EngineRiskOptions {
  readonly config: RiskConfig;
  readonly store: RiskStateStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: RiskMetrics;
  readonly alerts?: AlertSink;
  /** A symbol's effective trading state changed: hand it to the symbol's actor. */
  readonly onState: (symbol: string, state: TradingState, reason: string) => void;
  /** The controller failed to persist (or lost its lease): the engine must not trade on. */
  readonly onError: (e: Error) => void;
}

/** What the symbol actors call; every method is cheap and never throws for a known symbol. */
export interface RiskGate {
  /** The state `symbol` trades under now (the stricter of its own and the global). */
  state(symbol: string): TradingState;
  /**
   * Pre-trade checks of one placement; a denial is counted and logged here.
   * @returns null when it may go
   */
  check(command: SubmitOrderCommand): Denial | null;
  /** Orders of the symbol's ledger that changed (resting, filled, gone). */
  ordersChanged(symbol: string, orders: readonly LedgerOrder[]): void;
  /** The symbol's grid inventory (signed base units) and its realized PnL so far. */
  inventory(symbol: string, position: Decimal, realizedPnl: Decimal): void;
  /** A round trip closed. */
  roundTrip(symbol: string, grossPnl: Decimal, fees: Decimal): void;
  /** The venue refused a placement (a venue port reason). */
  refusal(symbol: string, reason: string): void;
  /** A flattening symbol holds nothing and has no order resting. */
  flattenDone(symbol: string): void;
}

interface SymbolFigures {
  readonly grid: GridConfig;
  /** Quote units the grid commits; null until a price values it. */
  capital: Decimal | null;
  realized: Decimal;
  /** From the last account update: signed size and entry price (for unrealized PnL on ticks). */
  venueSize: Decimal;
  entryPrice: Decimal;
}

/** See the module doc. */
export class EngineRisk implements RiskGate {
  readonly controller: RiskController;
  readonly checker: PreTradeChecker;
  readonly #book = new ExposureBook();
  readonly #o: EngineRiskOptions;
  readonly #symbols = new Map<string, SymbolFigures>();
  #marginRatio: Decimal | null = null;
  #timer: TimerHandle | null = null;
  #connectorUp = true;

  private constructor(options: EngineRiskOptions, controller: RiskController) {
    this.#o = options;
    this.controller = controller;
    this.checker = new PreTradeChecker(preTradeLimitsFromConfig(options.config.limits));
  }

  /**
   * Loads the stored trading states and breakers.
   * @returns the risk layer; add every traded symbol with {@link addSymbol}, then {@link start}
   */
  static async open(options: EngineRiskOptions): Promise<EngineRisk> {
    let self: EngineRisk | null = null;
    const early: [string, TradingState][] = [];
    const controller = await RiskController.open({
      breakers: options.config.breakers,
      clock: options.clock,
      logger: options.log,
      store: options.store,
      ...(options.alerts ? { alerts: options.alerts } : {}),
      metrics: options.metrics,
      monitorAction: options.config.monitor.action,
      onCommand: (symbol, command) => {
        if (self) self.#command(symbol, command);
      },
      onTradingState: (scope, state) => {
        if (self) self.#tradingState(scope, state);
        else early.push([scope, state]);
      },
      onError: options.onError,
      onStale: (key, version) =>
        options.log.warn(
          { scope: key.scope, machine: key.machine, version },
          'risk state was saved by another engine since this one read it: saving over it',
        ),
    });
    self = new EngineRisk(options, controller);
    for (const [scope, state] of early) self.#tradingState(scope, state);
    return self;
  }

  /** Evaluates the breakers once a second until {@link stop}. */
  start(): void {
    const tick = () => {
      if (!this.#connectorUp) this.#touchFeeds();
      this.controller.tick();
      this.#timer = this.#o.clock.after(1_000, tick);
    };
    this.#timer ??= this.#o.clock.after(1_000, tick);
  }

  /** Stops the timer and the machines; waits for pending saves. */
  async stop(): Promise<void> {
    if (this.#timer) this.#o.clock.clear(this.#timer);
    this.#timer = null;
    await this.controller.flush();
    this.controller.stop();
  }

  /** The exposure book the checks read (RiskView). */
  get view(): ExposureBook {
    return this.#book;
  }

  // -- SYMBOLS --

  /**
   * Starts a symbol's trading state and breakers (restored when stored).
   * @param grid - its grid: the capital it commits (see {@link committedCapital}) is what the
   *   symbol's drawdown is measured against
   * @param price - the market price, when known (else the first price values the grid)
   */
  addSymbol(symbol: string, grid: GridConfig, price: Decimal | null): void {
    const known = this.#symbols.get(symbol);
    const reference = grid.anchorPrice !== null ? dec(grid.anchorPrice) : price;
    this.#symbols.set(symbol, {
      grid,
      capital: reference === null ? null : committedCapital(grid, reference),
      realized: known?.realized ?? ZERO,
      venueSize: known?.venueSize ?? ZERO,
      entryPrice: known?.entryPrice ?? ZERO,
    });
    this.controller.addSymbol(symbol);
  }

  /** Reads a symbol's stored risk state again before it is added (a takeover, scale-out). */
  reloadSymbol(symbol: string): Promise<void> {
    return this.controller.reloadSymbol(symbol);
  }

  /** Stops a symbol's machines (their stored state stays) and forgets its exposure. */
  removeSymbol(symbol: string): void {
    this.controller.removeSymbol(symbol);
    this.#book.remove(symbol);
    this.#symbols.delete(symbol);
    const { metrics } = this.#o;
    metrics.exposure.remove({ symbol });
    metrics.liquidationDistance.remove({ symbol });
    metrics.drawdown.remove({ scope: symbol });
  }

  // -- INPUTS FROM THE ENGINE --

  /** An update of a feed arrived (`symbol` for prices, else ignored by global feeds). */
  feed(feed: Feed, symbol: string = GLOBAL): void {
    this.controller.feed(feed, symbol);
  }

  /** A price of a traded symbol. */
  price(symbol: string, price: Decimal): void {
    this.controller.feed('price', symbol);
    this.#book.price(symbol, price);
    const figures = this.#symbols.get(symbol);
    if (!figures) return;
    figures.capital ??= committedCapital(figures.grid, price);
    const unrealized = figures.venueSize.mul(price.sub(figures.entryPrice));
    this.controller.equity(symbol, symbolEquity(figures.capital, figures.realized, unrealized));
  }

  /** An account update: margin, global equity, each position's mark and liquidation. */
  account(account: Account): void {
    this.controller.feed('account', GLOBAL);
    let unrealized = ZERO;
    for (const p of account.positions) {
      unrealized = unrealized.add(p.unrealizedPnl);
      const figures = this.#symbols.get(p.symbol);
      if (!figures) continue;
      this.controller.feed('positions', p.symbol);
      figures.venueSize = p.size;
      figures.entryPrice = p.entryPrice;
      if (p.markPrice.gt(0)) this.#book.mark(p.symbol, p.markPrice);
      this.controller.position(p.symbol, p.size, p.markPrice, p.liquidationPrice);
      const distance = liquidationDistancePct(p.size, p.markPrice, p.liquidationPrice);
      const labels = { symbol: p.symbol };
      if (distance === null) this.#o.metrics.liquidationDistance.remove(labels);
      else this.#o.metrics.liquidationDistance.set(labels, sampleOf(distance.div(100)));
      if (figures.capital !== null) {
        this.controller.equity(
          p.symbol,
          symbolEquity(figures.capital, figures.realized, p.unrealizedPnl),
        );
      }
    }
    this.controller.equity(GLOBAL, account.totalWalletBalance.add(unrealized));
    this.controller.account(account.totalMaintenanceMargin, account.totalMarginBalance);
    const { totalMaintenanceMargin: mm, totalMarginBalance: balance } = account;
    this.#marginRatio = balance.gt(0) ? mm.div(balance) : null;
  }

  /**
   * The exchange connector stopped or started answering. While it is down nothing trades (the
   * supervisors stop every symbol until it answers), so the feeds do not age meanwhile: a stale
   * feed breaker is for a stream that goes silent while the connector answers, and an outage
   * must not leave entries pulled once it is over.
   */
  connector(up: boolean): void {
    if (!up) this.#touchFeeds();
    this.#connectorUp = up;
    if (up) this.#touchFeeds();
  }

  /** A venue call's latency; `symbol` when the call named one. */
  latency(symbol: string | null, latencyMs: number): void {
    this.controller.latency(symbol ?? GLOBAL, latencyMs);
  }

  /** A reconciliation's position verdict. */
  divergence(d: PositionDivergence): void {
    this.controller.reconciled(d.symbol, dec(d.grid), dec(d.venue));
  }

  // -- RISK GATE (symbol actors) --

  state(symbol: string): TradingState {
    return this.controller.effectiveState(symbol);
  }

  check(command: SubmitOrderCommand): Denial | null {
    const intent = {
      symbol: command.symbol,
      side: command.side,
      price: dec(command.price),
      quantity: dec(command.quantity),
      role: command.reduceOnly ? 'close' : 'open',
    } as const;
    const denial = this.checker.check(intent, this.#book, this.#o.clock.now());
    if (denial === null) {
      // Later intents of the same batch see this one before the ledger reports it
      this.#book.orderResting({
        clientOrderId: command.clientOrderId,
        symbol: command.symbol,
        side: command.side,
        price: intent.price,
        quantity: intent.quantity,
        reduceOnly: command.reduceOnly,
      });
      return null;
    }
    recordDenial(this.#o.metrics, command.symbol, denial.reason);
    this.#o.log.warn(
      {
        symbol: command.symbol,
        slot: command.slotIndex,
        clientOrderId: command.clientOrderId,
        reason: denial.reason,
        detail: denial.detail,
      },
      'pre-trade check denied a placement',
    );
    return denial;
  }

  ordersChanged(symbol: string, orders: readonly LedgerOrder[]): void {
    for (const order of orders) {
      const rest = dec(order.quantity).sub(order.filledQuantity);
      if (isTerminal(order.status) || order.price === null || !rest.gt(0)) {
        this.#book.orderGone(symbol, order.clientOrderId);
        continue;
      }
      this.#book.orderResting({
        clientOrderId: order.clientOrderId,
        symbol,
        side: order.side,
        price: dec(order.price),
        quantity: rest,
        reduceOnly: order.reduceOnly,
      });
    }
  }

  inventory(symbol: string, position: Decimal, realizedPnl: Decimal): void {
    this.#book.position(symbol, position, null);
    const figures = this.#symbols.get(symbol);
    if (figures) figures.realized = realizedPnl;
  }

  roundTrip(symbol: string, grossPnl: Decimal, fees: Decimal): void {
    this.controller.roundTrip(symbol, grossPnl, fees);
  }

  refusal(symbol: string, reason: string): void {
    this.controller.refusal(symbol, reason);
  }

  flattenDone(symbol: string): void {
    this.controller.flattenDone(symbol);
  }

  // -- QUERIES --

  /**
   * Unrealized PnL of a symbol's venue position at the last price, quote units; null before
   * the account stream reported the position or a price arrived.
   */
  unrealized(symbol: string): Decimal | null {
    const figures = this.#symbols.get(symbol);
    const last = this.#book.lastPrice(symbol);
    if (!figures || last === null) return null;
    return figures.venueSize.mul(last.sub(figures.entryPrice));
  }

  /**
   * Everything GET /risk shows (and the gRPC RiskService reads): trading states with their
   * holds, breakers with reason and since, the limits in force, exposure per symbol and total
   * (quote units, decimal strings), margin ratio and drawdowns (fractions, decimal strings).
   */
  report() {
    const limits = this.checker.limits;
    const text = (d: Decimal | null) => (d === null ? null : toPlain(d));
    const totals = this.#book.totals();
    return {
      ...this.controller.report(),
      limits: {
        maxOrderNotional: text(limits.maxOrderNotional),
        maxPositionNotional: text(limits.maxPositionNotional),
        maxGrossExposure: text(limits.maxGrossExposure),
        priceBandPct: text(limits.priceBandPct),
        maxOpenOrdersPerSymbol: limits.maxOpenOrdersPerSymbol,
        maxOpenOrdersTotal: limits.maxOpenOrdersTotal,
        globalOrdersPerSecond: limits.globalOrdersPerSecond,
        symbolOrdersPerSecond: limits.symbolOrdersPerSecond,
      },
      exposure: {
        symbols: [...this.#book.perSymbol()].map(([symbol, gross]) => {
          const e = this.#book.exposure(symbol);
          return {
            symbol,
            gross: toPlain(gross),
            position: toPlain(e.position),
            markPrice: text(e.markPrice),
            openingOrdersNotional: toPlain(e.openingOrdersNotional),
            openOrders: e.openOrders,
          };
        }),
        grossTotal: toPlain(totals.grossExposure),
        openOrders: totals.openOrders,
      },
      marginRatio: text(this.#marginRatio),
      drawdowns: Object.fromEntries(
        [...this.controller.drawdowns()].map(([scope, d]) => [scope, toPlain(d)]),
      ),
    };
  }

  /** Brings the read-on-demand gauges up to date (exposure, margin, drawdowns). */
  publishMetrics(feedAges: Readonly<Record<string, number | null>>): void {
    const { metrics } = this.#o;
    for (const [symbol, gross] of this.#book.perSymbol()) {
      if (this.#symbols.has(symbol)) metrics.exposure.set({ symbol }, sampleOf(gross));
    }
    metrics.exposureTotal.set(sampleOf(this.#book.totals().grossExposure));
    if (this.#marginRatio !== null) metrics.marginRatio.set(sampleOf(this.#marginRatio));
    for (const [scope, d] of this.controller.drawdowns()) {
      metrics.drawdown.set({ scope }, sampleOf(d));
    }
    for (const [feed, age] of Object.entries(feedAges)) {
      if (age !== null) metrics.feedAge.set({ feed, scope: GLOBAL }, age);
    }
  }

  // -- INTERNAL --

  #touchFeeds(): void {
    this.controller.feed('orders', GLOBAL);
    this.controller.feed('account', GLOBAL);
    for (const symbol of this.#symbols.keys()) {
      this.controller.feed('price', symbol);
      this.controller.feed('positions', symbol);
    }
  }

  #tradingState(scope: string, state: TradingState): void {
    if (scope === GLOBAL) this.#book.globalState(state);
    else this.#book.symbolState(scope, state);
  }

  #command(symbol: string, command: SymbolRiskCommand): void {
    // The actor derives what to do from the state; closePosition follows cancelAllOrders
    if (command.type === 'closePosition') return;
    this.#o.onState(symbol, command.state, command.reason);
  }
}

/**
 * The capital a grid commits: the notional of the levels it can open (below the anchor for a
 * long grid, both sides for a neutral one) at `price`.
 * @param grid - the grid
 * @param price - reference price, quote units (the anchor when the grid has one)
 * @returns quote units
 */
export function committedCapital(grid: GridConfig, price: Decimal): Decimal {
  const levels = grid.mode === 'neutral' ? grid.levelsBelow + grid.levelsAbove : grid.levelsBelow;
  return price.mul(grid.orderQuantity).mul(levels);
}
