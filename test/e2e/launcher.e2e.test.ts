/**
 * `npm start` as a new user runs it: the launcher starts the connector (simulated venue), the
 * live-server and the engine on the embedded database, prints where they are, and on Ctrl-C
 * (SIGINT) stops them in reverse order and exits 0. Started again in the same directory, the
 * same grid resumes: same lattice, the orders it left resting still managed under their ids, and
 * no client order id ever reaches the venue twice.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { eventually } from '../../core/eventually.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface SlotView {
  readonly index: number;
  readonly state: string;
  readonly levelPrice: string;
  readonly order: { readonly clientOrderId: string } | null;
}

interface Status {
  readonly symbols: readonly {
    readonly symbol: string;
    readonly state: string;
    readonly actor: { readonly slots: readonly SlotView[] } | null;
  }[];
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One `npm start` in `cwd`: its output, and a way to stop it as Ctrl-C does. */
class Launcher {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [path.join(ROOT, 'tools/run.mjs'), 'apps/launcher'], {
      cwd,
      env: { ...process.env, ...env, NODE_ENV: 'production', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  running(): Promise<unknown> {
    return eventually(() => this.output.includes('OpenSQT is running'), 'npm start ready', 90_000);
  }

  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

async function status(adminPort: number): Promise<Status> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/status`);
  return (await response.json()) as Status;
}

/** BTCUSDT's slots once it trades with orders resting. */
async function tradingSlots(adminPort: number): Promise<readonly SlotView[]> {
  let slots: readonly SlotView[] = [];
  await eventually(
    async () => {
      const btc = (await status(adminPort).catch(() => undefined))?.symbols.find(
        (s) => s.symbol === 'BTCUSDT',
      );
      slots = btc?.state === 'trading' ? (btc.actor?.slots ?? []) : [];
      return slots.some((s) => s.state.endsWith('resting'));
    },
    'BTCUSDT trading with resting orders',
    60_000,
  );
  return slots;
}

describe('npm start (the launcher)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opensqt-launcher-'));
  cpSync(path.join(ROOT, 'configs'), path.join(dir, 'configs'), { recursive: true });
  symlinkSync(path.join(ROOT, 'public'), path.join(dir, 'public'));
  const launchers: Launcher[] = [];
  after(() => {
    for (const launcher of launchers) if (launcher.child.exitCode === null) launcher.child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts everything, stops in order on Ctrl-C with exit 0, and resumes the same grid', async () => {
    const env = {
      CONNECTOR_PORT: String(await freePort()),
      DASHBOARD_PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
      CONNECTOR_METRICS_PORT: String(await freePort()),
      ENGINE_RPC_PORT: String(await freePort()),
    };
    const adminPort = Number(env.ADMIN_PORT);

    const first = new Launcher(dir, env);
    launchers.push(first);
    await first.running();
    assert.match(
      first.output,
      new RegExp(`dashboard +http://127\\.0\\.0\\.1:${env.DASHBOARD_PORT}/`),
    );
    const before = await tradingSlots(adminPort);
    const dashboard = await fetch(`http://127.0.0.1:${env.DASHBOARD_PORT}/`);
    assert.equal(dashboard.status, 200);

    assert.equal(await first.interrupt(), 0);
    const stops = [...first.output.matchAll(/stopping ([a-z-]+)\.\.\. done/g)].map((m) => m[1]);
    assert.deepEqual(stops, ['market-maker', 'live-server', 'exchange-connector']);

    const second = new Launcher(dir, env);
    launchers.push(second);
    await second.running();
    const after = await tradingSlots(adminPort);
    assert.equal(await second.interrupt(), 0);

    // The same lattice (the trailing window may have moved along it), and every order left
    // resting is managed again or has finished since
    const common = after.filter((s) => before.some((b) => b.index === s.index));
    assert.ok(common.length > 0, 'the window still overlaps the one before the restart');
    for (const slot of common) {
      const was = before.find((b) => b.index === slot.index)?.levelPrice;
      assert.equal(slot.levelPrice, was, `slot ${slot.index} keeps its lattice level`);
    }
    const generation = (id: string) => Number(/g(\d+)$/.exec(id)?.[1] ?? 0);
    for (const slot of before.filter((s) => s.state.endsWith('resting'))) {
      const id = slot.order?.clientOrderId ?? '';
      const now = after.find((s) => s.index === slot.index)?.order?.clientOrderId;
      // A slot the window left behind may be gone: its entry was pulled, never rebuilt
      assert.ok(
        now === undefined || now === id || generation(now) > generation(id),
        `slot ${slot.index} works ${id} still, or an order after it, never a rebuilt one (${now})`,
      );
    }
    const venue = JSON.parse(readFileSync(path.join(dir, 'data/sim-venue.json'), 'utf8')) as {
      futures: { core: { orders: { clientOrderId: string }[] } };
    };
    const ids = venue.futures.core.orders.map((o) => o.clientOrderId).filter((id) => id !== '');
    assert.ok(ids.length > 0, 'the venue kept our orders');
    assert.equal(new Set(ids).size, ids.length, `a client order id reached the venue twice`);
  });
});
