/**
 * @module test/apps/exchange-connector.main
 * The exchange-connector process as users run it: with an extra simulated perp venue in its
 * config it serves that venue beside "sim" and "sim-spot" to clients that select it with
 * `x-exchange`, and with the defaults it serves exactly "sim" and "sim-spot" as before.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { eventually, remote } from '../support/grpc-harness.js';

interface Listening {
  readonly address: string;
  readonly venues: readonly string[];
}

/** Starts the connector process on a free port with `config`; stopped after the test. */
async function startConnectorProcess(t: TestContext, config: string): Promise<Listening> {
  const dir = mkdtempSync(join(tmpdir(), 'osq-connector-'));
  const path = join(dir, 'exchange_connector.yaml');
  writeFileSync(path, config);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/exchange-connector.main.ts', '--config', path, '--port', '0'],
    { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let listening: Listening | undefined;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of output.split('\n')) {
      if (!line.includes('"address"')) continue;
      const log = JSON.parse(line) as Partial<Listening>;
      if (log.address && log.venues) listening = { address: log.address, venues: log.venues };
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(() => listening !== undefined, `the connector to listen\n${output}`, 20_000);
  return listening as Listening;
}

const SIMULATOR = (options: string) => `
simulator:
  state_file: ""
  options:
    symbols: [BTCUSDT]
${options}
`;

describe('exchange-connector process', () => {
  it('serves an extra simulated perp venue selected with x-exchange', async (t) => {
    const { address, venues } = await startConnectorProcess(
      t,
      SIMULATOR(`    perpVenues:
      sim-perp2:
        funding: { intervalMs: 3600000 }
        price: { basisMeanBps: 10 }`),
    );
    assert.deepEqual(venues, ['sim', 'sim-spot', 'sim-perp2']);

    const perp2 = await remote(t, address, { exchange: 'sim-perp2' });
    const sim = await remote(t, address);
    const [rate, simRate] = await Promise.all([
      perp2.getFundingRate('BTCUSDT'),
      sim.getFundingRate('BTCUSDT'),
    ]);
    assert.deepEqual([rate.exchange, simRate.exchange], ['sim-perp2', 'sim']);
    assert.equal(rate.nextFundingTimeMs % 3_600_000, 0);
    const history = await perp2.getHistoricalFundingRates('BTCUSDT', 2);
    assert.equal((history[1]?.timeMs ?? 0) - (history[0]?.timeMs ?? 0), 3_600_000);
  });

  it('serves exactly sim and sim-spot by default', async (t) => {
    const { address, venues } = await startConnectorProcess(t, SIMULATOR(''));
    assert.deepEqual(venues, ['sim', 'sim-spot']);
    await assert.rejects(
      remote(t, address, { exchange: 'sim-perp2' }),
      /unknown venue "sim-perp2"; this connector serves sim, sim-spot/,
    );
  });
});
