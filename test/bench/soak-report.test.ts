/**
 * The soak's judgement: memory trends as slopes after warm-up, and the engine's RSS against its
 * budget (steady = median after warm-up, so one garbage-collection peak does not decide it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { judge, judgeEngineMemory, slopePerHour } from '../../bench/soak-report.js';
import type { Sample } from '../../bench/soak-sampler.js';

const MINUTE = 60_000;

/** One sample a minute for `minutes`, RSS from `rss(minute)`. */
function run(minutes: number, rss: (minute: number) => number): Sample[] {
  return Array.from({ length: minutes + 1 }, (_, m) => ({
    atMs: m * MINUTE,
    values: { rssMb: rss(m), heapMb: 50, handles: 20, fds: 200, lagMs: 5 },
  }));
}

describe('soak report', () => {
  it('states growth per hour', () => {
    assert.equal(
      Math.round(
        slopePerHour(
          run(60, (m) => 200 + m),
          'rssMb',
        ),
      ),
      60,
    );
    assert.deepEqual(
      judge(
        'engine',
        run(60, () => 200),
        60 * MINUTE,
      ).problems,
      [],
    );
    assert.match(
      judge(
        'engine',
        run(60, (m) => 200 + m),
        60 * MINUTE,
      ).problems.join(),
      /RSS grows 60\.0 MB\/h/,
    );
  });

  it("judges the engine's steady median and peak RSS against the budget", () => {
    // A start-up peak of 290 and one GC spike of 320 after warm-up: steady is the median, 240
    const samples = run(60, (m) => (m === 0 ? 290 : m === 30 ? 320 : 240));
    const memory = judgeEngineMemory(samples, 60 * MINUTE);
    assert.equal(memory.steadyMedianRssMb, 240);
    assert.equal(memory.peakRssMb, 320);
    assert.deepEqual(memory.problems, ['peak RSS 320 MB over the 300 MB goal']);

    const heavy = judgeEngineMemory(
      run(60, () => 270),
      60 * MINUTE,
    );
    assert.deepEqual(heavy.problems, ['steady RSS 270 MB over the 250 MB goal']);
  });

  it('does not judge memory on runs under ten minutes', () => {
    assert.deepEqual(
      judgeEngineMemory(
        run(5, () => 400),
        5 * MINUTE,
      ).problems,
      [],
    );
  });
});
