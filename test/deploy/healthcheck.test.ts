/**
 * deploy/healthcheck.mjs, the containers' health probe: exit 0 for a SERVING gRPC server or a
 * 2xx HTTP endpoint, 1 for anything else (not serving, refused, an error status), 2 for a bad
 * command line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { startSimConnector } from '../support/grpc-harness.js';
import { ROOT } from './support/compose-file.js';
import { freePort } from './support/stack-runner.js';

function probe(...args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'deploy/healthcheck.mjs'), ...args], (error) =>
      resolve(error ? Number((error as { code?: number }).code ?? 1) : 0),
    );
  });
}

describe('deploy/healthcheck.mjs', () => {
  it('passes for a SERVING gRPC server and fails for a port nobody serves', async (t) => {
    const sim = await startSimConnector(t);

    assert.equal(await probe('grpc', sim.server.address), 0);
    assert.equal(await probe('grpc', `127.0.0.1:${await freePort()}`), 1);
  });

  it('passes for a 2xx HTTP answer only', async (t) => {
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.after(() => server.close());
    const { port } = server.address() as { port: number };

    assert.equal(await probe('http', `http://127.0.0.1:${port}/health`), 0);
    assert.equal(await probe('http', `http://127.0.0.1:${port}/stopping`), 1);
    assert.equal(await probe('http', `http://127.0.0.1:${await freePort()}/health`), 1);
  });

  it('refuses an unknown probe kind', async () => {
    assert.equal(await probe('tcp', '127.0.0.1:1'), 2);
  });
});
