/**
 * The engine config: defaults with no file, the shipped YAML, `${VAR}` expansion, and a bad
 * file reported as every problem with its key path, plus the process exiting non-zero on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

import {
  DEFAULT_ENGINE_CONFIG_PATH,
  loadEngineConfig,
  parseEngineArgs,
} from '../../../actors/engine/engine.config.js';
import { ConfigError } from '../../../core/config-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'opensqt-engine-config-'));
const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};

describe('engine config', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to a small trailing long grid on BTCUSDT, the embedded database and admin port 8080', () => {
    const config = loadEngineConfig({
      configPath: path.join(dir, 'absent.yaml'),
      configRequired: false,
    });

    assert.equal(config.connector.address, '127.0.0.1:50051');
    assert.equal(config.admin.port, 8080);
    assert.deepEqual(config.database, { url: '', embedded_dir: 'data/pglite' });
    assert.equal(config.risk.entries_paused, false);
    assert.deepEqual(config.supervision, {
      max_failures: 5,
      window_ms: 600_000,
      initial_backoff_ms: 1_000,
      max_backoff_ms: 60_000,
    });
    assert.deepEqual(config.orders, {
      client_id_namespace: '',
      refusal_backoff_initial_ms: 1_000,
      refusal_backoff_max_ms: 60_000,
    });
    assert.deepEqual(config.reconcile, { interval_ms: 60_000, position_tolerance_pct: 10 });
    assert.deepEqual(config.symbols, [
      {
        symbol: 'BTCUSDT',
        grid: {
          levels_below: 3,
          levels_above: 3,
          interval: '50',
          order_quantity: '0.001',
          mode: 'long',
          trailing: {},
        },
      },
    ]);
  });

  it('names the fix for a namespace, backoff or reconcile interval it cannot use', () => {
    const bad = file(
      'orders.yaml',
      [
        'orders:',
        '  client_id_namespace: k7-2',
        '  refusal_backoff_initial_ms: 5000',
        '  refusal_backoff_max_ms: 1000',
        'reconcile:',
        '  interval_ms: 10',
      ].join('\n'),
    );
    assert.throws(
      () => loadEngineConfig({ configPath: bad, configRequired: true }),
      (e: ConfigError) => {
        assert.match(e.message, /orders\.client_id_namespace: must be 4 characters of A-Z or 0-9/);
        assert.match(e.message, /orders\.refusal_backoff_max_ms: must be at least/);
        assert.match(e.message, /reconcile\.interval_ms/);
        return true;
      },
    );
  });

  it('reads the shipped config file as those same defaults, expanding ${VAR}', () => {
    const env = { CONNECTOR_ADDRESS: 'connector:50051', DATABASE_URL: 'postgres://db/mm' };
    const shipped = loadEngineConfig(
      { configPath: DEFAULT_ENGINE_CONFIG_PATH, configRequired: true },
      env,
    );
    const defaults = loadEngineConfig(
      { configPath: path.join(dir, 'absent.yaml'), configRequired: false },
      {},
    );

    assert.equal(shipped.connector.address, 'connector:50051');
    assert.equal(shipped.database.url, 'postgres://db/mm');
    assert.deepEqual(
      { ...shipped, connector: defaults.connector, database: defaults.database },
      defaults,
    );
  });

  it('lists every problem of a bad file with its key path', () => {
    const bad = file(
      'bad.yaml',
      [
        'admin: { port: http }',
        'supervision: { max_failures: 0 }',
        'symbols:',
        '  - symbol: BTCUSDT',
        '    grid: { interval: 50, order_quantity: "0.001", mode: short }',
        'strategy: grid',
      ].join('\n'),
    );

    assert.throws(
      () => loadEngineConfig({ configPath: bad, configRequired: true }, {}),
      (e) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(
          e.problems.map((p) => p.slice(0, p.indexOf(':'))),
          [
            'admin.port',
            'supervision.max_failures',
            'symbols.0.grid.interval',
            'symbols.0.grid.mode',
            '(root)',
          ],
        );
        assert.match(e.problems[2] ?? '', /must be a decimal string in quote units, e.g. "50"/);
        return true;
      },
    );
  });

  it('refuses grid decimals beyond the decimal bounds with the key named, quoting a short prefix', () => {
    const bad = file(
      'huge.yaml',
      [
        'symbols:',
        '  - symbol: BTCUSDT',
        `    grid: { interval: "${'9'.repeat(5000)}", order_quantity: "0.${'0'.repeat(60)}1" }`,
      ].join('\n'),
    );

    assert.throws(
      () => loadEngineConfig({ configPath: bad, configRequired: true }, {}),
      (e) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(
          e.problems.map((p) => p.slice(0, p.indexOf(':'))),
          ['symbols.0.grid.interval', 'symbols.0.grid.order_quantity'],
        );
        assert.match(e.problems[0] ?? '', /5000 characters/);
        assert.ok(e.message.length < 1000, 'the value is not echoed whole');
        return true;
      },
    );
  });

  it('requires a file named with --config, and refuses unknown options', () => {
    assert.deepEqual(parseEngineArgs(['--config', 'x.yaml']), {
      configPath: 'x.yaml',
      configRequired: true,
    });
    assert.throws(
      () => loadEngineConfig(parseEngineArgs(['--config', path.join(dir, 'missing.yaml')])),
      /file not found; check --config/,
    );
    assert.throws(() => parseEngineArgs(['--port', '1']), ConfigError);
  });

  it('lets --admin-host and --admin-port override the admin section', () => {
    const args = parseEngineArgs([
      '--config',
      file('admin.yaml', 'admin: { host: 127.0.0.1, port: 8080 }\n'),
      '--admin-host',
      '0.0.0.0',
      '--admin-port',
      '9181',
    ]);

    const config = loadEngineConfig(args, {});

    assert.deepEqual([config.admin.host, config.admin.port], ['0.0.0.0', 9181]);
    assert.throws(() => parseEngineArgs(['--admin-port', 'eighty']), /--admin-port: must be/);
    assert.throws(
      () => loadEngineConfig({ ...args, adminPort: 70_000 }, {}),
      /--admin-port: .*65535/,
    );
  });

  it('serves the engine gRPC API on loopback 50052 unless the file, the environment or the command line say otherwise', () => {
    const absent = { configPath: path.join(dir, 'absent.yaml'), configRequired: false };
    const defaults = loadEngineConfig(absent, {});
    assert.deepEqual(
      [defaults.rpc.enabled, defaults.rpc.host, defaults.rpc.port, defaults.rpc.manual_breaker],
      [true, '127.0.0.1', 50052, 'drawdown'],
    );
    const fromFile = {
      configPath: file('rpc.yaml', 'rpc: { port: 6000 }\n'),
      configRequired: true,
    };
    assert.equal(loadEngineConfig(fromFile, {}).rpc.port, 6000);
    const env = { ENGINE_RPC_PORT: '7000', ENGINE_RPC_HOST: '0.0.0.0' };
    const fromEnv = loadEngineConfig(fromFile, env).rpc;
    assert.deepEqual([fromEnv.host, fromEnv.port], ['0.0.0.0', 7000]);
    const args = parseEngineArgs(['--rpc-port', '0', '--rpc-host', '::1']);
    const fromArgs = loadEngineConfig(
      { ...fromFile, ...args, configPath: fromFile.configPath },
      env,
    ).rpc;
    assert.deepEqual([fromArgs.host, fromArgs.port], ['::1', 0]);
    assert.throws(() => parseEngineArgs(['--rpc-port', 'x']), /--rpc-port: must be/);
    assert.throws(
      () => loadEngineConfig(absent, { ENGINE_RPC_PORT: 'x' }),
      /ENGINE_RPC_PORT: must be/,
    );
    assert.throws(
      () =>
        loadEngineConfig(
          {
            configPath: file('bad-rpc.yaml', 'rpc: { manual_breaker: nope }\n'),
            configRequired: true,
          },
          {},
        ),
      /rpc.manual_breaker: must be a breaker kind/,
    );
  });

  it('makes the process exit non-zero and print every problem on a bad config', () => {
    const bad = file('bad-process.yaml', 'admin: { port: -1 }\nrisk: { entries_paused: "no" }\n');
    const bin = fileURLToPath(new URL('../../../bin/market-maker.js', import.meta.url));
    const run = spawnSync(process.execPath, [bin, '--config', bad], {
      encoding: 'utf8',
      timeout: 30_000,
    });

    assert.equal(run.status, 1);
    assert.match(run.stderr, /admin\.port: /);
    assert.match(run.stderr, /risk\.entries_paused: /);
  });
});
