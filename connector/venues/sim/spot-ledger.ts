/**
 * @module connector/venues/sim/spot-ledger
 * The spot accounts: a cash account (buys lock quote, sells lock base, fees in quote) and a
 * separate cross-margin account that borrows automatically to sell short or buy on credit, up
 * to liabilities of equity x (maxLeverage - 1), and repays automatically from what fills bring
 * in (Binance AUTO_BORROW_REPAY), interest first. Interest accrues on the hour on every loan
 * outstanding then, at the asset's daily rate / 24, as on Binance cross margin; it is owed
 * beside the loan and counts against equity.
 */
import { Decimal, ZERO } from '../../../core/decimal.js';
import { ExchangeError, invalidArgument } from '../../../core/errors.js';
import type { Account, Position, Side } from '../../../core/exchange.types.js';
import { plannedQuote, type PlannedFill } from './matching-engine.js';
import { remainingOf, type OrderRecord } from './order-record.js';
import type { Ledger, SettledFill } from './sim-ledger.js';
import type { SimMarket } from './sim-market.js';
import type { SpotLedgerState } from './sim-state.js';

/** One asset of a spot account. */
export interface SpotBalance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
  /** Margin account only: amount owed. */
  readonly borrowed: Decimal;
  /** Margin account only: interest owed on the loan, in the same asset. */
  readonly interest: Decimal;
}

interface Holding {
  free: Decimal;
  locked: Decimal;
  borrowed: Decimal;
  interest: Decimal;
}

/** Spot account settings, already validated. */
export interface SpotLedgerSpec {
  readonly balances: Readonly<Record<string, Decimal>>;
  readonly marginBalances: Readonly<Record<string, Decimal>>;
  readonly marginMaxLeverage: number;
  /** Interest per day on a loan of each asset, as a fraction of the amount borrowed. */
  readonly borrowInterestPerDay: (asset: string) => Decimal;
  readonly makerRate: Decimal;
  readonly takerRate: Decimal;
  readonly quoteAsset: string;
}

const FEE_PLACES = 8;
const INTEREST_PLACES = 8;

class SpotWallet {
  readonly holdings = new Map<string, Holding>();

  constructor(start: Readonly<Record<string, Decimal>>) {
    for (const [asset, amount] of Object.entries(start)) {
      this.holdings.set(asset, { free: amount, locked: ZERO, borrowed: ZERO, interest: ZERO });
    }
  }

  get(asset: string): Holding {
    let h = this.holdings.get(asset);
    if (h === undefined) {
      h = { free: ZERO, locked: ZERO, borrowed: ZERO, interest: ZERO };
      this.holdings.set(asset, h);
    }
    return h;
  }

  /** Net value in quote units at `price` per asset. */
  equity(price: (asset: string) => Decimal): Decimal {
    let total = ZERO;
    for (const [asset, h] of this.holdings) {
      total = total.add(h.free.add(h.locked).sub(h.borrowed).sub(h.interest).mul(price(asset)));
    }
    return total;
  }

  liabilities(price: (asset: string) => Decimal): Decimal {
    let total = ZERO;
    for (const [asset, h] of this.holdings) {
      total = total.add(h.borrowed.add(h.interest).mul(price(asset)));
    }
    return total;
  }
}

/** The spot cash and margin accounts of the simulated venue. */
export class SpotLedger implements Ledger {
  private readonly cash: SpotWallet;
  private readonly margin: SpotWallet;
  private readonly spec: SpotLedgerSpec;
  private readonly market: (symbol: string) => SimMarket;
  private readonly priceOf: (asset: string) => Decimal;

  /**
   * @param market looks up a listed market
   * @param priceOf value of one unit of an asset in quote units (zero when unknown)
   */
  constructor(
    spec: SpotLedgerSpec,
    market: (symbol: string) => SimMarket,
    priceOf: (asset: string) => Decimal,
  ) {
    this.spec = spec;
    this.market = market;
    this.priceOf = priceOf;
    this.cash = new SpotWallet(spec.balances);
    this.margin = new SpotWallet(spec.marginBalances);
  }

  admitQuantity(_symbol: string, _side: Side, quantity: Decimal, reduceOnly: boolean): Decimal {
    if (reduceOnly) {
      throw invalidArgument(
        'reduce_only',
        'spot orders cannot be reduce-only; send it to the futures market',
      );
    }
    return quantity;
  }

  reserve(order: OrderRecord, market: SimMarket, plan: readonly PlannedFill[]): void {
    const wallet = order.useMargin ? this.margin : this.cash;
    const { baseAsset, quoteAsset } = market.info;
    const asset = order.side === 'BUY' ? quoteAsset : baseAsset;
    const need =
      order.side === 'SELL'
        ? order.quantity
        : (order.type === 'LIMIT' ? order.quantity.mul(order.price) : plannedQuote(plan)).mul(
            this.spec.takerRate.add(1),
          );
    const h = wallet.get(asset);
    if (h.free.lt(need)) {
      if (!order.useMargin) {
        throw new ExchangeError(
          'INSUFFICIENT_FUNDS',
          `free ${asset} ${h.free.toFixed()} is below the ${need.toFixed()} ${asset} this order needs`,
        );
      }
      this.borrow(asset, need.sub(h.free));
    }
    h.free = h.free.sub(need);
    h.locked = h.locked.add(need);
    order.reserved = need;
  }

  fillable(_order: OrderRecord, wanted: Decimal): Decimal {
    return wanted;
  }

  settle(
    order: OrderRecord,
    market: SimMarket,
    price: Decimal,
    quantity: Decimal,
    isMaker: boolean,
  ): SettledFill {
    const wallet = order.useMargin ? this.margin : this.cash;
    const { baseAsset, quoteAsset } = market.info;
    const value = price.mul(quantity);
    const fee = value
      .mul(isMaker ? this.spec.makerRate : this.spec.takerRate)
      .toDecimalPlaces(FEE_PLACES);
    const released = quantity.gte(remainingOf(order))
      ? order.reserved
      : order.reserved.mul(quantity).div(remainingOf(order));
    order.reserved = order.reserved.sub(released);
    if (order.side === 'BUY') {
      const quote = wallet.get(quoteAsset);
      quote.locked = quote.locked.sub(released);
      quote.free = quote.free.add(released).sub(value).sub(fee);
      this.receive(wallet, baseAsset, quantity);
    } else {
      const base = wallet.get(baseAsset);
      base.locked = base.locked.sub(released);
      this.receive(wallet, quoteAsset, value.sub(fee));
    }
    return { fee, realizedPnl: ZERO };
  }

  release(order: OrderRecord): void {
    if (order.reserved.isZero()) return;
    const wallet = order.useMargin ? this.margin : this.cash;
    const info = this.market(order.symbol).info;
    const h = wallet.get(order.side === 'BUY' ? info.quoteAsset : info.baseAsset);
    h.locked = h.locked.sub(order.reserved);
    h.free = h.free.add(order.reserved);
    order.reserved = ZERO;
  }

  balance(asset: string): Decimal {
    return this.cash.holdings.get(asset)?.free ?? ZERO;
  }

  /** Every asset of the cash account, or of the margin account when `margin` is true. */
  balances(margin: boolean): SpotBalance[] {
    const wallet = margin ? this.margin : this.cash;
    return [...wallet.holdings].map(([asset, h]) => Object.freeze({ asset, ...h }));
  }

  /**
   * Spot has no positions or margin calls in this model: wallet balance is the cash account's
   * value, margin balance the margin account's net equity, available the free quote asset.
   */
  account(): Account {
    return Object.freeze({
      totalWalletBalance: this.cash.equity(this.priceOf),
      totalMarginBalance: this.margin.equity(this.priceOf),
      availableBalance: this.balance(this.spec.quoteAsset),
      positions: Object.freeze([]) as readonly Position[],
      accountLeverage: 1,
      isUnified: false,
      totalMaintenanceMargin: ZERO,
    });
  }

  positions(): Position[] {
    return [];
  }

  /**
   * One hour of interest on every margin loan outstanding now: borrowed x daily rate / 24.
   * @returns the assets charged
   */
  accrueHourlyInterest(): string[] {
    const charged: string[] = [];
    for (const [asset, h] of this.margin.holdings) {
      if (!h.borrowed.gt(0)) continue;
      const charge = h.borrowed
        .mul(this.spec.borrowInterestPerDay(asset))
        .div(24)
        .toDecimalPlaces(INTEREST_PLACES, Decimal.ROUND_UP);
      if (charge.isZero()) continue;
      h.interest = h.interest.add(charge);
      charged.push(asset);
    }
    return charged;
  }

  /** Free, locked, borrowed and interest amounts of every asset of both accounts. */
  saveState(): SpotLedgerState {
    const dump = (w: SpotWallet): SpotLedgerState['cash'] =>
      [...w.holdings].map(([asset, h]) => ({
        asset,
        free: h.free.toString(),
        locked: h.locked.toString(),
        borrowed: h.borrowed.toString(),
        interest: h.interest.toString(),
      }));
    return { cash: dump(this.cash), margin: dump(this.margin) };
  }

  /** Replaces both accounts with saved ones (the configured starting balances are dropped). */
  restoreState(saved: SpotLedgerState): void {
    const load = (w: SpotWallet, holdings: SpotLedgerState['cash']): void => {
      w.holdings.clear();
      for (const h of holdings) {
        w.holdings.set(h.asset, {
          free: new Decimal(h.free),
          locked: new Decimal(h.locked),
          borrowed: new Decimal(h.borrowed),
          interest: new Decimal(h.interest ?? '0'),
        });
      }
    };
    load(this.cash, saved.cash);
    load(this.margin, saved.margin);
  }

  private borrow(asset: string, amount: Decimal): void {
    const equity = this.margin.equity(this.priceOf);
    const after = this.margin.liabilities(this.priceOf).add(amount.mul(this.priceOf(asset)));
    const limit = equity.mul(this.spec.marginMaxLeverage - 1);
    if (after.gt(limit)) {
      throw new ExchangeError(
        'INSUFFICIENT_FUNDS',
        `margin borrow of ${amount.toFixed()} ${asset} would take liabilities to ${after.toFixed(2)} ${this.spec.quoteAsset}, above the ${limit.toFixed(2)} allowed at ${this.spec.marginMaxLeverage}x`,
      );
    }
    const h = this.margin.get(asset);
    h.borrowed = h.borrowed.add(amount);
    h.free = h.free.add(amount);
  }

  /** Credits an asset, repaying any margin interest and then the loan in it first. */
  private receive(wallet: SpotWallet, asset: string, amount: Decimal): void {
    const h = wallet.get(asset);
    const interest = Decimal.min(h.interest, amount);
    h.interest = h.interest.sub(interest);
    const repay = Decimal.min(h.borrowed, amount.sub(interest));
    h.borrowed = h.borrowed.sub(repay);
    h.free = h.free.add(amount.sub(interest).sub(repay));
  }
}
