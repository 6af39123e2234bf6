/**
 * Fuzz: the real live-server (HTTP + WebSocket listener over the simulated venue) against a
 * bounded, seeded corpus of malformed input generated with fast-check: random paths (traversal
 * attempts included), methods, Host and Origin headers, broken WebSocket handshakes, and frames a
 * dashboard never sends (text, binary, oversized). Every HTTP reply must be a known status with a
 * reason, never a 500; no file outside the web directory is served; a client that sends garbage
 * is closed without disturbing the others; the server stays up with bounded memory.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import { WebSocket } from 'ws';

import { DashboardClient, startLive } from '../server/live/support/live-harness.js';

const SEED = 20_260_907;
const KNOWN = new Set([101, 200, 204, 304, 400, 401, 403, 404, 405, 413, 426, 429, 431, 503]);

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly reason: string | undefined;
}

/** One raw request with exactly these headers; resolves with the status (101 for an upgrade). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 10_000 });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          reason: res.headers['x-error-message'] as string | undefined,
        }),
      );
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '', reason: undefined });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} hung`)));
    req.on('error', reject);
    req.end();
  });
}

/** Header values Node itself would refuse to send are not what this suite tests. */
const headerValue = fc
  .string({ maxLength: 120 })
  .map((s) => s.replace(/[^\x20-\x7e]/g, ''))
  .filter((s) => s.trim() === s);

describe('live-server fuzz', () => {
  it('answers random requests with a known status and a reason, never a server error', async (t) => {
    const { server } = await startLive(t, {
      server: { rate_limit: { per_second: 1000, burst: 1000 } },
    });
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.webPath(),
          fc.constantFrom(
            '/../../etc/passwd',
            '/%2e%2e/%2e%2e/etc/passwd',
            '/vendor/../../package.json',
            '/ws?token=' + 'x'.repeat(2000),
            '/health',
            '/',
          ),
        ),
        fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PUT'),
        fc.record(
          {
            host: fc.oneof(fc.domain(), fc.constant(`127.0.0.1:${server.port}`), headerValue),
            origin: fc.oneof(fc.webUrl(), headerValue),
            upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', ''),
            'sec-websocket-version': fc.constantFrom('13', '8', '', 'x'),
            'sec-websocket-key': fc.oneof(fc.constant('dGhlIHNhbXBsZSBub25jZQ=='), headerValue),
          },
          { requiredKeys: [] },
        ),
        async (path, method, headers) => {
          const sent: Record<string, string> = { ...headers };
          if (sent.upgrade) sent.connection = 'Upgrade';
          if (sent.host === '') delete sent.host;
          const target = path.startsWith('/') ? path : `/${path}`;
          const reply = await raw(server.port, method, target, sent);
          assert.ok(KNOWN.has(reply.status), `${method} ${target}: ${reply.status} ${reply.body}`);
          assert.doesNotMatch(
            reply.body,
            /root:x:0:0|"name": "opensqt/,
            'served a file it must not',
          );
          // A Host that is no authority at all is refused by the HTTP adapter with a bare 400
          const bare = reply.status === 400 && reply.body === '';
          if (reply.status >= 400 && reply.status !== 404 && reply.status !== 405 && !bare) {
            assert.ok(reply.reason, `${method} ${target}: ${reply.status} without a reason`);
          }
        },
      ),
      { seed: SEED, numRuns: 250 },
    );
    const health = await raw(server.port, 'GET', '/health', { host: `127.0.0.1:${server.port}` });
    assert.equal(health.status, 200);
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / (1024 * 1024);
    assert.ok(grownMb < 100, `heap grew ${grownMb.toFixed(0)} MB`);
  });

  it('closes a client that sends frames, without disturbing the others', async (t) => {
    const { server, wsUrl } = await startLive(t, {
      server: { rate_limit: { per_second: 1000, burst: 1000 } },
    });
    const bystander = await DashboardClient.open(t, wsUrl);
    await bystander.waitFor((m) => m.type === 'status', 'the bystander snapshot');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }),
          fc.integer({ min: 4_097, max: 70_000 }).map((n) => 'x'.repeat(n)),
          fc.json({ maxDepth: 3 }),
        ),
        async (frame) => {
          const ws = new WebSocket(wsUrl);
          await new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          });
          const closed = new Promise<number>((resolve) =>
            ws.once('close', (code) => resolve(code)),
          );
          ws.on('error', () => undefined);
          ws.send(frame);
          // The page never sends: an oversized frame is refused (1009), others are ignored
          const code = await Promise.race([
            closed,
            new Promise<number>((resolve) => setTimeout(() => resolve(0), 150)),
          ]);
          const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
          if (size > 4096) assert.equal(code, 1009, `a ${size}-byte frame`);
          else assert.ok(code === 0 || code === 1000 || code === 1005, `closed with ${code}`);
          ws.terminate();
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
    assert.equal(bystander.closeCode, undefined, 'the bystander stays connected');
    assert.equal(server.hub.size >= 1, true);
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    assert.equal(health.status, 200);
  });
});
