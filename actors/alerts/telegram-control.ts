/**
 * @module actors/alerts/telegram-control
 * Control over Telegram (grammY, long polling): `/status`, `/pnl`, `/pause SYMBOL`,
 * `/resume SYMBOL`, `/halt`, obeyed from the configured chat ids only. A message from any other
 * chat gets no answer at all (not even "forbidden": a bot that answers tells a stranger it is
 * there) and is logged with its chat id. Commands older than `maxCommandAgeMs` (sent while the
 * engine was down) are dropped, so a stale `/resume` cannot restart trading hours later.
 * Every command goes through the {@link TradingControlPort} the engine implements; the port
 * logs and alerts the change itself.
 */
import { Bot, type Context } from 'grammy';

import type { Logger } from '../../core/logger.js';
import { redact } from './alert.channel.js';

/** One traded symbol as /status shows it. */
export interface SymbolStatus {
  readonly symbol: string;
  /** Effective trading state (ACTIVE, REDUCING, HALTED, FLATTENING). */
  readonly state: string;
  readonly openBreakers: readonly { readonly breaker: string; readonly reason: string }[];
}

/** What /status shows. */
export interface StatusReport {
  readonly global: { readonly state: string; readonly openBreakers: SymbolStatus['openBreakers'] };
  readonly symbols: readonly SymbolStatus[];
}

/** What /pnl shows; amounts are decimal strings in quote units. */
export interface PnlReport {
  readonly quoteAsset: string;
  readonly symbols: readonly {
    readonly symbol: string;
    readonly realized: string;
    readonly unrealized: string;
    readonly fees: string;
  }[];
}

/** The outcome of a control command. */
export type ControlResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What the engine offers to Telegram. */
export interface TradingControlPort {
  status(): Promise<StatusReport>;
  pnl(): Promise<PnlReport>;
  /** Pauses new entries of one symbol (REDUCING, latched). */
  pause(symbol: string, by: string): Promise<ControlResult>;
  /** Lifts the operator holds of one symbol. */
  resume(symbol: string, by: string): Promise<ControlResult>;
  /** Halts every symbol (kill switch). */
  haltAll(by: string): Promise<ControlResult>;
}

export interface TelegramControlOptions {
  readonly token: string;
  readonly apiRoot: string;
  /** Chats whose commands are obeyed. */
  readonly chatIds: readonly string[];
  readonly port: TradingControlPort;
  readonly logger: Logger;
  /** Commands older than this are dropped, ms; default 120,000. */
  readonly maxCommandAgeMs?: number;
  /** Epoch ms now; default Date.now. */
  readonly now?: () => number;
}

const USAGE = [
  '/status – trading state of every symbol and open breakers',
  '/pnl – realized and unrealized PnL per symbol',
  '/pause SYMBOL – stop new entries of SYMBOL (closes continue)',
  '/resume SYMBOL – lift the operator pause or halt of SYMBOL',
  '/halt – halt everything: cancel all our orders, place nothing',
].join('\n');

const SYMBOL = /^[A-Z0-9]{2,24}$/;

/** Formats /status. */
export function formatStatus(report: StatusReport): string {
  const breakers = (open: SymbolStatus['openBreakers']) =>
    open.map((b) => `\n    ⛔ ${b.breaker}: ${b.reason}`).join('');
  const lines = [`Global: ${report.global.state}${breakers(report.global.openBreakers)}`];
  for (const s of report.symbols) lines.push(`${s.symbol}: ${s.state}${breakers(s.openBreakers)}`);
  if (report.symbols.length === 0) lines.push('No symbols are traded.');
  return lines.join('\n');
}

/** Formats /pnl. */
export function formatPnl(report: PnlReport): string {
  if (report.symbols.length === 0) return 'No symbols are traded.';
  return report.symbols
    .map(
      (s) =>
        `${s.symbol}: realized ${s.realized}, unrealized ${s.unrealized}, fees ${s.fees} ${report.quoteAsset}`,
    )
    .join('\n');
}

/** The Telegram bot that takes control commands. */
export class TelegramControl {
  readonly #bot: Bot;
  readonly #options: TelegramControlOptions;
  #running: Promise<void> | undefined;

  constructor(options: TelegramControlOptions) {
    this.#options = options;
    this.#bot = new Bot(options.token, {
      client: { apiRoot: options.apiRoot, timeoutSeconds: 30 },
    });
    const allowed = new Set(options.chatIds);
    const maxAge = options.maxCommandAgeMs ?? 120_000;
    const now = options.now ?? Date.now;
    this.#bot.use(async (ctx, next) => {
      const chat = ctx.chat?.id === undefined ? 'unknown' : String(ctx.chat.id);
      if (!allowed.has(chat)) {
        options.logger.warn(
          { chat },
          'telegram: message from a chat not allowed to control; ignored',
        );
        return;
      }
      const sentMs = (ctx.message?.date ?? 0) * 1000;
      if (now() - sentMs > maxAge) {
        options.logger.warn({ chat, sentMs }, 'telegram: command too old; dropped');
        return;
      }
      await next();
    });
    this.#commands();
    this.#bot.catch((e) => {
      options.logger.warn(
        {
          error: redact(String(e.error instanceof Error ? e.error.message : e.error), [
            options.token,
          ]),
        },
        'telegram: command failed',
      );
    });
  }

  /** Starts long polling (resolves once the bot is initialised). */
  async start(): Promise<void> {
    await this.#bot.init();
    this.#running = this.#bot.start({
      allowed_updates: ['message'],
      onStart: () => this.#options.logger.info('telegram control: polling'),
    });
    this.#running.catch((e: unknown) =>
      this.#options.logger.error(
        { error: redact(String((e as Error)?.message ?? e), [this.#options.token]) },
        'telegram control stopped',
      ),
    );
  }

  /** Stops polling and waits for it. */
  async stop(): Promise<void> {
    if (this.#bot.isRunning()) await this.#bot.stop();
    await this.#running?.catch(() => undefined);
  }

  #commands(): void {
    const { port, logger } = this.#options;
    const by = (ctx: Context) => `telegram:${ctx.from?.username ?? ctx.from?.id ?? ctx.chat?.id}`;
    const answer = async (ctx: Context, result: ControlResult, done: string) => {
      await ctx.reply(result.ok ? done : `Refused: ${result.reason}`);
    };
    const symbolArg = async (ctx: Context & { match: string }, usage: string) => {
      const symbol = ctx.match.trim().toUpperCase();
      if (!SYMBOL.test(symbol)) {
        await ctx.reply(`Usage: ${usage} SYMBOL, e.g. ${usage} BTCUSDT`);
        return null;
      }
      return symbol;
    };
    this.#bot.command(['start', 'help'], (ctx) => ctx.reply(USAGE));
    this.#bot.command('status', async (ctx) => ctx.reply(formatStatus(await port.status())));
    this.#bot.command('pnl', async (ctx) => ctx.reply(formatPnl(await port.pnl())));
    this.#bot.command('pause', async (ctx) => {
      const symbol = await symbolArg(ctx, '/pause');
      if (!symbol) return;
      logger.warn({ symbol, by: by(ctx) }, 'telegram: pause');
      await answer(ctx, await port.pause(symbol, by(ctx)), `${symbol}: entries paused.`);
    });
    this.#bot.command('resume', async (ctx) => {
      const symbol = await symbolArg(ctx, '/resume');
      if (!symbol) return;
      logger.warn({ symbol, by: by(ctx) }, 'telegram: resume');
      await answer(ctx, await port.resume(symbol, by(ctx)), `${symbol}: resumed.`);
    });
    this.#bot.command('halt', async (ctx) => {
      logger.warn({ by: by(ctx) }, 'telegram: halt');
      await answer(
        ctx,
        await port.haltAll(by(ctx)),
        'Halted: every order of ours is being cancelled.',
      );
    });
    this.#bot.on('message', (ctx) => ctx.reply(`Unknown command.\n${USAGE}`));
  }
}
