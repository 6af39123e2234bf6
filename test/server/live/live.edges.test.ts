/**
 * The live server's HTTP edge over a real socket: a Host header naming another site is refused
 * (403) on every route, the WebSocket included, so a DNS-rebinding page can neither read the
 * dashboard nor open the feed; refused upgrades (401, 403, 429) carry their reason in
 * `X-Error-Message`, because a client sees only the headers of a refused upgrade; bodies are
 * capped.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';

import { startLive } from './support/live-harness.js';

interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request on its own socket, headers exactly as given; an upgrade is reported as 101. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string>,
  options: { method?: string; body?: Buffer } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: options.method ?? 'GET',
      headers,
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};
const KEY = 'k'.repeat(24);

describe('live server edges', () => {
  it('refuses a foreign Host on the page, the health endpoint and the feed', async (t) => {
    const { server } = await startLive(t, { server: { allowed_hosts: ['dash.lan'] } });
    for (const path of ['/', '/health', '/vendor/lightweight-charts.mjs']) {
      const reply = await raw(server.port, path, { host: 'evil.example:8888' });
      assert.equal(reply.status, 403, path);
      assert.match(String(reply.headers['x-error-message']), /^host: evil\.example:8888 is not/);
      assert.match(reply.body, /server\.allowed_hosts/);
    }
    const upgrade = await raw(server.port, '/ws', {
      ...UPGRADE,
      host: 'evil.example:8888',
      origin: 'http://evil.example:8888',
    });
    assert.equal(upgrade.status, 403, 'a rebinding page cannot open the feed');
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'dash.lan:8888']) {
      assert.equal((await raw(server.port, '/health', { host })).status, 200, host);
    }
    const own = await raw(server.port, '/ws', {
      ...UPGRADE,
      host: `localhost:${server.port}`,
      origin: `http://localhost:${server.port}`,
    });
    assert.equal(own.status, 101, 'the page served from its own host still connects');
  });

  it('gives every refused upgrade a short reason a client can read', async (t) => {
    const { server } = await startLive(t, {
      server: {
        enable_auth: true,
        api_keys: [KEY],
        allowed_origins: ['http://localhost:3000'],
        rate_limit: { per_second: 0.001, burst: 2 },
      },
    });
    const host = `127.0.0.1:${server.port}`;
    const noKey = await raw(server.port, '/ws', { ...UPGRADE, host });
    assert.equal(noKey.status, 401);
    assert.match(String(noKey.headers['x-error-message']), /valid API key or JWT is required/);
    assert.equal(noKey.headers['www-authenticate'], 'Bearer');

    const foreign = await raw(server.port, '/ws', {
      ...UPGRADE,
      host,
      origin: `http://${'evil'.repeat(100)}.example`,
      'x-api-key': KEY,
    });
    assert.equal(foreign.status, 403);
    const reason = String(foreign.headers['x-error-message']);
    assert.match(reason, /^origin http:\/\/evilevil.* is not in allowed_origins/);
    assert.ok(reason.length < 200, 'a hostile origin is quoted as a short prefix');

    const flood = await raw(server.port, '/ws', { ...UPGRADE, host, 'x-api-key': KEY });
    assert.equal(flood.status, 429);
    assert.match(String(flood.headers['x-error-message']), /too many connections/);
    assert.equal(flood.headers['retry-after'], '1');
  });

  it('answers an upgrade to anything but WebSocket with 426 instead of leaving it hanging', async (t) => {
    const { server } = await startLive(t);
    const reply = await raw(server.port, '/health', {
      host: `127.0.0.1:${server.port}`,
      connection: 'Upgrade',
      upgrade: 'h2c',
    });
    assert.equal(reply.status, 426);
    assert.match(String(reply.headers['x-error-message']), /only WebSocket upgrades/);
    const malformed = await raw(server.port, '/ws', { ...UPGRADE, host: '/' });
    assert.equal(malformed.status, 400, 'a malformed Host is the client error, not a 500');
    assert.match(String(malformed.headers['x-error-message']), /^host: must be host\[:port\]/);
  });

  it('refuses a body over 64 KiB with 413', async (t) => {
    const { server } = await startLive(t);
    const reply = await raw(
      server.port,
      '/health',
      { host: `127.0.0.1:${server.port}`, 'content-type': 'application/octet-stream' },
      { method: 'POST', body: Buffer.alloc(70 * 1024) },
    );
    assert.equal(reply.status, 413);
    assert.match(String(reply.headers['x-error-message']), /^body: larger than 65536 bytes/);
  });
});
