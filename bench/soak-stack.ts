/**
 * @module bench/soak-stack
 * The whole system as separate processes on loopback, the way `npm start` runs it but on free
 * ports and a scratch directory: the exchange-connector on a fast simulated market, the engine
 * trading grids on it (embedded PGlite, or a fresh database on a PostgreSQL server), and the
 * live-server. Each process is started through its bin entry and is ready once it logs so; its
 * /metrics URL is known from its own log line. Used by `npm run soak` and the Prometheus E2E.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root, the processes' working directory. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** How fast and how wild the simulated market runs, and what the engine trades. */
export interface StackOptions {
  /** Scratch directory for configs, the embedded database, the venue state and logs. */
  readonly dir: string;
  /** Milliseconds between price steps of the simulated venue (its default is 250). */
  readonly tickIntervalMs: number;
  /** Annualised volatility of the simulated price (0.6 = 60 %/year); high values trade often. */
  readonly volatilityPerYear: number;
  /** Grids the engine trades: symbol, USDT between levels, base quantity per order. */
  readonly grids: readonly {
    readonly symbol: string;
    readonly interval: string;
    readonly quantity: string;
  }[];
  /** A PostgreSQL URL for the engine; undefined = embedded PGlite under `dir`. */
  readonly databaseUrl?: string;
  /** pino level of the children; default info (their ready lines are info). */
  readonly logLevel?: string;
}

/** One running process of the stack. */
export interface StackProcess {
  readonly name: 'exchange-connector' | 'market-maker' | 'live-server';
  readonly child: ChildProcess;
  /** Where its Prometheus metrics are served. */
  readonly metricsUrl: string;
  /** Lines it logged at warn or above (bounded), for verdicts and failure messages. */
  readonly problems: string[];
  /** Its last output lines, for failure messages. */
  readonly tail: string[];
}

/** The running stack. */
export interface Stack {
  readonly connector: StackProcess & { readonly address: string };
  readonly engine: StackProcess & { readonly adminUrl: string };
  readonly live: StackProcess & { readonly url: string };
  readonly processes: readonly StackProcess[];
  /** Stops engine, live-server, connector in that order (SIGTERM); resolves with exit codes. */
  stop(): Promise<Record<string, number | null>>;
}

const READY_TIMEOUT_MS = 60_000;
const KEPT_LINES = 200;

/**
 * Starts connector, engine and live-server, each once the one before is ready.
 * @throws {Error} with the process's last output when one exits or is not ready in time
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { dir } = options;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const started: StackProcess[] = [];
  try {
    const connectorConfig = join(dir, 'exchange_connector.yaml');
    writeFileSync(
      connectorConfig,
      JSON.stringify({
        simulator: {
          enabled: true,
          state_file: join(dir, 'sim-venue.json'),
          save_interval_ms: 0,
          options: {
            seed: 42,
            symbols: [...new Set(options.grids.map((g) => g.symbol))],
            tickIntervalMs: options.tickIntervalMs,
            price: { volatilityPerYear: options.volatilityPerYear },
          },
        },
      }),
    );
    const connector = await launch(
      options,
      'exchange-connector',
      ['--config', connectorConfig, '--port', '0', '--metrics-port', '0'],
      'exchange-connector listening',
      (entry) => ({
        address: String(entry.address),
        metricsUrl: `${String(entry.metrics)}/metrics`,
      }),
    );
    started.push(connector);

    const live = await launch(
      options,
      'live-server',
      ['--port', '0', '--connector', connector.address],
      'live-server listening',
      (entry) => ({ url: String(entry.url), metricsUrl: `${String(entry.url)}/metrics` }),
    );
    started.push(live);

    const engineConfig = join(dir, 'market_maker.yaml');
    writeFileSync(
      engineConfig,
      JSON.stringify({
        connector: { address: connector.address },
        admin: { port: 0 },
        rpc: { port: 0 },
        database: options.databaseUrl
          ? { url: options.databaseUrl }
          : { url: '', embedded_dir: join(dir, 'pglite') },
        symbols: options.grids.map((g) => ({
          symbol: g.symbol,
          grid: { interval: g.interval, order_quantity: g.quantity },
        })),
      }),
    );
    const engine = await launch(
      options,
      'market-maker',
      ['--config', engineConfig],
      'market-maker ready',
      (entry) => ({ adminUrl: String(entry.admin), metricsUrl: `${String(entry.admin)}/metrics` }),
    );
    started.push(engine);

    return {
      connector,
      engine,
      live,
      processes: [connector, engine, live],
      stop: () => stopAll([engine, live, connector]),
    };
  } catch (e) {
    await stopAll(started.reverse());
    throw e;
  }
}

type Launched<E> = StackProcess & E;

function launch<E extends { metricsUrl: string }>(
  options: StackOptions,
  name: StackProcess['name'],
  args: readonly string[],
  readyPrefix: string,
  fromReadyLine: (entry: Record<string, unknown>) => E,
): Promise<Launched<E>> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', `${name}.js`), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: options.logLevel ?? 'info', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: WriteStream = createWriteStream(join(options.dir, 'logs', `${name}.log`));
  const problems: string[] = [];
  const tail: string[] = [];
  const keep = (list: string[], line: string): void => {
    list.push(line);
    if (list.length > KEPT_LINES) list.shift();
  };
  child.once('exit', () => log.end());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${READY_TIMEOUT_MS} ms:\n${tail.join('\n')}`));
    }, READY_TIMEOUT_MS);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${tail.join('\n')}`));
    };
    child.once('exit', early);
    const onLine = (line: string): void => {
      log.write(`${line}\n`);
      keep(tail, line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof entry.level === 'number' && entry.level >= 40) keep(problems, line);
      if (typeof entry.msg === 'string' && entry.msg.startsWith(readyPrefix)) {
        clearTimeout(timer);
        child.off('exit', early);
        resolve({ name, child, problems, tail, ...fromReadyLine(entry) });
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  });
}

async function stopAll(processes: readonly StackProcess[]): Promise<Record<string, number | null>> {
  const codes: Record<string, number | null> = {};
  for (const p of processes) {
    const { child } = p;
    if (child.exitCode !== null || child.signalCode !== null) {
      codes[p.name] = child.exitCode;
      continue;
    }
    codes[p.name] = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  }
  return codes;
}
