/**
 * @module server/rpc/alert-feed
 * The live side of SubscribeRiskAlerts: alerts are published here as they are raised, and every
 * subscriber hears each one. Two sources: any {@link AlertSink} wrapped with `tee` (the risk
 * layer's alerter: breaker trips and resets, trading-state changes, limit breaches), and the
 * engine's own position divergences found by reconciliation. A listener that throws is logged and
 * dropped; it never stops the others or the alert's delivery.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { Alert, AlertSink } from '../../actors/alerts/alert.types.js';
import type { PositionDivergence } from '../../actors/engine/symbol.messages.js';
import type { AlertFeedPort, RiskAlertEvent } from './rpc.ports.js';

/** Fan-out of risk alerts to gRPC subscribers; see the module doc. */
export class AlertFeed implements AlertFeedPort {
  readonly #listeners = new Set<(alert: RiskAlertEvent) => void>();
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  subscribe(listener: (alert: RiskAlertEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Subscribers now. */
  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Tells every subscriber of `alert`. */
  publish(alert: RiskAlertEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(alert);
      } catch (e) {
        this.#listeners.delete(listener);
        this.#log.warn({ err: e, type: alert.type }, 'risk alert subscriber failed: dropped');
      }
    }
  }

  /**
   * `sink` that also publishes every alert raised through it (before it is stored, so a
   * subscriber hears it even when delivery to Slack or Telegram is off).
   */
  tee(sink: AlertSink): AlertSink {
    return {
      raise: (alert: Alert) => {
        this.publish(fromAlert(alert, this.#clock.now()));
        return sink.raise(alert);
      },
    };
  }

  /** Publishes a position divergence the engine's reconciliation found. */
  divergence(divergence: PositionDivergence): void {
    this.publish(fromDivergence(divergence));
  }
}

/** An alert of the alerting layer as a subscriber sees it. */
export function fromAlert(alert: Alert, atMs: number): RiskAlertEvent {
  const fields = alert.fields ?? {};
  return {
    symbol: fields.symbol ?? fields.scope ?? '',
    type: alert.kind,
    severity: alert.severity,
    message: alert.body === '' ? alert.title : `${alert.title}: ${alert.body}`,
    atMs,
    metadata: fields,
  };
}

const SEVERITY = { small: 'info', large: 'warning', resolved: 'info' } as const;
const TEXT = {
  small: 'accepted as the venue truth',
  large: 'entries paused until a reconciliation finds it back within tolerance',
  resolved: 'back within tolerance: entries resume',
} as const;

/** A divergence the engine's reconciliation found, as a subscriber sees it. */
export function fromDivergence(d: PositionDivergence): RiskAlertEvent {
  return {
    symbol: d.symbol,
    type: 'reconcile_divergence',
    severity: SEVERITY[d.severity],
    message: `${d.symbol}: venue position ${d.venue} vs grid ${d.grid} (${d.divergencePct} % of capacity); ${TEXT[d.severity]}`,
    atMs: d.atMs,
    metadata: {
      severity: d.severity,
      venue_position: d.venue,
      local_position: d.grid,
      divergence: d.divergence,
      divergence_pct: d.divergencePct,
    },
  };
}
