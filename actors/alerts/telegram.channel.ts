/**
 * @module actors/alerts/telegram.channel
 * Telegram delivery through the Bot API (`grammy`'s `Api`). The bot token comes from the
 * environment only; grammY keeps it out of its error messages and we redact it again before
 * anything is logged. `apiRoot` points the client at another Bot API server (tests, self-hosted).
 */
import { Api, GrammyError, HttpError } from 'grammy';

import type { OutboxAlert } from '../store/alert-outbox.repo.js';
import {
  alertText,
  DeliveryError,
  redact,
  retryableStatus,
  type AlertChannel,
} from './alert.channel.js';

/** How to reach the Bot API. */
export interface TelegramChannelOptions {
  /** Bot token (secret), e.g. from `TELEGRAM_BOT_TOKEN`. */
  readonly token: string;
  /** Bot API root, default https://api.telegram.org. */
  readonly apiRoot: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
}

/**
 * The chat id a Telegram destination names.
 * @param destination - `telegram:<chat id>`
 * @returns the chat id
 * @throws {DeliveryError} (not retryable) when the destination is not a Telegram chat
 */
export function telegramChatOf(destination: string): string {
  const match = /^telegram:(-?\d+|@\w+)$/.exec(destination);
  if (!match?.[1]) throw new DeliveryError(`not a telegram destination: ${destination}`, false);
  return match[1];
}

/**
 * A Bot API client for a token and root, with grammY's own retries off (the outbox retries).
 * @param options - token, root and timeout
 * @returns the client
 */
export function telegramApi(options: TelegramChannelOptions): Api {
  return new Api(options.token, {
    apiRoot: options.apiRoot,
    timeoutSeconds: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
  });
}

/** Sends alerts to Telegram chats. */
export class TelegramChannel implements AlertChannel {
  readonly name = 'telegram';
  readonly #api: Api;
  readonly #token: string;

  constructor(options: TelegramChannelOptions) {
    this.#api = telegramApi(options);
    this.#token = options.token;
  }

  async send(alert: OutboxAlert): Promise<void> {
    const chat = telegramChatOf(alert.destination);
    try {
      await this.#api.sendMessage(chat, alertText(alert), {
        link_preview_options: { is_disabled: true },
      });
    } catch (e) {
      throw toDeliveryError(e, this.#token);
    }
  }
}

/**
 * Classifies a grammY failure.
 * @param e - what the client threw
 * @param token - the bot token, to redact
 * @returns a delivery error: 429 carries the server's retry_after
 */
export function toDeliveryError(e: unknown, token: string): DeliveryError {
  if (e instanceof GrammyError) {
    const retryAfter = e.parameters.retry_after;
    return new DeliveryError(
      `telegram ${e.method} answered ${e.error_code}: ${redact(e.description, [token])}`,
      retryableStatus(e.error_code),
      retryAfter === undefined ? undefined : retryAfter * 1000,
    );
  }
  if (e instanceof HttpError) {
    return new DeliveryError(`telegram request failed: ${redact(e.message, [token])}`, true);
  }
  return new DeliveryError(`telegram request failed: ${redact(String(e), [token])}`, true);
}
