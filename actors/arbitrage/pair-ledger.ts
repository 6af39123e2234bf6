/**
 * @module actors/arbitrage/pair-ledger
 * The money of one arbitrage pair, as plain JSON the pair persists with its state: the quote cash
 * its leg orders moved (sells in, buys out), the fees it paid in quote, the funding its perp legs
 * received or paid at each settlement, and the last settlement accounted per leg. Net PnL is
 * cash + funding − quote fees + what the legs hold at the current prices. Pure.
 *
 * Funding is accounted from what the funding monitor saw: at a settlement the leg's position
 * receives −position × price × rate, with the rate and price of the period that settled (a short
 * receives a positive rate). The venue's own funding ledger is not on the port yet.
 */
import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { LegKey } from '../../machines/arbitrage-pair.js';
import type { LegExecution } from './leg-execution.js';

/** Decimal strings, quote units unless named otherwise. */
export interface PairLedger {
  /** Quote received by sells minus quote paid by buys. */
  readonly cash: string;
  /** Fees paid in the quote asset (base-asset fees already lower the legs' holdings). */
  readonly fees: string;
  /** Funding received (positive) or paid (negative), all settlements summed. */
  readonly funding: string;
  /** Settlements accounted. */
  readonly settlements: number;
  /** Per perp leg: the settlement time last accounted, epoch ms (0 before the first). */
  readonly settledAtMs: Readonly<Record<LegKey, number>>;
}

export const EMPTY_LEDGER: PairLedger = {
  cash: '0',
  fees: '0',
  funding: '0',
  settlements: 0,
  settledAtMs: { a: 0, b: 0 },
};

/** The ledger after the leg orders of one cycle. */
export function withExecutions(
  ledger: PairLedger,
  executions: readonly LegExecution[],
): PairLedger {
  let cash = dec(ledger.cash);
  let fees = dec(ledger.fees);
  for (const e of executions) {
    const value = dec(e.executedQty).mul(e.avgPrice);
    cash = e.side === 'SELL' ? cash.add(value) : cash.sub(value);
    // feeQuote values base fees too; those already lowered the holding, so count them once
    fees = fees.add(dec(e.feeQuote).sub(dec(e.feeBase).mul(e.avgPrice)));
  }
  return { ...ledger, cash: toPlain(cash), fees: toPlain(fees) };
}

/** A perp leg's funding as the monitor last saw it, before the settlement it names. */
export interface LegFundingSeen {
  readonly leg: LegKey;
  /** The next settlement the leg's rate applies to, epoch ms. */
  readonly nextFundingTimeMs: number;
  readonly rate: Decimal;
  readonly price: Decimal | null;
  /** The leg's signed position, base units. */
  readonly position: Decimal;
}

/**
 * Accounts the settlement `seen` named once it has passed.
 * @param seen - the leg's funding before the settlement (rate and price of the settling period)
 * @param nowMs - now, epoch ms
 * @returns the ledger, and the payment when a settlement was accounted
 */
export function withSettlement(
  ledger: PairLedger,
  seen: LegFundingSeen,
  nowMs: number,
): { ledger: PairLedger; payment: Decimal | null } {
  const at = seen.nextFundingTimeMs;
  if (at <= 0 || at > nowMs || at <= ledger.settledAtMs[seen.leg]) {
    return { ledger, payment: null };
  }
  const settledAtMs = { ...ledger.settledAtMs, [seen.leg]: at };
  if (seen.position.isZero() || seen.price === null) {
    return { ledger: { ...ledger, settledAtMs }, payment: null };
  }
  const payment = seen.position.neg().mul(seen.price).mul(seen.rate);
  return {
    ledger: {
      ...ledger,
      funding: toPlain(dec(ledger.funding).add(payment)),
      settlements: ledger.settlements + 1,
      settledAtMs,
    },
    payment,
  };
}

/**
 * Net PnL: cash + funding − fees + the legs marked at `prices`.
 * @returns null while a held leg has no price
 */
export function netPnl(
  ledger: PairLedger,
  positions: Readonly<Record<LegKey, Decimal>>,
  prices: Readonly<Record<LegKey, Decimal | null>>,
): Decimal | null {
  let marked = ZERO;
  for (const leg of ['a', 'b'] as const) {
    if (positions[leg].isZero()) continue;
    const price = prices[leg];
    if (price === null) return null;
    marked = marked.add(positions[leg].mul(price));
  }
  return dec(ledger.cash).add(ledger.funding).sub(ledger.fees).add(marked);
}
