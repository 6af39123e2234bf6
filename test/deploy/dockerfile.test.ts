/**
 * The Dockerfile, checked without a Docker engine (parsed with dockerfile-ast, the parser behind
 * the Docker language server): a Node 20 slim base, production dependencies only, a non-root
 * user; every file it copies exists and is not excluded by .dockerignore; everything the three
 * entry points compile from is copied into the build stage and imports only production
 * dependencies, the runtime stage holds the compiled dist/ and what the bin shims and the health
 * probe import; and each service stage starts and probes exactly what compose.yaml runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

import type { Ignore } from '@balena/dockerignore';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';

import { applicationServices, readComposeRaw, ROOT } from './support/compose-file.js';

// CommonJS `module.exports = ignore`, typed as an ES default export: load it as what it is
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

function stages(): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const args = instruction.getArguments().map((a) => a.getValue());
    if (instruction.getKeyword() === 'FROM') {
      const as = args.findIndex((a) => a.toUpperCase() === 'AS');
      result.push({ name: args[as + 1] ?? '', base: args[0] ?? '', instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

const all = stages();
const stage = (name: string): Stage => {
  const found = all.find((s) => s.name === name);
  assert.ok(found, `a stage named ${name}`);
  return found;
};
const keyword = (s: Stage, k: string) => s.instructions.filter((i) => i.getKeyword() === k);
const content = (i: Instruction) => i.getArgumentsContent() ?? '';
/** COPY sources from the build context (not from another stage). */
const contextSources = (s: Stage): string[] =>
  keyword(s, 'COPY')
    .filter((i) => (i as Copy).getFromFlag() === null)
    .flatMap((i) =>
      i
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue()),
    );
/** The JSON exec form after `prefix` (CMD ["a", ...], HEALTHCHECK ... CMD ["a", ...]). */
const execForm = (i: Instruction, prefix = ''): string[] => {
  const text = content(i);
  const json = text.slice(text.indexOf('[', prefix === '' ? 0 : text.indexOf(prefix)));
  return JSON.parse(json) as string[];
};

/** Relative imports of a source file, resolved to files; bare package imports separately. */
function imports(file: string): { files: string[]; packages: string[] } {
  const source = readFileSync(file, 'utf8');
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms),
    ...source.matchAll(/import\('([^']+)'\)/g),
  ].flatMap((m) => (m[0].includes('import type') ? [] : [m[1] as string]));
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith('node:')) continue;
    if (!spec.startsWith('.')) {
      const parts = spec.split('/');
      packages.push(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
      continue;
    }
    const target = resolve(dirname(file), spec);
    const candidates = [target, target.replace(/\.js$/, '.ts')];
    const found = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
    assert.ok(found, `${relative(ROOT, file)} imports ${spec}, which does not exist`);
    files.push(found);
  }
  return { files, packages };
}

/** Every file reachable from `roots`, and every package they use. */
function closure(roots: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = roots.map((f) => join(ROOT, f));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const found = imports(file);
    found.packages.forEach((p) => packages.add(p));
    queue.push(...found.files);
  }
  return { files, packages };
}

describe('Dockerfile', () => {
  it('builds on Node 20 slim with production dependencies only and runs as a non-root user', () => {
    assert.deepEqual(
      all.map((s) => s.base),
      ['node:20-slim', 'deps', 'node:20-slim', 'runtime', 'runtime', 'runtime'],
    );
    const install = keyword(stage('deps'), 'RUN').map(content).join('\n');
    assert.match(install, /npm ci --omit=dev/);
    assert.deepEqual(keyword(stage('runtime'), 'USER').map(content), ['node']);
    for (const name of ['exchange-connector', 'market-maker', 'live-server']) {
      assert.equal(keyword(stage(name), 'USER').length, 0, `${name} does not switch back to root`);
      assert.equal(keyword(stage(name), 'HEALTHCHECK').length, 1, `${name} has a HEALTHCHECK`);
    }
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    const sources = all.flatMap(contextSources);

    assert.ok(sources.length > 5);
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: no such file`);
      assert.equal(ignore.ignores(source), false, `COPY ${source} is excluded by .dockerignore`);
    }
  });

  it('compiles everything the entry points import, and they import only production dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const uncopiedBy = (s: Stage, files: Set<string>): string[] => {
      const copied = contextSources(s);
      return [...files]
        .map((f) => relative(ROOT, f))
        .filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
    };
    const compiled = closure([
      'apps/exchange-connector.main.ts',
      'apps/market-maker.main.ts',
      'apps/live-server.main.ts',
    ]);
    const shims = closure([
      'bin/exchange-connector.js',
      'bin/market-maker.js',
      'bin/live-server.js',
      'deploy/healthcheck.mjs',
    ]);

    assert.deepEqual(uncopiedBy(stage('build'), compiled.files), [], 'not in the build stage');
    assert.match(keyword(stage('build'), 'RUN').map(content).join('\n'), /node tools\/build\.mjs/);
    const fromBuild = keyword(stage('runtime'), 'COPY').filter(
      (i) => (i as Copy).getFromFlag()?.getValue() === 'build',
    );
    assert.deepEqual(fromBuild.map(content), ['/app/dist ./dist']);
    assert.deepEqual(uncopiedBy(stage('runtime'), shims.files), [], 'not in the runtime stage');
    const packages = new Set([...compiled.packages, ...shims.packages]);
    const devOnly = [...packages].filter((p) => !(p in manifest.dependencies));
    assert.deepEqual(devOnly, [], 'imported at run time but not a production dependency');
    assert.ok(compiled.files.size > 100, `followed ${compiled.files.size} files`);
  });

  it('starts and probes each service exactly as compose.yaml does', () => {
    const compose = applicationServices(readComposeRaw());
    for (const service of compose) {
      const target = stage(service.build?.target ?? '');
      const [cmd] = keyword(target, 'CMD');
      const [healthcheck] = keyword(target, 'HEALTHCHECK');
      assert.ok(cmd && healthcheck);

      assert.deepEqual(execForm(cmd), service.command, `${service.name}: CMD`);
      assert.deepEqual(
        ['CMD', ...execForm(healthcheck, 'CMD')],
        service.healthcheck,
        `${service.name}: HEALTHCHECK`,
      );
      const exposed = keyword(target, 'EXPOSE').flatMap((i) => content(i).split(/\s+/));
      assert.deepEqual(exposed.sort(), [...service.expose].sort(), `${service.name}: EXPOSE`);
    }
  });
});
