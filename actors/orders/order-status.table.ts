/**
 * @module actors/orders/order-status.table
 * The life of one of our orders as an explicit transition table, modelled on NautilusTrader's
 * `_ORDER_STATE_TABLE`: the key is (current status, reported status), the value what to do. Every
 * report about an order (the order stream, a placement workflow's result, a reconciliation
 * finding, a cancel verification) is a reported status; the order ledger applies this table and
 * nothing else decides an order's status.
 *
 * Three verdicts, and everything the table does not list is a fourth:
 * - `apply`: the report moves the order on (and its cumulative fill only ever grows);
 * - `stale`: an older stage than we already know, e.g. a placement's NEW ack that arrives after
 *   the order stream's FILLED; harmless, nothing changes;
 * - `duplicate` (a pair of equal statuses with nothing new) is decided by the ledger;
 * - any other pair is illegal: a contradiction (a CANCELED report for a FILLED order, a live
 *   report for a REJECTED one) that is logged and counted, never applied.
 *
 * Reports reach us out of order and from several sources, so races seen on real venues are
 * written in as transitions, each with a comment. Pure: no I/O.
 */

/**
 * Where an order of ours stands. SUBMITTED: sent, not acknowledged. PENDING_CANCEL: a cancel was
 * sent and not yet answered (the order may still fill). The rest are the venue's statuses.
 */
export const LEDGER_STATUSES = [
  'SUBMITTED',
  'NEW',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
] as const;

/** One of {@link LEDGER_STATUSES}. */
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/**
 * What a report says: a status, or CANCEL_REJECTED when a cancel's verification found the order
 * still live on the venue (the cancel failed; the order is working again).
 */
export type LedgerTrigger = LedgerStatus | 'CANCEL_REJECTED';

/** The status of an order the ledger has never seen. */
export type FromStatus = LedgerStatus | 'INITIALIZED';

/** What a (current, reported) pair calls for; the ledger decides duplicates first. */
export type TransitionVerdict =
  | { readonly kind: 'apply'; readonly to: LedgerStatus }
  | { readonly kind: 'stale' }
  | { readonly kind: 'illegal' };

type Row = readonly [from: FromStatus, reported: LedgerTrigger, to: LedgerStatus | 'stale'];

const ROWS: readonly Row[] = [
  ['INITIALIZED', 'SUBMITTED', 'SUBMITTED'],
  // Orders the ledger learns of from the venue first: adopted at recovery, or sent by an engine
  // that crashed before it recorded the intent
  ['INITIALIZED', 'NEW', 'NEW'],
  ['INITIALIZED', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['INITIALIZED', 'FILLED', 'FILLED'],
  ['INITIALIZED', 'CANCELED', 'CANCELED'],
  ['INITIALIZED', 'EXPIRED', 'EXPIRED'],
  ['INITIALIZED', 'REJECTED', 'REJECTED'],

  ['SUBMITTED', 'NEW', 'NEW'],
  ['SUBMITTED', 'REJECTED', 'REJECTED'],
  // A fill report can overtake the placement ack; it proves acceptance
  ['SUBMITTED', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['SUBMITTED', 'FILLED', 'FILLED'],
  // Accepted and gone before the ack reached us (canceled at once, or vanished from the venue)
  ['SUBMITTED', 'CANCELED', 'CANCELED'],
  // A post-only order some venues expire instead of refusing when it would cross
  ['SUBMITTED', 'EXPIRED', 'EXPIRED'],
  // A cancel may be sent before the ack arrives
  ['SUBMITTED', 'PENDING_CANCEL', 'PENDING_CANCEL'],

  // The intent re-sent after a restart, for an order the venue has acknowledged
  ['NEW', 'SUBMITTED', 'stale'],
  ['NEW', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['NEW', 'FILLED', 'FILLED'],
  ['NEW', 'CANCELED', 'CANCELED'],
  ['NEW', 'EXPIRED', 'EXPIRED'],
  ['NEW', 'PENDING_CANCEL', 'PENDING_CANCEL'],
  // A cancel verification for an order whose cancel the ledger never recorded as pending
  ['NEW', 'CANCEL_REJECTED', 'stale'],

  ['PARTIALLY_FILLED', 'SUBMITTED', 'stale'],
  // The placement ack arriving after a fill report
  ['PARTIALLY_FILLED', 'NEW', 'stale'],
  ['PARTIALLY_FILLED', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
  ['PARTIALLY_FILLED', 'FILLED', 'FILLED'],
  ['PARTIALLY_FILLED', 'CANCELED', 'CANCELED'],
  ['PARTIALLY_FILLED', 'EXPIRED', 'EXPIRED'],
  ['PARTIALLY_FILLED', 'PENDING_CANCEL', 'PENDING_CANCEL'],
  ['PARTIALLY_FILLED', 'CANCEL_REJECTED', 'stale'],

  ['PENDING_CANCEL', 'SUBMITTED', 'stale'],
  ['PENDING_CANCEL', 'PENDING_CANCEL', 'PENDING_CANCEL'],
  ['PENDING_CANCEL', 'CANCELED', 'CANCELED'],
  // The venue refused the cancel: the order works again (as Nautilus allows failed cancels);
  // NEW here means live, and the ledger reports it PARTIALLY_FILLED when it has fills
  ['PENDING_CANCEL', 'CANCEL_REJECTED', 'NEW'],
  // A late ack: our cancel is still out (Nautilus would drop PENDING_CANCEL here; we know better)
  ['PENDING_CANCEL', 'NEW', 'stale'],
  // Fills keep arriving until the cancel is answered; the cancel is still out, only the fill grows
  ['PENDING_CANCEL', 'PARTIALLY_FILLED', 'PENDING_CANCEL'],
  // Real world possibility: the fill overtakes the cancel
  ['PENDING_CANCEL', 'FILLED', 'FILLED'],
  ['PENDING_CANCEL', 'EXPIRED', 'EXPIRED'],
  // Real world possibility: the placement is refused while we were already canceling it
  ['PENDING_CANCEL', 'REJECTED', 'REJECTED'],

  ['FILLED', 'SUBMITTED', 'stale'],
  ['FILLED', 'NEW', 'stale'],
  ['FILLED', 'PARTIALLY_FILLED', 'stale'],
  ['FILLED', 'PENDING_CANCEL', 'stale'],
  // The cancel was refused because the order had filled
  ['FILLED', 'CANCEL_REJECTED', 'stale'],

  ['CANCELED', 'SUBMITTED', 'stale'],
  ['CANCELED', 'NEW', 'stale'],
  ['CANCELED', 'PENDING_CANCEL', 'stale'],
  ['CANCELED', 'CANCEL_REJECTED', 'stale'],
  // Real world possibility: the cancel ack overtook a partial fill's report. The order stays
  // canceled (unlike Nautilus, which reopens it): only its fill grows
  ['CANCELED', 'PARTIALLY_FILLED', 'CANCELED'],
  // Real world possibility: the order filled before the cancel landed, reported after the ack
  ['CANCELED', 'FILLED', 'FILLED'],

  ['EXPIRED', 'SUBMITTED', 'stale'],
  ['EXPIRED', 'NEW', 'stale'],
  ['EXPIRED', 'PENDING_CANCEL', 'stale'],
  ['EXPIRED', 'CANCEL_REJECTED', 'stale'],
  // Real world possibility, as for a cancel: a fill reported after the expiry
  ['EXPIRED', 'PARTIALLY_FILLED', 'EXPIRED'],
  ['EXPIRED', 'FILLED', 'FILLED'],

  // Re-sending a refused intent after a restart is answered from its finished workflow
  ['REJECTED', 'SUBMITTED', 'stale'],
  // A cancel sent for a placement that was then refused
  ['REJECTED', 'PENDING_CANCEL', 'stale'],
  ['REJECTED', 'CANCEL_REJECTED', 'stale'],
];

const TABLE: ReadonlyMap<string, LedgerStatus | 'stale'> = new Map(
  ROWS.map(([from, reported, to]) => [`${from}>${reported}`, to]),
);

/**
 * What the table says about a report of `reported` for an order at `from`.
 * @param from - the order's status in the ledger, or INITIALIZED for an order it never saw
 * @param reported - the status the report carries
 * @returns apply (with the new status), stale, or illegal
 */
export function transition(from: FromStatus, reported: LedgerTrigger): TransitionVerdict {
  const to = TABLE.get(`${from}>${reported}`);
  if (to === undefined) return { kind: 'illegal' };
  return to === 'stale' ? { kind: 'stale' } : { kind: 'apply', to };
}

/** True for statuses after which the venue will never report the order again by itself. */
export function isTerminal(status: LedgerStatus): boolean {
  return (
    status === 'FILLED' || status === 'CANCELED' || status === 'EXPIRED' || status === 'REJECTED'
  );
}

/** True for statuses of an order resting on the venue (its exposure counts). */
export function isOpen(status: LedgerStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED' || status === 'PENDING_CANCEL';
}

/** True for statuses of an order with a request to the venue still unanswered. */
export function isInflight(status: LedgerStatus): boolean {
  return status === 'SUBMITTED' || status === 'PENDING_CANCEL';
}
