/**
 * @module tools/dashboards/panels
 * The few panel shapes every OpenSQT dashboard is made of, built with Grafana's typed Foundation
 * SDK: a time series of one or more PromQL queries, a single-stat, and the templated `symbol`
 * variable. Every query goes to the provisioned Prometheus datasource (uid `prometheus`).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The datasource provisioned by deploy/grafana/provisioning/datasources/prometheus.yml. */
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** One query: PromQL and its legend (`{{label}}` templates). */
export type Query = readonly [expr: string, legend?: string];

const REF_IDS = 'ABCDEFGHIJ';

function target(query: Query, index: number): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(REF_IDS[index] ?? `Q${index}`)
    .expr(query[0]);
  return query[1] === undefined ? builder : builder.legendFormat(query[1]);
}

/** Layout of a panel on the 24-column grid. */
export interface Size {
  /** Columns, 1-24; default 12. */
  readonly width?: number;
  /** Rows; default 8. */
  readonly height?: number;
}

/**
 * A time series panel.
 * @param title - panel title
 * @param unit - Grafana unit id ("ms", "short", "bytes", "percentunit", "currencyUSD")
 * @param queries - the queries, drawn together
 * @param description - what the reader learns from it
 */
export function series(
  title: string,
  unit: string,
  queries: readonly Query[],
  description: string,
  size: Size = {},
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .unit(unit)
    .span(size.width ?? 12)
    .height(size.height ?? 8)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
  queries.forEach((q, i) => panel.withTarget(target(q, i)));
  return panel;
}

/**
 * A single-value panel showing the latest value of one query.
 * @param title - panel title
 * @param unit - Grafana unit id
 * @param expr - PromQL returning one series (aggregate it)
 * @param description - what the number means
 */
export function single(
  title: string,
  unit: string,
  expr: string,
  description: string,
  size: Size = {},
): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .unit(unit)
    .span(size.width ?? 6)
    .height(size.height ?? 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .withTarget(target([expr], 0));
}

/**
 * The `symbol` variable: every symbol the engine reports.
 * @returns the variable, multi-select with "All"
 */
export function symbolVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('symbol')
    .label('Symbol')
    .datasource(PROMETHEUS)
    .query('label_values(market_maker_symbol_state, symbol)')
    .definition('label_values(market_maker_symbol_state, symbol)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

/**
 * A dashboard with the house settings: UTC, last 6 hours, refresh every 30 s, tagged opensqt.
 * @param uid - stable id (the JSON file name and the URL)
 * @param title - shown in Grafana
 * @param description - what the dashboard is for
 */
export function board(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['opensqt'])
    .timezone('utc')
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .readonly();
}

/** A collapsible-free row header. */
export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}
