/**
 * @module connector/venues/sim/sim-market
 * One tradable market (spot or perp of a symbol): its filters, the current price from the price
 * process, our resting orders and the synthetic book around mid. Synthetic liquidity taken by
 * our orders is gone until the next price step, so a big taker walks the levels.
 */
import type { Decimal } from '../../../core/decimal.js';
import { floorToStep, ZERO } from '../../../core/decimal.js';
import type { SymbolInfo } from '../../../core/exchange.types.js';
import type { KlineSeries } from './kline-series.js';
import { OrderBook } from './order-book.js';
import type { TickPrice } from './price-process.js';

/** Shape of the synthetic book, shared by every market of a venue. */
export interface SyntheticBookSpec {
  readonly halfSpreadTicks: number;
  readonly levels: number;
  readonly levelSpacingTicks: number;
  readonly depthQuotePerLevel: Decimal;
  readonly tradeVolumeQuotePerTick: Decimal;
}

/** One market of the venue. */
export class SimMarket {
  readonly info: SymbolInfo;
  readonly book = new OrderBook();
  readonly klines: KlineSeries;
  /** Open orders of each account on this market (cash and margin count separately). */
  readonly openCount = { cash: 0, margin: 0 };
  private current: TickPrice;
  private readonly spec: SyntheticBookSpec;
  private depthPerLevel: Decimal | undefined;
  private readonly takenBid: Decimal[] = [];
  private readonly takenAsk: Decimal[] = [];
  private taken = false;

  constructor(info: SymbolInfo, start: TickPrice, klines: KlineSeries, spec: SyntheticBookSpec) {
    this.info = info;
    this.current = start;
    this.klines = klines;
    this.spec = spec;
  }

  /** Current mid (= last) price. */
  get mid(): TickPrice {
    return this.current;
  }

  /** Moves mid; the synthetic book is rebuilt around it with full depth. */
  setMid(price: TickPrice): void {
    this.current = price;
    this.depthPerLevel = undefined;
    if (this.taken) {
      this.takenBid.length = 0;
      this.takenAsk.length = 0;
      this.taken = false;
    }
  }

  /** Synthetic traded volume of one step in base units, scaled by `factor` (0.5..1.5). */
  tradeVolume(factor: number): Decimal {
    const quote = this.spec.tradeVolumeQuotePerTick.mul(factor.toFixed(6));
    return floorToStep(quote.div(this.current.price), this.info.stepSize);
  }

  /**
   * Price (tick index) of level `i` (0 = best) of the synthetic side a taker trades against:
   * asks for a buy, bids for a sell. Undefined past the last level or below price zero.
   */
  syntheticTicks(takerIsBuy: boolean, i: number): number | undefined {
    if (i >= this.spec.levels) return undefined;
    const offset = this.spec.halfSpreadTicks + i * this.spec.levelSpacingTicks;
    const ticks = takerIsBuy ? this.current.ticks + offset : this.current.ticks - offset;
    return ticks < 1 ? undefined : ticks;
  }

  /** Base quantity still available at synthetic level `i` until the next price step. */
  syntheticAvailable(takerIsBuy: boolean, i: number): Decimal {
    const taken = (takerIsBuy ? this.takenAsk : this.takenBid)[i] ?? ZERO;
    return this.depth().sub(taken);
  }

  /** Records that our order took `quantity` from synthetic level `i`. */
  takeSynthetic(takerIsBuy: boolean, i: number, quantity: Decimal): void {
    const arr = takerIsBuy ? this.takenAsk : this.takenBid;
    arr[i] = (arr[i] ?? ZERO).add(quantity);
    this.taken = true;
  }

  /** Base quantity per synthetic level at the current mid, rounded down to the step. */
  private depth(): Decimal {
    this.depthPerLevel ??= floorToStep(
      this.spec.depthQuotePerLevel.div(this.current.price),
      this.info.stepSize,
    );
    return this.depthPerLevel;
  }
}
