import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfig } from '../../core/config-file.js';
import { connectorConfigSchema } from '../../connector/connector.config.js';

const MAIN = fileURLToPath(new URL('../../apps/exchange-connector.main.ts', import.meta.url));

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(connectorConfigSchema, raw, 'test.yaml', {});
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('connector config: simulator.state_file', () => {
  it('names the key and the fix when the path is a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osq-state-'));
    for (const path of [dir, `${dir}/`]) {
      const [problem] = problemsOf({ simulator: { state_file: path } });
      assert.match(problem ?? '', /^simulator\.state_file: .* is a directory/);
      assert.match(problem ?? '', /sim-venue\.json/, 'suggests a file inside it');
    }
  });

  it('names the key when a parent of the path is a file, not a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osq-state-'));
    writeFileSync(join(dir, 'plain'), 'x');
    const [problem] = problemsOf({ simulator: { state_file: join(dir, 'plain', 'state.json') } });
    assert.match(problem ?? '', /^simulator\.state_file: .*plain is not a directory/);
  });

  it(
    'names the key when the directory cannot be written',
    { skip: process.getuid?.() === 0 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'osq-state-'));
      mkdirSync(join(dir, 'locked'));
      chmodSync(join(dir, 'locked'), 0o500);
      const [problem] = problemsOf({ simulator: { state_file: join(dir, 'locked', 's.json') } });
      assert.match(problem ?? '', /^simulator\.state_file: .*cannot be written/);
    },
  );

  it('accepts a new file in a directory that does not exist yet, and the empty path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osq-state-'));
    assert.deepEqual(problemsOf({ simulator: { state_file: join(dir, 'a', 'b', 's.json') } }), []);
    assert.deepEqual(problemsOf({ simulator: { state_file: '' } }), []);
  });

  it('makes the connector process exit with the key named instead of EISDIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osq-state-'));
    const config = join(dir, 'connector.yaml');
    writeFileSync(config, `simulator:\n  state_file: ${dir}\n`);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', MAIN, '--config', config, '--port', '0'],
          { timeout: 20_000 },
          (_e, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
        );
      },
    );
    assert.equal(code, 1);
    assert.match(stderr, /simulator\.state_file: .* is a directory/);
    assert.doesNotMatch(stderr, /EISDIR/);
  });
});
