/**
 * @module actors/alerts/alert.types
 * What an alert is, independent of where it goes: a kind from a bounded list (it labels metrics
 * and picks the rate-limit topic), a severity, a title, a body and named fields. Producers (the
 * risk controller, the supervisor, the reconciler, the daily summary) raise alerts through the
 * {@link AlertSink} port; the outbox delivers them.
 */
import type { AlertSeverity } from '../store/alert-outbox.repo.js';

export type { AlertSeverity };

/** Every kind of alert the engine raises; a bounded set (it is a metric label). */
export const ALERT_KINDS = [
  'breaker_tripped',
  'breaker_reset',
  'trading_state_changed',
  'risk_limit_breached',
  'symbol_failed',
  'symbol_restarted',
  'connector_unreachable',
  'reconcile_divergence',
  'operator_action',
  'daily_summary',
] as const;
/** One of {@link ALERT_KINDS}. */
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Severities, least to most urgent. */
export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;

/** One alert, before it is addressed to destinations. */
export interface Alert {
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  /** One line, e.g. "Breaker drawdown tripped on BTCUSDT". */
  readonly title: string;
  /** What happened and what the engine did about it. */
  readonly body: string;
  /** Named values shown under the body (symbol, reason, since, ...); strings only. */
  readonly fields?: Readonly<Record<string, string>>;
  /**
   * Identity of this occurrence: raising the same key twice delivers once. Build it from what
   * makes the occurrence unique, e.g. `breaker_tripped:drawdown:BTCUSDT:<since ms>`.
   */
  readonly dedupKey: string;
  /**
   * Rate-limit group; default `<kind>:<scope>` from the key's first two parts. Alerts of one topic
   * beyond the configured rate are suppressed and counted into the next one delivered.
   */
  readonly topic?: string;
}

/** The port producers raise alerts through. */
export interface AlertSink {
  /**
   * Records an alert for delivery to every configured destination. Resolves once it is stored
   * (durable); delivery happens later, with retries.
   * @param alert - the alert
   */
  raise(alert: Alert): Promise<void>;
}

/**
 * Rank of a severity, for minimum-severity filters.
 * @param severity - a severity
 * @returns 0 for info up to 3 for critical
 */
export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}
