/**
 * @module tools/dashboards/definitions
 * The OpenSQT Grafana dashboards: overview (PnL, positions), per-symbol grid, orders and latency,
 * venues and connector, risk, arbitrage, live-server. Every query is PromQL over the metrics the
 * three processes export (README "Metrics"); the risk board also charts the pending
 * names of pending-metrics.ts.
 */
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

import { board, row, series, single, symbolVariable } from './panels.js';

const RATE = '$__rate_interval';
const SYMBOL = 'symbol=~"$symbol"';

/** Process health of one job: memory, event-loop lag, handles and open files. */
function processPanels(job: string) {
  const sel = `job="${job}"`;
  return [
    series(
      'Resident memory and heap',
      'bytes',
      [
        [`process_resident_memory_bytes{${sel}}`, 'RSS'],
        [`nodejs_heap_size_used_bytes{${sel}}`, 'heap used'],
      ],
      'Memory of the process; a steady climb over hours is a leak (see npm run soak).',
      { width: 8 },
    ),
    series(
      'Event-loop lag p99',
      's',
      [[`nodejs_eventloop_lag_p99_seconds{${sel}}`, 'p99']],
      'How late timers and I/O callbacks run; above a few ms the process is overloaded.',
      { width: 8 },
    ),
    series(
      'Handles and open files',
      'short',
      [
        [`nodejs_active_handles_total{${sel}}`, 'handles'],
        [`process_open_fds{${sel}}`, 'open fds'],
      ],
      'Sockets, timers and files held; they must return to a baseline, not grow.',
      { width: 8 },
    ),
  ];
}

/** Appends a "Process" row with the health panels of `job`. */
function withProcess(builder: DashboardBuilder, job: string, title = 'Process'): DashboardBuilder {
  builder.withRow(row(title));
  for (const panel of processPanels(job)) builder.withPanel(panel);
  return builder;
}

function overview(): DashboardBuilder {
  return board(
    'opensqt-overview',
    'OpenSQT / Overview',
    'PnL, positions and the health of the three processes at a glance.',
  )
    .withPanel(
      single(
        'Realized PnL',
        'currencyUSD',
        'sum(market_maker_pnl_realized_total)',
        'Cumulative realized PnL the venue reported on our fills, all symbols, quote units.',
      ),
    )
    .withPanel(
      single(
        'Unrealized PnL',
        'currencyUSD',
        'sum(market_maker_pnl_unrealized)',
        'Unrealized PnL of the open venue positions, all symbols.',
      ),
    )
    .withPanel(
      single(
        'Active orders',
        'short',
        'sum(market_maker_orders_active)',
        'Orders the grid slots are working at the venue.',
      ),
    )
    .withPanel(
      single(
        'Failed symbols',
        'short',
        'count(market_maker_symbol_state{state="failed"} == 1) or vector(0)',
        'Symbols whose actor failed too often and stopped; see /status.',
      ),
    )
    .withRow(row('PnL and positions'))
    .withPanel(
      series(
        'PnL by symbol',
        'currencyUSD',
        [
          ['market_maker_pnl_realized_total', 'realized {{symbol}}'],
          ['market_maker_pnl_unrealized', 'unrealized {{symbol}}'],
        ],
        'Realized (cumulative) and unrealized PnL per symbol, quote units.',
      ),
    )
    .withPanel(
      series(
        'Position size by symbol',
        'short',
        [['market_maker_position_size', '{{symbol}}']],
        'Net inventory of the grid slots per symbol, base units.',
      ),
    )
    .withPanel(
      series(
        'Traded volume',
        'currencyUSD',
        [[`sum by (symbol) (rate(market_maker_volume_total[${RATE}])) * 3600`, '{{symbol}}']],
        'Notional of our fills per hour, quote units.',
      ),
    )
    .withPanel(
      series(
        'Fills per minute',
        'short',
        [[`sum by (symbol) (rate(market_maker_orders_filled_total[${RATE}])) * 60`, '{{symbol}}']],
        'Orders filled completely, per minute.',
      ),
    )
    .withRow(row('Processes'))
    .withPanel(
      series(
        'Processes up',
        'short',
        [['up{job=~"market-maker|exchange-connector|live-server"}', '{{job}}']],
        '1 while Prometheus can scrape the process.',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Symbols by state',
        'short',
        [['sum by (state) (market_maker_symbol_state)', '{{state}}']],
        'How many symbols are starting, reconciling, trading, restarting or failed.',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Memory by process',
        'bytes',
        [['process_resident_memory_bytes', '{{job}}']],
        'Resident memory of each process.',
        { width: 8 },
      ),
    );
}

function grid(): DashboardBuilder {
  return board(
    'opensqt-grid',
    'OpenSQT / Grid by symbol',
    'One grid: its position, orders, fills, refusals and supervision state.',
  )
    .withVariable(symbolVariable())
    .withPanel(
      series(
        'Position',
        'short',
        [[`market_maker_position_size{${SYMBOL}}`, '{{symbol}}']],
        'Net inventory of the slots, base units.',
      ),
    )
    .withPanel(
      series(
        'PnL',
        'currencyUSD',
        [
          [`market_maker_pnl_realized_total{${SYMBOL}}`, 'realized {{symbol}}'],
          [`market_maker_pnl_unrealized{${SYMBOL}}`, 'unrealized {{symbol}}'],
        ],
        'Realized and unrealized PnL, quote units.',
      ),
    )
    .withPanel(
      series(
        'Working orders',
        'short',
        [[`market_maker_orders_active{${SYMBOL}}`, '{{symbol}}']],
        'Orders the slots are working; a full grid works one per slot.',
      ),
    )
    .withPanel(
      series(
        'Placed and filled per minute',
        'short',
        [
          [
            `sum by (symbol, side) (rate(market_maker_orders_placed_total{${SYMBOL}}[${RATE}])) * 60`,
            'placed {{side}} {{symbol}}',
          ],
          [
            `sum by (symbol, side) (rate(market_maker_orders_filled_total{${SYMBOL}}[${RATE}])) * 60`,
            'filled {{side}} {{symbol}}',
          ],
        ],
        'Orders the venue accepted and orders that filled, by side.',
      ),
    )
    .withPanel(
      series(
        'Refusals by reason',
        'short',
        [
          [
            `sum by (symbol, reason) (increase(market_maker_order_rejections_total{${SYMBOL}}[${RATE}]))`,
            '{{symbol}} {{reason}}',
          ],
        ],
        'Placements the venue refused; POST_ONLY_WOULD_CROSS is normal in a fast market.',
      ),
    )
    .withPanel(
      series(
        'State and restarts',
        'short',
        [
          [`market_maker_symbol_state{${SYMBOL}} == 1`, '{{symbol}} {{state}}'],
          [`increase(market_maker_symbol_restarts_total{${SYMBOL}}[1h])`, 'restarts/h {{symbol}}'],
        ],
        'The supervision state (one line per current state) and restarts in the last hour.',
      ),
    );
}

function orders(): DashboardBuilder {
  const quantile = (q: string) =>
    `histogram_quantile(${q}, sum by (le, operation) (rate(market_maker_latency_exchange_ms_bucket[${RATE}])))`;
  return board(
    'opensqt-orders',
    'OpenSQT / Orders and latency',
    'Order flow of every symbol and the latency of the venue calls the engine makes.',
  )
    .withPanel(
      series(
        'Orders placed per minute',
        'short',
        [
          [
            `sum by (symbol, side, type) (rate(market_maker_orders_placed_total[${RATE}])) * 60`,
            '{{symbol}} {{side}} {{type}}',
          ],
        ],
        'Placements the venue accepted.',
      ),
    )
    .withPanel(
      series(
        'Orders filled per minute',
        'short',
        [
          [
            `sum by (symbol, side) (rate(market_maker_orders_filled_total[${RATE}])) * 60`,
            '{{symbol}} {{side}}',
          ],
        ],
        'Orders filled completely.',
      ),
    )
    .withPanel(
      series(
        'Refusals per minute',
        'short',
        [
          [
            `sum by (reason) (rate(market_maker_order_rejections_total[${RATE}])) * 60`,
            '{{reason}}',
          ],
        ],
        'Placements refused, by the venue port reason.',
      ),
    )
    .withPanel(
      series(
        'Active orders',
        'short',
        [['market_maker_orders_active', '{{symbol}}']],
        'Orders being worked per symbol.',
      ),
    )
    .withPanel(
      series(
        'Venue latency p50 / p99 (engine side)',
        'ms',
        [
          [quantile('0.5'), 'p50 {{operation}}'],
          [quantile('0.99'), 'p99 {{operation}}'],
        ],
        'Latency of venue calls as the engine sees them (through the connector).',
        { width: 24 },
      ),
    )
    .withPanel(
      series(
        'Feed age',
        'ms',
        [['market_maker_feed_age_ms', '{{feed}}']],
        'Time since the last update of each venue stream; the price feed must stay low.',
        { width: 24 },
      ),
    );
}

function connector(): DashboardBuilder {
  const quantile = (q: string) =>
    `histogram_quantile(${q}, sum by (le, venue, method_class) (rate(exchange_connector_request_duration_ms_bucket[${RATE}])))`;
  return board(
    'opensqt-connector',
    'OpenSQT / Venues and connector',
    'What the exchange-connector asks of each venue, how the venues answer, and its stream fan-out.',
  )
    .withPanel(
      series(
        'Venue reachable',
        'short',
        [['exchange_connector_venue_up', '{{venue}}']],
        '1 while the venue is reachable (drives grpc.health.v1).',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Rate-limit budget used',
        'percentunit',
        [['exchange_connector_rate_limit_used_ratio', '{{venue}}']],
        'Share of the request budget used, as the venue reports it (Binance, Bybit, Gate).',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Requests per second',
        'reqps',
        [
          [
            `sum by (venue, method_class) (rate(exchange_connector_request_duration_ms_count[${RATE}]))`,
            '{{venue}} {{method_class}}',
          ],
        ],
        'Venue calls per method class (each retry attempt counts).',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Venue latency p50 / p99',
        'ms',
        [
          [quantile('0.5'), 'p50 {{venue}} {{method_class}}'],
          [quantile('0.99'), 'p99 {{venue}} {{method_class}}'],
        ],
        'Latency of each venue call, per method class.',
      ),
    )
    .withPanel(
      series(
        'Errors by reason',
        'short',
        [
          [
            `sum by (venue, method_class, reason) (increase(exchange_connector_request_errors_total[${RATE}]))`,
            '{{venue}} {{method_class}} {{reason}}',
          ],
        ],
        'Failed venue calls by the port reason.',
      ),
    )
    .withRow(row('Streams'))
    .withPanel(
      series(
        'Upstream updates per second',
        'short',
        [
          [
            `sum by (venue, stream) (rate(exchange_connector_upstream_messages_total[${RATE}]))`,
            '{{venue}} {{stream}}',
          ],
        ],
        'Updates received from venue streams.',
      ),
    )
    .withPanel(
      series(
        'Reconnects and stream errors',
        'short',
        [
          [
            `sum by (venue, stream) (increase(exchange_connector_upstream_reconnects_total[${RATE}]))`,
            'reconnect {{venue}} {{stream}}',
          ],
          [
            `sum by (venue, stream, reason) (increase(exchange_connector_upstream_errors_total[${RATE}]))`,
            'ended {{venue}} {{stream}} {{reason}}',
          ],
        ],
        'Streams that came back after a gap (subscribers resync) and streams that ended.',
      ),
    )
    .withPanel(
      series(
        'Subscribers and upstream topics',
        'short',
        [
          ['exchange_connector_stream_subscribers', 'subscribers {{venue}} {{stream}}'],
          ['exchange_connector_upstream_topics', 'topics {{venue}} {{stream}}'],
        ],
        'gRPC subscribers and the one upstream subscription each group of them shares.',
      ),
    )
    .withPanel(
      series(
        'Slow readers',
        'short',
        [
          [
            `sum by (venue, stream) (rate(exchange_connector_stream_messages_conflated_total[${RATE}]))`,
            'conflated/s {{venue}} {{stream}}',
          ],
          [
            `sum by (venue, stream) (increase(exchange_connector_stream_subscribers_cut_total[${RATE}]))`,
            'cut {{venue}} {{stream}}',
          ],
        ],
        'Market data replaced for slow subscribers, and order/account subscribers cut as too slow.',
      ),
    );
}

function risk(): DashboardBuilder {
  return board(
    'opensqt-risk',
    'OpenSQT / Risk',
    'Breakers, trading states, exposure and margin, with the feed and supervision signals they act on.',
  )
    .withPanel(
      series(
        'Open breakers',
        'short',
        [['market_maker_breaker_open == 1', '{{breaker}} {{scope}}']],
        'Circuit breakers currently open or cooling down.',
      ),
    )
    .withPanel(
      series(
        'Breaker trips',
        'short',
        [
          [
            `sum by (breaker, scope) (increase(market_maker_breaker_trips_total[${RATE}]))`,
            '{{breaker}} {{scope}}',
          ],
        ],
        'Trips per breaker, by its condition or an operator.',
      ),
    )
    .withPanel(
      series(
        'Trading state',
        'short',
        [['market_maker_trading_state == 1', '{{scope}} {{state}}']],
        'ACTIVE, REDUCING, HALTED or FLATTENING per scope (global or a symbol).',
      ),
    )
    .withPanel(
      series(
        'Exposure',
        'currencyUSD',
        [['market_maker_exposure_notional', '{{symbol}}']],
        'Gross exposure per symbol: |position| at mark + resting opening orders, quote units.',
      ),
    )
    .withPanel(
      series(
        'Drawdown and margin',
        'percentunit',
        [
          ['market_maker_drawdown_ratio', 'drawdown {{scope}}'],
          ['market_maker_margin_ratio', 'margin ratio'],
          ['market_maker_liquidation_distance_ratio', 'to liquidation {{symbol}}'],
        ],
        'Drawdown from the peak equity in the window, margin ratio and distance to liquidation.',
      ),
    )
    .withPanel(
      series(
        'Feed ages and failed symbols',
        'ms',
        [
          ['market_maker_feed_age_ms', 'age {{feed}}'],
          ['count(market_maker_symbol_state{state="failed"} == 1) or vector(0)', 'failed symbols'],
        ],
        'The staleness inputs of the feed breakers, and symbols that stopped.',
      ),
    );
}

function arbitrage(): DashboardBuilder {
  return board(
    'opensqt-arbitrage',
    'OpenSQT / Funding arbitrage',
    'Funding-rate arbitrage pairs: state, basis, funding and leg balance.',
  )
    .withPanel(
      series(
        'Pair state',
        'short',
        [['market_maker_arb_pair_state == 1', '{{pair}} {{state}}']],
        'The state of each pair: its position machine, or halted / failed.',
      ),
    )
    .withPanel(
      series(
        'Basis',
        'short',
        [['market_maker_arb_basis_bps', '{{pair}}']],
        'Perpetual over the other leg, basis points.',
      ),
    )
    .withPanel(
      series(
        'Funding rate and funding collected',
        'short',
        [
          ['market_maker_arb_funding_rate{role="perp"}', 'rate {{pair}} {{leg}}'],
          ['market_maker_arb_funding_collected', 'collected {{pair}}'],
        ],
        'The current funding rate of each perp leg and the funding received so far, quote units.',
      ),
    )
    .withPanel(
      series(
        'Leg imbalance and compensations',
        'short',
        [
          ['market_maker_arb_leg_imbalance', 'imbalance {{pair}}'],
          [
            `sum by (pair) (increase(market_maker_arb_compensations_total[${RATE}]))`,
            'compensations {{pair}}',
          ],
        ],
        'Base-unit difference between the legs, and compensation orders placed.',
      ),
    );
}

function live(): DashboardBuilder {
  return board(
    'opensqt-live',
    'OpenSQT / Live server',
    'The dashboard process: clients, broadcast latency, slow clients and its venue feed.',
  )
    .withPanel(
      series(
        'Clients',
        'short',
        [['live_server_clients', 'clients']],
        'Connected dashboard WebSocket clients.',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Broadcast latency p50 / p99',
        'ms',
        [
          [
            `histogram_quantile(0.5, sum by (le) (rate(live_server_broadcast_duration_ms_bucket[${RATE}])))`,
            'p50',
          ],
          [
            `histogram_quantile(0.99, sum by (le) (rate(live_server_broadcast_duration_ms_bucket[${RATE}])))`,
            'p99',
          ],
        ],
        'Time to hand one batch of updates to every client socket.',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Messages and slow clients',
        'short',
        [
          [`rate(live_server_messages_broadcast_total[${RATE}])`, 'messages/s'],
          [`increase(live_server_clients_cut_slow_total[${RATE}])`, 'clients cut as too slow'],
        ],
        'Broadcast throughput, and clients disconnected for reading too slowly.',
        { width: 8 },
      ),
    )
    .withPanel(
      series(
        'Upstream state',
        'short',
        [['live_server_upstream_state == 1', '{{state}}']],
        'The venue feed: live, connecting or reconnecting.',
        { width: 24, height: 5 },
      ),
    );
}

/** Every dashboard, by the file name it is written to. */
export function dashboards(): Record<string, DashboardBuilder> {
  return {
    'opensqt-overview': withProcess(overview(), 'market-maker', 'Engine process'),
    'opensqt-grid': grid(),
    'opensqt-orders': orders(),
    'opensqt-connector': withProcess(connector(), 'exchange-connector'),
    'opensqt-risk': risk(),
    'opensqt-arbitrage': arbitrage(),
    'opensqt-live': withProcess(live(), 'live-server'),
  };
}
