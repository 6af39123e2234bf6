/**
 * The liveness probe on a virtual clock: a refusal marks the peer down at once, silence past the
 * deadline does too (a frozen peer keeps its socket open), an answer brings it back up, and
 * listeners hear each change once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../core/clock.js';
import { LivenessProbe, type LivenessStatus } from '../../core/liveness.js';

type Mode = 'answer' | 'refuse' | 'hang';

function setup() {
  const clock = new VirtualClock();
  let mode: Mode = 'answer';
  let probes = 0;
  const probe = new LivenessProbe({
    clock,
    intervalMs: 1_000,
    timeoutMs: 2_000,
    probe: () => {
      probes++;
      if (mode === 'refuse') return Promise.reject(new Error('UNAUTHENTICATED: invalid API key'));
      if (mode === 'hang') return new Promise(() => undefined);
      return Promise.resolve();
    },
  });
  const changes: LivenessStatus[] = [];
  probe.onChange((s) => changes.push(s));
  const settle = () => new Promise((r) => setImmediate(r));
  return { clock, probe, changes, settle, set: (m: Mode) => (mode = m), probes: () => probes };
}

describe('LivenessProbe', () => {
  it('goes down on a refusal and up again on the next answer, telling listeners once each', async () => {
    const { clock, probe, changes, settle, set } = setup();
    probe.start();
    await settle();
    assert.equal(probe.status().state, 'up');
    set('refuse');
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await settle();
    }
    assert.equal(probe.status().state, 'down');
    assert.equal(probe.status().reason, 'UNAUTHENTICATED: invalid API key');
    set('answer');
    clock.advance(1_000);
    await settle();
    assert.deepEqual(
      changes.map((c) => c.state),
      ['up', 'down', 'up'],
    );
    assert.equal(probe.isUp(), true);
    probe.stop();
  });

  it('goes down when a probe gets no answer within the deadline', async () => {
    const { clock, probe, settle, set, probes } = setup();
    probe.start();
    await settle();
    set('hang');
    clock.advance(1_000);
    await settle();
    assert.equal(probe.status().state, 'up', 'still waiting for the answer');
    clock.advance(1_999);
    await settle();
    assert.equal(probe.status().state, 'up');
    clock.advance(1);
    await settle();
    assert.equal(probe.status().state, 'down');
    assert.match(probe.status().reason ?? '', /no answer within 2000 ms/);
    assert.equal(probes(), 2, 'no second probe piles up behind a hanging one');
    probe.stop();
  });
});
