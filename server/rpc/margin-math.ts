/**
 * @module server/rpc/margin-math
 * The account's margin health and what proposed position changes would do to it, in the
 * original's terms (original-facts §4 "Margin simulation") with its dubious parts fixed: adjusted
 * equity is the margin balance (a position change moves margin, not equity, so a short no longer
 * "adds" equity); health = 1 − maintenance × 1.2 ÷ equity, within [0, 1]; headroom = what equity
 * exceeds maintenance by, less a 20 % safety buffer; a simulation liquidates when the projected
 * maintenance margin reaches equity. Maintenance of a change uses the account's own rate
 * (maintenance ÷ position notional) when it holds positions, else 5 % (the original's default).
 * Pure: decimal.js only.
 */
import { dec, Decimal, ZERO } from '../../core/decimal.js';
import type { Account } from '../../core/exchange.types.js';

/** Maintenance-margin rate assumed when the account holds nothing to derive it from. */
export const DEFAULT_MAINTENANCE_RATE = dec('0.05');
/** Share of the spare equity kept back from the headroom. */
export const SAFETY_BUFFER = dec('0.2');
const STRESS = dec('1.2');
const ONE = dec(1);

/** The account's margin health now. */
export interface MarginProfile {
  readonly adjustedEquity: Decimal;
  readonly maintenanceMargin: Decimal;
  readonly headroom: Decimal;
  /** 0 (at liquidation) to 1 (no maintenance margin). */
  readonly health: Decimal;
  readonly unified: boolean;
}

function health(maintenance: Decimal, equity: Decimal): Decimal {
  if (!equity.gt(0)) return ZERO;
  return Decimal.max(ZERO, Decimal.min(ONE, ONE.sub(maintenance.mul(STRESS).div(equity))));
}

/** The account's margin profile. */
export function marginProfile(account: Account): MarginProfile {
  const equity = account.totalMarginBalance;
  const maintenance = account.totalMaintenanceMargin;
  const spare = Decimal.max(ZERO, equity.sub(maintenance));
  return {
    adjustedEquity: equity,
    maintenanceMargin: maintenance,
    headroom: spare.mul(ONE.sub(SAFETY_BUFFER)),
    health: health(maintenance, equity),
    unified: account.isUnified,
  };
}

/** The maintenance rate the account's positions imply, else the default. */
export function maintenanceRate(account: Account): Decimal {
  const notional = account.positions.reduce(
    (sum, p) => sum.add(p.size.abs().mul(p.markPrice)),
    ZERO,
  );
  return notional.gt(0) && account.totalMaintenanceMargin.gt(0)
    ? account.totalMaintenanceMargin.div(notional)
    : DEFAULT_MAINTENANCE_RATE;
}

/** What a set of position changes would do. */
export interface MarginProjection {
  readonly maintenanceMargin: Decimal;
  readonly health: Decimal;
  readonly liquidates: boolean;
}

/**
 * Projects position changes onto the account.
 * @param account - the account now
 * @param changes - signed base-unit change per symbol, with the price to value it at
 */
export function simulateMargin(
  account: Account,
  changes: readonly { readonly symbol: string; readonly delta: Decimal; readonly price: Decimal }[],
): MarginProjection {
  const rate = maintenanceRate(account);
  let maintenance = account.totalMaintenanceMargin;
  for (const { symbol, delta, price } of changes) {
    const size = account.positions.find((p) => p.symbol === symbol)?.size ?? ZERO;
    const grown = size.add(delta).abs().sub(size.abs());
    maintenance = Decimal.max(ZERO, maintenance.add(grown.mul(price).mul(rate)));
  }
  const equity = account.totalMarginBalance;
  return {
    maintenanceMargin: maintenance,
    health: health(maintenance, equity),
    liquidates: !equity.gt(0) || maintenance.gte(equity),
  };
}
