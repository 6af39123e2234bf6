/**
 * @module actors/risk/safety-checker
 * The checks a grid passes before it starts (and on every `POST /symbols`), pure: every violation
 * is returned, each naming the parameter and the numbers, so a refusal tells the user what to
 * change. Unlike the original, it runs whether or not a position already exists.
 *
 * - Net profit of one round trip after maker fees on both legs must be positive at every level;
 *   the worst level is the highest (fees grow with price).
 * - Leverage at most the configured cap.
 * - The balance carries the grid: the margin of every level open at once (Σ quantity × level
 *   price / leverage) within the allowed share of the available balance.
 * - Every order meets the venue's minimum quantity and minimum notional; the lowest level is
 *   above zero.
 */
import { Decimal, toPlain } from '../../core/decimal.js';
import type { SymbolInfo } from '../../core/exchange.types.js';
import type { GridConfig } from '../engine/symbol.config.js';

/** What the check looks at. Amounts in quote units unless said otherwise. */
export interface SafetyInput {
  readonly grid: GridConfig;
  /** The venue's filters for the symbol. */
  readonly filters: SymbolInfo;
  /** Maker fee rate, a fraction (0.0002 = 0.02 %). */
  readonly makerFeeRate: Decimal;
  /** Available balance of the quote asset. */
  readonly availableBalance: Decimal;
  /** The account leverage the grid trades with (1 for spot). */
  readonly leverage: number;
  /** `risk.safety.max_leverage`. */
  readonly maxLeverage: number;
  /** `risk.safety.max_balance_use_pct`, percent. */
  readonly maxBalanceUsePct: Decimal;
  /** The market price; the anchor when the grid names none. */
  readonly marketPrice: Decimal;
}

/** One reason the grid may not start. */
export interface SafetyViolation {
  /** The config key or account value at fault, e.g. `grid.interval`, `leverage`. */
  readonly parameter: string;
  /** A sentence with the numbers and what to change. */
  readonly message: string;
  /** The numbers, as decimal strings. */
  readonly values: Readonly<Record<string, string>>;
}

const plain = (d: Decimal): string => toPlain(d.toDecimalPlaces(8));

/**
 * The lattice levels a grid opens orders at, as prices (level 0, the anchor, has no slot).
 * @param grid - the grid
 * @param anchor - the anchor price
 * @returns level prices, lowest first
 */
export function gridLevelPrices(grid: GridConfig, anchor: Decimal): Decimal[] {
  const interval = new Decimal(grid.interval);
  const levels: Decimal[] = [];
  for (let k = -grid.levelsBelow; k <= grid.levelsAbove; k++) {
    if (k !== 0) levels.push(anchor.add(interval.mul(k)));
  }
  return levels;
}

/**
 * Checks a grid against fees, leverage, balance and the venue's minimums.
 * @param input - the grid and what it trades against
 * @returns every violation; empty when the grid may start
 */
export function checkGridSafety(input: SafetyInput): SafetyViolation[] {
  const { grid, filters, makerFeeRate, availableBalance, leverage, maxLeverage } = input;
  const violations: SafetyViolation[] = [];
  const anchor = grid.anchorPrice === null ? input.marketPrice : new Decimal(grid.anchorPrice);
  const quantity = new Decimal(grid.orderQuantity);
  const interval = new Decimal(grid.interval);
  const levels = gridLevelPrices(grid, anchor);
  const lowest = levels[0];
  const highest = levels.at(-1);
  if (!lowest || !highest) return violations;

  if (!lowest.gt(0)) {
    violations.push({
      parameter: 'grid.levels_below',
      message:
        `the lowest level ${plain(lowest)} = anchor ${plain(anchor)} - ${grid.levelsBelow} × ` +
        `${plain(interval)} is not a price; use fewer levels below or a smaller interval`,
      values: { lowest_level: plain(lowest), anchor: plain(anchor) },
    });
  }

  // Worst level for fees is the highest: buy there, sell one interval up
  const fees = highest.add(highest.add(interval)).mul(quantity).mul(makerFeeRate);
  const gross = interval.mul(quantity);
  const net = gross.sub(fees);
  if (!net.gt(0)) {
    const breakEven = highest.mul(2).mul(makerFeeRate).div(new Decimal(1).sub(makerFeeRate));
    violations.push({
      parameter: 'grid.interval',
      message:
        `a round trip at level ${plain(highest)} earns ${plain(gross)} but pays ${plain(fees)} ` +
        `in maker fees (rate ${plain(makerFeeRate)} on both legs), net ${plain(net)} ≤ 0; ` +
        `raise the interval above ${plain(breakEven)}`,
      values: { gross: plain(gross), fees: plain(fees), net: plain(net), level: plain(highest) },
    });
  }

  if (!(leverage >= 1) || leverage > maxLeverage) {
    violations.push({
      parameter: 'leverage',
      message: `account leverage ${leverage} is above the cap ${maxLeverage} (risk.safety.max_leverage); lower it on the venue`,
      values: { leverage: String(leverage), max_leverage: String(maxLeverage) },
    });
  }

  const notional = levels.reduce((sum, price) => sum.add(price.mul(quantity)), new Decimal(0));
  const margin = notional.div(Math.max(1, leverage));
  const usable = availableBalance.mul(input.maxBalanceUsePct).div(100);
  if (margin.gt(usable)) {
    violations.push({
      parameter: 'grid.order_quantity',
      message:
        `${levels.length} levels × ${plain(quantity)} need ${plain(margin)} of margin at ` +
        `leverage ${leverage}, but ${plain(usable)} is usable (${plain(input.maxBalanceUsePct)}% ` +
        `of available ${plain(availableBalance)}); use fewer levels or a smaller quantity`,
      values: {
        required_margin: plain(margin),
        usable: plain(usable),
        available: plain(availableBalance),
      },
    });
  }

  if (quantity.lt(filters.minQuantity)) {
    violations.push({
      parameter: 'grid.order_quantity',
      message: `order quantity ${plain(quantity)} is below the venue minimum ${plain(filters.minQuantity)}`,
      values: { order_quantity: plain(quantity), min_quantity: plain(filters.minQuantity) },
    });
  }
  const smallest = lowest.mul(quantity);
  if (lowest.gt(0) && smallest.lt(filters.minNotional)) {
    violations.push({
      parameter: 'grid.order_quantity',
      message:
        `the order at the lowest level is worth ${plain(smallest)} (${plain(quantity)} × ` +
        `${plain(lowest)}), below the venue minimum notional ${plain(filters.minNotional)}; raise the quantity`,
      values: { notional: plain(smallest), min_notional: plain(filters.minNotional) },
    });
  }
  return violations;
}
