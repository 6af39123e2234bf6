/**
 * @module test/deploy/support/stack-runner
 * Runs the application services of compose.yaml natively, the way the containers would run them:
 * each service's own `command` with exactly the `environment` compose gives it, in a directory
 * laid out like the image (`/app`: the runtime stage's copied paths, linked from the repository,
 * and an empty `data/` standing for the service's volume). Service host names become loopback
 * and every exposed port moves to a free one, consistently in commands, environments and
 * healthchecks. A service starts once every dependency's own healthcheck command passes, as with
 * `depends_on: condition: service_healthy`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

import { DockerfileParser, type Copy } from 'dockerfile-ast';

import { ROOT, type ServiceView } from './compose-file.js';

/** A free loopback port (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Paths the Dockerfile's runtime stage copies from the build context, plus node_modules. */
export function imagePaths(): string[] {
  const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  let stage = '';
  const paths = ['node_modules'];
  for (const instruction of dockerfile.getInstructions()) {
    const args = instruction.getArguments().map((a) => a.getValue());
    if (instruction.getKeyword() === 'FROM') stage = args[2] ?? '';
    if (stage !== 'runtime' || instruction.getKeyword() !== 'COPY') continue;
    if ((instruction as Copy).getFromFlag() !== null) continue;
    paths.push(...args.slice(0, -1));
  }
  return paths;
}

/** A directory laid out like the image's /app, with its own empty data/ volume. */
export function imageDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opensqt-app-'));
  for (const path of imagePaths()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(join(ROOT, path), join(dir, path));
  }
  mkdirSync(join(dir, 'data'));
  return dir;
}

/** How compose addresses map to loopback: "service:port" -> "127.0.0.1:port'". */
export type AddressMap = ReadonlyMap<string, string>;

/**
 * Free ports for every exposed port of `services`.
 * @returns "service:port" -> "127.0.0.1:free"
 */
export async function loopbackAddresses(services: readonly ServiceView[]): Promise<AddressMap> {
  const map = new Map<string, string>();
  for (const service of services) {
    for (const port of service.expose) {
      map.set(`${service.name}:${port}`, `127.0.0.1:${await freePort()}`);
    }
  }
  return map;
}

/** `text` with every mapped service address replaced (longest first, whole tokens only). */
function mapAddresses(text: string, addresses: AddressMap): string {
  let out = text;
  for (const [from, to] of [...addresses].sort(([a], [b]) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![\\w.-])${from.replace(/[.]/g, '\\.')}(?!\\d)`, 'g'), to);
  }
  return out;
}

/**
 * A service's command, environment and healthcheck with loopback addresses: its own listen flags
 * (`--*host 0.0.0.0`, `--*port N`) move to its mapped ports, its healthcheck probes them, and
 * every reference to another service goes to that service's mapped address.
 */
export function natively(service: ServiceView, addresses: AddressMap) {
  const ownPort = (port: string) => addresses.get(`${service.name}:${port}`)?.split(':')[1] ?? port;
  const command = service.command.map((arg, i) => {
    const flag = service.command[i - 1] ?? '';
    if (/^--[\w-]*port$/.test(flag)) return ownPort(arg);
    if (/^--[\w-]*host$/.test(flag) && arg === '0.0.0.0') return '127.0.0.1';
    return mapAddresses(arg, addresses);
  });
  const environment = Object.fromEntries(
    Object.entries(service.environment).map(([k, v]) => [k, mapAddresses(v, addresses)]),
  );
  const healthcheck = service.healthcheck.map((arg) =>
    arg.replace(/(127\.0\.0\.1|localhost):(\d+)/g, (_, _host, port: string) => {
      return `127.0.0.1:${ownPort(port)}`;
    }),
  );
  return { command, environment, healthcheck };
}

/** The executable for a command's first word: this Node for `node`. */
function executable(word: string): string {
  return word === 'node' ? process.execPath : word;
}

/** A service process started from its compose command. */
export interface RunningService {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its output lines, for failure messages. */
  readonly output: string[];
}

/**
 * Starts `command` in `cwd` with exactly `environment` (plus PATH and HOME, which a container
 * image has too).
 */
export function startService(
  name: string,
  command: readonly string[],
  environment: Readonly<Record<string, string>>,
  cwd: string,
): RunningService {
  const [first = '', ...args] = command;
  const child = spawn(executable(first), args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output.push(line));
  }
  return { name, child, output };
}

/**
 * Runs a compose healthcheck (`CMD ...` or `CMD-SHELL ...`) once.
 * @returns true when it exits 0 within 10 s
 */
export function healthy(healthcheck: readonly string[], cwd: string): Promise<boolean> {
  const [kind, ...rest] = healthcheck;
  const [file, args] =
    kind === 'CMD-SHELL' ? ['/bin/sh', ['-c', rest.join(' ')]] : [rest[0] ?? '', rest.slice(1)];
  return new Promise((resolve) => {
    execFile(executable(file), args, { cwd, timeout: 10_000 }, (error) => resolve(!error));
  });
}

/** Stops a service with SIGTERM (SIGKILL after `graceMs`); resolves with its exit code. */
export function stopService(service: RunningService, graceMs = 15_000): Promise<number | null> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Removes an image directory made by {@link imageDirectory}. */
export function removeDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
