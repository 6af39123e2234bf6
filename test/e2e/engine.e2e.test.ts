/**
 * End to end: a real exchange connector (gRPC, in this process) over the simulated venue, and
 * the market-maker process (`bin/market-maker.js`) against an embedded database in a temp dir.
 * The engine places its grid, is stopped with SIGTERM, a buy fills while it is down, and the
 * restarted engine resumes the same grid: the fill becomes inventory with its close placed, the
 * other buy keeps its client order id, and no client order id ever reaches the venue twice.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { startConnectorServer, type ConnectorServer } from '../../connector/connector.server.js';
import { createLogger } from '../../core/logger.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../connector/venues/sim/index.js';
import type { Exchange } from '../../core/exchange.port.js';
import { countingVenue, eventually, type Placement } from '../actors/engine/harness.js';

const BIN = fileURLToPath(new URL('../../bin/market-maker.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

interface EngineProcess {
  readonly child: ChildProcess;
  readonly adminUrl: string;
}

/** Starts the engine process and resolves with its admin URL once it logs that it is ready. */
function startEngine(configPath: string): Promise<EngineProcess> {
  const child = spawn(process.execPath, [BIN, '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine not ready after ${READY_TIMEOUT_MS} ms: ${stderr}`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code} before it was ready: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; admin?: string };
      if (entry.msg?.startsWith('market-maker ready') && entry.admin) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, adminUrl: entry.admin });
      }
    });
  });
}

/** SIGTERM, then the exit code. */
function stopEngine({ child }: EngineProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

interface SlotStatus {
  readonly index: number;
  readonly state: string;
  readonly position: string;
  readonly order: { readonly clientOrderId: string; readonly side: string } | null;
}

async function slots(engine: EngineProcess): Promise<SlotStatus[]> {
  const response = await fetch(`${engine.adminUrl}/status`);
  const status = (await response.json()) as {
    symbols: { actor: { phase: string; slots: SlotStatus[] } | null }[];
  };
  const actor = status.symbols[0]?.actor;
  return actor?.phase === 'trading' ? actor.slots : [];
}

describe('market-maker end to end', () => {
  let dir: string;
  let sim: SimulatedVenue;
  let venue: Exchange;
  let connector: ConnectorServer;
  const placements: Placement[] = [];
  const engines: EngineProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'opensqt-e2e-'));
    sim = createSimulatedVenue({
      symbols: ['BTCUSDT'],
      price: { volatilityPerYear: 0, jumpProbability: 0, basisVolatilityBps: 0 },
    });
    venue = sim.exchange('futures');
    connector = await startConnectorServer({
      venues: new Map([['sim', countingVenue(venue, placements)]]),
      defaultVenue: 'sim',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('e2e-connector', 'silent'),
    });
    await writeFile(
      path.join(dir, 'market_maker.yaml'),
      [
        'connector:',
        `  address: ${connector.address}`,
        'admin:',
        '  port: 0',
        'rpc:',
        '  port: 0',
        'database:',
        `  embedded_dir: ${path.join(dir, 'pglite')}`,
        'symbols:',
        '  - symbol: BTCUSDT',
        '    grid: { levels_below: 2, levels_above: 1, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
      ].join('\n'),
    );
  });

  after(async () => {
    for (const engine of engines) engine.child.kill('SIGKILL');
    await connector.shutdown(1_000);
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('places the grid, stops cleanly, and resumes it after a restart without duplicate orders', async () => {
    const config = path.join(dir, 'market_maker.yaml');
    const first = await startEngine(config);
    engines.push(first);
    const placed = await eventually(
      async () => {
        const open = await venue.getOpenOrders('BTCUSDT');
        return open.length === 2 ? open : undefined;
      },
      'the two grid buys on the venue',
      30_000,
    );
    const health = await fetch(`${first.adminUrl}/health`);
    const placedMetric =
      /market_maker_orders_placed_total\{symbol="BTCUSDT",side="BUY",type="LIMIT"\} 2/;
    await eventually(
      async () => placedMetric.test(await (await fetch(`${first.adminUrl}/metrics`)).text()),
      'both placements counted in /metrics',
    );
    assert.equal(await stopEngine(first), 0);

    sim.setSpotPrice('BTCUSDT', '99880');
    const second = await startEngine(config);
    engines.push(second);
    const resumed = await eventually(
      async () => {
        const all = await slots(second);
        return all.find((s) => s.index === -1)?.state === 'closing.resting' ? all : undefined;
      },
      'the close of the buy filled while down',
      30_000,
    );
    const open = await venue.getOpenOrders('BTCUSDT');
    assert.equal(await stopEngine(second), 0);

    assert.equal(health.status, 200);
    const ids = placements.map((p) => p.clientOrderId);
    assert.equal(
      new Set(ids).size,
      ids.length,
      `a client order id reached the venue twice: ${ids}`,
    );
    assert.deepEqual(placements.map((p) => `${p.side} ${p.price} ${p.accepted}`).sort(), [
      'BUY 99800 true',
      'BUY 99900 true',
      'SELL 100000 true',
    ]);
    const keptBuy = placed.find((o) => o.price.eq(99800))?.clientOrderId;
    assert.equal(resumed.find((s) => s.index === -2)?.order?.clientOrderId, keptBuy);
    assert.equal(resumed.find((s) => s.index === -1)?.position, '0.001');
    assert.deepEqual(open.map((o) => `${o.side} ${o.price.toFixed()}`).sort(), [
      'BUY 99800',
      'SELL 100000',
    ]);
  });
});
