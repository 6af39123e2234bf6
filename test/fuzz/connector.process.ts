/**
 * @module test/fuzz/connector.process
 * The real exchange-connector process for the fuzz suite: `apps/exchange-connector.main.ts` on
 * 127.0.0.1 with an OS-assigned port and the simulated venue kept in memory, its log lines
 * collected, its resident memory sampled from /proc (or `ps`), and stopped with SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../apps/exchange-connector.main.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ConnectorProcess {
  /** host:port to dial. */
  readonly address: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** True while the process runs. */
  alive(): boolean;
  /** Resident set size now, in MiB. */
  rssMiB(): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

function rssMiBOf(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(status, 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  }
  const out = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout;
  return Number(out.trim()) / 1024;
}

/**
 * Starts the connector process and resolves once it listens.
 * @throws {Error} when it exits or stays silent for 30 s, with its stderr
 */
export async function startConnectorProcess(): Promise<ConnectorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'osq-fuzz-'));
  const config = join(dir, 'exchange_connector.yaml');
  writeFileSync(config, 'simulator:\n  state_file: ""\n  options:\n    seed: 11\n');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--config', config, '--host', '127.0.0.1', '--port', '0'],
    { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let pending = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`connector did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`connector exited with ${code} before listening: ${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logs.push(entry);
        const listening = /listening on (\S+)$/.exec(String(entry.msg ?? ''));
        if (listening?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(listening[1]);
        }
      }
    });
  });
  const pid = child.pid ?? 0;
  return {
    address,
    child,
    logs,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssMiB: () => rssMiBOf(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
