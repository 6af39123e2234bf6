/**
 * @module test/e2e/prometheus-server
 * Debian's `prometheus` run on the shipped deploy/prometheus/prometheus.yml, pointed at loopback:
 * each scrape job keeps its name and settings and gets the loopback address of its process, the
 * shipped alert rules load from their own file, and scraping is every second so a test sees
 * samples quickly. Queried through Prometheus's HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';

import { ROOT } from '../../bench/soak-stack.js';
import { freePort } from '../deploy/support/stack-runner.js';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}

/** A running Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** Instant query; resolves to the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Every loaded rule: its name and health ("ok", "unknown" before its first evaluation, "err"). */
  rules(): Promise<{ name: string; health: string; lastError?: string }[]>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on the shipped config with each job pointed at `targets[job]`.
 * @param binary - the prometheus executable
 * @param dir - scratch directory for the config and the TSDB
 * @param targets - job name -> metrics URL (scheme, host, port and path are taken from it)
 * @throws {Error} when a shipped job has no target, or Prometheus is not ready within 30 s
 */
export async function startPrometheus(
  binary: string,
  dir: string,
  targets: Readonly<Record<string, string>>,
): Promise<PrometheusServer> {
  const shipped = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };
  const port = await freePort();
  const config = {
    ...shipped,
    global: {
      ...shipped.global,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      evaluation_interval: '1s',
    },
    rule_files: shipped.rule_files.map((f) => join(ROOT, 'deploy/prometheus', f)),
    scrape_configs: shipped.scrape_configs.map((job) => {
      const url =
        job.job_name === 'prometheus' ? `http://127.0.0.1:${port}/metrics` : targets[job.job_name];
      if (url === undefined)
        throw new Error(`no loopback target for the shipped job ${job.job_name}`);
      const { host, pathname } = new URL(url);
      return { ...job, metrics_path: pathname, static_configs: [{ targets: [host] }] };
    }),
  };
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited:\n${output.join('')}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.data;
  };
  return {
    url,
    query: async (expr) =>
      (
        await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    rules: async () =>
      (
        await api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(
          '/api/v1/rules',
        )
      ).groups.flatMap((g) => g.rules),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
