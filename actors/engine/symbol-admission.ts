/**
 * @module actors/engine/symbol-admission
 * The checks a symbol passes before the engine trades it: the venue lists it, and its grid fits
 * the venue's filters (tick, step, minimum quantity and notional). A refusal names each field
 * and how to fix it, so the admin API can return it as is.
 */
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import { dec, toPlain, type Decimal } from '../../core/decimal.js';
import { checkGridSafety } from '../risk/safety-checker.js';
import type { SymbolId } from '../../core/types.js';
import { venueFitProblems, type GridConfig } from './symbol.config.js';

/** The safety checker's limits (`risk.safety`). */
export interface GridSafetyPolicy {
  readonly maxLeverage: number;
  /** Percent of the available balance the grid's margin may use. */
  readonly maxBalanceUsePct: Decimal;
  /** Maker fee rate assumed for both legs of a round trip, a fraction. */
  readonly makerFeeRate: Decimal;
}

/** One traded symbol and its grid. */
export interface SymbolEntry {
  readonly symbol: SymbolId;
  readonly grid: GridConfig;
}

/**
 * A request about a symbol that cannot be honoured: `invalid` (the request is wrong: unknown
 * symbol, grid not fitting the venue), `conflict` (it clashes with the symbol's current state)
 * or `unavailable` (the venue could not be asked, or did not confirm what the change needs).
 */
export class SymbolRequestError extends Error {
  readonly kind: 'invalid' | 'conflict' | 'unavailable';
  /** One "field: reason" per problem. */
  readonly problems: readonly string[];

  constructor(kind: 'invalid' | 'conflict' | 'unavailable', problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'SymbolRequestError';
    this.kind = kind;
    this.problems = problems;
  }
}

/**
 * Checks that `grid` can trade `symbol` on the venue.
 * @param exchange - the venue port
 * @param symbol - the symbol to trade
 * @param grid - its grid config
 * @param keptAnchor - the anchor of the symbol's persisted lattice when the grid keeps it;
 *   null when a new lattice will be anchored (at `anchor_price` or the market)
 * @param safety - when given, the safety checker runs too (fees, leverage, balance, minimums)
 * @throws {SymbolRequestError} `invalid`, naming each problem
 * @throws {ExchangeError} when the venue cannot be asked (not an answer about the request)
 */
export async function admitGrid(
  exchange: Exchange,
  symbol: SymbolId,
  grid: GridConfig,
  keptAnchor: string | null = null,
  safety: GridSafetyPolicy | null = null,
) {
  let info;
  try {
    info = await exchange.getSymbolInfo(symbol);
  } catch (e) {
    if (
      e instanceof ExchangeError &&
      (e.reason === 'UNKNOWN_SYMBOL' || e.reason === 'INVALID_ARGUMENT')
    ) {
      throw new SymbolRequestError('invalid', [
        `symbol: ${symbol} is not listed on ${exchange.name}; use one of its symbols, e.g. BTCUSDT`,
      ]);
    }
    throw e;
  }
  const price = toPlain(await exchange.getLatestPrice(symbol));
  const problems =
    keptAnchor === null
      ? venueFitProblems(grid, info, price)
      : venueFitProblems(grid, info, price, keptAnchor);
  if (problems.length === 0 && safety !== null) {
    problems.push(
      ...(await safetyProblems(exchange, symbol, grid, info, price, keptAnchor, safety)),
    );
  }
  if (problems.length > 0) throw new SymbolRequestError('invalid', problems);
}

/** The safety checker's violations as "parameter: message" problems. */
async function safetyProblems(
  exchange: Exchange,
  symbol: SymbolId,
  grid: GridConfig,
  info: Awaited<ReturnType<Exchange['getSymbolInfo']>>,
  price: string,
  keptAnchor: string | null,
  safety: GridSafetyPolicy,
): Promise<string[]> {
  const [account, positions] = await Promise.all([
    exchange.getAccount(),
    exchange.getPositions(symbol),
  ]);
  const leverage = positions.find((p) => p.symbol === symbol)?.leverage ?? account.accountLeverage;
  const violations = checkGridSafety({
    grid: keptAnchor === null ? grid : { ...grid, anchorPrice: keptAnchor },
    filters: info,
    makerFeeRate: safety.makerFeeRate,
    availableBalance: account.availableBalance,
    leverage,
    maxLeverage: safety.maxLeverage,
    maxBalanceUsePct: safety.maxBalanceUsePct,
    marketPrice: dec(price),
  });
  return violations.map((v) => `${v.parameter}: ${v.message}`);
}
