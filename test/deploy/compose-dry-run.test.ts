/**
 * Compose dry run: the stack of compose.yaml started without Docker. Each application service
 * runs its own `command` with the `environment` compose gives it (secrets from a test .env),
 * service host names on loopback and exposed ports moved to free ones, against the CI's
 * PostgreSQL in place of the postgres service; each starts once its dependencies' own healthcheck
 * commands pass, and the test waits until its own passes too. Then the engine must be trading
 * through the connector with the API key, and the dashboard's feed must be live. Skipped, saying
 * why, when TEST_DATABASE_URL is not set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { openTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  applicationServices,
  interpolateTree,
  readComposeRaw,
  type ServiceView,
} from './support/compose-file.js';
import {
  healthy,
  imageDirectory,
  loopbackAddresses,
  natively,
  removeDirectory,
  startService,
  stopService,
  type RunningService,
} from './support/stack-runner.js';

const skip = !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set (needs PostgreSQL)';
const HEALTHY_TIMEOUT_MS = 90_000;

/** Dependencies first, as compose starts them. */
function startOrder(services: readonly ServiceView[]): ServiceView[] {
  const ordered: ServiceView[] = [];
  const visit = (service: ServiceView): void => {
    if (ordered.includes(service)) return;
    for (const name of Object.keys(service.dependsOn)) {
      const dependency = services.find((s) => s.name === name);
      if (dependency) visit(dependency);
    }
    ordered.push(service);
  };
  services.forEach(visit);
  return ordered;
}

describe('compose dry run (the stack without Docker)', { skip }, () => {
  let db: TestDatabase;
  let dir: string;
  const running: RunningService[] = [];
  const checks = new Map<string, readonly string[]>();
  const addressOf = new Map<string, string>();

  before(async () => {
    db = await openTestDatabase('postgres', { migrate: false });
    const url = new URL(db.url);
    // What the operator's .env holds; the database stands for the postgres service
    const dotEnv = {
      CONNECTOR_API_KEY: randomBytes(24).toString('hex'),
      POSTGRES_USER: decodeURIComponent(url.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(url.password) || randomBytes(8).toString('hex'),
      POSTGRES_DB: url.pathname.slice(1),
      GRAFANA_ADMIN_PASSWORD: randomBytes(8).toString('hex'),
    };
    const compose = interpolateTree(readComposeRaw(), dotEnv) as Record<string, unknown>;
    const services = applicationServices(compose);
    const addresses = new Map(await loopbackAddresses(services));
    addresses.set('postgres:5432', url.host);
    dir = imageDirectory();

    for (const service of startOrder(services)) {
      for (const dependency of Object.keys(service.dependsOn)) {
        const check = checks.get(dependency);
        if (check) await waitHealthy(dependency, check);
      }
      const { command, environment, healthcheck } = natively(service, addresses);
      running.push(startService(service.name, command, environment, dir));
      checks.set(service.name, healthcheck);
      const [port] = service.expose;
      addressOf.set(service.name, addresses.get(`${service.name}:${port}`) ?? '');
    }
  });

  after(async () => {
    await Promise.all(running.map((s) => stopService(s)));
    if (dir) removeDirectory(dir);
    await db?.close();
  });

  async function waitHealthy(name: string, check: readonly string[]): Promise<void> {
    const service = running.find((s) => s.name === name);
    const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
    while (!(await healthy(check, dir))) {
      const exited = service?.child.exitCode ?? service?.child.signalCode ?? null;
      if (exited !== null || Date.now() > deadline) {
        const why = exited === null ? `not healthy after ${HEALTHY_TIMEOUT_MS} ms` : 'exited';
        assert.fail(`${name} ${why}:\n${service?.output.slice(-30).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('brings every application service to healthy by its own healthcheck command', async () => {
    for (const [name, check] of checks) await waitHealthy(name, check);
    assert.deepEqual([...checks.keys()].sort(), [
      'exchange-connector',
      'live-server',
      'market-maker',
    ]);
  });

  it('trades: the engine reaches the connector with the API key and the database', async () => {
    const admin = `http://${addressOf.get('market-maker')}`;
    const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
    let states: string[] = [];
    while (Date.now() < deadline) {
      const status = (await (await fetch(`${admin}/status`)).json()) as {
        symbols: { symbol: string; state: string }[];
      };
      states = status.symbols.map((s) => `${s.symbol} ${s.state}`);
      if (states.includes('BTCUSDT trading')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(states, ['BTCUSDT trading']);
  });

  it('serves the dashboard with a live feed from the connector', async () => {
    const live = `http://${addressOf.get('live-server')}`;
    const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
    let upstream = '';
    while (Date.now() < deadline && upstream !== 'live') {
      upstream = ((await (await fetch(`${live}/health`)).json()) as { upstream: string }).upstream;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(upstream, 'live');
    assert.equal((await fetch(`${live}/`)).status, 200);
  });
});
