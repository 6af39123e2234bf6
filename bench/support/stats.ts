/**
 * @module bench/support/stats
 * Percentiles over samples, the machine description and the result table every benchmark prints.
 */
import { cpus, totalmem } from 'node:os';

/** Nearest-rank percentile of `samples` (any order); `p` in 0-100. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface Row {
  readonly metric: string;
  /** The original project's target, as text. */
  readonly original: string;
  /** Our goal, as text. */
  readonly goal: string;
  readonly measured: string;
  /** Ratio to the floor measured in the same run, as text ("" when there is no floor). */
  readonly ratio: string;
  readonly met: boolean;
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/** A Markdown table of `rows`. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    '| metric | original target | our goal | measured | ratio to floor | goal met |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.metric} | ${r.original} | ${r.goal} | ${r.measured} | ${r.ratio} | ${r.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return lines.join('\n');
}

export const ms = (value: number): string => `${value.toFixed(3)} ms`;
export const perSecond = (value: number): string =>
  `${Math.round(value).toLocaleString('en-US')}/s`;
