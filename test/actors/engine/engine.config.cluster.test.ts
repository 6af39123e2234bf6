/**
 * The engine config's `cluster:` section (scale-out): defaults, the environment's overrides, and
 * the refusals that name the fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { loadEngineConfig } from '../../../actors/engine/engine.config.js';
import { ConfigError } from '../../../core/config-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'opensqt-cluster-config-'));
const file = (name: string, lines: readonly string[]) => {
  const at = path.join(dir, name);
  writeFileSync(at, lines.join('\n'));
  return { configPath: at, configRequired: true };
};
const POSTGRES = ['database:', '  url: postgres://mm@db:5432/mm'];

describe('engine config: cluster', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default, with a 6 s lease renewed every second', () => {
    const config = loadEngineConfig(file('default.yaml', POSTGRES), {});

    assert.deepEqual(config.cluster, {
      enabled: false,
      engine_id: '',
      lease_ttl_ms: 6_000,
      scan_interval_ms: 1_000,
      recovery_wait_ms: 3_000,
    });
  });

  it('is switched on and named by ENGINE_CLUSTER and ENGINE_ID', () => {
    const config = loadEngineConfig(file('env.yaml', POSTGRES), {
      ENGINE_CLUSTER: 'true',
      ENGINE_ID: 'mm-2',
    });

    assert.equal(config.cluster.enabled, true);
    assert.equal(config.cluster.engine_id, 'mm-2');
    assert.equal(
      loadEngineConfig(file('off.yaml', [...POSTGRES, 'cluster:', '  enabled: true']), {
        ENGINE_CLUSTER: '0',
      }).cluster.enabled,
      false,
      'the environment wins over the file',
    );
  });

  it('refuses scale-out on the embedded database, naming the setting to change', () => {
    assert.throws(
      () => loadEngineConfig(file('embedded.yaml', ['cluster:', '  enabled: true']), {}),
      (e: ConfigError) => /cluster\.enabled: .*database\.url \(DATABASE_URL\)/.test(e.message),
    );
  });

  it('refuses arbitrage pairs under scale-out, and values it cannot use', () => {
    const pairs = file('pairs.yaml', [
      ...POSTGRES,
      'arbitrage:',
      '  pairs:',
      '    - pair: btc-basis',
      '      strategy: arbitrage',
      '      quantity: "0.010"',
      '      legs:',
      '        - { venue: sim-spot, market: spot, symbol: BTCUSDT }',
      '        - { venue: sim, market: perp, symbol: BTCUSDT }',
    ]);
    assert.throws(
      () => loadEngineConfig(pairs, { ENGINE_CLUSTER: 'true' }),
      (e: unknown) =>
        e instanceof ConfigError && /arbitrage pairs run on a single engine/.test(e.message),
    );
    assert.throws(
      () => loadEngineConfig(file('bad.yaml', POSTGRES), { ENGINE_CLUSTER: 'yes' }),
      /ENGINE_CLUSTER: must be true, false, 1 or 0/,
    );
    assert.throws(
      () =>
        loadEngineConfig(
          file('scan.yaml', [
            ...POSTGRES,
            'cluster:',
            '  lease_ttl_ms: 2000',
            '  scan_interval_ms: 1000',
          ]),
          {},
        ),
      /scan_interval_ms: must be at most a third of lease_ttl_ms/,
    );
    assert.throws(
      () => loadEngineConfig(file('id.yaml', POSTGRES), { ENGINE_ID: 'has space' }),
      /engine-id: must be 1-64 letters/,
    );
  });
});
