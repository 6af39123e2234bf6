/**
 * `npm run conformance`: the CLI runs the conformance suite against an ExchangeService endpoint
 * given as host:port and prints a pass/fail table: every selected case passes against our
 * connector on a wall-clock simulator, a connector whose venue misbehaves fails the case that
 * notices, and a bad command line gets a usage error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import type { Exchange } from '../../core/exchange.port.js';
import { WallClock } from '../../core/clock.js';
import { startConnector, startSimConnector } from '../support/grpc-harness.js';

const CLI = fileURLToPath(new URL('../../tools/conformance.ts', import.meta.url));
/** Cases that finish in a second or so on a wall clock (klines and funding take a minute). */
const QUICK = '^(places|cancels an order|returns the existing|fills|streams every order|rejects)';

function cli(args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: stdout + stderr });
      },
    );
  });
}

describe('npm run conformance', () => {
  it('passes every selected case against our connector and prints the table', async (t) => {
    const sim = await startSimConnector(t, { clock: new WallClock() });

    const { code, out } = await cli(['--target', sim.server.address, '--only', QUICK]);

    assert.equal(code, 0, out);
    assert.match(out, /\| group +\| case +\| result \| time +\| detail \|/);
    assert.match(
      out,
      /\| orders +\| returns the existing order for a client order id placed twice +\| PASS/,
    );
    assert.match(out, /: 9 of 9 cases passed \(0 failed, 0 skipped\)/);
  });

  it('fails the case a misbehaving venue breaks, and exits 1', async (t) => {
    const sim = await startSimConnector(t, { clock: new WallClock() });
    // A venue that acknowledges cancels without cancelling anything
    const broken = new Proxy(sim.futures, {
      get: (target, property, receiver) =>
        property === 'cancelOrder'
          ? async () => undefined
          : (Reflect.get(target, property, receiver) as unknown),
    }) as Exchange;
    const server = await startConnector(t, [broken, sim.spot]);

    const { code, out } = await cli(['--target', server.address, '--only', '^cancels an order']);

    assert.equal(code, 1, out);
    assert.match(out, /cancels an order, which then cannot be cancelled again +\| FAIL/);
    assert.match(out, /0 of 1 cases passed \(1 failed, 0 skipped\)/);
  });

  it('explains a bad command line', async () => {
    const { code, out } = await cli(['--target', 'nowhere']);

    assert.equal(code, 2);
    assert.match(out, /--target: must be host:port/);
    assert.match(out, /usage: npm run conformance -- --target host:port/);
  });
});
