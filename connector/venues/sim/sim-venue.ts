/**
 * @module connector/venues/sim/sim-venue
 * The simulated venue: one world (config, clock, seeded price process, markets, accounts,
 * funding) seen through two exchanges, USDT perpetuals ("sim") and spot ("sim-spot"), whose
 * prices are tied (perp = spot x (1 + basis)), plus any extra perpetual venues the config lists
 * (`perpVenues`: own funding interval, basis, fees and account over the same spot price). A timer
 * on the injected clock steps the world: new prices, maker fills of resting orders the price
 * moved through, candles, funding samples, liquidation; timer chains settle funding and charge
 * margin interest on the hour. With a VirtualClock nothing happens until the test advances time,
 * and the same seed with the same steps replays exactly.
 */
import { Decimal, floorToStep } from '../../../core/decimal.js';
import { WallClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import type { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { MarketKind } from '../../../core/exchange.types.js';
import { FundingSchedule } from './funding-schedule.js';
import { FuturesLedger } from './futures-ledger.js';
import { liquidateIfBelowMaintenance } from './liquidation.js';
import type { PriceProcess } from './price-process.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import {
  parseSimVenueConfig,
  type SimVenueConfig,
  type SimVenueConfigInput,
} from './sim-config.js';
import { SimExchange } from './sim-exchange.js';
import { SimFaults } from './sim-faults.js';
import { MARKET_CATALOG } from './sim-markets.js';
import { MarginInterest } from './margin-interest.js';
import { PerpVenueSet } from './perp-venue-set.js';
import { captureVenueState, restoreVenueState, type VenueParts } from './sim-snapshot.js';
import { parseSimVenueState, type SimVenueState } from './sim-state.js';
import { buildMarkets, publishStep } from './sim-world.js';
import { SpotLedger, type SpotBalance } from './spot-ledger.js';
import { StreamHub } from './stream-hub.js';
import { TradingCore, type IdSource } from './trading-core.js';

const DAY_MS = 86_400_000;
const QUOTE = 'USDT';
const NAMES: Readonly<Record<MarketKind, string>> = { futures: 'sim', spot: 'sim-spot' };

const rate = (bps: number): Decimal => new Decimal(bps).div(10_000);

/** How a venue starts. */
export interface SimVenueOptions {
  /**
   * A state saved by `saveState` (validated here; a parsed JSON value is fine): the venue
   * resumes it instead of starting fresh. Prices continue from the saved ones however much
   * time passed, and candles resume at the current minute, leaving the downtime as a gap.
   */
  readonly state?: SimVenueState | unknown;
}

/** The simulated venue; build it with `createSimulatedVenue`. */
export class SimulatedVenue {
  readonly config: SimVenueConfig;
  readonly clock: Clock;
  /**
   * Venue-wide fault switches (latency, rate limit, rejections, partial fills, unreachable,
   * dropped streams, restart); `faultsOf(name)` has the switches of one market.
   */
  readonly faults: SimFaults;
  private readonly legFaults = new Map<string, SimFaults>();
  private readonly perpVenues: PerpVenueSet;
  private readonly process: PriceProcess;
  private readonly volumeRng: SeededRandom;
  private readonly futuresCore: TradingCore;
  private readonly spotCore: TradingCore;
  private readonly futuresLedger: FuturesLedger;
  private readonly spotLedger: SpotLedger;
  private readonly funding: FundingSchedule;
  private readonly exchanges = new Map<MarketKind, SimExchange>();
  private timers: TimerHandle[] = [];
  private fundingTimer: TimerHandle | undefined;
  private readonly interest: MarginInterest;
  private orderSeq: number;
  private tradeSeq: number;

  /**
   * @throws {ConfigError} naming every bad config key
   * @throws {SimStateError} when `options.state` is malformed or saved with other symbols
   */
  constructor(
    config: SimVenueConfigInput = {},
    clock: Clock = new WallClock(),
    options: SimVenueOptions = {},
  ) {
    this.config = parseSimVenueConfig(config);
    this.clock = clock;
    const c = this.config;
    const nowMs = clock.now();
    // Like a real venue, a brand-new one never reissues ids an earlier one gave out (a user may
    // delete the state file while the engine still remembers the old venue's orders)
    this.orderSeq = nowMs * 1000;
    this.tradeSeq = nowMs * 1000;
    const futuresHub = new StreamHub();
    const spotHub = new StreamHub();
    this.faults = new SimFaults(clock, (e: ExchangeError) => {
      futuresHub.failAll(e);
      spotHub.failAll(e);
      this.perpVenues.failStreams(e);
    });
    this.legFaults.set(
      NAMES.futures,
      new SimFaults(clock, (e) => futuresHub.failAll(e), this.faults),
    );
    this.legFaults.set(NAMES.spot, new SimFaults(clock, (e) => spotHub.failAll(e), this.faults));
    const built = buildMarkets(c, nowMs);
    this.process = built.process;
    this.volumeRng = new SeededRandom(deriveSeed(c.seed, 'volume'));
    const ids: IdSource = {
      nextOrderId: () => String(++this.orderSeq),
      nextTradeId: () => String(++this.tradeSeq),
    };
    const futuresMarket = (s: string) => this.futuresCore.market(s);
    const spotMarket = (s: string) => this.spotCore.market(s);
    this.futuresLedger = new FuturesLedger(
      {
        walletBalance: new Decimal(c.futures.walletBalance),
        leverage: c.futures.leverage,
        leverageBySymbol: c.futures.leverageBySymbol,
        maintenanceMarginRate: new Decimal(c.futures.maintenanceMarginRate),
        makerRate: rate(c.fees.futures.makerBps),
        takerRate: rate(c.fees.futures.takerBps),
        quoteAsset: QUOTE,
      },
      futuresMarket,
    );
    this.spotLedger = new SpotLedger(
      {
        balances: decimals(c.spot.balances),
        marginBalances: decimals(c.spot.marginBalances),
        marginMaxLeverage: c.spot.marginMaxLeverage,
        borrowInterestPerDay: (asset) =>
          new Decimal(c.spot.borrowInterestPerDay[asset] ?? c.spot.defaultBorrowInterestPerDay),
        makerRate: rate(c.fees.spot.makerBps),
        takerRate: rate(c.fees.spot.takerBps),
        quoteAsset: QUOTE,
      },
      spotMarket,
      (asset) =>
        asset === QUOTE
          ? new Decimal(1)
          : (built.spot.get(asset + QUOTE)?.mid.price ?? new Decimal(0)),
    );
    const common = {
      ids,
      clock,
      maxOpenOrdersPerSymbol: c.maxOpenOrdersPerSymbol,
      retainClosedOrders: c.retainClosedOrders,
    };
    this.futuresCore = new TradingCore({
      ...common,
      kind: 'futures',
      exchangeName: 'sim',
      markets: built.futures,
      ledger: this.futuresLedger,
      hub: futuresHub,
    });
    this.spotCore = new TradingCore({
      ...common,
      kind: 'spot',
      exchangeName: 'sim-spot',
      markets: built.spot,
      ledger: this.spotLedger,
      hub: spotHub,
    });
    this.funding = new FundingSchedule(
      {
        exchangeName: 'sim',
        intervalMs: c.funding.intervalMs,
        maxRate: new Decimal(c.funding.maxRate),
        historyLength: c.funding.historyLength,
        seed: c.seed,
        historyMean: c.price.basisMeanBps / 10_000,
        historySpread: (c.price.basisVolatilityBps / 10_000) * 0.7,
      },
      c.symbols,
      nowMs,
    );
    this.interest = new MarginInterest(clock, this.spotLedger, this.spotCore);
    const spot = (symbol: string) => this.process.spot(symbol);
    this.perpVenues = new PerpVenueSet({ config: c, clock, ids, faults: this.faults, spot }, nowMs);
    if (options.state !== undefined) this.restore(options.state);
    this.start();
  }

  /**
   * Everything a trader would notice (orders, books, accounts, funding, prices, candles) as a
   * plain JSON-serializable object; pass it to `createSimulatedVenue(config, clock, { state })`.
   */
  saveState(): SimVenueState {
    const seq = { orderSeq: this.orderSeq, tradeSeq: this.tradeSeq };
    const state = captureVenueState(this.parts(), seq, this.clock.now());
    const perpVenues = this.perpVenues.saveState();
    if (perpVenues === undefined) return state;
    return { ...state, perpVenues };
  }

  /**
   * The venue port of one market: "sim" (USDT perpetuals) or "sim-spot". Returns the same
   * instance until it is closed; after that a fresh one (and the clock timers restart).
   */
  exchange(kind: MarketKind): Exchange {
    let ex = this.exchanges.get(kind);
    if (ex === undefined) {
      const futures = kind === 'futures';
      ex = new SimExchange({
        kind,
        name: NAMES[kind],
        core: futures ? this.futuresCore : this.spotCore,
        faults: this.legFaults.get(NAMES[kind]) as SimFaults,
        clock: this.clock,
        funding: futures ? this.funding : undefined,
        openInterest: (symbol) => (futures ? this.openInterest(symbol) : new Decimal(0)),
        released: (closed) => this.released(kind, closed),
      });
      this.exchanges.set(kind, ex);
      this.start();
    }
    return ex;
  }

  /** Every venue name this simulator serves: "sim", "sim-spot", then the extra perp venues. */
  exchangeNames(): string[] {
    return [NAMES.futures, NAMES.spot, ...this.perpVenues.names()];
  }

  /**
   * The venue port of a venue by name (see `exchangeNames`).
   * @throws {Error} for a name this simulator does not serve
   */
  exchangeNamed(name: string): Exchange {
    if (name === NAMES.futures) return this.exchange('futures');
    if (name === NAMES.spot) return this.exchange('spot');
    const ex = this.perpVenues.exchange(name, () => this.releasedPerp());
    if (!ex) {
      throw new Error(`the simulator serves ${this.exchangeNames().join(', ')}, not ${name}`);
    }
    this.start();
    return ex;
  }

  /**
   * The fault switches of one market (one leg of a pair), on top of the venue-wide `faults`.
   * @throws {Error} for a name this simulator does not serve
   */
  faultsOf(name: string): SimFaults {
    const faults = this.legFaults.get(name) ?? this.perpVenues.faultsOf(name);
    if (!faults)
      throw new Error(`the simulator serves ${this.exchangeNames().join(', ')}, not ${name}`);
    return faults;
  }

  /** One price step of every market (what the clock timer runs every tickIntervalMs). */
  step(): void {
    this.process.step();
    this.perpVenues.stepBasis();
    this.publish();
  }

  /**
   * Moves a symbol's spot price (the perp follows with the current basis) and processes the
   * consequences at once: maker fills, candles, streams. For scenario tests.
   * @param price spot price; rounded to the spot tick
   */
  setSpotPrice(symbol: string, price: Decimal | string): void {
    this.spotCore.market(symbol);
    this.process.setSpotPrice(symbol, new Decimal(price));
    this.publish();
  }

  /**
   * Moves the "sim" perp's basis over spot to `bps` basis points (it then reverts to the
   * configured mean at the configured half-life); funding follows the premium. For scenario
   * tests of funding-rate arbitrage.
   */
  setPerpBasis(symbol: string, bps: number): void {
    this.spotCore.market(symbol);
    this.process.setBasis(symbol, bps / 10_000);
    this.publish();
  }

  /** Every asset of the spot cash account, or of the margin account (with borrowed amounts). */
  spotBalances(margin = false): SpotBalance[] {
    return this.spotLedger.balances(margin);
  }

  /** Stops the clock timers and closes every exchange (their streams end with CANCELLED). */
  async close(): Promise<void> {
    for (const ex of [...this.exchanges.values()]) await ex.close();
    await this.perpVenues.close();
    this.stop();
  }

  private publish(): void {
    const nowMs = this.clock.now();
    // Perps first, then spot, symbols in listing order: part of what makes a run replayable
    const kinds = [
      { core: this.futuresCore, price: (s: string) => this.process.perp(s) },
      { core: this.spotCore, price: (s: string) => this.process.spot(s) },
    ];
    for (const kind of kinds) {
      for (const symbol of this.config.symbols) {
        publishStep(kind.core, symbol, kind.price(symbol), 0.5 + this.volumeRng.next(), nowMs);
      }
    }
    for (const symbol of this.config.symbols) {
      this.funding.sample(symbol, this.process.spot(symbol).price, this.process.perp(symbol).price);
    }
    if (this.config.futures.liquidation) {
      liquidateIfBelowMaintenance(this.futuresCore, this.futuresLedger);
    }
    this.perpVenues.publish(nowMs);
  }

  private restore(input: unknown): void {
    const state = parseSimVenueState(input);
    const seq = restoreVenueState(this.parts(), state);
    this.orderSeq = seq.orderSeq;
    this.tradeSeq = seq.tradeSeq;
    this.interest.resumeFrom(state.savedAtMs);
    this.perpVenues.restoreState(state.perpVenues);
  }

  private settleFunding(): void {
    const nowMs = this.clock.now();
    const paid: string[] = [];
    for (const { symbol, rate: r } of this.funding.settle(nowMs)) {
      const payment = this.futuresLedger.applyFunding(symbol, r, this.process.perp(symbol).price);
      if (!payment.isZero()) paid.push(symbol);
    }
    this.publishFunding();
    if (paid.length > 0) {
      this.futuresCore.emitAccount();
      for (const symbol of paid) this.futuresCore.emitPosition(symbol);
    }
    this.scheduleFunding();
  }

  private publishFunding(): void {
    const topic = this.futuresCore.deps.hub.funding;
    if (!topic.active) return;
    const nowMs = this.clock.now();
    for (const symbol of this.config.symbols) topic.emit(this.funding.current(symbol, nowMs));
  }

  private scheduleFunding(): void {
    const delay = this.funding.nextFundingTimeMs - this.clock.now();
    this.fundingTimer = this.clock.after(Math.max(0, delay), () => this.settleFunding());
  }

  /** Synthetic open interest: the symbol's typical level, a slow daily swing, plus ours. */
  private openInterest(symbol: string): Decimal {
    const market = this.futuresCore.market(symbol);
    const offset = this.config.symbols.indexOf(symbol);
    const phase = (2 * Math.PI * this.clock.now()) / DAY_MS + offset;
    const typical = (MARKET_CATALOG[symbol]?.openInterestBase ?? 0) * (1 + 0.05 * Math.sin(phase));
    const synthetic = floorToStep(new Decimal(typical.toFixed(3)), market.info.stepSize);
    return synthetic.add(this.futuresLedger.positionSize(symbol).abs());
  }

  private start(): void {
    if (this.timers.length > 0) return;
    this.timers = [
      this.clock.every(this.config.tickIntervalMs, () => this.step()),
      this.clock.every(this.config.funding.publishIntervalMs, () => this.publishFunding()),
    ];
    this.scheduleFunding();
    this.interest.start();
    this.perpVenues.start();
  }

  private stop(): void {
    for (const t of this.timers) this.clock.clear(t);
    this.timers = [];
    if (this.fundingTimer !== undefined) this.clock.clear(this.fundingTimer);
    this.fundingTimer = undefined;
    this.interest.stop();
    this.perpVenues.stop();
  }

  private parts(): VenueParts {
    return {
      symbols: this.config.symbols,
      process: this.process,
      volumeRng: this.volumeRng,
      futuresCore: this.futuresCore,
      spotCore: this.spotCore,
      futuresLedger: this.futuresLedger,
      spotLedger: this.spotLedger,
      funding: this.funding,
    };
  }

  private released(kind: MarketKind, closed: SimExchange): void {
    if (this.exchanges.get(kind) === closed) this.exchanges.delete(kind);
    this.releasedPerp();
  }

  /** With the last open exchange closed, the world stops. */
  private releasedPerp(): void {
    if (this.exchanges.size === 0 && !this.perpVenues.anyOpen) this.stop();
  }
}

function decimals(record: Readonly<Record<string, string>>): Record<string, Decimal> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, new Decimal(v)]));
}

/**
 * Builds a simulated venue and starts its clock timers.
 * @param config any subset of the config; everything else takes its documented default
 * @param clock time source; a VirtualClock makes the venue fully deterministic
 * @param options `state`: resume a state saved by `venue.saveState()`
 * @throws {ConfigError} naming every bad config key
 * @throws {SimStateError} when the state is malformed (naming the key) or from other symbols
 */
export function createSimulatedVenue(
  config: SimVenueConfigInput = {},
  clock: Clock = new WallClock(),
  options: SimVenueOptions = {},
): SimulatedVenue {
  return new SimulatedVenue(config, clock, options);
}
