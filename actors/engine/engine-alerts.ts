/**
 * @module actors/engine/engine-alerts
 * The engine's own alerts, besides the risk controller's: a symbol whose actor failed and
 * restarts, or was given up on; the exchange connector unanswered for longer than
 * `alerts.connector_unreachable_ms` (and answering again after such an alert); a large position
 * divergence found by reconciliation (and its end); a daily summary of fills, realized PnL and
 * fees per symbol at `alerts.daily_summary.utc_hour`. Each alert's dedup key names the occurrence
 * (its start time, its day), so a restart that raises it again sends nothing twice.
 */
import type { Logger } from 'pino';

import type { Clock, TimerHandle } from '../../core/clock.js';
import type { LivenessStatus } from '../../core/liveness.js';
import type { Alert, AlertSink } from '../alerts/alert.types.js';
import type { SymbolTrouble } from './symbol.supervisor.js';
import type { PositionDivergence } from './symbol.messages.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One symbol's last 24 hours, for the daily summary; amounts are quote-unit decimal strings. */
export interface DaySummary {
  readonly symbol: string;
  readonly fills: number;
  readonly realizedPnl: string;
  readonly fees: string;
}

/** What the engine's alerts need. */
export interface EngineAlertsOptions {
  readonly alerts: AlertSink;
  readonly clock: Clock;
  readonly log: Logger;
  readonly venue: string;
  readonly connectorUnreachableMs: number;
  /** UTC hour of the daily summary; null: none. */
  readonly dailySummaryHour: number | null;
  /** Fills, realized PnL and fees per traded symbol since `sinceMs`. */
  readonly summarize: (sinceMs: number) => Promise<readonly DaySummary[]>;
}

/** See the module doc. */
export class EngineAlerts {
  readonly #o: EngineAlertsOptions;
  #downTimer: TimerHandle | null = null;
  /** When the connector went down, if an alert about it was raised. */
  #alertedDownSince: number | null = null;
  #dailyTimer: TimerHandle | null = null;

  constructor(options: EngineAlertsOptions) {
    this.#o = options;
  }

  /** Schedules the daily summary. */
  start(): void {
    if (this.#o.dailySummaryHour === null) return;
    this.#scheduleDaily();
  }

  /** Cancels every timer. */
  stop(): void {
    for (const timer of [this.#downTimer, this.#dailyTimer]) {
      if (timer) this.#o.clock.clear(timer);
    }
    this.#downTimer = null;
    this.#dailyTimer = null;
  }

  /** The connector's liveness changed. */
  connector(status: LivenessStatus): void {
    const { clock, venue } = this.#o;
    if (status.state === 'down') {
      if (this.#downTimer || this.#alertedDownSince !== null) return;
      const since = status.sinceMs;
      this.#downTimer = clock.after(this.#o.connectorUnreachableMs, () => {
        this.#downTimer = null;
        this.#alertedDownSince = since;
        this.#raise({
          kind: 'connector_unreachable',
          severity: 'critical',
          title: `Exchange connector (${venue}) unreachable`,
          body:
            `The connector has not answered for over ${Math.round(this.#o.connectorUnreachableMs / 1000)} s ` +
            `(${status.reason ?? 'no answer'}). Symbols wait for it; nothing is placed meanwhile.`,
          fields: { venue, since: new Date(since).toISOString() },
          dedupKey: `connector_unreachable:${venue}:${since}`,
        });
      });
      return;
    }
    if (this.#downTimer) clock.clear(this.#downTimer);
    this.#downTimer = null;
    if (this.#alertedDownSince === null) return;
    const since = this.#alertedDownSince;
    this.#alertedDownSince = null;
    this.#raise({
      kind: 'connector_unreachable',
      severity: 'info',
      title: `Exchange connector (${venue}) answering again`,
      body: `Down for ${Math.round((clock.now() - since) / 1000)} s; symbols resume by themselves.`,
      fields: { venue },
      dedupKey: `connector_reachable:${venue}:${since}`,
    });
  }

  /** A symbol's actor failed. */
  symbolTrouble(t: SymbolTrouble): void {
    const failed = t.kind === 'failed';
    this.#raise({
      kind: failed ? 'symbol_failed' : 'symbol_restarted',
      severity: failed ? 'critical' : 'warning',
      title: failed
        ? `${t.symbol} failed: trading stopped, its orders are being cancelled`
        : `${t.symbol} restarting after a failure`,
      body: failed
        ? `It failed ${t.failures} times within the supervision window: ${t.error}`
        : `Failure ${t.failures}: ${t.error}. It restarts from its last snapshot in ${t.waitMs ?? 0} ms.`,
      fields: { symbol: t.symbol, failures: String(t.failures) },
      dedupKey: `${failed ? 'symbol_failed' : 'symbol_restarted'}:${t.symbol}:${this.#o.clock.now()}`,
    });
  }

  /** A reconciliation judged the position. */
  divergence(d: PositionDivergence): void {
    if (d.severity === 'small') return;
    const large = d.severity === 'large';
    this.#raise({
      kind: 'reconcile_divergence',
      severity: large ? 'error' : 'info',
      title: large
        ? `${d.symbol}: venue position differs from the grid's, entries paused`
        : `${d.symbol}: position back within tolerance`,
      body: `Venue ${d.venue}, grid ${d.grid}, divergence ${d.divergence} (${d.divergencePct}% of the grid).`,
      fields: { symbol: d.symbol, venue: d.venue, grid: d.grid, divergence: d.divergence },
      dedupKey: `reconcile_divergence:${d.symbol}:${d.severity}:${d.atMs}`,
    });
  }

  /** Raises the daily summary of the 24 hours up to `atMs` now. */
  async summary(atMs: number = this.#o.clock.now()): Promise<void> {
    const rows = await this.#o.summarize(atMs - DAY_MS);
    const day = new Date(atMs).toISOString().slice(0, 10);
    const lines = rows.map(
      (r) => `${r.symbol}: ${r.fills} fills, realized ${r.realizedPnl}, fees ${r.fees}`,
    );
    this.#raise({
      kind: 'daily_summary',
      severity: 'info',
      title: `Daily summary ${day}`,
      body: lines.length > 0 ? lines.join('\n') : 'No symbol traded.',
      fields: Object.fromEntries(
        rows.map((r) => [r.symbol, `${r.fills} fills, PnL ${r.realizedPnl}`]),
      ),
      dedupKey: `daily_summary:${day}`,
    });
  }

  #scheduleDaily(): void {
    const now = this.#o.clock.now();
    const hour = this.#o.dailySummaryHour ?? 0;
    const today = Math.floor(now / DAY_MS) * DAY_MS + hour * HOUR_MS;
    const next = today > now ? today : today + DAY_MS;
    this.#dailyTimer = this.#o.clock.after(next - now, () => {
      this.summary(next).catch((e: unknown) =>
        this.#o.log.error({ err: e }, 'daily summary could not be built'),
      );
      this.#scheduleDaily();
    });
  }

  #raise(alert: Alert): void {
    this.#o.alerts.raise(alert).catch((e: unknown) => {
      this.#o.log.error({ err: e, key: alert.dedupKey }, 'alert could not be stored');
    });
  }
}
