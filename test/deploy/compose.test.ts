/**
 * compose.yaml, checked without a Docker engine: it validates against the Compose specification's
 * JSON schema (the copy dclint, a maintained Compose linter, ships), and it keeps the promises the
 * README makes about the stack: health-gated start order, named volumes for every piece of state,
 * only the dashboard and Grafana published, secrets required rather than defaulted, and every
 * variable documented in .env.example.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import { Ajv } from 'ajv';

import { loadEngineConfig } from '../../actors/engine/engine.config.js';

import {
  applicationServices,
  interpolateTree,
  readComposeRaw,
  referencedVariables,
  ROOT,
  services,
} from './support/compose-file.js';

/**
 * The schema, declared draft-07 under the https spelling of the meta-schema URL, which Ajv
 * registers only as http; without the declaration Ajv applies its default, draft-07, anyway.
 */
function composeSchema(): object {
  const manifest = createRequire(import.meta.url).resolve('dclint/package.json');
  const file = join(dirname(manifest), 'schemas', 'compose.schema.json');
  const { $schema, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string };
  assert.match($schema, /draft-07/);
  return schema;
}

const raw = readComposeRaw();
const text = readFileSync(`${ROOT}compose.yaml`, 'utf8');
/** The required secrets set, everything else at its default: what a fresh .env gives. */
const env = {
  CONNECTOR_API_KEY: 'k'.repeat(32),
  POSTGRES_PASSWORD: 'pg-secret',
  GRAFANA_ADMIN_PASSWORD: 'grafana-secret',
};
const compose = interpolateTree(raw, env) as Record<string, unknown>;

describe('compose.yaml', () => {
  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(composeSchema());

    for (const [what, tree] of [
      ['as written', raw],
      ['interpolated', compose],
    ] as const) {
      const valid = validate(tree);
      assert.ok(valid, `${what}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }
  });

  it('runs PostgreSQL, the three processes, Prometheus and Grafana', () => {
    assert.deepEqual(
      services(compose)
        .map((s) => s.name)
        .sort(),
      ['exchange-connector', 'grafana', 'live-server', 'market-maker', 'postgres', 'prometheus'],
    );
    assert.deepEqual(
      applicationServices(compose)
        .map((s) => s.build?.target)
        .sort(),
      ['exchange-connector', 'live-server', 'market-maker'],
    );
  });

  it('gives every service a healthcheck and starts each only after its dependencies are healthy', () => {
    const all = services(compose);
    for (const service of all) {
      assert.ok(service.healthcheck.length > 1, `${service.name} has a healthcheck`);
      for (const [dependency, rule] of Object.entries(service.dependsOn)) {
        assert.equal(rule.condition, 'service_healthy', `${service.name} -> ${dependency}`);
      }
    }
    const dependsOn = (name: string) =>
      Object.keys(all.find((s) => s.name === name)?.dependsOn ?? {}).sort();
    assert.deepEqual(dependsOn('market-maker'), ['exchange-connector', 'postgres']);
    assert.deepEqual(dependsOn('live-server'), ['exchange-connector']);
    assert.deepEqual(dependsOn('grafana'), ['prometheus']);
  });

  it('keeps the database, the engine, the connector, Prometheus and Grafana state in named volumes', () => {
    const named = Object.keys(compose.volumes as object);
    const mounts = (name: string) =>
      services(compose)
        .find((s) => s.name === name)
        ?.volumes.map((v) => v.split(':')) ?? [];
    const expected: [string, string][] = [
      ['postgres', '/var/lib/postgresql/data'],
      ['market-maker', '/app/data'],
      ['exchange-connector', '/app/data'],
      ['prometheus', '/prometheus'],
      ['grafana', '/var/lib/grafana'],
    ];
    for (const [service, path] of expected) {
      const mount = mounts(service).find(([, target]) => target === path);
      assert.ok(mount, `${service} mounts ${path}`);
      assert.ok(
        named.includes(mount[0] ?? ''),
        `${service}:${path} is the named volume ${mount[0]}`,
      );
    }
  });

  it('publishes only the dashboard and Grafana, on loopback unless told otherwise', () => {
    const published = services(compose).filter((s) => s.ports.length > 0);

    assert.deepEqual(
      published.map((s) => [s.name, s.ports]),
      [
        ['live-server', ['127.0.0.1:8888:8888']],
        ['grafana', ['127.0.0.1:3000:3000']],
      ],
    );
  });

  it('gives each process every variable its container config needs', () => {
    for (const service of applicationServices(compose)) {
      const config = service.command[service.command.indexOf('--config') + 1] ?? '';
      const yaml = readFileSync(`${ROOT}${config}`, 'utf8');
      // ${VAR} without a default stops the process when unset; ${VAR:-x} may be left out
      const required = [...yaml.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1] as string);
      const missing = required.filter((v) => !(v in service.environment));
      assert.deepEqual(missing, [], `${service.name} (${config}) is not given`);
    }
  });

  it('runs several engines on the one PostgreSQL when told to, sharing the symbols by lease', () => {
    const scaled = interpolateTree(raw, {
      ...env,
      MARKET_MAKER_REPLICAS: '3',
      ENGINE_CLUSTER: 'true',
    }) as { services: Record<string, Record<string, unknown>> };
    const engine = scaled.services['market-maker'] ?? {};
    const environment = engine.environment as Record<string, string>;

    assert.deepEqual(engine.deploy, { replicas: '3' });
    assert.equal(environment.ENGINE_CLUSTER, 'true');
    assert.equal(engine.container_name, undefined, 'replicas need generated container names');
    assert.equal(engine.ports, undefined, 'replicas cannot share a published port');
    const config = loadEngineConfig(
      { configPath: `${ROOT}deploy/config/market_maker.yaml`, configRequired: true },
      environment,
    );
    assert.equal(config.cluster.enabled, true);
    const single = (compose as { services: Record<string, Record<string, unknown>> }).services[
      'market-maker'
    ];
    assert.deepEqual(single?.deploy, { replicas: '1' }, 'one engine unless told otherwise');
    assert.equal((single?.environment as Record<string, string>).ENGINE_CLUSTER, 'false');
  });

  it('requires every secret instead of defaulting it, and lists every variable in .env.example', () => {
    for (const secret of ['CONNECTOR_API_KEY', 'POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) {
      assert.throws(
        () => interpolateTree(raw, { ...env, [secret]: '' }),
        new RegExp(`${secret}: set ${secret} in .env`),
      );
    }
    const example = readFileSync(`${ROOT}.env.example`, 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const missing = [...new Set(referencedVariables(text))].filter((v) => !listed.has(v));
    assert.deepEqual(missing, [], 'variables of compose.yaml missing from .env.example');
  });
});
