/**
 * The shipped Prometheus config and alert rules, checked by Prometheus's own tool: the config and
 * rules load (`promtool check config`, `promtool check rules`), and every alert behaves as its
 * unit tests say (`promtool test rules`). Skipped, saying why, where promtool is not installed
 * (Debian's `prometheus` package provides it; .ci/run installs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { ROOT } from './support/compose-file.js';
import { findTool } from './support/tools.js';

const run = promisify(execFile);
const promtool = findTool('promtool');
const skip = promtool === undefined && 'promtool not installed (apt-get install prometheus)';

async function promtoolRun(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(promtool as string, args, { cwd: ROOT });
    return stdout + stderr;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

describe('Prometheus config and alert rules', { skip }, () => {
  it('loads the shipped config and its rule files', async () => {
    const out = await promtoolRun('check', 'config', 'deploy/prometheus/prometheus.yml');
    assert.match(out, /SUCCESS: 13 rules found/);
  });

  it('passes promtool check rules', async () => {
    assert.match(
      await promtoolRun('check', 'rules', 'deploy/prometheus/alerts.rules.yml'),
      /SUCCESS/,
    );
  });

  it('passes the alert unit tests', async () => {
    const out = await promtoolRun('test', 'rules', 'deploy/prometheus/tests/alerts.test.yml');
    assert.match(out, /SUCCESS/);
  });
});
