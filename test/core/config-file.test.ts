import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type ConfigError, loadConfigFile, parseConfig } from '../../core/config-file.js';
import { connectorConfigSchema } from '../../connector/connector.config.js';

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'osq-config-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('yields the defaults when the default file is absent', () => {
    const config = loadConfigFile(connectorConfigSchema, '/nonexistent/x.yaml', {
      required: false,
    });
    assert.equal(config.server.port, 50051);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.default_venue, 'sim');
    assert.deepEqual(config.server.api_keys, []);
  });

  it('fails when a file named on the command line is absent', () => {
    assert.throws(
      () => loadConfigFile(connectorConfigSchema, '/nonexistent/x.yaml', { required: true }),
      (e: ConfigError) => e.problems[0] === 'file not found; check --config',
    );
  });

  it('expands ${VAR} and ${VAR:-default} from the environment', () => {
    const path = tempFile(
      'server:\n  port: 50052\n  api_keys: ["${KEY}"]\ndefault_venue: "${VENUE:-sim}"\n',
    );
    const config = loadConfigFile(connectorConfigSchema, path, {
      required: true,
      env: { KEY: 'k'.repeat(32) },
    });
    assert.deepEqual(config.server.api_keys, ['k'.repeat(32)]);
    assert.equal(config.default_venue, 'sim');
    assert.equal(config.server.port, 50052);
  });

  it('lists every problem with its key path', () => {
    const path = tempFile('server:\n  port: 70000\n  api_keys: ["${MISSING}"]\n  colour: red\n');
    assert.throws(
      () => loadConfigFile(connectorConfigSchema, path, { required: true, env: {} }),
      (e: ConfigError) => {
        const text = e.problems.join('\n');
        assert.match(text, /server\.api_keys\[0\]: environment variable MISSING is not set/);
        assert.match(text, /server\.port: /);
        assert.match(text, /server: .*colour/);
        return true;
      },
    );
  });

  it('reports YAML syntax errors as config errors', () => {
    const path = tempFile('server: [unclosed\n');
    assert.throws(
      () => loadConfigFile(connectorConfigSchema, path, { required: true }),
      /not valid YAML/,
    );
  });
});

describe('parseConfig', () => {
  it('never lets an environment value inject YAML structure', () => {
    const config = parseConfig(connectorConfigSchema, { default_venue: '${V}' }, 'inline', {
      V: 'sim\nserver: {port: 1}',
    });
    assert.equal(config.default_venue, 'sim\nserver: {port: 1}');
    assert.equal(config.server.port, 50051);
  });
});
