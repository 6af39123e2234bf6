import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  Authenticator,
  ConnectionGate,
  ConnectionRateLimiter,
} from '../../../server/live/admission.js';
import { ClientHub } from '../../../server/live/client-hub.js';
import { createLiveApp, type LiveAppOptions } from '../../../server/live/live.app.js';
import type { StatusData } from '../../../server/live/messages.js';
import { silent } from './support/live-harness.js';

const status: StatusData = {
  upstream: 'connecting',
  exchange: '',
  symbol: 'BTCUSDT',
  interval: '1m',
  intervalSeconds: 60,
  message: 'connecting to the exchange connector',
  time: 0,
};

function app(t: TestContext, patch: Partial<LiveAppOptions['ws']> & Partial<LiveAppOptions> = {}) {
  const hub = new ClientHub({
    maxBufferedBytes: 65_536,
    pingIntervalMs: 30_000,
    pongTimeoutMs: 60_000,
    writeTimeoutMs: 10_000,
    snapshot: () => undefined,
    logger: silent,
  });
  t.after(() => hub.close(0));
  return createLiveApp({
    ws: {
      hub,
      limiter: patch.limiter ?? new ConnectionRateLimiter(10, 20),
      gate: patch.gate ?? new ConnectionGate(10),
      allowedOrigins: patch.allowedOrigins ?? ['http://localhost:3000'],
      auth: patch.auth,
    },
    health: { clients: () => 3, upstream: () => status },
    healthEndpoint: 'healthEndpoint' in patch ? patch.healthEndpoint : '/health',
    corsOrigins: ['http://localhost:3000'],
    webDirectory: 'public',
    logger: silent,
  });
}

const upgrade = { upgrade: 'websocket', connection: 'Upgrade' };

describe('createLiveApp', () => {
  it('reports health with client count, time and upstream state', async (t) => {
    const before = Math.floor(Date.now() / 1000);
    const res = await app(t).request('/health');
    const body = (await res.json()) as Record<string, unknown>;

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(
      { ...body, time: undefined },
      {
        status: 'degraded',
        clients: 3,
        time: undefined,
        upstream: 'connecting',
        exchange: '',
        message: 'connecting to the exchange connector',
        outages: 0,
      },
    );
    assert.ok((body.time as number) >= before && (body.time as number) <= before + 2);
  });

  it('serves health at the configured endpoint, or not at all', async (t) => {
    assert.equal((await app(t, { healthEndpoint: '/healthz' }).request('/healthz')).status, 200);
    assert.equal((await app(t, { healthEndpoint: undefined }).request('/health')).status, 404);
  });

  it('serves the dashboard page with a same-origin content security policy', async (t) => {
    const res = await app(t).request('/');
    const html = await res.text();

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html, /<title>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
  });

  it('serves the chart library from the installed npm package', async (t) => {
    const res = await app(t).request('/vendor/lightweight-charts.mjs');
    const body = await res.text();

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.match(body, /createChart/);
  });

  it('answers CORS for allowed origins only', async (t) => {
    const a = app(t);
    const allowed = await a.request('/health', { headers: { origin: 'http://localhost:3000' } });
    const foreign = await a.request('/health', { headers: { origin: 'http://evil.example' } });

    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  it('answers unknown paths with a JSON 404', async (t) => {
    const res = await app(t).request('/nope.txt');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no route GET /nope.txt' });
  });

  describe('/ws admission', () => {
    it('refuses a plain GET with 426', async (t) => {
      const res = await app(t).request('/ws');
      assert.equal(res.status, 426);
      assert.match(((await res.json()) as { error: string }).error, /WebSocket only/);
    });

    it('refuses an address over its connection rate with 429', async (t) => {
      const a = app(t, { limiter: new ConnectionRateLimiter(0.001, 1) });
      await a.request('/ws', { headers: upgrade });
      const res = await a.request('/ws', { headers: upgrade });

      assert.equal(res.status, 429);
      assert.match(((await res.json()) as { error: string }).error, /too many connections/);
    });

    it('refuses a foreign browser origin with 403', async (t) => {
      const res = await app(t).request('/ws', {
        headers: { ...upgrade, origin: 'http://evil.example' },
      });
      assert.equal(res.status, 403);
    });

    it('refuses a missing or wrong credential with 401 and a Bearer challenge', async (t) => {
      const auth = new Authenticator({ apiKeys: ['k'.repeat(20)], jwtSecret: '' });
      const a = app(t, { auth });
      const missing = await a.request('/ws', { headers: upgrade });
      const wrong = await a.request('/ws?token=nope', { headers: upgrade });

      assert.equal(missing.status, 401);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
      assert.equal(wrong.status, 401);
    });

    it('refuses a connection over the client cap with 503', async (t) => {
      const res = await app(t, { gate: new ConnectionGate(0) }).request('/ws', {
        headers: upgrade,
      });
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /server busy: 0/);
    });
  });
});
