/**
 * The admin API's HTTP edge, before any route runs: a body over the cap is refused with 413
 * without being parsed (a 50 MB body costs no memory), JSON without a JSON content type gets a
 * 415 that says so, a Host header naming another site gets 403 (DNS rebinding), and every
 * refusal carries its reason in the body and in `X-Error-Message`.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';

import { createEngineMetrics } from '../../../actors/engine/engine.metrics.js';
import { createLogger } from '../../../core/logger.js';
import { createAdminApp } from '../../../server/admin/admin.app.js';
import { startAdminServer } from '../../../server/admin/admin.server.js';
import type { AdminEngine, ProblemBody } from '../../../server/admin/admin.types.js';

/** An engine that must never be reached by a refused request. */
function untouchable(): AdminEngine & { calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => {
    calls.push(name);
    throw new Error(`the engine was asked to ${name}`);
  };
  return {
    calls,
    metrics: createEngineMetrics(),
    health: () => ({
      status: 'ok',
      connector: {
        venue: 'sim',
        reachable: true,
        state: 'up',
        sinceMs: 0,
        reason: null,
        latencyMs: 1,
      },
    }),
    status: async () => record('status'),
    symbols: () => [],
    addSymbol: async () => record('addSymbol'),
    removeSymbol: async () => record('removeSymbol'),
    collectMetrics: () => undefined,
  };
}

const silent = createLogger('admin-edges', 'silent');
const GRID = { symbol: 'ETHUSDT', grid: { interval: '5', order_quantity: '0.01' } };

async function problem(response: Response): Promise<ProblemBody> {
  const body = (await response.json()) as ProblemBody;
  assert.equal(response.headers.get('x-error-message'), body.problems[0]);
  return body;
}

describe('admin API edges', () => {
  it('refuses a body over the cap with 413 before parsing it', async () => {
    const engine = untouchable();
    const app = createAdminApp(engine, silent, { maxBodyBytes: 1024 });
    const big = JSON.stringify({ ...GRID, padding: 'x'.repeat(2048) });
    const response = await app.request('/symbols', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    assert.equal(response.status, 413);
    assert.deepEqual((await problem(response)).problems, [
      'body: larger than 1024 bytes; admin.max_body_bytes raises the limit',
    ]);
    assert.deepEqual(engine.calls, []);
  });

  it('refuses 50 MB sent to a real listener without reading it into memory', async () => {
    const engine = untouchable();
    const app = createAdminApp(engine, silent);
    const server = await startAdminServer({ fetch: app.fetch, host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(server.url).port);
      const before = process.memoryUsage().rss;
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          path: '/symbols',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024 },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', (e) => (e.message.includes('EPIPE') ? undefined : reject(e)));
        // Send the first megabyte only: the answer must not wait for the rest
        req.write(Buffer.alloc(1024 * 1024, 0x20));
      });
      assert.equal(status, 413);
      const grownMb = (process.memoryUsage().rss - before) / (1024 * 1024);
      assert.ok(grownMb < 40, `memory grew ${grownMb.toFixed(1)} MB`);
      assert.deepEqual(engine.calls, []);
    } finally {
      await server.close();
    }
  });

  it('answers JSON without a JSON content type with 415 naming the header', async () => {
    const engine = untouchable();
    const app = createAdminApp(engine, silent);
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      const response = await app.request('/symbols', {
        method: 'POST',
        ...(type === undefined ? {} : { headers: { 'content-type': type } }),
        body: JSON.stringify(GRID),
      });
      assert.equal(response.status, 415, `content type ${type}`);
      const { error, problems } = await problem(response);
      assert.equal(error, 'unsupported media type');
      assert.match(
        problems[0] ?? '',
        /^content-type: send the body as JSON with "Content-Type: application\/json", was /,
      );
    }
    assert.deepEqual(engine.calls, []);
  });

  it('refuses a Host that names another site with 403, and serves its own names', async () => {
    const engine = untouchable();
    const app = createAdminApp(engine, silent, { allowedHosts: ['mm.internal'] });
    for (const host of [
      'evil.example',
      'evil.example:8080',
      '127.0.0.1.evil.example',
      'x'.repeat(500),
    ]) {
      const response = await app.request('/health', { headers: { host } });
      assert.equal(response.status, 403, host);
      const { problems } = await problem(response);
      assert.match(
        problems[0] ?? '',
        /^host: .* is not a name of this server; add it to admin\.allowed_hosts/,
      );
      assert.ok((problems[0] ?? '').length < 220, 'the refusal quotes a short prefix only');
    }
    for (const host of [
      '127.0.0.1:8080',
      'localhost:8080',
      '[::1]:8080',
      '10.1.2.3',
      'MM.internal:8080',
    ]) {
      const response = await app.request('/health', { headers: { host } });
      assert.equal(response.status, 200, host);
    }
    const deleted = await app.request('/symbols/BTCUSDT', {
      method: 'DELETE',
      headers: { host: 'rebound.example:8080' },
    });
    assert.equal(deleted.status, 403);
    assert.deepEqual(engine.calls, []);
  });
});
