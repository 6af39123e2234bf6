/**
 * @module connector/venues/sim/futures-ledger
 * The USDT-perpetual account: one cross-margin wallet, one-way positions (signed size, weighted
 * average entry), initial margin reserved by open orders, fees in USDT, realized PnL on closing
 * fills, funding payments and a cross liquidation price. Binance USDⓈ-M semantics, simplified to
 * one maintenance-margin rate per account instead of tiers.
 *
 * Liquidation price of a position in symbol i (cross, one-way), solving
 * `marginBalance = maintenanceMargin` with every other position held at its mark:
 *   W' = wallet + uPnL(others) - MM(others)
 *   long  (s > 0): P = (s x entry - W') / (s x (1 - mmr))
 *   short (s < 0): P = (W' + |s| x entry) / (|s| x (1 + mmr))
 * reported as zero when P <= 0 (the position cannot be liquidated).
 */
import { Decimal, ZERO } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Account, Position, Side } from '../../../core/exchange.types.js';
import type { PlannedFill } from './matching-engine.js';
import { plannedQuantity, plannedQuote } from './matching-engine.js';
import { remainingOf, type OrderRecord } from './order-record.js';
import type { Ledger, SettledFill } from './sim-ledger.js';
import type { SimMarket } from './sim-market.js';
import type { FuturesLedgerState } from './sim-state.js';

interface PositionState {
  size: Decimal;
  entry: Decimal;
}

/** Futures account settings, already validated. */
export interface FuturesLedgerSpec {
  readonly walletBalance: Decimal;
  readonly leverage: number;
  readonly leverageBySymbol: Readonly<Record<string, number>>;
  readonly maintenanceMarginRate: Decimal;
  readonly makerRate: Decimal;
  readonly takerRate: Decimal;
  readonly quoteAsset: string;
}

const BPS_PLACES = 8;

/** The futures account of the simulated venue. */
export class FuturesLedger implements Ledger {
  private wallet: Decimal;
  private orderMargin = ZERO;
  private readonly positionsBySymbol = new Map<string, PositionState>();
  /** Leverage a restored position was opened with, kept even if the config changed since. */
  private readonly restoredLeverage = new Map<string, number>();
  private readonly spec: FuturesLedgerSpec;
  private readonly market: (symbol: string) => SimMarket;

  /** @param market looks up a listed market (for mark prices) */
  constructor(spec: FuturesLedgerSpec, market: (symbol: string) => SimMarket) {
    this.spec = spec;
    this.market = market;
    this.wallet = spec.walletBalance;
  }

  /** Leverage of a symbol. */
  leverage(symbol: string): number {
    return (
      this.restoredLeverage.get(symbol) ?? this.spec.leverageBySymbol[symbol] ?? this.spec.leverage
    );
  }

  admitQuantity(symbol: string, side: Side, quantity: Decimal, reduceOnly: boolean): Decimal {
    if (!reduceOnly) return quantity;
    const reducible = this.reducible(symbol, side);
    if (reducible.lte(0)) {
      const size = this.position(symbol).size;
      throw new ExchangeError(
        'REDUCE_ONLY_REJECTED',
        `reduce-only ${side} ${symbol} would ${size.isZero() ? 'open' : 'increase'} a position (size ${size.toFixed()})`,
        { field: 'reduce_only' },
      );
    }
    return Decimal.min(quantity, reducible);
  }

  reserve(order: OrderRecord, market: SimMarket, plan: readonly PlannedFill[]): void {
    const qty = order.quantity;
    const planned = plannedQuantity(plan);
    const refPrice =
      order.type === 'LIMIT'
        ? order.price
        : planned.gt(0)
          ? plannedQuote(plan).div(planned)
          : market.mid.price;
    const closing = order.reduceOnly
      ? qty
      : Decimal.min(qty, this.reducible(order.symbol, order.side));
    const margin = qty.sub(closing).mul(refPrice).div(this.leverage(order.symbol));
    const fee = qty.mul(refPrice).mul(this.spec.takerRate);
    const available = this.available();
    if (available.lt(margin.add(fee))) {
      throw new ExchangeError(
        'INSUFFICIENT_FUNDS',
        `available balance ${available.toFixed(2)} USDT is below the ${margin.add(fee).toFixed(2)} USDT initial margin and fee this order needs`,
      );
    }
    order.reserved = margin;
    this.orderMargin = this.orderMargin.add(margin);
  }

  fillable(order: OrderRecord, wanted: Decimal): Decimal {
    return order.reduceOnly
      ? Decimal.min(wanted, this.reducible(order.symbol, order.side))
      : wanted;
  }

  settle(
    order: OrderRecord,
    market: SimMarket,
    price: Decimal,
    quantity: Decimal,
    isMaker: boolean,
  ): SettledFill {
    if (order.reserved.gt(0)) {
      const released = quantity.gte(remainingOf(order))
        ? order.reserved
        : order.reserved.mul(quantity).div(remainingOf(order));
      order.reserved = order.reserved.sub(released);
      this.orderMargin = this.orderMargin.sub(released);
    }
    const fee = price
      .mul(quantity)
      .mul(isMaker ? this.spec.makerRate : this.spec.takerRate)
      .toDecimalPlaces(BPS_PLACES);
    const realizedPnl = this.applyToPosition(market.info.symbol, order.side, price, quantity);
    this.wallet = this.wallet.add(realizedPnl).sub(fee);
    return { fee, realizedPnl };
  }

  release(order: OrderRecord): void {
    this.orderMargin = this.orderMargin.sub(order.reserved);
    order.reserved = ZERO;
  }

  balance(asset: string): Decimal {
    return asset === this.spec.quoteAsset ? this.available() : ZERO;
  }

  /**
   * Pays or receives funding on the position of `symbol`: longs pay shorts when `rate` > 0.
   * @returns the wallet change (zero without a position)
   */
  applyFunding(symbol: string, rate: Decimal, mark: Decimal): Decimal {
    const p = this.positionsBySymbol.get(symbol);
    if (p === undefined || p.size.isZero()) return ZERO;
    const payment = p.size.mul(mark).mul(rate).neg().toDecimalPlaces(BPS_PLACES);
    this.wallet = this.wallet.add(payment);
    return payment;
  }

  /** True when positions are open and margin balance fell below maintenance margin. */
  belowMaintenance(): boolean {
    if (this.positionsBySymbol.size === 0) return false;
    return this.marginBalance().lt(this.totalMaintenance());
  }

  /** Symbols with an open position, listing order of first fill. */
  openSymbols(): string[] {
    return [...this.positionsBySymbol.keys()];
  }

  /** After a liquidation the insurance fund absorbs a negative wallet. */
  floorWalletAtZero(): void {
    if (this.wallet.isNegative()) this.wallet = ZERO;
  }

  /** Signed position size of a symbol (zero when flat). */
  positionSize(symbol: string): Decimal {
    return this.position(symbol).size;
  }

  account(): Account {
    return Object.freeze({
      totalWalletBalance: this.wallet,
      totalMarginBalance: this.marginBalance(),
      availableBalance: this.available(),
      positions: Object.freeze(this.positions()),
      accountLeverage: this.spec.leverage,
      isUnified: false,
      totalMaintenanceMargin: this.totalMaintenance(),
    });
  }

  positions(symbol?: string): Position[] {
    if (symbol !== undefined && symbol !== '') return [this.snapshot(symbol)];
    return [...this.positionsBySymbol.keys()].map((s) => this.snapshot(s));
  }

  /** Wallet, margin held by open orders and every position with its entry and leverage. */
  saveState(): FuturesLedgerState {
    return {
      wallet: this.wallet.toString(),
      orderMargin: this.orderMargin.toString(),
      positions: [...this.positionsBySymbol].map(([symbol, p]) => ({
        symbol,
        size: p.size.toString(),
        entry: p.entry.toString(),
        leverage: this.leverage(symbol),
      })),
    };
  }

  /** Replaces the account with a saved one (symbols are checked by the caller). */
  restoreState(saved: FuturesLedgerState): void {
    this.wallet = new Decimal(saved.wallet);
    this.orderMargin = new Decimal(saved.orderMargin);
    this.positionsBySymbol.clear();
    this.restoredLeverage.clear();
    for (const p of saved.positions) {
      const size = new Decimal(p.size);
      if (size.isZero()) continue;
      this.positionsBySymbol.set(p.symbol, { size, entry: new Decimal(p.entry) });
      this.restoredLeverage.set(p.symbol, p.leverage);
    }
  }

  /** Quantity an order of `side` can close: the position size when the side reduces it. */
  private reducible(symbol: string, side: Side): Decimal {
    const size = this.position(symbol).size;
    if (side === 'BUY') return size.isNegative() ? size.neg() : ZERO;
    return size.isPositive() && !size.isZero() ? size : ZERO;
  }

  private applyToPosition(symbol: string, side: Side, price: Decimal, quantity: Decimal): Decimal {
    const p = this.position(symbol);
    const delta = side === 'BUY' ? quantity : quantity.neg();
    let realized = ZERO;
    if (p.size.isZero() || p.size.isNegative() === delta.isNegative()) {
      const total = p.size.abs().add(quantity);
      p.entry = p.size.abs().mul(p.entry).add(quantity.mul(price)).div(total);
    } else {
      const closed = Decimal.min(quantity, p.size.abs());
      realized = closed.mul(price.sub(p.entry)).mul(p.size.isNegative() ? -1 : 1);
      if (quantity.gt(p.size.abs())) p.entry = price;
    }
    p.size = p.size.add(delta);
    if (p.size.isZero()) this.positionsBySymbol.delete(symbol);
    else this.positionsBySymbol.set(symbol, p);
    return realized;
  }

  private position(symbol: string): PositionState {
    return this.positionsBySymbol.get(symbol) ?? { size: ZERO, entry: ZERO };
  }

  private unrealized(symbol: string, p: PositionState): Decimal {
    return p.size.mul(this.market(symbol).mid.price.sub(p.entry));
  }

  private maintenance(symbol: string, p: PositionState): Decimal {
    return p.size.abs().mul(this.market(symbol).mid.price).mul(this.spec.maintenanceMarginRate);
  }

  private marginBalance(): Decimal {
    let total = this.wallet;
    for (const [s, p] of this.positionsBySymbol) total = total.add(this.unrealized(s, p));
    return total;
  }

  private totalMaintenance(): Decimal {
    let total = ZERO;
    for (const [s, p] of this.positionsBySymbol) total = total.add(this.maintenance(s, p));
    return total;
  }

  private available(): Decimal {
    let positionMargin = ZERO;
    for (const [s, p] of this.positionsBySymbol) {
      positionMargin = positionMargin.add(
        p.size.abs().mul(this.market(s).mid.price).div(this.leverage(s)),
      );
    }
    return this.marginBalance().sub(positionMargin).sub(this.orderMargin);
  }

  private snapshot(symbol: string): Position {
    const p = this.position(symbol);
    const mark = this.market(symbol).mid.price;
    return Object.freeze({
      symbol,
      size: p.size,
      entryPrice: p.entry,
      markPrice: mark,
      unrealizedPnl: this.unrealized(symbol, p),
      leverage: this.leverage(symbol),
      marginType: 'cross',
      isolatedMargin: ZERO,
      liquidationPrice: this.liquidationPrice(symbol, p),
    });
  }

  private liquidationPrice(symbol: string, p: PositionState): Decimal {
    if (p.size.isZero()) return ZERO;
    let others = this.wallet;
    for (const [s, q] of this.positionsBySymbol) {
      if (s !== symbol) others = others.add(this.unrealized(s, q)).sub(this.maintenance(s, q));
    }
    const mmr = this.spec.maintenanceMarginRate;
    const abs = p.size.abs();
    const price = p.size.isPositive()
      ? abs
          .mul(p.entry)
          .sub(others)
          .div(abs.mul(Decimal.sub(1, mmr)))
      : others.add(abs.mul(p.entry)).div(abs.mul(mmr.add(1)));
    const tick = this.market(symbol).info.tickSize;
    return price.lte(0) ? ZERO : price.toDecimalPlaces(tick.decimalPlaces(), Decimal.ROUND_HALF_UP);
  }
}
