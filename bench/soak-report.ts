/**
 * @module bench/soak-report
 * Turns the samples of a soak into a trend and a verdict. Growth is the least-squares slope of
 * each figure over the samples after warm-up (the first fifth of the run, at least one minute
 * when the run allows it), stated per hour. Memory is judged only on runs of ten minutes or more:
 * over a shorter run, garbage-collection sawtooth dominates any slope.
 */
import type { Figure, Sample } from './soak-sampler.js';

/** Limits of a healthy process, per hour of running (REQ-NFR-STAB-001/002 in spirit). */
export const LIMITS = {
  rssMbPerHour: 20,
  heapMbPerHour: 10,
  /** Handles and fds may wander with connections; a steady climb past this is a leak. */
  handlesPerHour: 20,
  fdsPerHour: 20,
  lagMsP99: 100,
  /** Shortest run whose memory slope is judged. */
  judgeMemoryAfterMs: 10 * 60_000,
} as const;

/** Least-squares slope of value over time, per hour. */
export function slopePerHour(samples: readonly Sample[], figure: Figure): number {
  const n = samples.length;
  if (n < 2) return 0;
  const xs = samples.map((s) => s.atMs / 3_600_000);
  const ys = samples.map((s) => s.values[figure]);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The samples after warm-up. */
export function afterWarmUp(samples: readonly Sample[], runMs: number): Sample[] {
  const warmUpMs = Math.min(Math.max(runMs / 5, 60_000), runMs / 2);
  return samples.filter((s) => s.atMs >= warmUpMs);
}

/** One process's trend and what is wrong with it. */
export interface ProcessVerdict {
  readonly name: string;
  readonly slopes: Readonly<Record<'rssMb' | 'heapMb' | 'handles' | 'fds', number>>;
  readonly maxLagMs: number;
  readonly problems: readonly string[];
}

/**
 * Judges one process.
 * @param name - the process
 * @param samples - all its samples
 * @param runMs - how long the soak ran
 */
export function judge(name: string, samples: readonly Sample[], runMs: number): ProcessVerdict {
  const steady = afterWarmUp(samples, runMs);
  const slopes = {
    rssMb: slopePerHour(steady, 'rssMb'),
    heapMb: slopePerHour(steady, 'heapMb'),
    handles: slopePerHour(steady, 'handles'),
    fds: slopePerHour(steady, 'fds'),
  };
  const maxLagMs = Math.max(0, ...steady.map((s) => s.values.lagMs));
  const problems: string[] = [];
  if (runMs >= LIMITS.judgeMemoryAfterMs) {
    if (slopes.rssMb > LIMITS.rssMbPerHour) {
      problems.push(`RSS grows ${slopes.rssMb.toFixed(1)} MB/h (limit ${LIMITS.rssMbPerHour})`);
    }
    if (slopes.heapMb > LIMITS.heapMbPerHour) {
      problems.push(`heap grows ${slopes.heapMb.toFixed(1)} MB/h (limit ${LIMITS.heapMbPerHour})`);
    }
  }
  if (runMs >= LIMITS.judgeMemoryAfterMs && slopes.handles > LIMITS.handlesPerHour) {
    problems.push(`handles grow ${slopes.handles.toFixed(0)}/h`);
  }
  if (runMs >= LIMITS.judgeMemoryAfterMs && slopes.fds > LIMITS.fdsPerHour) {
    problems.push(`open fds grow ${slopes.fds.toFixed(0)}/h`);
  }
  if (maxLagMs > LIMITS.lagMsP99) {
    problems.push(`event-loop lag p99 reached ${maxLagMs.toFixed(1)} ms`);
  }
  return { name, slopes, maxLagMs, problems };
}

/**
 * Averages per bucket (an hour, or a tenth of a shorter run) of each figure, for the trend table.
 * @returns rows of [bucket label, averages]
 */
export function buckets(
  samples: readonly Sample[],
  runMs: number,
): [string, Record<Figure, number>][] {
  const size = runMs >= 2 * 3_600_000 ? 3_600_000 : Math.max(runMs / 10, 1000);
  const unit = size >= 3_600_000 ? 'h' : size >= 60_000 ? 'min' : 's';
  const scale = unit === 'h' ? 3_600_000 : unit === 'min' ? 60_000 : 1000;
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const key = Math.floor(s.atMs / size);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.entries()].map(([key, group]) => {
    const avg = (f: Figure) => group.reduce((a, s) => a + s.values[f], 0) / group.length;
    const label = `${((key * size) / scale).toFixed(unit === 's' ? 0 : 1)}-${(((key + 1) * size) / scale).toFixed(unit === 's' ? 0 : 1)} ${unit}`;
    return [
      label,
      {
        rssMb: avg('rssMb'),
        heapMb: avg('heapMb'),
        handles: avg('handles'),
        fds: avg('fds'),
        lagMs: avg('lagMs'),
      },
    ];
  });
}

/** The engine's memory budget (issue 8): steady RSS and peak RSS from a fresh data directory. */
export const ENGINE_MEMORY_GOALS = { steadyRssMb: 250, peakRssMb: 300 } as const;

/** The engine's RSS over a soak: the highest sample, and the median and p95 after warm-up. */
export interface EngineMemory {
  readonly peakRssMb: number;
  readonly steadyMedianRssMb: number;
  readonly steadyP95RssMb: number;
  readonly problems: readonly string[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Judges the engine's RSS against ENGINE_MEMORY_GOALS (on runs long enough to judge memory).
 * Steady is the median after warm-up, so one garbage-collection peak does not decide it.
 */
export function judgeEngineMemory(samples: readonly Sample[], runMs: number): EngineMemory {
  const steady = afterWarmUp(samples, runMs)
    .map((s) => s.values.rssMb)
    .sort((a, b) => a - b);
  const peakRssMb = Math.max(0, ...samples.map((s) => s.values.rssMb));
  const steadyMedianRssMb = quantile(steady, 0.5);
  const problems: string[] = [];
  if (runMs >= LIMITS.judgeMemoryAfterMs) {
    if (steadyMedianRssMb > ENGINE_MEMORY_GOALS.steadyRssMb)
      problems.push(
        `steady RSS ${steadyMedianRssMb.toFixed(0)} MB over the ${ENGINE_MEMORY_GOALS.steadyRssMb} MB goal`,
      );
    if (peakRssMb > ENGINE_MEMORY_GOALS.peakRssMb)
      problems.push(
        `peak RSS ${peakRssMb.toFixed(0)} MB over the ${ENGINE_MEMORY_GOALS.peakRssMb} MB goal`,
      );
  }
  return { peakRssMb, steadyMedianRssMb, steadyP95RssMb: quantile(steady, 0.95), problems };
}
