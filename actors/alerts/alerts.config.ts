/**
 * @module actors/alerts/alerts.config
 * The `alerts:` section of the market-maker config: where alerts go (Slack incoming webhook,
 * Telegram chats), who may control the engine over Telegram, and the outbox's delivery, rate
 * limit and severity policy. Secrets are never in the file: it names the environment variables
 * that hold them (`SLACK_WEBHOOK_URL`, `TELEGRAM_BOT_TOKEN` by default); a channel whose variable
 * is unset is simply off.
 */
import { z } from 'zod';

const envName = (example: string) =>
  z
    .string({ error: `must name an environment variable, e.g. "${example}"` })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, `must name an environment variable, e.g. "${example}"`);

const httpUrl = z
  .string()
  .regex(
    /^https?:\/\/[^\s/]+(\/[^\s]*)?$/,
    'must be an http(s) URL such as "https://api.telegram.org"',
  );

const chatId = z
  .union([z.string(), z.number().int()], {
    error: 'must be a Telegram chat id such as "123456789"',
  })
  .transform(String)
  .refine((id) => /^-?\d+$/.test(id), 'must be a numeric Telegram chat id such as "123456789"');

const count = (example: number) =>
  z
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int(`must be a whole number, e.g. ${example}`)
    .min(1, 'must be at least 1');

/** The whole `alerts:` section. */
export const alertsConfigSchema = z
  .object({
    /** Alerts below this severity are logged but not sent. */
    min_severity: z
      .enum(['info', 'warning', 'error', 'critical'], {
        error: 'must be one of info, warning, error, critical',
      })
      .default('info'),
    slack: z
      .object({
        /** Environment variable holding the incoming-webhook URL (a secret); unset: Slack off. */
        webhook_url_env: envName('SLACK_WEBHOOK_URL').default('SLACK_WEBHOOK_URL'),
        /** Send the webhook path to this origin instead (a proxy, a test server); empty: off. */
        base_url: httpUrl.or(z.literal('')).default(''),
      })
      .strict()
      .prefault({}),
    telegram: z
      .object({
        /** Environment variable holding the bot token (a secret); unset: Telegram off. */
        token_env: envName('TELEGRAM_BOT_TOKEN').default('TELEGRAM_BOT_TOKEN'),
        /** Bot API server. */
        api_base_url: httpUrl.default('https://api.telegram.org'),
        /** Chats that receive alerts. */
        alert_chat_ids: z.array(chatId).default([]),
        /** Chats whose /status, /pnl, /pause, /resume, /halt are obeyed; others get no answer. */
        control_chat_ids: z.array(chatId).default([]),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        /** How often the outbox is polled for due alerts, ms. */
        poll_ms: count(1_000).default(1_000),
        /** Tries per alert and destination before it is marked failed. */
        max_attempts: count(10).default(10),
        /** Backoff before the second try, doubled per try, ms. */
        initial_backoff_ms: count(1_000).default(1_000),
        /** Backoff cap, ms. */
        max_backoff_ms: count(300_000).default(300_000),
        /** Per-request timeout, ms. */
        timeout_ms: count(10_000).default(10_000),
        /** A claim on an alert lapses after this long (a crashed sender), ms. */
        lease_ms: count(60_000).default(60_000),
      })
      .strict()
      .prefault({}),
    /** The exchange connector unanswered this long raises `connector_unreachable`, ms. */
    connector_unreachable_ms: count(60_000).default(60_000),
    daily_summary: z
      .object({
        /** Send a summary (fills, realized PnL, fees per symbol over the last 24 h) once a day. */
        enabled: z.boolean().default(true),
        /** The UTC hour (0-23) it is sent at. */
        utc_hour: z
          .number({ error: 'must be an hour of the day, 0 to 23' })
          .int('must be a whole hour, 0 to 23')
          .min(0, 'must be 0 to 23')
          .max(23, 'must be 0 to 23')
          .default(0),
      })
      .strict()
      .prefault({}),
    rate_limit: z
      .object({
        /** Most alerts of one topic (kind + scope) per destination within the window. */
        max_per_topic: count(3).default(3),
        /** The window, ms. */
        window_ms: count(600_000).default(600_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** The validated, defaulted `alerts:` section. */
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

/** The secrets an alerts config names, read from the environment. */
export interface AlertSecrets {
  /** Incoming-webhook URL, or null when Slack is off. */
  readonly slackWebhookUrl: string | null;
  /** Bot token, or null when Telegram is off. */
  readonly telegramToken: string | null;
}

/**
 * Reads the secrets an alerts config names.
 * @param config - the `alerts:` section
 * @param env - the environment; default process.env
 * @returns each secret, or null when its variable is unset or empty
 */
export function alertSecrets(
  config: AlertsConfig,
  env: NodeJS.ProcessEnv = process.env,
): AlertSecrets {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  return {
    slackWebhookUrl: read(config.slack.webhook_url_env),
    telegramToken: read(config.telegram.token_env),
  };
}

/**
 * The destinations alerts are addressed to, given which secrets are set.
 * @param config - the `alerts:` section
 * @param secrets - from {@link alertSecrets}
 * @returns `slack` and one `telegram:<chat id>` per alert chat
 */
export function alertDestinations(config: AlertsConfig, secrets: AlertSecrets): string[] {
  const destinations: string[] = [];
  if (secrets.slackWebhookUrl) destinations.push('slack');
  if (secrets.telegramToken) {
    for (const chat of config.telegram.alert_chat_ids) destinations.push(`telegram:${chat}`);
  }
  return destinations;
}
