import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.js';

describe('VirtualClock', () => {
  it('fires due timers in time order while advancing', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.every(100, () => fired.push(`tick@${clock.now()}`));
    clock.after(150, () => fired.push(`once@${clock.now()}`));

    clock.advance(250);

    assert.deepEqual(fired, ['tick@1100', 'once@1150', 'tick@1200']);
    assert.equal(clock.now(), 1_250);
  });

  it('stops a cleared timer', () => {
    const clock = new VirtualClock(0);
    let ticks = 0;
    const handle = clock.every(10, () => ticks++);
    clock.advance(25);
    clock.clear(handle);
    clock.advance(100);
    assert.equal(ticks, 2);
  });
});
