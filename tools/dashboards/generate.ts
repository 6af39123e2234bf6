/**
 * @module tools/dashboards/generate
 * `npm run dashboards`: builds every dashboard of definitions.ts and writes its JSON to
 * deploy/grafana/dashboards/<uid>.json, which Grafana provisions. `npm run dashboards:check`
 * (CI) builds them in memory and fails, naming the files, when the committed JSON differs.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { dashboards } from './definitions.js';

/** Where the provisioned dashboards live. */
export const DASHBOARD_DIR = fileURLToPath(
  new URL('../../deploy/grafana/dashboards/', import.meta.url),
);

/** Every dashboard as the JSON text it is committed as. */
export function renderDashboards(): Map<string, string> {
  return new Map(
    Object.entries(dashboards()).map(([uid, builder]) => [
      `${uid}.json`,
      `${JSON.stringify(builder.build(), null, 2)}\n`,
    ]),
  );
}

function main(): void {
  const check = process.argv.includes('--check');
  const rendered = renderDashboards();
  const committed = existsSync(DASHBOARD_DIR)
    ? readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))
    : [];
  const stale = [...rendered]
    .filter(([file, text]) => {
      const path = join(DASHBOARD_DIR, file);
      return !existsSync(path) || readFileSync(path, 'utf8') !== text;
    })
    .map(([file]) => file);
  const orphans = committed.filter((file) => !rendered.has(file));
  if (check) {
    if (stale.length + orphans.length > 0) {
      console.error(
        `dashboards out of date: ${[...stale, ...orphans].join(', ')}; run \`npm run dashboards\` and commit deploy/grafana/dashboards`,
      );
      process.exit(1);
    }
    console.log(`${rendered.size} dashboards up to date`);
    return;
  }
  for (const [file, text] of rendered) writeFileSync(join(DASHBOARD_DIR, file), text);
  console.log(`wrote ${rendered.size} dashboards to deploy/grafana/dashboards`);
  if (orphans.length > 0) console.log(`not generated any more, delete: ${orphans.join(', ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
