/**
 * @module actors/alerts/slack.channel
 * Slack delivery through an incoming webhook (`@slack/webhook`). The webhook URL is a secret: it
 * comes from the environment only and never appears in a log line or an error we raise. For tests
 * and proxies, `baseUrl` sends the webhook's path to another origin.
 */
import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
} from '@slack/webhook';

import type { OutboxAlert } from '../store/alert-outbox.repo.js';
import {
  alertText,
  DeliveryError,
  redact,
  retryableStatus,
  type AlertChannel,
} from './alert.channel.js';

/** How to reach the webhook. */
export interface SlackChannelOptions {
  /** The incoming-webhook URL (secret), e.g. from `SLACK_WEBHOOK_URL`. */
  readonly webhookUrl: string;
  /** Origin to send the webhook path to instead of the URL's own (tests, proxies). */
  readonly baseUrl?: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
}

const COLOR: Readonly<Record<OutboxAlert['severity'], string>> = {
  info: '#36a64f',
  warning: '#ffcc00',
  error: '#ff0000',
  critical: '#8b0000',
};

/**
 * The webhook URL to call: the configured one, or its path and query on `baseUrl`.
 * @param webhookUrl - the secret webhook URL
 * @param baseUrl - optional origin override
 * @returns the URL
 * @throws {Error} when the URL is not an http(s) URL (without echoing it)
 */
export function slackWebhookTarget(webhookUrl: string, baseUrl?: string): string {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new Error('alerts.slack: the webhook URL in the environment is not a URL');
  }
  if (!baseUrl) return url.toString();
  const base = new URL(baseUrl);
  return new URL(`${url.pathname}${url.search}`, base).toString();
}

/** Sends alerts to one Slack channel. */
export class SlackChannel implements AlertChannel {
  readonly name = 'slack';
  readonly #webhook: IncomingWebhook;
  readonly #secrets: readonly string[];

  constructor(options: SlackChannelOptions) {
    const target = slackWebhookTarget(options.webhookUrl, options.baseUrl);
    this.#secrets = [options.webhookUrl, target, new URL(target).pathname];
    this.#webhook = new IncomingWebhook(target, {
      timeout: options.timeoutMs,
      retryConfig: { retries: 0 },
    });
  }

  async send(alert: OutboxAlert): Promise<void> {
    const fields = Object.entries(alert.fields).map(([title, value]) => ({
      title,
      value,
      short: true,
    }));
    try {
      await this.#webhook.send({
        text: alertText(alert),
        attachments: [
          {
            color: COLOR[alert.severity],
            pretext: `[${alert.severity.toUpperCase()}] ${alert.title}`,
            text: alert.body,
            fields,
            footer: `OpenSQT Market Maker · ref ${alert.dedupKey}`,
            ts: String(Math.floor(alert.createdMs / 1000)),
          },
        ],
      });
    } catch (e) {
      if (e instanceof IncomingWebhookHTTPError) {
        throw new DeliveryError(
          `slack answered HTTP ${e.statusCode} ${redact(e.body, this.#secrets).slice(0, 200)}`,
          retryableStatus(e.statusCode),
        );
      }
      const cause = e instanceof IncomingWebhookRequestError ? e.original : e;
      throw new DeliveryError(
        `slack request failed: ${redact(String((cause as Error)?.message ?? cause), this.#secrets)}`,
        true,
      );
    }
  }
}
