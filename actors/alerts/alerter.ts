/**
 * @module actors/alerts/alerter
 * The producer side of alerting, behind the {@link AlertSink} port: addresses an alert to every
 * configured destination, applies the minimum severity, writes it to the outbox (dedup and rate
 * limit happen there, durably) and wakes the delivery worker. Every alert is also a log line, so
 * nothing depends on Slack or Telegram being configured.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type {
  AlertOutboxRepo,
  EnqueueOutcome,
  TopicRateLimit,
} from '../store/alert-outbox.repo.js';
import {
  severityRank,
  type Alert,
  type AlertKind,
  type AlertSeverity,
  type AlertSink,
} from './alert.types.js';

export interface AlerterOptions {
  readonly repo: AlertOutboxRepo;
  /** `slack` and/or `telegram:<chat id>` entries; empty: alerts are logged only. */
  readonly destinations: readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rateLimit: TopicRateLimit;
  /** Alerts below this severity are logged but not sent. */
  readonly minSeverity: AlertSeverity;
  /** Called after alerts were stored, to deliver them without waiting for the next poll. */
  readonly wake?: () => void;
  /** Called once per alert and destination, for metrics. */
  readonly onRaised?: (kind: AlertKind, outcome: EnqueueOutcome | 'below_min_severity') => void;
}

/**
 * The default rate-limit topic of an alert: its kind and the scope in its key.
 * @param alert - the alert
 * @returns `topic` when given, else `<kind>:<second part of the dedup key>`
 */
export function topicOf(alert: Alert): string {
  if (alert.topic) return alert.topic;
  const scope = alert.dedupKey.split(':')[1];
  return scope ? `${alert.kind}:${scope}` : alert.kind;
}

/** Raises alerts into the outbox. */
export class Alerter implements AlertSink {
  readonly #options: AlerterOptions;

  constructor(options: AlerterOptions) {
    this.#options = options;
  }

  async raise(alert: Alert): Promise<void> {
    const { repo, destinations, clock, logger, rateLimit, minSeverity } = this.#options;
    const line = { kind: alert.kind, key: alert.dedupKey, fields: alert.fields };
    const level =
      alert.severity === 'info' ? 'info' : alert.severity === 'warning' ? 'warn' : 'error';
    logger[level](line, `alert: ${alert.title}`);
    if (severityRank(alert.severity) < severityRank(minSeverity)) {
      for (const _ of destinations) this.#options.onRaised?.(alert.kind, 'below_min_severity');
      return;
    }
    if (destinations.length === 0) return;
    const drafts = destinations.map((destination) => ({
      destination,
      dedupKey: alert.dedupKey,
      topic: topicOf(alert),
      severity: alert.severity,
      title: alert.title,
      body: alert.body,
      fields: alert.fields ?? {},
    }));
    const outcomes = await repo.enqueue(drafts, clock.now(), rateLimit);
    for (const outcome of outcomes) this.#options.onRaised?.(alert.kind, outcome);
    if (outcomes.includes('suppressed'))
      logger.info(line, 'alert rate-limited for some destinations');
    if (outcomes.includes('queued')) this.#options.wake?.();
  }
}
