import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config-file.js';
import {
  defaultLiveServerConfig,
  resolveLiveServerConfig,
} from '../../../server/live/live.config.js';

function file(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'live-config-')), 'live_server.yaml');
  writeFileSync(path, yaml);
  return path;
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  assert.fail('no ConfigError was thrown');
}

describe('resolveLiveServerConfig', () => {
  it('uses every default without a file', () => {
    const config = resolveLiveServerConfig(['--config', file('{}')]);
    assert.deepEqual(config, defaultLiveServerConfig());
    assert.equal(config.connector.address, '127.0.0.1:50051');
    assert.equal(config.server.port, 8888);
    assert.equal(config.trading.symbol, 'BTCUSDT');
    assert.equal(config.trading.historical_limit, 100);
  });

  it('reads the shipped configs/live_server.yaml as the defaults', () => {
    assert.deepEqual(
      resolveLiveServerConfig(['--config', 'configs/live_server.yaml'], {}),
      defaultLiveServerConfig(),
    );
  });

  it('lets flags override the file', () => {
    const path = file('server: { port: 9000 }\ntrading: { symbol: ETHUSDT, interval: 5m }\n');
    const config = resolveLiveServerConfig([
      '--config',
      path,
      '--port',
      '9100',
      '--connector',
      'connector.internal:50061',
      '--symbol',
      'SOLUSDT',
      '--host',
      '0.0.0.0',
    ]);
    assert.equal(config.server.port, 9100);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.connector.address, 'connector.internal:50061');
    assert.equal(config.trading.symbol, 'SOLUSDT');
    assert.equal(config.trading.interval, '5m');
  });

  it('expands ${VAR} from the environment', () => {
    const path = file('server: { enable_auth: true, api_keys: ["${LIVE_KEY}"] }\n');
    const config = resolveLiveServerConfig(['--config', path], { LIVE_KEY: 'k'.repeat(20) });
    assert.deepEqual(config.server.api_keys, ['k'.repeat(20)]);
  });

  it('names every bad key and flag at once', () => {
    const path = file(
      [
        'trading: { interval: 7m, historical_limit: 0 }',
        'server: { enable_auth: true, port: 70000 }',
        'performance: { ping_interval_ms: 5000, pong_timeout_ms: 1000 }',
        'exchanges: { binance: { api_key: x } }',
      ].join('\n'),
    );
    const problems = problemsOf(() => resolveLiveServerConfig(['--config', path]));
    const keys = problems.map((p) => p.split(':')[0]);
    assert.deepEqual(keys.sort(), [
      '(root)',
      'performance.pong_timeout_ms',
      'server.enable_auth',
      'server.port',
      'trading.historical_limit',
      'trading.interval',
    ]);
    assert.match(problems.join('\n'), /Unrecognized key: "exchanges"/);
  });

  it('reports auth without credentials, bad flags and a missing named file', () => {
    const auth = problemsOf(() =>
      resolveLiveServerConfig(['--config', file('server: { enable_auth: true }')]),
    );
    assert.match(auth.join(), /^server\.enable_auth: enable_auth needs api_keys or jwt_secret/);
    const flags = problemsOf(() =>
      resolveLiveServerConfig(['--config', file('{}'), '--port', 'x', '--symbol', 'btc']),
    );
    assert.deepEqual(
      flags.map((p) => p.split(':')[0]),
      ['--symbol', '--port'],
    );
    assert.match(problemsOf(() => resolveLiveServerConfig(['--nope'])).join(), /--nope/);
    assert.match(
      problemsOf(() => resolveLiveServerConfig(['--config', '/nonexistent/x.yaml'])).join(),
      /file not found/,
    );
  });
});
