/**
 * The engine's own alerts: a connector unanswered longer than the threshold (once per outage,
 * and once more when it answers again), a short blip stays quiet; a symbol failed or restarting;
 * a large position divergence and its end; the daily summary at its UTC hour with one dedup key
 * per day.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Alert } from '../../../actors/alerts/alert.types.js';
import { EngineAlerts, type DaySummary } from '../../../actors/engine/engine-alerts.js';
import type { SymbolId } from '../../../core/types.js';
import { VirtualClock } from '../../../core/clock.js';
import { createLogger } from '../../../core/logger.js';

const DAY_MS = 86_400_000;

function setup(summaries: DaySummary[] = [], startMs = 0) {
  const clock = new VirtualClock(startMs);
  const raised: Alert[] = [];
  const asked: number[] = [];
  const alerts = new EngineAlerts({
    alerts: {
      raise: (alert) => {
        raised.push(alert);
        return Promise.resolve();
      },
    },
    clock,
    log: createLogger('engine-alerts-test', 'silent'),
    venue: 'sim',
    connectorUnreachableMs: 60_000,
    dailySummaryHour: 6,
    summarize: (sinceMs) => {
      asked.push(sinceMs);
      return Promise.resolve(summaries);
    },
  });
  return { clock, raised, asked, alerts };
}

const down = (sinceMs: number) =>
  ({ state: 'down', sinceMs, reason: 'probe timed out', latencyMs: null, lastOkMs: null }) as const;
const up = (sinceMs: number) =>
  ({ state: 'up', sinceMs, reason: null, latencyMs: 3, lastOkMs: sinceMs }) as const;

describe('EngineAlerts', () => {
  it('raises connector_unreachable once an outage outlasts the threshold, and its end', () => {
    const { clock, raised, alerts } = setup();
    alerts.connector(down(0));
    clock.advance(30_000);
    alerts.connector(up(30_000));
    clock.advance(120_000);
    assert.equal(raised.length, 0, 'a 30 s blip stays quiet');

    alerts.connector(down(clock.now()));
    alerts.connector(down(clock.now()));
    clock.advance(60_000);
    assert.deepEqual(
      raised.map((a) => [a.kind, a.severity]),
      [['connector_unreachable', 'critical']],
    );
    clock.advance(60_000);
    alerts.connector(up(clock.now()));
    assert.deepEqual(
      raised.map((a) => [a.kind, a.severity]),
      [
        ['connector_unreachable', 'critical'],
        ['connector_unreachable', 'info'],
      ],
    );
    alerts.stop();
  });

  it('raises symbol_restarted and symbol_failed with the error', () => {
    const { raised, alerts } = setup();
    const symbol = 'BTCUSDT' as SymbolId;
    alerts.symbolTrouble({ symbol, kind: 'restarting', failures: 1, error: 'boom', waitMs: 1000 });
    alerts.symbolTrouble({ symbol, kind: 'failed', failures: 5, error: 'boom', waitMs: null });
    assert.deepEqual(
      raised.map((a) => [a.kind, a.severity, a.fields?.symbol]),
      [
        ['symbol_restarted', 'warning', 'BTCUSDT'],
        ['symbol_failed', 'critical', 'BTCUSDT'],
      ],
    );
    assert.match(raised[1]?.body ?? '', /5 times.*boom/);
  });

  it('raises a large divergence and its resolution, not a small one', () => {
    const { raised, alerts } = setup();
    const base = {
      symbol: 'BTCUSDT' as SymbolId,
      venue: '0.003',
      grid: '0.001',
      divergence: '0.002',
      divergencePct: '100',
      atMs: 5,
    };
    alerts.divergence({ ...base, severity: 'small' });
    alerts.divergence({ ...base, severity: 'large' });
    alerts.divergence({ ...base, severity: 'resolved', atMs: 9 });
    assert.deepEqual(
      raised.map((a) => [a.kind, a.severity]),
      [
        ['reconcile_divergence', 'error'],
        ['reconcile_divergence', 'info'],
      ],
    );
  });

  it('sends the daily summary at its UTC hour over the last 24 hours, keyed by the day', async () => {
    const rows = [{ symbol: 'BTCUSDT', fills: 12, realizedPnl: '3.5', fees: '0.24' }];
    const { clock, raised, asked, alerts } = setup(rows, DAY_MS + 3 * 3_600_000);
    alerts.start();
    clock.advance(3 * 3_600_000 - 1);
    assert.equal(raised.length, 0);
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    const sentAt = DAY_MS + 6 * 3_600_000;
    assert.deepEqual(asked, [sentAt - DAY_MS]);
    assert.equal(raised[0]?.kind, 'daily_summary');
    assert.equal(raised[0]?.dedupKey, 'daily_summary:1970-01-02');
    assert.match(raised[0]?.body ?? '', /BTCUSDT: 12 fills, realized 3.5, fees 0.24/);
    clock.advance(DAY_MS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(raised[1]?.dedupKey, 'daily_summary:1970-01-03');
    alerts.stop();
  });
});
