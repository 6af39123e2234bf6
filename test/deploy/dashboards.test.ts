/**
 * The Grafana dashboards: the committed JSON is what tools/dashboards generates, every panel
 * query parses as PromQL (Prometheus's own Lezer grammar), and every metric a query names is
 * exported by one of the three processes (their registries, process metrics included) or by
 * Prometheus itself, or is declared pending in tools/dashboards/pending-metrics.ts. Pending names
 * are reported, and a pending name that a process now exports fails the test until the list is
 * pruned.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, type Registry } from 'prom-client';

import { createArbitrageMetrics } from '../../actors/arbitrage/arbitrage.metrics.js';
import { createEngineMetrics } from '../../actors/engine/engine.metrics.js';
import { createConnectorMetrics } from '../../connector/connector.metrics.js';
import { createLiveMetrics } from '../../server/live/live.metrics.js';
import { DASHBOARD_DIR, renderDashboards } from '../../tools/dashboards/generate.js';
import { PENDING_METRICS } from '../../tools/dashboards/pending-metrics.js';

interface Panel {
  readonly title?: string;
  readonly type: string;
  readonly targets?: { readonly expr?: string }[];
  readonly panels?: Panel[];
}
interface Dashboard {
  readonly uid: string;
  readonly panels: Panel[];
  readonly templating?: { list: { query?: unknown }[] };
}

const rendered = renderDashboards();
const boards = [...rendered.values()].map((text) => JSON.parse(text) as Dashboard);

/** Every series name the registries can export (histograms as their three series). */
async function exportedNames(): Promise<Set<string>> {
  const registries: Registry[] = [
    createEngineMetrics().registry,
    createConnectorMetrics().registry,
    createLiveMetrics().registry,
  ];
  // The process metrics every main adds (memory, handles, fds, event-loop lag)
  collectDefaultMetrics({ register: registries[0] as Registry });
  // The engine registers the arbitrage metrics on its registry when it starts
  createArbitrageMetrics(registries[0] as Registry);
  const names = new Set(['up']);
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      const suffixes =
        String(metric.type) === 'histogram'
          ? ['_bucket', '_sum', '_count']
          : String(metric.type) === 'summary'
            ? ['_sum', '_count']
            : [];
      for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

/** Grafana macros and variables replaced by values PromQL accepts. */
function withoutTemplating(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '1m')
    .replace(/\$\{?(\w+)\}?/g, 'X');
}

/** The metric names an expression selects; throws naming the position of a syntax error. */
function metricNames(expr: string): string[] {
  const text = withoutTemplating(expr);
  const names: string[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) {
      throw new Error(`PromQL syntax error at ${cursor.from}: ${text}`);
    }
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector') {
      names.push(text.slice(cursor.from, cursor.to));
    }
  } while (cursor.next());
  return names;
}

function queries(board: Dashboard): { panel: string; expr: string }[] {
  const flat = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  const fromPanels = flat(board.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title ?? p.type, expr: t.expr ?? '' })),
  );
  const fromVariables = (board.templating?.list ?? [])
    .map((v) => (typeof v.query === 'string' ? v.query : ''))
    .filter((q) => q.startsWith('label_values('))
    .map((q) => ({ panel: 'variable', expr: q.replace(/^label_values\(([^,]+),.*$/, '$1') }));
  return [...fromPanels, ...fromVariables];
}

describe('Grafana dashboards', () => {
  it('are committed exactly as tools/dashboards generates them', () => {
    for (const [file, text] of rendered) {
      const committed = readFileSync(join(DASHBOARD_DIR, file), 'utf8');
      assert.equal(committed, text, `${file} is stale: run npm run dashboards`);
    }
  });

  it('cover overview, grid, orders, connector, risk, arbitrage and live-server', () => {
    assert.deepEqual(boards.map((b) => b.uid).sort(), [
      'opensqt-arbitrage',
      'opensqt-connector',
      'opensqt-grid',
      'opensqt-live',
      'opensqt-orders',
      'opensqt-overview',
      'opensqt-risk',
    ]);
    for (const board of boards) {
      assert.ok(queries(board).length >= 4, `${board.uid} has panels with queries`);
    }
  });

  it('query only metrics a process exports, or ones declared pending', async (t) => {
    const exported = await exportedNames();
    const used = new Set<string>();
    const unknown: string[] = [];
    for (const board of boards) {
      for (const { panel, expr } of queries(board)) {
        const names = metricNames(expr);
        assert.ok(names.length > 0, `${board.uid} / ${panel}: no metric in ${expr}`);
        for (const name of names) {
          used.add(name);
          if (!exported.has(name) && !PENDING_METRICS.includes(name)) {
            unknown.push(`${board.uid} / ${panel}: ${name}`);
          }
        }
      }
    }

    assert.deepEqual(unknown, [], 'metrics no process exports and not declared pending');
    const landed = PENDING_METRICS.filter((name) => exported.has(name));
    assert.deepEqual(landed, [], 'exported now: remove from pending-metrics.ts');
    const unused = PENDING_METRICS.filter((name) => !used.has(name));
    assert.deepEqual(unused, [], 'declared pending but charted nowhere');
    t.diagnostic(`declared, pending (not exported yet): ${PENDING_METRICS.join(', ')}`);
  });

  it('rejects a query with a syntax error or a typo in a metric name', async () => {
    const exported = await exportedNames();
    assert.throws(() => metricNames('sum(rate(market_maker_volume_total[5m])'), /syntax error/);
    assert.deepEqual(metricNames('sum by (x) (market_maker_orders_activ)'), [
      'market_maker_orders_activ',
    ]);
    assert.equal(exported.has('market_maker_orders_activ'), false);
  });
});
