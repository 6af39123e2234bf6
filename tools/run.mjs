/**
 * @module tools/run
 * Starts one entry point from `dist/` (see tools/build.mjs), building it first when it is missing
 * or older than the sources: `node tools/run.mjs apps/market-maker.main [args...]`. The bins and
 * the npm scripts go through here, so every process runs compiled, never stale, code.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ensureBuilt } from './build.mjs';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/**
 * Builds if needed, then imports `dist/<entry>.js`, which runs the process.
 * @param {string} entry - the entry point without extension, e.g. `apps/market-maker.main`
 */
export async function run(entry) {
  await ensureBuilt();
  await import(pathToFileURL(path.join(DIST, `${entry}.js`)).href);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry] = process.argv.splice(2, 1);
  if (!entry) {
    console.error('usage: node tools/run.mjs <entry, e.g. apps/market-maker.main> [args...]');
    process.exit(2);
  }
  await run(entry);
}
