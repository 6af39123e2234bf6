/**
 * @module actors/alerts/alerting
 * Builds the alerting of one engine from its `alerts:` config and the environment: the Alerter
 * producers raise through, the outbox worker with a channel per configured secret, and the
 * Telegram control bot when control chats are configured. Channels whose secret is unset are off
 * (alerts are still logged and, with no destination, not stored). Start and stop it with the
 * engine; metrics hooks are optional.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { AlertOutboxRepo } from '../store/alert-outbox.repo.js';
import type { Sql } from '../store/database.js';
import type { AlertChannel } from './alert.channel.js';
import { Alerter, type AlerterOptions } from './alerter.js';
import { alertDestinations, alertSecrets, type AlertsConfig } from './alerts.config.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox.worker.js';
import { SlackChannel } from './slack.channel.js';
import { TelegramChannel } from './telegram.channel.js';
import { TelegramControl, type TradingControlPort } from './telegram-control.js';

export interface AlertingOptions {
  readonly config: AlertsConfig;
  readonly sql: Sql;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Environment holding the secrets; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The engine's control port; with control chats configured, Telegram commands use it. */
  readonly control?: TradingControlPort;
  readonly onRaised?: AlerterOptions['onRaised'];
  readonly onDelivery?: OutboxWorkerOptions['onDelivery'];
}

/** The running alerting of an engine. */
export interface Alerting {
  readonly alerter: Alerter;
  readonly worker: OutboxWorker;
  readonly control: TelegramControl | null;
  /** Where alerts go, e.g. `["slack", "telegram:123"]` (no secrets). */
  readonly destinations: readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds alerting from config and environment.
 * @param options - config, database, clock, logger, control port
 * @returns the parts; nothing runs until `start()`
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const { config, clock, logger } = options;
  const secrets = alertSecrets(config, options.env);
  const repo = new AlertOutboxRepo(options.sql);
  const timeoutMs = config.delivery.timeout_ms;
  const channels: AlertChannel[] = [];
  if (secrets.slackWebhookUrl) {
    channels.push(
      new SlackChannel({
        webhookUrl: secrets.slackWebhookUrl,
        ...(config.slack.base_url ? { baseUrl: config.slack.base_url } : {}),
        timeoutMs,
      }),
    );
  }
  if (secrets.telegramToken) {
    channels.push(
      new TelegramChannel({
        token: secrets.telegramToken,
        apiRoot: config.telegram.api_base_url,
        timeoutMs,
      }),
    );
  }
  const worker = new OutboxWorker({
    repo,
    channels,
    clock,
    logger,
    policy: {
      pollMs: config.delivery.poll_ms,
      leaseMs: config.delivery.lease_ms,
      batch: 20,
      maxAttempts: config.delivery.max_attempts,
      initialBackoffMs: config.delivery.initial_backoff_ms,
      maxBackoffMs: config.delivery.max_backoff_ms,
    },
    ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
  });
  const destinations = alertDestinations(config, secrets);
  const alerter = new Alerter({
    repo,
    destinations,
    clock,
    logger,
    rateLimit: { max: config.rate_limit.max_per_topic, windowMs: config.rate_limit.window_ms },
    minSeverity: config.min_severity,
    wake: () => worker.wake(),
    ...(options.onRaised ? { onRaised: options.onRaised } : {}),
  });
  const control =
    secrets.telegramToken && options.control && config.telegram.control_chat_ids.length > 0
      ? new TelegramControl({
          token: secrets.telegramToken,
          apiRoot: config.telegram.api_base_url,
          chatIds: config.telegram.control_chat_ids,
          port: options.control,
          logger,
        })
      : null;
  return {
    alerter,
    worker,
    control,
    destinations,
    async start() {
      logger.info({ destinations, control: control !== null }, 'alerting started');
      worker.start();
      await control?.start();
    },
    async stop() {
      await control?.stop();
      await worker.stop();
    },
  };
}
