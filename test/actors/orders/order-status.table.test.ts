/**
 * The order status table: every (status, report) pair has one verdict; real-world races move an
 * order on; older stages are stale; contradictions are illegal; and no report can bring a final
 * order back to life, nor an order ever back to SUBMITTED.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  isInflight,
  isOpen,
  isTerminal,
  LEDGER_STATUSES,
  transition,
  type FromStatus,
  type LedgerTrigger,
} from '../../../actors/orders/order-status.table.js';

const TRIGGERS: readonly LedgerTrigger[] = [...LEDGER_STATUSES, 'CANCEL_REJECTED'];
const FROM: readonly FromStatus[] = ['INITIALIZED', ...LEDGER_STATUSES];

describe('order status table', () => {
  it('moves an order along its normal life', () => {
    const path: [FromStatus, LedgerTrigger, string][] = [
      ['INITIALIZED', 'SUBMITTED', 'SUBMITTED'],
      ['SUBMITTED', 'NEW', 'NEW'],
      ['NEW', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
      ['PARTIALLY_FILLED', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
      ['PARTIALLY_FILLED', 'FILLED', 'FILLED'],
    ];
    for (const [from, reported, to] of path) {
      assert.deepEqual(transition(from, reported), { kind: 'apply', to }, `${from} + ${reported}`);
    }
  });

  it('writes in the races real venues produce', () => {
    // A fill overtakes the placement ack, the fill overtakes a cancel, a fill is reported after
    // the cancel ack, and a cancel the venue refused leaves the order working
    assert.deepEqual(transition('SUBMITTED', 'FILLED'), { kind: 'apply', to: 'FILLED' });
    assert.deepEqual(transition('PENDING_CANCEL', 'FILLED'), { kind: 'apply', to: 'FILLED' });
    assert.deepEqual(transition('CANCELED', 'FILLED'), { kind: 'apply', to: 'FILLED' });
    assert.deepEqual(transition('CANCELED', 'PARTIALLY_FILLED'), { kind: 'apply', to: 'CANCELED' });
    assert.deepEqual(transition('PENDING_CANCEL', 'CANCEL_REJECTED'), { kind: 'apply', to: 'NEW' });
    assert.deepEqual(transition('PENDING_CANCEL', 'REJECTED'), { kind: 'apply', to: 'REJECTED' });
  });

  it('calls an older stage stale: the placement ack after the fill changes nothing', () => {
    for (const [from, reported] of [
      ['FILLED', 'NEW'],
      ['PARTIALLY_FILLED', 'NEW'],
      ['NEW', 'SUBMITTED'],
      ['PENDING_CANCEL', 'NEW'],
      ['REJECTED', 'SUBMITTED'],
    ] as const) {
      assert.deepEqual(transition(from, reported), { kind: 'stale' }, `${from} + ${reported}`);
    }
  });

  it('calls contradictions illegal', () => {
    for (const [from, reported] of [
      ['FILLED', 'CANCELED'],
      ['FILLED', 'REJECTED'],
      ['CANCELED', 'REJECTED'],
      ['REJECTED', 'NEW'],
      ['REJECTED', 'FILLED'],
      ['NEW', 'REJECTED'],
      ['INITIALIZED', 'CANCEL_REJECTED'],
    ] as const) {
      assert.deepEqual(transition(from, reported), { kind: 'illegal' }, `${from} + ${reported}`);
    }
  });

  it('never reopens a final order nor sends any order back to SUBMITTED', () => {
    for (const from of FROM) {
      for (const reported of TRIGGERS) {
        const verdict = transition(from, reported);
        if (verdict.kind !== 'apply') continue;
        if (from !== 'INITIALIZED')
          assert.notEqual(verdict.to, 'SUBMITTED', `${from} + ${reported}`);
        if (from !== 'INITIALIZED' && isTerminal(from)) {
          assert.ok(isTerminal(verdict.to), `${from} + ${reported} reopened the order`);
        }
      }
    }
  });

  it('sorts statuses into open, in flight and final', () => {
    assert.deepEqual(
      LEDGER_STATUSES.map((s) => [s, isOpen(s), isInflight(s), isTerminal(s)]),
      [
        ['SUBMITTED', false, true, false],
        ['NEW', true, false, false],
        ['PARTIALLY_FILLED', true, false, false],
        ['PENDING_CANCEL', true, true, false],
        ['FILLED', false, false, true],
        ['CANCELED', false, false, true],
        ['EXPIRED', false, false, true],
        ['REJECTED', false, false, true],
      ],
    );
  });
});
