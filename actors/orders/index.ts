/**
 * @module actors/orders
 * Our orders, tracked in one place: the order status table and the per-symbol order ledger that
 * applies it to the persisted order index and answers open orders, in-flight orders, lookups by
 * either id and exposure.
 */
export { OrderLedger, type LedgerMetrics, type OrderLedgerOptions } from './order-ledger.js';
export type {
  AppliedReport,
  ExposureSummary,
  LedgerOrder,
  OrderDetails,
  OrderIntent,
  OrderLedgerStore,
  OrderReport,
  ReportOutcome,
  ReportSource,
} from './order-ledger.types.js';
export {
  isInflight,
  isOpen,
  isTerminal,
  LEDGER_STATUSES,
  transition,
  type FromStatus,
  type LedgerStatus,
  type LedgerTrigger,
  type TransitionVerdict,
} from './order-status.table.js';
