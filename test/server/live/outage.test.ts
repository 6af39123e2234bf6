/**
 * Connector outages are visible on the live server within about one probe timeout, through a
 * real gRPC connector: a frozen connector (it accepts calls and never answers, its streams go
 * quiet; sockets stay open) and a connector that refuses our key both turn /health "degraded"
 * with the reason and send every dashboard client a status message; once the connector answers
 * again every client gets a fresh snapshot and /health says "ok".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { remote, startConnector } from '../../support/grpc-harness.js';
import { DashboardClient, startLive } from './support/live-harness.js';

type Mode = 'serving' | 'frozen' | 'refusing';

/** The venue behind the connector, switchable into a freeze or a refusal. */
function switchable(inner: Exchange) {
  const state: { mode: Mode } = { mode: 'serving' };
  const exchange = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const name = String(property);
      if (name === 'isReachable' || name === 'close') return value.bind(target);
      const fn = value as (...args: unknown[]) => unknown;
      if (name.startsWith('subscribe')) {
        return (...args: unknown[]) => {
          const sink = args.at(-1) as { next: (v: unknown) => void };
          const quiet = { ...sink, next: (v: unknown) => state.mode === 'serving' && sink.next(v) };
          return fn.apply(target, [...args.slice(0, -1), quiet]);
        };
      }
      return (...args: unknown[]): unknown => {
        if (state.mode === 'frozen') return new Promise(() => undefined);
        if (state.mode === 'refusing') {
          return Promise.reject(new ExchangeError('AUTHENTICATION', 'invalid API key'));
        }
        return fn.apply(target, args);
      };
    },
  });
  return { exchange, state };
}

async function health(port: number): Promise<{ status: string; message: string; outages: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return (await response.json()) as { status: string; message: string; outages: number };
}

describe('connector outages on the live server', () => {
  for (const outage of ['frozen', 'refusing'] as const) {
    it(`reports a ${outage} connector within a few seconds and recovers`, async (t) => {
      const venue = createSimulatedVenue({ seed: 7, symbols: ['BTCUSDT'] }, new VirtualClock());
      t.after(() => venue.close());
      const { exchange: served, state } = switchable(venue.exchange('futures'));
      const connector = await startConnector(t, served);
      const client = await remote(t, connector.address, { deadlineMs: 1_000 });
      const { server, wsUrl } = await startLive(
        t,
        { connector: { probe_interval_ms: 100, probe_timeout_ms: 300 } },
        () => async () => client,
      );
      const dashboards = [
        await DashboardClient.open(t, wsUrl),
        await DashboardClient.open(t, wsUrl),
      ];
      for (const d of dashboards) await d.waitFor((m) => m.type === 'status', 'the snapshot');
      const from = dashboards.map((d) => d.messages.length);
      assert.equal((await health(server.port)).status, 'ok');

      const started = Date.now();
      state.mode = outage;
      for (const [i, d] of dashboards.entries()) {
        const status = await d.waitFor(
          (m) => m.type === 'status' && m.data.upstream === 'reconnecting',
          'a status message about the outage',
          from[i],
          5_000,
        );
        assert.match(
          status.data.message,
          outage === 'frozen' ? /not answering: no answer within 300 ms/ : /invalid API key/,
        );
      }
      assert.ok(Date.now() - started < 3_000, `noticed after ${Date.now() - started} ms`);
      const degraded = await health(server.port);
      assert.equal(degraded.status, 'degraded');
      assert.notEqual(degraded.message, '');
      assert.equal(degraded.outages, 1);

      const back = dashboards.map((d) => d.messages.length);
      state.mode = 'serving';
      for (const [i, d] of dashboards.entries()) {
        await d.waitFor(
          (m) => m.type === 'status' && m.data.upstream === 'live',
          'live again',
          back[i],
          8_000,
        );
        assert.ok(
          d.messages.slice(back[i]).some((m) => m.type === 'history'),
          'a fresh snapshot',
        );
      }
      assert.equal((await health(server.port)).status, 'ok');
    });
  }
});
