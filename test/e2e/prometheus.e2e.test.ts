/**
 * Prometheus for real: the three processes run as in production (on a fast simulated market, a
 * grid trading BTCUSDT), Debian's `prometheus` scrapes them with the shipped config pointed at
 * loopback, and its HTTP API must show every job up, the shipped alert rules loaded, and samples
 * for every REQ-OBS-001 metric and for the connector's and live-server's own metrics. Skipped,
 * saying why, where `prometheus` is not installed (.ci/run installs Debian's package).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { WebSocket } from 'ws';

import { startStack, type Stack } from '../../bench/soak-stack.js';
import { findTool } from '../deploy/support/tools.js';
import { startPrometheus, type PrometheusServer } from './prometheus-server.js';

const prometheus = findTool('prometheus');
const skip = prometheus === undefined && 'prometheus not installed (apt-get install prometheus)';

/** REQ-OBS-001, as series names (a histogram has samples in its _bucket series). */
export const REQ_OBS_001 = [
  'market_maker_pnl_realized_total',
  'market_maker_pnl_unrealized',
  'market_maker_orders_active',
  'market_maker_orders_placed_total',
  'market_maker_orders_filled_total',
  'market_maker_volume_total',
  'market_maker_position_size',
  'market_maker_latency_exchange_ms_bucket',
];

/** What the connector and the live-server export whenever a grid trades and a page is open. */
const PROCESS_METRICS = [
  'exchange_connector_request_duration_ms_bucket',
  'exchange_connector_venue_up',
  'exchange_connector_upstream_messages_total',
  'exchange_connector_upstream_topics',
  'exchange_connector_stream_subscribers',
  'live_server_clients',
  'live_server_upstream_state',
  'live_server_broadcast_duration_ms_bucket',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
];

const TIMEOUT_MS = 120_000;

describe('Prometheus scraping the stack (E2E)', { skip }, () => {
  let dir: string;
  let stack: Stack | undefined;
  let server: PrometheusServer | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opensqt-prometheus-'));
    stack = await startStack({
      dir,
      tickIntervalMs: 50,
      volatilityPerYear: 5,
      grids: [{ symbol: 'BTCUSDT', interval: '60', quantity: '0.001' }],
    });
    server = await startPrometheus(prometheus as string, dir, {
      'exchange-connector': stack.connector.metricsUrl,
      'market-maker': stack.engine.metricsUrl,
      'live-server': stack.live.metricsUrl,
    });
  });

  after(async () => {
    await server?.stop();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until `expr` has at least one sample; returns the samples. */
  async function samples(expr: string) {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const result = await (server as PrometheusServer).query(expr);
      if (result.length > 0) return result;
      if (Date.now() > deadline) {
        const tails = stack?.processes.map((p) => `${p.name}:\n${p.tail.slice(-5).join('\n')}`);
        assert.fail(`no samples of ${expr} after ${TIMEOUT_MS} ms\n${tails?.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('scrapes all three processes and Prometheus itself', async () => {
    const up = await samples('up == 1');
    const deadline = Date.now() + 30_000;
    let jobs = up.map((s) => s.metric.job).sort();
    while (jobs.length < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      jobs = (await (server as PrometheusServer).query('up == 1')).map((s) => s.metric.job).sort();
    }
    assert.deepEqual(jobs, ['exchange-connector', 'live-server', 'market-maker', 'prometheus']);
  });

  it('loads the shipped alert rules and evaluates every one without error', async () => {
    const deadline = Date.now() + 30_000;
    let rules = await (server as PrometheusServer).rules();
    while (rules.some((r) => r.health !== 'ok') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rules = await (server as PrometheusServer).rules();
    }
    const names = rules.map((r) => r.name);
    assert.ok(names.includes('EngineDown') && names.includes('OrderRefusalsRising'), names.join());
    assert.equal(rules.length, 13);
    assert.deepEqual(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError}`),
      [],
    );
  });

  it('has samples of every REQ-OBS-001 metric while the grid trades', async () => {
    for (const metric of REQ_OBS_001) {
      const found = await samples(metric);
      assert.ok(found.length > 0, metric);
    }
    const filled = await samples('sum(market_maker_orders_filled_total) > 0');
    assert.ok(Number(filled[0]?.value[1]) > 0);
  });

  it("has samples of the connector's and the live-server's own metrics", async () => {
    // A dashboard client makes the live-server broadcast
    const ws = new WebSocket(`${stack?.live.url.replace('http', 'ws')}/ws`);
    ws.on('error', () => undefined);
    try {
      for (const metric of PROCESS_METRICS) await samples(metric);
      const live = await samples('live_server_upstream_state{state="live"} == 1');
      assert.equal(live.length, 1);
    } finally {
      ws.close();
    }
  });
});
