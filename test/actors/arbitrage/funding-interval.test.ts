/**
 * @module test/actors/arbitrage/funding-interval
 * The venue's actual funding interval, read from settlement history and the coming settlement,
 * or from the next funding time moving on: 8 h, 4 h and 1 h perps, a venue that switched its
 * interval, history in any order (the original assumed newest-first), jittery timestamps, and
 * lagging history. Nothing assumes 8 h.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  intervalFromAdvance,
  intervalFromHistory,
} from '../../../actors/arbitrage/funding-interval.js';

const H = 3_600_000;
const T = Date.UTC(2026, 0, 1);

describe('intervalFromHistory', () => {
  it('reads the interval in force from the last settlement and the next one', () => {
    // Now is one hour after the last settlement T unless a case says otherwise
    const cases: [string, number[], number, number | null][] = [
      ['8 h perp', [T - 16 * H, T - 8 * H, T], T + 8 * H, 8 * H],
      ['4 h perp, history newest first', [T, T - 4 * H, T - 8 * H], T + 4 * H, 4 * H],
      ['1 h perp', [T - 2 * H, T - H, T], T + H, H],
      [
        'switched from 8 h to 4 h at the last settlement',
        [T - 16 * H, T - 8 * H, T],
        T + 4 * H,
        4 * H,
      ],
      ['switched from 4 h to 8 h', [T - 8 * H, T - 4 * H, T], T + 8 * H, 8 * H],
      ['history one settlement behind', [T - 16 * H, T - 8 * H], T + 8 * H, 8 * H],
      ['doubled to 8 h with no settlement missing', [T - 4 * H, T], T + 8 * H, 8 * H],
      ['timestamps a few ms late', [T - 8 * H + 3, T + 7], T + 8 * H, 8 * H],
      ['no next time: the history gap', [T - 8 * H, T], 0, 8 * H],
      ['one settlement and the next time', [T], T + 4 * H, 4 * H],
      ['nothing known', [], T + 8 * H, null],
      ['one settlement, no next time', [T], 0, null],
      ['zeros ignored', [0, 0], 0, null],
      ['duplicated rows', [T, T, T - 8 * H], T + 8 * H, 8 * H],
      ['implausible: 3 days', [T - 72 * H, T], 0, null],
    ];
    for (const [what, history, next, expected] of cases) {
      assert.equal(intervalFromHistory(history, next, T + H), expected, what);
    }
  });
});

describe('intervalFromAdvance', () => {
  it('reads a settlement from the next funding time moving on', () => {
    assert.equal(intervalFromAdvance(T, T + 4 * H), 4 * H);
    assert.equal(intervalFromAdvance(T, T + H + 2), H);
    assert.equal(intervalFromAdvance(T, T), null);
    assert.equal(intervalFromAdvance(T, T - H), null);
    assert.equal(intervalFromAdvance(0, T), null);
    assert.equal(intervalFromAdvance(T, T + 30_000), null);
  });
});
