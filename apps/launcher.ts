/**
 * @module apps/launcher
 * `npm start`: runs the whole system on embedded defaults. Starts each process as a child, waits
 * until it reports ready, prints where to find it, and on Ctrl-C stops them in reverse order so
 * that no state is lost. Child logs (JSON) go to data/logs/<name>.log.
 *
 * Ports: CONNECTOR_PORT (50051), DASHBOARD_PORT (8888), ADMIN_PORT (8080), ENGINE_RPC_PORT (50052)
 * and CONNECTOR_METRICS_PORT (9464) in the environment move them; everything else comes from
 * configs/*.yaml in the working directory.
 *
 * `npm start -- --inspect` also serves the Stately inspector bridge (default port 8090, or
 * `--inspect-port N`) and points the engine's machines at it, to watch grid slots move live.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { redactText } from '../core/redact.js';
import { startInspectorBridge } from '../server/inspector/inspector-bridge.js';

interface Component {
  readonly name: string;
  /** The compiled entry point beside this launcher in dist/apps (tools/build.mjs). */
  readonly entry: string;
  readonly args: readonly string[];
  /** A log message (pino `msg`) that starts with this text means the component is ready. */
  readonly readyPrefix: string;
  /** What to tell the user once it is ready. */
  readonly banner: string;
  /** Extra environment for the child. */
  env?: Readonly<Record<string, string>>;
}

const CONNECTOR_PORT = process.env.CONNECTOR_PORT ?? '50051';
const DASHBOARD_PORT = process.env.DASHBOARD_PORT ?? '8888';
const ADMIN_PORT = process.env.ADMIN_PORT ?? '8080';
const CONNECTOR_METRICS_PORT = process.env.CONNECTOR_METRICS_PORT ?? '9464';
// The engine reads ENGINE_RPC_PORT itself; the banner only reports it
const ENGINE_RPC_PORT = process.env.ENGINE_RPC_PORT ?? '50052';

const COMPONENTS: readonly Component[] = [
  {
    name: 'exchange-connector',
    entry: 'exchange-connector.main.js',
    args: ['--port', CONNECTOR_PORT, '--metrics-port', CONNECTOR_METRICS_PORT],
    readyPrefix: 'exchange-connector listening',
    banner: `exchange-connector  grpc://127.0.0.1:${CONNECTOR_PORT}  (simulated venue; health: grpc.health.v1)`,
  },
  {
    name: 'live-server',
    entry: 'live-server.main.js',
    args: ['--port', DASHBOARD_PORT, '--connector', `127.0.0.1:${CONNECTOR_PORT}`],
    readyPrefix: 'live-server listening',
    banner: `dashboard           http://127.0.0.1:${DASHBOARD_PORT}/  (live-server: /ws, /health)`,
  },
  {
    name: 'market-maker',
    entry: 'market-maker.main.js',
    args: ['--config', 'configs/market_maker.yaml', '--admin-port', ADMIN_PORT],
    readyPrefix: 'market-maker ready',
    banner:
      `market-maker        http://127.0.0.1:${ADMIN_PORT}/status  (admin: /health /status /symbols /metrics; grid on BTCUSDT)\n` +
      `engine gRPC API     grpc://127.0.0.1:${ENGINE_RPC_PORT}  (RiskService, PositionService, PortfolioService)`,
    env: { CONNECTOR_ADDRESS: `127.0.0.1:${CONNECTOR_PORT}` },
  },
];

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const running: { component: Component; child: ChildProcess }[] = [];

function start(component: Component): Promise<void> {
  mkdirSync('data/logs', { recursive: true });
  const logFile = createWriteStream(`data/logs/${component.name}.log`, { flags: 'a' });
  const entry = fileURLToPath(new URL(`./${component.entry}`, import.meta.url));
  const child = spawn(process.execPath, [entry, ...component.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...component.env },
    // Own process group: Ctrl-C reaches only the launcher, which then stops children in order
    detached: true,
  });
  running.push({ component, child });
  child.stderr?.on('data', (chunk: Buffer) => {
    logFile.write(chunk);
    process.stderr.write(`[${component.name}] ${chunk.toString()}`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${component.name} not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${component.name} exited with code ${code}; see data/logs/${component.name}.log`,
        ),
      );
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logFile.write(`${line}\n`);
      if (readyMessage(line)?.startsWith(component.readyPrefix)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function readyMessage(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}

async function stopAll(): Promise<void> {
  for (const { component, child } of [...running].reverse()) {
    if (child.exitCode !== null) continue;
    process.stdout.write(`stopping ${component.name}... `);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    process.stdout.write('done\n');
  }
}

/** With `--inspect`: serves the inspector bridge and tells the engine where it is. */
async function startInspector(): Promise<void> {
  const { values } = parseArgs({
    options: { inspect: { type: 'boolean' }, 'inspect-port': { type: 'string' } },
  });
  if (!values.inspect) return;
  const port = Number(values['inspect-port'] ?? '8090');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`--inspect-port must be a port number, was "${values['inspect-port']}"`);
  }
  const bridge = await startInspectorBridge(port);
  const engine = COMPONENTS.find((c) => c.name === 'market-maker');
  if (engine) engine.env = { ...engine.env, OPENSQT_INSPECT: bridge.wsUrl };
  console.log(`  ready  machine inspector   ${bridge.pageUrl}  (Stately inspector: open it)`);
}

async function main(): Promise<void> {
  await startInspector();
  // Last resort if the launcher dies abruptly: detached children must not outlive it
  process.on('exit', () => {
    for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  for (const component of COMPONENTS) {
    await start(component);
    console.log(`  ready  ${component.banner}`);
  }
  console.log('\nOpenSQT is running. Logs: data/logs/. Press Ctrl-C to stop.');
  for (const { component, child } of running) {
    child.once('exit', (code) => {
      if (stopping) return;
      console.error(`${component.name} exited unexpectedly (code ${code}); stopping the rest`);
      shutdown();
    });
  }
}

main().catch(async (e: unknown) => {
  console.error(`start failed: ${redactText(e instanceof Error ? e.message : String(e))}`);
  await stopAll();
  process.exit(1);
});
