/**
 * @module actors/alerts/alert.channel
 * The port a delivery channel implements (Slack, Telegram), the one error it throws, and the
 * message text both share. A channel makes exactly one HTTP request per call and never retries by
 * itself: the outbox worker owns retries, so an attempt is counted and backed off in one place.
 */
import type { OutboxAlert } from '../store/alert-outbox.repo.js';

/** A delivery channel: sends one outbox row to its destination. */
export interface AlertChannel {
  /** Destination prefix it serves: `slack` or `telegram`. */
  readonly name: string;
  /**
   * Sends one alert.
   * @param alert - the claimed outbox row; `destination` names the chat for Telegram
   * @throws {DeliveryError} when the channel did not take it
   */
  send(alert: OutboxAlert): Promise<void>;
}

/** A delivery that did not go through. */
export class DeliveryError extends Error {
  /** False for refusals a retry cannot fix (bad URL or token, unknown chat). */
  readonly retryable: boolean;
  /** The peer asked us to wait this long (HTTP 429), ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Whether an HTTP status is worth retrying: rate limits, timeouts and server errors.
 * @param status - HTTP status code
 * @returns true for 408, 425, 429 and 5xx
 */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

const ICON: Readonly<Record<OutboxAlert['severity'], string>> = {
  info: 'ℹ️',
  warning: '⚠️',
  error: '❌',
  critical: '🚨',
};

/**
 * The plain-text form of an alert (Telegram, and Slack's fallback text).
 * @param alert - the outbox row
 * @returns title, body, fields and the suppression note, one per line
 */
export function alertText(alert: OutboxAlert): string {
  const lines = [`${ICON[alert.severity]} [${alert.severity.toUpperCase()}] ${alert.title}`, ''];
  lines.push(alert.body);
  const fields = Object.entries(alert.fields);
  if (fields.length > 0) lines.push('', ...fields.map(([k, v]) => `• ${k}: ${v}`));
  if (alert.suppressedBefore > 0) {
    lines.push('', `(${alert.suppressedBefore} similar alerts suppressed before this one)`);
  }
  lines.push('', `ref ${alert.dedupKey}`);
  return lines.join('\n');
}

/**
 * Replaces every occurrence of a secret in a text, so an error message quoting a URL or a token
 * can be logged.
 * @param text - any text
 * @param secrets - values to hide (empty ones are ignored)
 * @returns the text with each secret replaced by `***`
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}
