/**
 * The position feed's polling when the fills ledger keeps failing: every failure is counted and
 * logged, and the polls back off (doubling up to 30 s) instead of hitting the database every
 * tick; the first good poll brings the normal pace back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { VirtualClock } from '../../../core/clock.js';
import { PositionFeed } from '../../../server/rpc/position-feed.js';
import type { HistoryPort } from '../../../server/rpc/rpc.ports.js';

/** A ledger whose `recordedSince` fails while `down` is set; counts the calls. */
function ledger(state: { down: boolean; calls: number }): HistoryPort {
  const unused = () => Promise.reject(new Error('not used by the feed here'));
  return {
    orders: unused,
    fills: unused,
    order: unused,
    fillsOf: unused,
    ownFills: () => Promise.resolve([]),
    recordedSince: () => {
      state.calls++;
      return state.down
        ? Promise.reject(new Error('connection refused'))
        : Promise.resolve({ nowMs: 0, fills: [] });
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PositionFeed', () => {
  it('backs off while the ledger fails and returns to its pace once it answers', async () => {
    const clock = new VirtualClock();
    const state = { down: true, calls: 0 };
    let failed = 0;
    const feed = new PositionFeed({
      history: ledger(state),
      clock,
      log: pino({ level: 'silent' }),
      pollMs: 250,
      onPollFailed: () => failed++,
    });
    const unsubscribe = feed.subscribe([], () => {});
    await settle();
    assert.equal(state.calls, 1);

    // A minute of 250 ms ticks: waits of 0.5, 1, 2, 4, 8, 16 and 30 s instead of 240 polls
    for (let ms = 0; ms < 60_000; ms += 250) {
      clock.advance(250);
      await settle();
    }
    assert.ok(state.calls >= 7 && state.calls <= 9, `${state.calls} polls in a failing minute`);
    assert.equal(failed, state.calls);
    assert.equal(feed.failures, state.calls);

    state.down = false;
    for (let ms = 0; ms < 31_000 && feed.failures > 0; ms += 250) {
      clock.advance(250);
      await settle();
    }
    assert.equal(feed.failures, 0);
    const healthy = state.calls;
    for (let i = 0; i < 8; i++) {
      clock.advance(250);
      await settle();
    }
    assert.equal(state.calls - healthy, 8, 'one poll per tick again');
    unsubscribe();
  });
});
