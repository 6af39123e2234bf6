/**
 * @module connector/venues/sim/price-process
 * The simulated venue's market: per symbol a geometric random walk with drift, volatility and
 * jumps for the spot price, and a mean-reverting basis tying the perp to it (perp = spot x
 * (1 + basis)). Floats live only in here; every price leaves rounded to its market's tick as a
 * Decimal, together with its integer tick index (used as the order-book level key).
 */
import type { Decimal } from '../../../core/decimal.js';
import type { SimVenueConfig } from './sim-config.js';
import type { PriceProcessState } from './sim-state.js';
import { SeededRandom } from './seeded-random.js';

const MS_PER_YEAR = 365.25 * 24 * 3_600_000;

/** One market's current price: the Decimal and its tick index (price = ticks x tickSize). */
export interface TickPrice {
  readonly ticks: number;
  readonly price: Decimal;
}

/** What the process needs to know about one symbol. */
export interface ProcessSymbol {
  readonly symbol: string;
  readonly startPrice: number;
  readonly spotTick: Decimal;
  readonly perpTick: Decimal;
}

interface SymbolState {
  readonly def: ProcessSymbol;
  readonly spotTickF: number;
  readonly perpTickF: number;
  price: number;
  basis: number;
  spot: TickPrice;
  perp: TickPrice;
}

function roundToTick(value: number, tickF: number, tick: Decimal): TickPrice {
  const ticks = Math.max(1, Math.round(value / tickF));
  return { ticks, price: tick.mul(ticks) };
}

/** Seeded, step-driven price paths for every listed symbol. */
export class PriceProcess {
  private readonly rng: SeededRandom;
  private readonly states: SymbolState[] = [];
  private readonly bySymbol = new Map<string, SymbolState>();
  private readonly drift: number;
  private readonly sigmaStep: number;
  private readonly basisDecay: number;
  private readonly basisShock: number;
  private readonly basisMean: number;
  private readonly params: SimVenueConfig['price'];

  /**
   * @param params the `price` section of the venue config
   * @param symbols listed symbols, in the order they are stepped (part of determinism)
   * @param seed PRNG seed
   * @param stepMs milliseconds one step represents
   */
  constructor(
    params: SimVenueConfig['price'],
    symbols: readonly ProcessSymbol[],
    seed: number,
    stepMs: number,
  ) {
    this.params = params;
    this.rng = new SeededRandom(seed);
    const dtYears = stepMs / MS_PER_YEAR;
    const sigma = params.volatilityPerYear;
    // Ito correction keeps the expected price growth equal to the configured drift
    this.drift = (params.driftPerYear - (sigma * sigma) / 2) * dtYears;
    this.sigmaStep = sigma * Math.sqrt(dtYears);
    this.basisMean = params.basisMeanBps / 10_000;
    // Exact discretisation of an Ornstein-Uhlenbeck process: stable for any step size
    this.basisDecay = Math.exp((-Math.LN2 * stepMs) / params.basisHalfLifeMs);
    this.basisShock =
      (params.basisVolatilityBps / 10_000) * Math.sqrt(1 - this.basisDecay * this.basisDecay);
    for (const def of symbols) {
      const spotTickF = def.spotTick.toNumber();
      const perpTickF = def.perpTick.toNumber();
      const state: SymbolState = {
        def,
        spotTickF,
        perpTickF,
        price: def.startPrice,
        basis: this.basisMean,
        spot: roundToTick(def.startPrice, spotTickF, def.spotTick),
        perp: roundToTick(def.startPrice * (1 + this.basisMean), perpTickF, def.perpTick),
      };
      this.states.push(state);
      this.bySymbol.set(def.symbol, state);
    }
  }

  /** Advances every symbol by one step, in listing order. */
  step(): void {
    for (const s of this.states) {
      // Always draw the same four numbers per symbol so one symbol's jump never shifts another's path
      const z = this.rng.normal();
      const zBasis = this.rng.normal();
      const jumpDraw = this.rng.next();
      const signDraw = this.rng.next();
      let logReturn = this.drift + this.sigmaStep * z;
      if (jumpDraw < this.params.jumpProbability) {
        const size = this.params.jumpSizeFraction;
        logReturn += Math.log(signDraw < 0.5 ? 1 - size : 1 + size);
      }
      s.price *= Math.exp(logReturn);
      s.basis =
        this.basisMean + (s.basis - this.basisMean) * this.basisDecay + this.basisShock * zBasis;
      this.round(s);
    }
  }

  /** Current spot price of `symbol`. */
  spot(symbol: string): TickPrice {
    return this.state(symbol).spot;
  }

  /** Current perp price of `symbol` (spot x (1 + basis), on the perp tick). */
  perp(symbol: string): TickPrice {
    return this.state(symbol).perp;
  }

  /**
   * Moves a symbol's spot price to `price` (the perp follows with the current basis). For
   * scenario tests: "the market trades down through my bid".
   */
  setSpotPrice(symbol: string, price: Decimal): void {
    const s = this.state(symbol);
    s.price = price.toNumber();
    this.round(s);
  }

  /**
   * Moves a symbol's perp basis (perp / spot - 1) to `basis`; it reverts to the configured mean
   * from there at the configured half-life. For scenario tests: "funding turns against me".
   */
  setBasis(symbol: string, basis: number): void {
    const s = this.state(symbol);
    s.basis = basis;
    this.round(s);
  }

  /** Float prices, bases and PRNG position: enough to continue the exact same paths. */
  saveState(): PriceProcessState {
    const symbols: PriceProcessState['symbols'] = {};
    for (const s of this.states) symbols[s.def.symbol] = { price: s.price, basis: s.basis };
    return { rng: this.rng.saveState(), symbols };
  }

  /** Continues from saved prices (symbols are checked by the caller). */
  restoreState(saved: PriceProcessState): void {
    this.rng.restoreState(saved.rng);
    for (const s of this.states) {
      const p = saved.symbols[s.def.symbol];
      if (p === undefined) continue;
      s.price = p.price;
      s.basis = p.basis;
      this.round(s);
    }
  }

  private round(s: SymbolState): void {
    s.spot = roundToTick(s.price, s.spotTickF, s.def.spotTick);
    s.perp = roundToTick(s.price * (1 + s.basis), s.perpTickF, s.def.perpTick);
  }

  private state(symbol: string): SymbolState {
    const s = this.bySymbol.get(symbol);
    if (s === undefined) throw new Error(`${symbol} is not listed`);
    return s;
  }
}
