/**
 * @module actors/orders/order-judge
 * What one report does to one order, decided by the order status table: the verdict (applied,
 * duplicate, stale, illegal, unknown) and the order as it would be after it. Fills only ever
 * grow, a known venue order id is never replaced (a different one is a contradiction), and a
 * report about an order the ledger never held can only be taken when it describes the order.
 * Pure: the ledger persists and mirrors what this returns.
 */
import { dec, toPlain } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import type { LedgerOrder, OrderReport, ReportOutcome } from './order-ledger.types.js';
import { transition, type FromStatus, type LedgerStatus } from './order-status.table.js';

/** A report's verdict, the order after it (the current one unless applied), and where it was. */
export interface Judgement {
  readonly outcome: ReportOutcome;
  readonly next: LedgerOrder | undefined;
  readonly from: FromStatus;
}

/** Where and when a judgement is made. */
export interface JudgeContext {
  readonly venue: string;
  readonly symbol: SymbolId;
  readonly nowMs: number;
}

/**
 * Judges `report` against `current`.
 * @param current - the order as the ledger holds it, or undefined when it holds none
 * @param report - what was reported
 * @param context - the venue and symbol the ledger tracks, and the time
 */
export function judgeReport(
  current: LedgerOrder | undefined,
  report: OrderReport,
  context: JudgeContext,
): Judgement {
  const from: FromStatus = current?.status ?? 'INITIALIZED';
  const base = current ?? fromDetails(report, context);
  if (!base) return { outcome: 'unknown', next: undefined, from };
  if (
    current?.venueOrderId &&
    report.venueOrderId &&
    current.venueOrderId !== report.venueOrderId
  ) {
    return { outcome: 'illegal', next: undefined, from };
  }
  let to: LedgerStatus;
  if (from === report.trigger) to = from;
  else {
    const verdict = transition(from, report.trigger);
    if (verdict.kind !== 'apply') return { outcome: verdict.kind, next: undefined, from };
    to = verdict.to;
  }
  const next = merge(base, report, to, context.nowMs);
  const changed =
    current === undefined ||
    next.status !== current.status ||
    next.filledQuantity !== current.filledQuantity ||
    next.avgPrice !== current.avgPrice ||
    next.venueOrderId !== current.venueOrderId ||
    next.rejectReason !== current.rejectReason;
  return { outcome: changed ? 'applied' : 'duplicate', next: changed ? next : current, from };
}

/** The order after an applied report: fills only grow, a known venue id is kept. */
function merge(base: LedgerOrder, report: OrderReport, to: LedgerStatus, nowMs: number) {
  const reported = report.filledQuantity === undefined ? null : dec(report.filledQuantity);
  const grew = reported !== null && reported.gt(base.filledQuantity);
  const filled = grew ? reported : dec(base.filledQuantity);
  // A live order with fills is partially filled, whatever a cancel refusal reported it as
  const status = to === 'NEW' && filled.gt(0) ? 'PARTIALLY_FILLED' : to;
  const order: LedgerOrder = {
    ...base,
    status,
    venueOrderId: base.venueOrderId ?? report.venueOrderId ?? null,
    filledQuantity: toPlain(filled),
    avgPrice: grew && report.avgPrice !== undefined ? report.avgPrice : base.avgPrice,
    rejectReason: status === 'REJECTED' ? (report.reason ?? 'ORDER_REJECTED') : base.rejectReason,
    revision: base.revision + 1,
    updatedAtMs: nowMs,
  };
  return order;
}

/** An order the ledger never held, built from the report's details (an adopted order). */
function fromDetails(report: OrderReport, context: JudgeContext): LedgerOrder | undefined {
  const details = report.details;
  if (!details) return undefined;
  return {
    ...details,
    clientOrderId: report.clientOrderId,
    venue: context.venue,
    symbol: context.symbol,
    venueOrderId: null,
    filledQuantity: '0',
    avgPrice: null,
    status: 'SUBMITTED',
    rejectReason: null,
    revision: 0,
    updatedAtMs: context.nowMs,
  };
}
