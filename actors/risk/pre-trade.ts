/**
 * @module actors/risk/pre-trade
 * Pre-trade checks between a strategy's intent and its order workflow. `check(intent, view, now)`
 * returns null (the order may go) or a {@link Denial} with a reason from a bounded list and the
 * numbers behind it. Checks, in order: the intent is sane; the trading state allows it; the price
 * is within the band around the last price (a close that rests away from the market, such as a
 * grid's take-profit after a crash, is exempt: it cannot trade at a bad price); for orders that grow exposure, the per-order
 * notional, the symbol's exposure, the global gross exposure (REQ-RISK-003) and the open-order
 * caps; last, the order-rate throttle (per symbol and global), which only spends a token on an
 * order that passed everything else.
 *
 * An order that reduces risk (opposite to the position and, with the closes already resting, no
 * larger than it) is never denied by an exposure or open-order check; a "close" that would not
 * reduce the position is checked as an opening order. The view is a read port the order ledger
 * implements with O(1) aggregates, so a check costs a handful of decimal operations.
 */
import { Decimal, dec, toPlain } from '../../core/decimal.js';
import type { Side } from '../../core/types.js';
import {
  closesAllowed,
  entriesAllowed,
  type TradingState,
} from '../../machines/trading-state.machine.js';
import { OrderRateLimiter } from './order-rate.js';
import type { LimitsConfig } from './risk.config.js';

/** An order a strategy wants placed. */
export interface OrderIntent {
  readonly symbol: string;
  readonly side: Side;
  /** Limit price, quote units; null for a market order. */
  readonly price: Decimal | null;
  /** Base units, positive. */
  readonly quantity: Decimal;
  /** What the strategy says it is for; a `close` is verified against the position. */
  readonly role: 'open' | 'close';
}

/** One symbol's exposure, as the ledger keeps it. */
export interface SymbolExposure {
  /** Signed position, base units (positive long). */
  readonly position: Decimal;
  /** Mark price, quote units; null when unknown. */
  readonly markPrice: Decimal | null;
  /** Notional of our resting orders that would grow the position, quote units. */
  readonly openingOrdersNotional: Decimal;
  /** Quantity of our resting orders that reduce the position, base units. */
  readonly closingOrdersQuantity: Decimal;
  /** Our resting orders on the symbol (every role). */
  readonly openOrders: number;
}

/** Everything across symbols. */
export interface ExposureTotals {
  /** Σ |position| × mark + resting opening notional over every symbol, quote units. */
  readonly grossExposure: Decimal;
  /** Our resting orders across every symbol. */
  readonly openOrders: number;
}

/** The read port a check needs; the order ledger implements it. */
export interface RiskView {
  /** The state the symbol trades under: the stricter of its own and the global one. */
  tradingState(symbol: string): TradingState;
  /** Last traded or mid price, quote units; null before the first price. */
  lastPrice(symbol: string): Decimal | null;
  exposure(symbol: string): SymbolExposure;
  totals(): ExposureTotals;
}

/** Every reason a check can deny; a bounded set (it is a metric label). */
export const DENIAL_REASONS = [
  'INVALID_INTENT',
  'TRADING_REDUCING',
  'TRADING_HALTED',
  'TRADING_FLATTENING',
  'NO_MARKET_PRICE',
  'PRICE_BAND',
  'MAX_ORDER_NOTIONAL',
  'MAX_POSITION',
  'GLOBAL_EXPOSURE',
  'MAX_OPEN_ORDERS_SYMBOL',
  'MAX_OPEN_ORDERS_TOTAL',
  'ORDER_RATE_SYMBOL',
  'ORDER_RATE_GLOBAL',
] as const;
/** One of {@link DENIAL_REASONS}. */
export type DenialReason = (typeof DENIAL_REASONS)[number];

/** Why an intent may not go, with the numbers. */
export interface Denial {
  readonly reason: DenialReason;
  /** For people and logs, e.g. "symbol exposure 49,900 + 200 > 50,000 USDT". */
  readonly detail: string;
}

/** The limits a checker enforces; null switches one off. Decimals in quote units or percent. */
export interface PreTradeLimits {
  readonly maxOrderNotional: Decimal | null;
  readonly maxPositionNotional: Decimal | null;
  readonly maxGrossExposure: Decimal | null;
  /** Percent. */
  readonly priceBandPct: Decimal | null;
  readonly maxOpenOrdersPerSymbol: number | null;
  readonly maxOpenOrdersTotal: number | null;
  readonly globalOrdersPerSecond: number;
  readonly symbolOrdersPerSecond: number;
}

/**
 * Reads the `risk.limits` config section.
 * @param config - the validated section
 * @returns the limits
 */
export function preTradeLimitsFromConfig(config: LimitsConfig): PreTradeLimits {
  const opt = (v: string | null) => (v === null ? null : dec(v));
  return {
    maxOrderNotional: opt(config.max_order_notional),
    maxPositionNotional: opt(config.max_position_notional),
    maxGrossExposure: opt(config.max_gross_exposure),
    priceBandPct: opt(config.price_band_pct),
    maxOpenOrdersPerSymbol: config.max_open_orders_per_symbol,
    maxOpenOrdersTotal: config.max_open_orders_total,
    globalOrdersPerSecond: config.order_rate.global_per_second,
    symbolOrdersPerSecond: config.order_rate.symbol_per_second,
  };
}

const deny = (reason: DenialReason, detail: string): Denial => ({ reason, detail });
const fmt = (d: Decimal): string => toPlain(d.toDecimalPlaces(8));

/**
 * Whether an order only reduces the position: opposite side, and together with the closes
 * already resting no larger than the position.
 * @param intent - the order
 * @param exposure - the symbol's exposure
 * @returns true when it reduces risk
 */
export function reducesRisk(intent: OrderIntent, exposure: SymbolExposure): boolean {
  const { position } = exposure;
  if (position.isZero()) return false;
  const opposite = position.isPositive() ? intent.side === 'SELL' : intent.side === 'BUY';
  return opposite && intent.quantity.add(exposure.closingOrdersQuantity).lte(position.abs());
}

/**
 * Whether a limit order rests rather than trades at once at `last`: a buy at or below it, a
 * sell at or above it.
 */
function isPassive(intent: OrderIntent, last: Decimal): boolean {
  if (intent.price === null) return false;
  return intent.side === 'BUY' ? intent.price.lte(last) : intent.price.gte(last);
}

/** The checks, with their limits and the order-rate buckets. */
export class PreTradeChecker {
  #limits: PreTradeLimits;
  readonly #rate: OrderRateLimiter;
  readonly #hundred = new Decimal(100);

  constructor(limits: PreTradeLimits) {
    this.#limits = limits;
    this.#rate = new OrderRateLimiter(limits.globalOrdersPerSecond, limits.symbolOrdersPerSecond);
  }

  /** The limits in force. */
  get limits(): PreTradeLimits {
    return this.#limits;
  }

  /**
   * Changes the limits at runtime (admin API); the rate buckets keep their tokens.
   * @param limits - the new limits
   * @param nowMs - epoch ms
   */
  setLimits(limits: PreTradeLimits, nowMs: number): void {
    this.#limits = limits;
    this.#rate.setRates(limits.globalOrdersPerSecond, limits.symbolOrdersPerSecond, nowMs);
  }

  /**
   * Checks one intent. Spends an order-rate token only when the intent passes.
   * @param intent - the order the strategy wants
   * @param view - the ledger's read port
   * @param nowMs - epoch ms, for the rate buckets
   * @returns null when the order may go, else why not
   */
  check(intent: OrderIntent, view: RiskView, nowMs: number): Denial | null {
    const { quantity, price, symbol } = intent;
    if (!quantity.gt(0) || (price !== null && !price.gt(0))) {
      return deny('INVALID_INTENT', `quantity ${fmt(quantity)} and price must be positive`);
    }
    const exposure = view.exposure(symbol);
    const reduces = reducesRisk(intent, exposure);
    const state = view.tradingState(symbol);
    if (!entriesAllowed(state) && !(reduces && (closesAllowed(state) || state === 'FLATTENING'))) {
      const reason = `TRADING_${state}` as DenialReason;
      return deny(reason, `${symbol} is ${state}: ${reduces ? 'nothing new' : 'no new entries'}`);
    }
    const last = view.lastPrice(symbol);
    const limits = this.#limits;
    // A passive close (a take-profit resting away from the market) cannot trade at a bad price
    const passiveClose = reduces && price !== null && last !== null && isPassive(intent, last);
    if (price !== null && last !== null && limits.priceBandPct !== null && !passiveClose) {
      const offPct = price.sub(last).abs().div(last).mul(this.#hundred);
      if (offPct.gt(limits.priceBandPct)) {
        return deny(
          'PRICE_BAND',
          `limit ${fmt(price)} is ${fmt(offPct.toDecimalPlaces(2))}% from last ${fmt(last)} > ${fmt(limits.priceBandPct)}%`,
        );
      }
    }
    if (!reduces) {
      const denial = this.#checkOpening(intent, view, exposure, last);
      if (denial) return denial;
    }
    const rate = this.#rate.tryTake(symbol, nowMs);
    if (rate) {
      const perSecond =
        rate.scope === 'symbol' ? limits.symbolOrdersPerSecond : limits.globalOrdersPerSecond;
      return deny(
        rate.scope === 'symbol' ? 'ORDER_RATE_SYMBOL' : 'ORDER_RATE_GLOBAL',
        `${rate.scope} order rate above ${perSecond}/s; next token in ${rate.waitMs} ms`,
      );
    }
    return null;
  }

  #checkOpening(
    intent: OrderIntent,
    view: RiskView,
    exposure: SymbolExposure,
    last: Decimal | null,
  ): Denial | null {
    const limits = this.#limits;
    const reference = intent.price ?? last;
    if (reference === null) {
      return deny('NO_MARKET_PRICE', `no price for ${intent.symbol} yet to value the order`);
    }
    const notional = intent.quantity.mul(reference);
    if (limits.maxOrderNotional !== null && notional.gt(limits.maxOrderNotional)) {
      return deny(
        'MAX_ORDER_NOTIONAL',
        `order notional ${fmt(notional)} > ${fmt(limits.maxOrderNotional)}`,
      );
    }
    if (limits.maxPositionNotional !== null) {
      const mark = exposure.markPrice ?? last ?? reference;
      const current = exposure.position.abs().mul(mark).add(exposure.openingOrdersNotional);
      if (current.add(notional).gt(limits.maxPositionNotional)) {
        return deny(
          'MAX_POSITION',
          `${intent.symbol} exposure ${fmt(current)} + ${fmt(notional)} > ${fmt(limits.maxPositionNotional)}`,
        );
      }
    }
    const totals = view.totals();
    if (
      limits.maxGrossExposure !== null &&
      totals.grossExposure.add(notional).gt(limits.maxGrossExposure)
    ) {
      return deny(
        'GLOBAL_EXPOSURE',
        `gross exposure ${fmt(totals.grossExposure)} + ${fmt(notional)} > ${fmt(limits.maxGrossExposure)}`,
      );
    }
    if (
      limits.maxOpenOrdersPerSymbol !== null &&
      exposure.openOrders >= limits.maxOpenOrdersPerSymbol
    ) {
      return deny(
        'MAX_OPEN_ORDERS_SYMBOL',
        `${intent.symbol} has ${exposure.openOrders} open orders, the limit is ${limits.maxOpenOrdersPerSymbol}`,
      );
    }
    if (limits.maxOpenOrdersTotal !== null && totals.openOrders >= limits.maxOpenOrdersTotal) {
      return deny(
        'MAX_OPEN_ORDERS_TOTAL',
        `${totals.openOrders} open orders in total, the limit is ${limits.maxOpenOrdersTotal}`,
      );
    }
    return null;
  }
}
