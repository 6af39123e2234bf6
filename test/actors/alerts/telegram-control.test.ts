/**
 * Telegram control against a local fake Bot API: commands from allowed chats reach the port and
 * get answers; anyone else gets nothing and changes nothing; stale commands are dropped.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { pino } from 'pino';

import {
  formatStatus,
  TelegramControl,
  type ControlResult,
  type TradingControlPort,
} from '../../../actors/alerts/telegram-control.js';
import { FakeTelegram } from '../../support/fake-alert-servers.js';
import { eventually } from '../../../core/eventually.js';

const TOKEN = '777:control-token';
const OPS = 1001;
const STRANGER = 666;

/** The engine's side, recorded. */
class FakeEngine implements TradingControlPort {
  readonly calls: string[] = [];
  paused = new Set<string>();

  async status() {
    this.calls.push('status');
    return {
      global: { state: 'ACTIVE', openBreakers: [] },
      symbols: [
        {
          symbol: 'BTCUSDT',
          state: this.paused.has('BTCUSDT') ? 'REDUCING' : 'ACTIVE',
          openBreakers: [{ breaker: 'latency', reason: 'p99 2100 ms > 2000 ms' }],
        },
      ],
    };
  }

  async pnl() {
    this.calls.push('pnl');
    return {
      quoteAsset: 'USDT',
      symbols: [{ symbol: 'BTCUSDT', realized: '12.5', unrealized: '-3.1', fees: '0.4' }],
    };
  }

  async pause(symbol: string, by: string): Promise<ControlResult> {
    this.calls.push(`pause ${symbol} ${by}`);
    if (symbol !== 'BTCUSDT') return { ok: false, reason: `${symbol} is not traded` };
    this.paused.add(symbol);
    return { ok: true };
  }

  async resume(symbol: string, by: string): Promise<ControlResult> {
    this.calls.push(`resume ${symbol} ${by}`);
    this.paused.delete(symbol);
    return { ok: true };
  }

  async haltAll(by: string): Promise<ControlResult> {
    this.calls.push(`halt ${by}`);
    return { ok: true };
  }
}

describe('TelegramControl', () => {
  let telegram: FakeTelegram;
  let engine: FakeEngine;
  let control: TelegramControl;

  beforeEach(async () => {
    telegram = await new FakeTelegram(TOKEN).start();
    telegram.chats.add(String(OPS));
    telegram.chats.add(String(STRANGER));
    engine = new FakeEngine();
    control = new TelegramControl({
      token: TOKEN,
      apiRoot: telegram.url,
      chatIds: [String(OPS)],
      port: engine,
      logger: pino({ level: 'silent' }),
    });
    await control.start();
  });

  afterEach(async () => {
    await control.stop();
    await telegram.close();
  });

  const replies = () =>
    telegram.messages.filter((m) => m.chatId === String(OPS)).map((m) => m.text);

  it('answers /status and /pnl from an allowed chat', async () => {
    telegram.pushText(OPS, '/status');
    telegram.pushText(OPS, '/pnl');
    await eventually(() => replies().length === 2, 'two replies');
    assert.match(replies()[0] ?? '', /BTCUSDT: ACTIVE\n {4}⛔ latency: p99 2100 ms > 2000 ms/);
    assert.equal(replies()[1], 'BTCUSDT: realized 12.5, unrealized -3.1, fees 0.4 USDT');
  });

  it('pauses, resumes and halts through the port, naming who asked', async () => {
    telegram.pushText(OPS, '/pause btcusdt');
    telegram.pushText(OPS, '/resume BTCUSDT');
    telegram.pushText(OPS, '/pause DOGEUSDT');
    telegram.pushText(OPS, '/halt');
    await eventually(() => replies().length === 4, 'four replies');
    assert.deepEqual(engine.calls, [
      `pause BTCUSDT telegram:${OPS}`,
      `resume BTCUSDT telegram:${OPS}`,
      `pause DOGEUSDT telegram:${OPS}`,
      `halt telegram:${OPS}`,
    ]);
    assert.deepEqual(replies(), [
      'BTCUSDT: entries paused.',
      'BTCUSDT: resumed.',
      'Refused: DOGEUSDT is not traded',
      'Halted: every order of ours is being cancelled.',
    ]);
  });

  it('explains the usage of a command without a valid symbol', async () => {
    telegram.pushText(OPS, '/pause');
    await eventually(() => replies().length === 1, 'a reply');
    assert.equal(replies()[0], 'Usage: /pause SYMBOL, e.g. /pause BTCUSDT');
    assert.deepEqual(engine.calls, []);
  });

  it('gives a stranger nothing: no reply and no change', async () => {
    telegram.pushText(STRANGER, '/halt');
    telegram.pushText(STRANGER, '/pause BTCUSDT');
    telegram.pushText(OPS, '/status');
    await eventually(() => replies().length === 1, 'the allowed reply');
    await eventually(() => telegram.pendingUpdates === 0, 'updates consumed');
    assert.deepEqual(engine.calls, ['status']);
    assert.equal(telegram.messages.filter((m) => m.chatId === String(STRANGER)).length, 0);
  });

  it('formats a status with no symbols', () => {
    assert.equal(
      formatStatus({ global: { state: 'HALTED', openBreakers: [] }, symbols: [] }),
      'Global: HALTED\nNo symbols are traded.',
    );
  });
});

describe('TelegramControl: stale commands', () => {
  it('drops a command sent long before the engine read it', async () => {
    const telegram = await new FakeTelegram(TOKEN).start();
    telegram.chats.add(String(OPS));
    const engine = new FakeEngine();
    const control = new TelegramControl({
      token: TOKEN,
      apiRoot: telegram.url,
      chatIds: [String(OPS)],
      port: engine,
      logger: pino({ level: 'silent' }),
      now: () => Date.now() + 3_600_000,
    });
    telegram.pushText(OPS, '/resume BTCUSDT');
    await control.start();
    await eventually(() => telegram.pendingUpdates === 0, 'updates consumed');
    await control.stop();
    await telegram.close();
    assert.deepEqual(engine.calls, []);
    assert.equal(telegram.messages.length, 0);
  });
});
