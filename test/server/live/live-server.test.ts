/**
 * Integration: real `ws` clients against the real live server over the simulated venue. Covers
 * the connect sequence, fan-out to many clients, a slow client cut alone, connect/disconnect
 * storms, stalled and silent peers, refusals at the upgrade, and graceful shutdown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { dec } from '../../../core/decimal.js';
import {
  CLOSE_GOING_AWAY,
  CLOSE_PONG_TIMEOUT,
  CLOSE_SLOW_CONSUMER,
} from '../../../server/live/client-hub.js';
import { DashboardClient, eventually, refusedStatus, startLive } from './support/live-harness.js';

const SNAPSHOT = ['history', 'orders', 'account', 'position', 'pnl', 'status'];

describe('live server', () => {
  it('sends history, orders, account, position, pnl and status first, then live updates', async (t) => {
    const { wsUrl, venue, exchange } = await startLive(t);
    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.01'),
      price: dec('50000'),
    });
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(SNAPSHOT.length);
    venue.step();
    await client.received(SNAPSHOT.length + 1);

    assert.deepEqual(client.types().slice(0, SNAPSHOT.length), SNAPSHOT);
    const [history, orders] = client.messages;
    assert.equal(history?.data.length, 100);
    assert.deepEqual(
      orders?.data.map((o: { price: string; status: string }) => [o.price, o.status]),
      [['50000', 'NEW']],
    );
    const kline = client.messages[SNAPSHOT.length];
    assert.equal(kline?.type, 'kline');
    assert.ok(kline.data.time >= history?.data.at(-1).time, 'live candle not older than history');
  });

  it('serves 100 concurrent clients the same snapshot and the same live update', async (t) => {
    const { wsUrl, venue, server } = await startLive(t, {
      server: { rate_limit: { per_second: 1000, burst: 1000 } },
    });
    const clients = await Promise.all(
      Array.from({ length: 100 }, () => DashboardClient.open(t, wsUrl)),
    );
    await Promise.all(clients.map((c) => c.received(SNAPSHOT.length)));
    venue.step();
    await Promise.all(clients.map((c) => c.received(SNAPSHOT.length + 1)));

    assert.equal(server.hub.size, 100);
    const first = JSON.stringify(
      clients[0]?.messages.slice(0, SNAPSHOT.length + 1).filter((m) => m.type !== 'status'),
    );
    for (const c of clients) {
      assert.deepEqual(c.types().slice(0, SNAPSHOT.length), SNAPSHOT);
      assert.equal(
        JSON.stringify(c.messages.slice(0, SNAPSHOT.length + 1).filter((m) => m.type !== 'status')),
        first,
      );
    }
  });

  it('disconnects a client that stops reading with 4001 and keeps serving the others', async (t) => {
    const { wsUrl, venue, server } = await startLive(t, {
      performance: { client_buffer_bytes: 65_536 },
    });
    const slow = await DashboardClient.open(t, wsUrl);
    const fast = await Promise.all([1, 2, 3].map(() => DashboardClient.open(t, wsUrl)));
    await slow.received(SNAPSHOT.length);
    slow.ws.pause();

    // Step the market in bursts with a turn of the event loop between them, as a busy venue does
    for (let burst = 0; server.hub.slowDisconnects === 0; burst++) {
      assert.ok(burst < 2000, 'the slow client was never disconnected');
      for (let i = 0; i < 100; i++) venue.step();
      await new Promise((r) => setImmediate(r));
    }
    const before = fast.map((c) => c.messages.length);
    for (let i = 0; i < 10; i++) venue.step();
    await Promise.all(fast.map((c, i) => c.received((before[i] ?? 0) + 10)));
    slow.ws.resume();
    await slow.closed(5000);

    assert.equal(server.hub.size, 3);
    assert.equal(slow.closeCode, CLOSE_SLOW_CONSUMER);
    assert.match(slow.closeReason, /^slow consumer: \d+ bytes unsent, limit 65536$/);
    for (const c of fast) assert.equal(c.closeCode, undefined);
  });

  it('disconnects a client whose send buffer stays backed up past the write timeout', async (t) => {
    const { wsUrl, venue, server } = await startLive(t, {
      performance: { client_buffer_bytes: 256 * 1024 * 1024, write_timeout_ms: 200 },
    });
    const stalled = await DashboardClient.open(t, wsUrl);
    const healthy = await DashboardClient.open(t, wsUrl);
    await stalled.received(SNAPSHOT.length);
    stalled.ws.pause();

    for (let burst = 0; server.hub.slowDisconnects === 0; burst++) {
      assert.ok(burst < 5000, 'the stalled client was never disconnected');
      for (let i = 0; i < 100; i++) venue.step();
      await new Promise((r) => setImmediate(r));
    }
    stalled.ws.resume();
    await stalled.closed(5000);

    assert.equal(stalled.closeCode, CLOSE_SLOW_CONSUMER);
    assert.match(stalled.closeReason, /^slow consumer: send stalled \d+ ms$/);
    assert.equal(healthy.closeCode, undefined);
    assert.equal(server.hub.size, 1);
  });

  it('pings clients and disconnects one that stops answering with 4002', async (t) => {
    const { wsUrl, server } = await startLive(t, {
      performance: { ping_interval_ms: 100, pong_timeout_ms: 300 },
    });
    const mute = await DashboardClient.open(t, wsUrl, { autoPong: false });
    const alive = await DashboardClient.open(t, wsUrl);
    let pings = 0;
    alive.ws.on('ping', () => pings++);

    await mute.closed(3000);

    assert.equal(mute.closeCode, CLOSE_PONG_TIMEOUT);
    assert.equal(mute.closeReason, 'no pong within the timeout');
    assert.ok(pings >= 2, `pings answered: ${pings}`);
    assert.equal(alive.closeCode, undefined);
    assert.equal(server.hub.size, 1);
  });

  it('leaves no client and no reserved slot behind after a connect/disconnect storm', async (t) => {
    const { wsUrl, venue, server } = await startLive(t, {
      server: { rate_limit: { per_second: 1000, burst: 1000 } },
    });
    const steady = await DashboardClient.open(t, wsUrl);
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const ws = new WebSocket(wsUrl);
          ws.on('error', () => undefined);
          // Half close right after the handshake, half before it completes
          if (i % 2 === 0) {
            await new Promise((r) => {
              ws.once('open', r);
              ws.once('close', r);
            });
          }
          ws.terminate();
        }),
      );
      venue.step();
    }
    await eventually(() => server.hub.size === 1, 'only the steady client to remain');
    const count = steady.messages.length;
    venue.step();
    await steady.received(count + 1);

    const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as {
      clients: number;
    };
    assert.equal(health.clients, 1);
    assert.equal(steady.closeCode, undefined);
  });

  it('refuses upgrades over the client cap with 503 and over the IP rate with 429', async (t) => {
    const { wsUrl } = await startLive(t, {
      performance: { max_clients: 2 },
      server: { rate_limit: { per_second: 0.001, burst: 3 } },
    });
    await DashboardClient.open(t, wsUrl);
    await DashboardClient.open(t, wsUrl);

    assert.equal(await refusedStatus(wsUrl), 503);
    assert.equal(await refusedStatus(wsUrl), 429);
  });

  it('refuses an unauthenticated upgrade with 401 and accepts a valid API key', async (t) => {
    const key = 'k'.repeat(24);
    const { wsUrl } = await startLive(t, { server: { enable_auth: true, api_keys: [key] } });

    assert.equal(await refusedStatus(wsUrl), 401);
    assert.equal(
      await refusedStatus(wsUrl, { headers: { 'x-api-key': 'wrong-key-000000000' } }),
      401,
    );
    const client = await DashboardClient.open(t, `${wsUrl}?token=${key}`);
    await client.received(SNAPSHOT.length);
  });

  it('refuses a browser page from a foreign origin with 403', async (t) => {
    const { wsUrl } = await startLive(t);

    assert.equal(await refusedStatus(wsUrl, { origin: 'http://evil.example' }), 403);
    const own = await DashboardClient.open(t, wsUrl, { origin: 'http://localhost:8888' });
    await own.received(SNAPSHOT.length);
  });

  it('closes every client with 1001 on shutdown', async (t) => {
    const { wsUrl, server } = await startLive(t);
    const clients = await Promise.all([1, 2, 3].map(() => DashboardClient.open(t, wsUrl)));

    await server.close();

    for (const c of clients) {
      await c.closed();
      assert.equal(c.closeCode, CLOSE_GOING_AWAY);
      assert.equal(c.closeReason, 'server shutting down');
    }
  });
});
