/**
 * @module test/support/fake-alert-servers
 * Local stand-ins for Slack's incoming webhooks and Telegram's Bot API, on loopback ports the OS
 * picks. They record what arrives and can be scripted to fail the next requests (HTTP status,
 * Telegram error code with retry_after) or to hand out Telegram updates to a long-polling bot.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

abstract class FakeServer {
  readonly #server: Server;
  #url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  }

  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** One request the fake Slack received. */
export interface SlackPost {
  readonly path: string;
  readonly body: {
    text?: string;
    attachments?: { pretext?: string; text?: string; footer?: string; color?: string }[];
  };
}

/** Slack incoming webhooks: 200 "ok" per POST, unless a failure is scripted. */
export class FakeSlack extends FakeServer {
  readonly posts: SlackPost[] = [];
  /** Statuses to answer the next requests with, in order (the request is not recorded). */
  readonly failNext: number[] = [];
  /** Paths that exist; others get 404 no_service. */
  readonly paths = new Set(['/services/T000/B000/XXXX']);

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const fail = this.failNext.shift();
    if (fail !== undefined) {
      res.writeHead(fail, { 'content-type': 'text/plain' }).end('internal_error');
      return;
    }
    if (req.method !== 'POST' || !this.paths.has(req.url ?? '')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
      return;
    }
    this.posts.push({ path: req.url ?? '', body: JSON.parse(body) as SlackPost['body'] });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}

/** A scripted Telegram failure: an error code and optional retry_after seconds. */
export interface TelegramFailure {
  readonly code: number;
  readonly description: string;
  readonly retryAfterS?: number;
}

/** A message the fake Telegram received. */
export interface TelegramMessage {
  readonly chatId: string;
  readonly text: string;
}

/** Telegram's Bot API for one token: getMe, deleteWebhook, getUpdates, sendMessage. */
export class FakeTelegram extends FakeServer {
  readonly messages: TelegramMessage[] = [];
  readonly failNext: TelegramFailure[] = [];
  /** Chats that exist; a message to another gets 400 chat not found. */
  readonly chats = new Set<string>();
  readonly #updates: unknown[] = [];
  #nextUpdateId = 1;
  #nextMessageId = 1;
  readonly #token: string;
  /** Every method called, in order. */
  readonly calls: string[] = [];

  constructor(token: string) {
    super();
    this.#token = token;
  }

  /** Queues a text message from `chatId` for the bot's next getUpdates. */
  pushText(chatId: number, text: string, fromId = chatId): void {
    this.#updates.push({
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'Op' },
        from: { id: fromId, is_bot: false, first_name: 'Op' },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length }] }
          : {}),
      },
    });
  }

  /** Updates queued and not yet confirmed by an offset. */
  get pendingUpdates(): number {
    return this.#updates.length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const reply = (status: number, payload: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    if (!match || match[1] !== this.#token) {
      reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const method = match[2] ?? '';
    this.calls.push(method);
    const params = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    if (method === 'sendMessage') {
      const fail = this.failNext.shift();
      if (fail) {
        reply(fail.code, {
          ok: false,
          error_code: fail.code,
          description: fail.description,
          ...(fail.retryAfterS === undefined
            ? {}
            : { parameters: { retry_after: fail.retryAfterS } }),
        });
        return;
      }
      const chatId = String(params.chat_id);
      if (!this.chats.has(chatId)) {
        reply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
        return;
      }
      this.messages.push({ chatId, text: String(params.text) });
      reply(200, {
        ok: true,
        result: { message_id: this.#nextMessageId++, date: 0, chat: { id: Number(chatId) } },
      });
      return;
    }
    if (method === 'getMe') {
      reply(200, {
        ok: true,
        result: { id: 42, is_bot: true, first_name: 'opensqt', username: 'opensqt_bot' },
      });
      return;
    }
    if (method === 'deleteWebhook' || method === 'setMyCommands') {
      reply(200, { ok: true, result: true });
      return;
    }
    if (method === 'getUpdates') {
      const offset = Number(params.offset ?? 0);
      while (
        this.#updates.length > 0 &&
        (this.#updates[0] as { update_id: number }).update_id < offset
      ) {
        this.#updates.shift();
      }
      if (this.#updates.length === 0) {
        // A short long-poll keeps tests quick and lets the bot stop promptly
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      reply(200, { ok: true, result: [...this.#updates] });
      return;
    }
    reply(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
  }
}
