/**
 * @module bench/soak-sampler
 * Reads each process's health figures from its own /metrics (the prom-client process metrics every
 * main registers): resident memory, V8 heap in use, active handles, open file descriptors and
 * event-loop lag p99, plus the engine's order counters. One sample per process per scrape.
 */

/** The figures the soak follows for one process. */
export const FIGURES = {
  rssMb: 'process_resident_memory_bytes',
  heapMb: 'nodejs_heap_size_used_bytes',
  handles: 'nodejs_active_handles_total',
  fds: 'process_open_fds',
  lagMs: 'nodejs_eventloop_lag_p99_seconds',
} as const;
/** One of the keys of {@link FIGURES}. */
export type Figure = keyof typeof FIGURES;

/** One scrape of one process. */
export interface Sample {
  /** Milliseconds since the soak started. */
  readonly atMs: number;
  readonly values: Readonly<Record<Figure, number>>;
}

/**
 * Sums of every series of each metric in a Prometheus text exposition.
 * @param text - the /metrics body
 * @returns metric name (with any suffix) -> sum over its label sets
 */
export function parseExposition(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value))
      sums.set(match[1] as string, (sums.get(match[1] as string) ?? 0) + value);
  }
  return sums;
}

/**
 * Scrapes `url` once.
 * @param startedAt - the soak's start (epoch ms)
 * @returns the sample and every parsed metric (for counters the caller needs)
 * @throws {Error} when the process does not answer or lacks a process metric
 */
export async function scrape(
  url: string,
  startedAt: number,
): Promise<{ sample: Sample; metrics: Map<string, number> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const metrics = parseExposition(await response.text());
  const read = (name: string): number => {
    const value = metrics.get(name);
    if (value === undefined) throw new Error(`${url} exports no ${name}`);
    return value;
  };
  const mb = 1024 * 1024;
  return {
    metrics,
    sample: {
      atMs: Date.now() - startedAt,
      values: {
        rssMb: read(FIGURES.rssMb) / mb,
        heapMb: read(FIGURES.heapMb) / mb,
        handles: read(FIGURES.handles),
        fds: read(FIGURES.fds),
        lagMs: read(FIGURES.lagMs) * 1000,
      },
    },
  };
}
