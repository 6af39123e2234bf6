/**
 * @module connector/venues/sim/sim-perp-venue
 * An extra perpetual venue of the simulated venue (`perpVenues.<name>` in its config): the same
 * symbols as "sim", priced off the shared spot price with a basis of its own, with its own
 * funding interval and settlements, fees, USDT account (funding payments, liquidation), order
 * book, streams and fault switches. With a second perp venue a test can run funding-rate
 * arbitrage across two venues whose funding settles at different times.
 */
import type { Clock, TimerHandle } from '../../../core/clock.js';
import { Decimal, floorToStep } from '../../../core/decimal.js';
import type { ExchangeError } from '../../../core/errors.js';
import { BasisProcess } from './basis-process.js';
import { FundingSchedule } from './funding-schedule.js';
import { FuturesLedger } from './futures-ledger.js';
import { liquidateIfBelowMaintenance } from './liquidation.js';
import type { TickPrice } from './price-process.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import type { SimVenueConfig } from './sim-config.js';
import { SimExchange } from './sim-exchange.js';
import { SimFaults } from './sim-faults.js';
import type { SimMarket } from './sim-market.js';
import { MARKET_CATALOG, symbolInfoFor } from './sim-markets.js';
import { applyCore, decodeCore, saveCore } from './sim-snapshot.js';
import { SimStateError, type PerpVenueState } from './sim-state.js';
import type { PerpVenueConfig } from './sim-venues.config.js';
import { buildMarket, publishStep } from './sim-world.js';
import { StreamHub } from './stream-hub.js';
import { TradingCore, type IdSource } from './trading-core.js';

const QUOTE = 'USDT';
const rate = (bps: number): Decimal => new Decimal(bps).div(10_000);

/** What the simulated venue gives an extra perp venue. */
export interface PerpVenueDeps {
  readonly name: string;
  readonly config: PerpVenueConfig;
  /** The whole simulator's config: symbols, seed, step interval, book, candle history. */
  readonly venue: SimVenueConfig;
  readonly clock: Clock;
  /** Venue-wide id counters, so ids are unique across every market of the simulator. */
  readonly ids: IdSource;
  /** The shared spot price of a symbol. */
  spot(symbol: string): TickPrice;
  /** Venue-wide fault switches, which apply here too. */
  readonly faults: SimFaults;
}

/** One extra perpetual venue. */
export class SimPerpVenue {
  readonly name: string;
  /** This venue's own fault switches (the venue-wide ones apply as well). */
  readonly faults: SimFaults;
  private readonly deps: PerpVenueDeps;
  private readonly core: TradingCore;
  private readonly ledger: FuturesLedger;
  private readonly funding: FundingSchedule;
  private readonly basis: BasisProcess;
  private readonly volumeRng: SeededRandom;
  private readonly hub = new StreamHub();
  private exchangeOpen: SimExchange | undefined;
  private timers: TimerHandle[] = [];
  private fundingTimer: TimerHandle | undefined;

  constructor(deps: PerpVenueDeps, nowMs: number) {
    this.deps = deps;
    this.name = deps.name;
    const { config: p, venue: c } = deps;
    this.faults = new SimFaults(deps.clock, (e: ExchangeError) => this.hub.failAll(e), deps.faults);
    this.basis = new BasisProcess(
      p.price,
      c.symbols,
      deriveSeed(c.seed, `basis:${deps.name}`),
      c.tickIntervalMs,
    );
    this.volumeRng = new SeededRandom(deriveSeed(c.seed, `volume:${deps.name}`));
    const markets = new Map<string, SimMarket>();
    for (const symbol of c.symbols) {
      const info = {
        seedLabel: `history:${deps.name}:${symbol}`,
        priceFactor: this.basis.meanFactor,
      };
      const start = this.basis.perp(symbol, deps.spot(symbol).price, perpTick(symbol));
      markets.set(symbol, buildMarket(c, symbol, 'futures', start, info, nowMs));
    }
    this.ledger = new FuturesLedger(
      {
        walletBalance: new Decimal(p.futures.walletBalance),
        leverage: p.futures.leverage,
        leverageBySymbol: {},
        maintenanceMarginRate: new Decimal(p.futures.maintenanceMarginRate),
        makerRate: rate(p.fees.makerBps),
        takerRate: rate(p.fees.takerBps),
        quoteAsset: QUOTE,
      },
      (symbol) => this.core.market(symbol),
    );
    this.core = new TradingCore({
      kind: 'futures',
      exchangeName: deps.name,
      markets,
      ledger: this.ledger,
      hub: this.hub,
      ids: deps.ids,
      clock: deps.clock,
      maxOpenOrdersPerSymbol: c.maxOpenOrdersPerSymbol,
      retainClosedOrders: c.retainClosedOrders,
    });
    this.funding = new FundingSchedule(
      {
        exchangeName: deps.name,
        intervalMs: p.funding.intervalMs,
        maxRate: new Decimal(p.funding.maxRate),
        historyLength: p.funding.historyLength,
        seed: deriveSeed(c.seed, `funding:${deps.name}`),
        historyMean: p.price.basisMeanBps / 10_000,
        historySpread: (p.price.basisVolatilityBps / 10_000) * 0.7,
      },
      c.symbols,
      nowMs,
    );
  }

  /** This venue's port; the same instance until closed, then a fresh one. */
  exchange(released: () => void): SimExchange {
    if (this.exchangeOpen) return this.exchangeOpen;
    const ex = new SimExchange({
      kind: 'futures',
      name: this.name,
      core: this.core,
      faults: this.faults,
      clock: this.deps.clock,
      funding: this.funding,
      openInterest: (symbol) => this.openInterest(symbol),
      released: (closed) => {
        if (this.exchangeOpen === closed) this.exchangeOpen = undefined;
        released();
      },
    });
    this.exchangeOpen = ex;
    return ex;
  }

  /** True while this venue's port is open. */
  get open(): boolean {
    return this.exchangeOpen !== undefined;
  }

  /** One step of this venue's basis (the shared spot price steps in the main process). */
  stepBasis(): void {
    this.basis.step();
  }

  /**
   * Publishes this venue's perps at spot x (1 + basis): maker fills, candles, streams, funding
   * premium samples, then liquidation.
   */
  publish(nowMs: number): void {
    for (const symbol of this.deps.venue.symbols) {
      const spot = this.deps.spot(symbol);
      const perp = this.basis.perp(symbol, spot.price, perpTick(symbol));
      publishStep(this.core, symbol, perp, 0.5 + this.volumeRng.next(), nowMs);
      this.funding.sample(symbol, spot.price, perp.price);
    }
    if (this.deps.config.futures.liquidation) liquidateIfBelowMaintenance(this.core, this.ledger);
  }

  /** Starts the funding publication and settlement timers. */
  start(): void {
    if (this.timers.length > 0) return;
    const every = this.deps.venue.funding.publishIntervalMs;
    this.timers = [this.deps.clock.every(every, () => this.publishFunding())];
    this.scheduleFunding();
  }

  stop(): void {
    for (const t of this.timers) this.deps.clock.clear(t);
    this.timers = [];
    if (this.fundingTimer !== undefined) this.deps.clock.clear(this.fundingTimer);
    this.fundingTimer = undefined;
  }

  /** Ends this venue's streams with `error` (the venue-wide unreachable switch). */
  failStreams(error: ExchangeError): void {
    this.hub.failAll(error);
  }

  /** Closes this venue's port (its streams end with CANCELLED). */
  async close(): Promise<void> {
    await this.exchangeOpen?.close();
  }

  /** Basis, volumes, funding, orders, account and candles, as plain JSON. */
  saveState(): PerpVenueState {
    return {
      basis: this.basis.saveState(),
      volumeRng: this.volumeRng.saveState(),
      funding: this.funding.saveState(),
      futures: {
        core: saveCore(this.core),
        ledger: this.ledger.saveState(),
        klines: Object.fromEntries(
          [...this.core.deps.markets].map(([s, m]) => [s, m.klines.saveState()]),
        ),
      },
    };
  }

  /**
   * Continues from a saved state (before any timer runs).
   * @throws {SimStateError} when it lists other symbols or its orders do not add up
   */
  restoreState(state: PerpVenueState): void {
    const at = `perpVenues.${this.name}`;
    const symbols = this.deps.venue.symbols;
    const problems: string[] = [];
    for (const [where, record] of [
      ['basis.symbols', state.basis.symbols],
      ['funding.symbols', state.funding.symbols],
      ['futures.klines', state.futures.klines],
    ] as const) {
      for (const s of symbols)
        if (record[s] === undefined) problems.push(`${at}.${where}.${s}: missing`);
      for (const s of Object.keys(record)) {
        if (!symbols.includes(s)) problems.push(`${at}.${where}.${s}: not a listed symbol`);
      }
    }
    if (problems.length > 0) throw new SimStateError(problems);
    const records = decodeCore(this.core, state.futures.core, at);
    this.basis.restoreState(state.basis);
    this.volumeRng.restoreState(state.volumeRng);
    for (const symbol of symbols) {
      const market = this.core.market(symbol);
      market.setMid(this.basis.perp(symbol, this.deps.spot(symbol).price, market.info.tickSize));
      const klines = state.futures.klines[symbol];
      if (klines) market.klines.restoreState(klines);
    }
    this.ledger.restoreState(state.futures.ledger);
    this.funding.restoreState(state.funding);
    applyCore(this.core, records, state.futures.core);
  }

  private publishFunding(): void {
    const topic = this.hub.funding;
    if (!topic.active) return;
    const nowMs = this.deps.clock.now();
    for (const symbol of this.deps.venue.symbols) topic.emit(this.funding.current(symbol, nowMs));
  }

  private settleFunding(): void {
    const nowMs = this.deps.clock.now();
    const paid: string[] = [];
    for (const { symbol, rate: r } of this.funding.settle(nowMs)) {
      const mark = this.core.market(symbol).mid.price;
      if (!this.ledger.applyFunding(symbol, r, mark).isZero()) paid.push(symbol);
    }
    this.publishFunding();
    if (paid.length > 0) {
      this.core.emitAccount();
      for (const symbol of paid) this.core.emitPosition(symbol);
    }
    this.scheduleFunding();
  }

  private scheduleFunding(): void {
    const delay = this.funding.nextFundingTimeMs - this.deps.clock.now();
    this.fundingTimer = this.deps.clock.after(Math.max(0, delay), () => this.settleFunding());
  }

  /** Synthetic open interest: half the symbol's typical level on "sim", plus ours. */
  private openInterest(symbol: string): Decimal {
    const market = this.core.market(symbol);
    const typical = (MARKET_CATALOG[symbol]?.openInterestBase ?? 0) / 2;
    const synthetic = floorToStep(new Decimal(typical.toFixed(3)), market.info.stepSize);
    return synthetic.add(this.ledger.positionSize(symbol).abs());
  }
}

/** The perp tick size of a listed symbol. */
function perpTick(symbol: string): Decimal {
  return symbolInfoFor(symbol, 'futures').tickSize;
}
