/**
 * The restart policy: exponential backoff between restarts, and giving up after too many
 * failures within the sliding window.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FailureWindow } from '../../../actors/engine/supervision.js';

const policy = { maxFailures: 5, windowMs: 600_000, initialBackoffMs: 1_000, maxBackoffMs: 5_000 };

describe('FailureWindow', () => {
  it('doubles the wait per failure up to the cap', () => {
    const window = new FailureWindow(policy);

    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => window.backoffMs(n)),
      [1_000, 2_000, 4_000, 5_000, 5_000],
    );
  });

  it('gives up at the fifth failure within the window', () => {
    const window = new FailureWindow(policy);
    const counts = [0, 60_000, 120_000, 180_000, 240_000].map((t) => window.record(t));

    assert.deepEqual(counts, [1, 2, 3, 4, 5]);
    assert.equal(window.exhausted(4), false);
    assert.equal(window.exhausted(5), true);
  });

  it('forgets failures older than the window', () => {
    const window = new FailureWindow(policy);
    for (const t of [0, 1_000, 2_000, 3_000]) window.record(t);

    assert.equal(window.record(601_500), 3);
    window.reset();
    assert.equal(window.count, 0);
  });
});
