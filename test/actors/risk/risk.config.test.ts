/**
 * The `risk:` and `alerts:` config sections inside the engine config: defaults, errors that name
 * the key, secrets read from the environment by name only, and alerting built from them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { createAlerting } from '../../../actors/alerts/alerting.js';
import {
  alertDestinations,
  alertSecrets,
  alertsConfigSchema,
} from '../../../actors/alerts/alerts.config.js';
import { engineConfigSchema } from '../../../actors/engine/engine.config.js';
import { VirtualClock } from '../../../core/clock.js';
import { ConfigError, parseConfig } from '../../../core/config-file.js';
import type { Sql } from '../../../actors/store/database.js';

describe('risk config', () => {
  it('defaults every breaker, limit, the monitor and the safety checker', () => {
    const config = engineConfigSchema.parse({});
    assert.equal(config.risk.entries_paused, false);
    assert.deepEqual(
      {
        drawdown: config.risk.breakers.drawdown,
        latency: config.risk.breakers.latency.max_p99_ms,
        rate: config.risk.limits.order_rate,
        monitor: [config.risk.monitor.enabled, config.risk.monitor.policy],
        leverage: config.risk.safety.max_leverage,
      },
      {
        drawdown: {
          enabled: true,
          scope: 'symbol',
          action: 'halt',
          cooldown_ms: null,
          max_auto_resets_per_day: 3,
          max_drawdown_pct: '10',
          window_ms: 86_400_000,
        },
        latency: 2_000,
        rate: { global_per_second: 100, symbol_per_second: 20 },
        monitor: [false, 'all'],
        leverage: 10,
      },
    );
  });

  it('names the key and the fix for every bad value at once', () => {
    assert.throws(
      () =>
        parseConfig(
          engineConfigSchema,
          {
            risk: {
              breakers: { drawdown: { max_drawdown_pct: 12, action: 'panic' }, typo: {} },
              limits: { max_order_notional: '-5' },
              monitor: { symbols: ['BTCUSDT'], recovery_threshold: 2 },
            },
            alerts: { telegram: { alert_chat_ids: ['@ops'] } },
          },
          'test.yaml',
          {},
        ),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems, [
          'risk.breakers.drawdown.action: must be "reduce" (no new entries), "halt" (cancel our orders) or "flatten" (close)',
          'risk.breakers.drawdown.max_drawdown_pct: must be a decimal string in percent, e.g. "10"',
          'risk.breakers: Unrecognized key: "typo"',
          'risk.limits.max_order_notional: must be a plain decimal string in quote units, e.g. "10000"',
          'risk.monitor.recovery_threshold: must not exceed the number of watched symbols',
          'alerts.telegram.alert_chat_ids.0: must be a numeric Telegram chat id such as "123456789"',
        ]);
        return true;
      },
    );
  });

  it('reads secrets from the variables it names, never from the file', () => {
    const config = alertsConfigSchema.parse({
      slack: { webhook_url_env: 'MY_SLACK' },
      telegram: { alert_chat_ids: [123, '-456'] },
    });
    const secrets = alertSecrets(config, {
      MY_SLACK: 'https://hooks.example/x',
      TELEGRAM_BOT_TOKEN: ' ',
    });
    assert.deepEqual(secrets, { slackWebhookUrl: 'https://hooks.example/x', telegramToken: null });
    assert.deepEqual(alertDestinations(config, secrets), ['slack']);
    assert.deepEqual(alertDestinations(config, { ...secrets, telegramToken: 't' }), [
      'slack',
      'telegram:123',
      'telegram:-456',
    ]);
  });

  it('builds alerting with only the channels whose secrets are set', async () => {
    const config = alertsConfigSchema.parse({ telegram: { control_chat_ids: ['1'] } });
    const alerting = createAlerting({
      config,
      sql: {} as Sql,
      clock: new VirtualClock(),
      logger: pino({ level: 'silent' }),
      env: { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' },
    });
    assert.deepEqual(alerting.destinations, ['slack']);
    assert.equal(alerting.control, null, 'no token: no control bot');
    await alerting.worker.stop();
  });
});
