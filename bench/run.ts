/**
 * @module bench/run
 * `npm run bench`: runs every benchmark, prints its table, and keeps the latest results in
 * bench/README.md (between the RESULTS markers) with the machine they were measured on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run as runArbitrage } from './arbitrage.bench.js';
import { run as runBookMath } from './book-math.bench.js';
import { run as runConnector } from './connector.bench.js';
import { run as runEngine } from './engine.bench.js';
import { run as runEngineRpc } from './engine-rpc.bench.js';
import { run as runGridWindow } from './grid-window.bench.js';
import { run as runLive } from './live.bench.js';
import { run as runPreTrade } from './pre-trade.bench.js';
import { machineDescription, markdownTable, type Row } from './support/stats.js';

const README = fileURLToPath(new URL('./README.md', import.meta.url));

async function main(): Promise<void> {
  const machine = machineDescription();
  const sections: string[] = [];
  const suites: [string, () => Promise<Row[]>][] = [
    ['connector', runConnector],
    ['live', runLive],
    ['engine', runEngine],
    ['pre-trade', runPreTrade],
    ['engine gRPC API', runEngineRpc],
    ['grid window', runGridWindow],
    ['book math', runBookMath],
    ['arbitrage', runArbitrage],
  ];
  for (const [name, runSuite] of suites) {
    console.log(`running ${name} benchmark on ${machine} ...`);
    const table = markdownTable(await runSuite());
    console.log(`\n${table}\n`);
    sections.push(`### ${name}\n\n${table}`);
  }
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const results = `<!-- RESULTS:START -->\nLatest run: ${stamp} UTC on ${machine}.\n\n${sections.join('\n\n')}\n<!-- RESULTS:END -->`;
  const readme = readFileSync(README, 'utf8');
  writeFileSync(
    README,
    readme.replace(/<!-- RESULTS:START -->[\s\S]*<!-- RESULTS:END -->/, results),
  );
  console.log('results written to bench/README.md');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
