/**
 * @module tools/build
 * Compiles the TypeScript sources of the three processes to plain JavaScript in `dist/` (one file
 * per source file, same layout, linked source maps) with esbuild, and copies the SQL migrations.
 *
 * Why: a process started through a TypeScript loader (tsx) carries the loader's own thread and
 * transpile caches, about 70 MB of RSS per process; compiled, the engine runs ~40% smaller and
 * starts faster. Every process entry (`npm start`, the bins, `npm run engine|connector|live`)
 * runs from `dist/`; tests still import the sources directly.
 *
 * `ensureBuilt()` rebuilds only when a source is newer than the last build, so a bin started after
 * an edit never runs stale code. Builds go to a temporary directory that replaces `dist/` in one
 * rename, so a process starting during a build never sees half of one.
 *
 * Usage: `node tools/build.mjs` (always builds) or `import { ensureBuilt } from './build.mjs'`.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Folders whose TypeScript makes up the processes. */
const SOURCE_DIRS = ['core', 'machines', 'connector', 'actors', 'server', 'apps', 'proto/gen'];
/** Files copied as they are (path relative to the root). */
const ASSET_DIRS = ['actors/store/migrations'];
const OUT = path.join(ROOT, 'dist');
const STAMP = path.join(OUT, '.build-stamp');

/** Every source and asset file, relative to the root. */
function sources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(ROOT, dir))) walk(dir);
  return files;
}

function newestMtimeMs(files) {
  let newest = 0;
  for (const file of files) newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  for (const dir of ASSET_DIRS) {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      newest = Math.max(newest, statSync(path.join(ROOT, dir, name)).mtimeMs);
    }
  }
  return newest;
}

/** True when `dist/` is missing or older than any source or asset. */
export function isStale() {
  if (!existsSync(STAMP)) return true;
  return newestMtimeMs(sources()) > statSync(STAMP).mtimeMs;
}

/** Builds `dist/` from scratch. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const files = sources();
  const tmp = `${OUT}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await esbuild({
    entryPoints: files.map((file) => path.join(ROOT, file)),
    outdir: tmp,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  for (const dir of ASSET_DIRS)
    cpSync(path.join(ROOT, dir), path.join(tmp, dir), { recursive: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, '.build-stamp'), `${new Date().toISOString()}\n`);
  const old = `${OUT}.old-${process.pid}`;
  if (existsSync(OUT)) renameSync(OUT, old);
  try {
    renameSync(tmp, OUT);
  } catch (e) {
    // Another process finished an identical build first: keep its output
    if (!existsSync(OUT)) throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

/** Builds when `dist/` is missing or stale; cheap (a stat per source file) when it is fresh. */
export async function ensureBuilt() {
  if (isStale()) await build();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await build();
  console.log(`built dist/ in ${Date.now() - started} ms`);
}
