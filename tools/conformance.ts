/**
 * @module tools/conformance
 * `npm run conformance -- --target host:port [--venue NAME] [--spot-venue NAME] [--api-key K]
 * [--only REGEX] [--patience-ms N] [--settle-ms N]`: runs the ExchangeService conformance suite
 * (connector/conformance) against any endpoint speaking the opensqt.market_maker.v1 contract,
 * whatever language it is written in, and prints a pass/fail table. Exit 0 when every case
 * passed, 1 when one failed, 2 on a usage error.
 *
 * It places and cancels small real orders and opens a small position on BTCUSDT, closing it after
 * each case: point it at a simulator, a testnet or a demo account, never a funded live account.
 */
import { parseArgs } from 'node:util';

import {
  CONFORMANCE_CASES,
  runConformance,
  SYMBOL,
  type CaseResult,
  type ConformanceEnv,
} from '../connector/conformance/index.js';
import { connectRemoteExchange, type RemoteExchange } from '../connector/exchange.client.js';
import { hostPortSchema } from '../connector/remote.config.js';
import type { Exchange } from '../core/exchange.port.js';

const USAGE =
  'usage: npm run conformance -- --target host:port [--venue NAME] [--spot-venue NAME] [--api-key K] [--only REGEX] [--patience-ms N] [--settle-ms N]';

interface CliOptions {
  readonly target: string;
  readonly venue: string | undefined;
  readonly spotVenue: string | undefined;
  readonly apiKey: string | undefined;
  readonly only: RegExp | undefined;
  readonly patienceMs: number;
  readonly settleMs: number;
}

function cliOptions(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      target: { type: 'string' },
      venue: { type: 'string' },
      'spot-venue': { type: 'string' },
      'api-key': { type: 'string' },
      only: { type: 'string' },
      'patience-ms': { type: 'string', default: '75000' },
      'settle-ms': { type: 'string', default: '1000' },
    },
  });
  const problems: string[] = [];
  if (values.target === undefined) problems.push('--target: required, e.g. 127.0.0.1:50051');
  else if (!hostPortSchema.safeParse(values.target).success) {
    problems.push(`--target: must be host:port, e.g. 127.0.0.1:50051, was "${values.target}"`);
  }
  const number = (flag: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) problems.push(`--${flag}: must be a whole number of ms`);
    return n;
  };
  const patienceMs = number('patience-ms', values['patience-ms']);
  const settleMs = number('settle-ms', values['settle-ms']);
  let only: RegExp | undefined;
  try {
    only = values.only === undefined ? undefined : new RegExp(values.only, 'i');
  } catch (e) {
    problems.push(`--only: not a regular expression: ${(e as Error).message}`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return {
    target: values.target as string,
    venue: values.venue,
    spotVenue: values['spot-venue'],
    apiKey: values['api-key'],
    only,
    patienceMs,
    settleMs,
  };
}

class UsageError extends Error {
  constructor(problems: readonly string[]) {
    super(`${problems.join('\n')}\n${USAGE}`);
  }
}

/** Leaves the account as it was: no open order and no position on the test symbol. */
async function cleanUp(exchange: Exchange): Promise<void> {
  await exchange.cancelAllOrders(SYMBOL);
  const position = (await exchange.getPositions(SYMBOL)).find((p) => p.symbol === SYMBOL);
  if (position === undefined || position.size.isZero()) return;
  await exchange.placeOrder({
    symbol: SYMBOL,
    side: position.size.isPositive() ? 'SELL' : 'BUY',
    type: 'MARKET',
    quantity: position.size.abs(),
    reduceOnly: true,
  });
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
}

function printTable(results: readonly CaseResult[]): void {
  const cells = results.map((r) => [
    r.group,
    r.name,
    r.outcome.toUpperCase(),
    `${(r.ms / 1000).toFixed(1)} s`,
    r.detail ?? '',
  ]);
  const header = ['group', 'case', 'result', 'time', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  console.log(row(header, widths));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(row(c, widths));
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = cliOptions(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof UsageError ? e.message : `${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const connect = (venue: string | undefined): Promise<RemoteExchange> =>
    connectRemoteExchange(options.target, {
      connectAttempts: 3,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(venue === undefined ? {} : { exchange: venue }),
    });
  const exchange = await connect(options.venue);
  const spot = options.spotVenue === undefined ? undefined : await connect(options.spotVenue);
  console.log(
    `conformance: ${CONFORMANCE_CASES.length} cases against ${options.target}, venue ${exchange.name}${spot ? `, spot venue ${spot.name}` : ''}`,
  );
  console.log(`  (places and cancels small orders on ${SYMBOL}; use a simulator or testnet)\n`);
  let counter = 0;
  const runStamp = Date.now().toString(36);
  const results = await runConformance({
    only: options.only,
    environment: async () => {
      const env: ConformanceEnv = {
        exchange,
        spot,
        fresh: false,
        runId: `cf${runStamp}${(counter++).toString(36)}-`,
        patienceMs: options.patienceMs,
        now: () => Date.now(),
        // A live venue's clock runs by itself; cases wait for its updates instead
        advance: () => undefined,
        // The contract has no "subscription live" signal a client can see: give it time
        subscribed: () => new Promise((r) => setTimeout(r, options.settleMs)),
      };
      return { env, cleanup: () => cleanUp(exchange) };
    },
    onResult: (r) =>
      console.log(
        `  ${r.outcome === 'pass' ? 'ok  ' : r.outcome === 'skip' ? 'skip' : 'FAIL'} ${r.name}`,
      ),
  });
  await Promise.all([exchange.close(), spot?.close()]);
  console.log('');
  printTable(results);
  const failed = results.filter((r) => r.outcome === 'fail').length;
  const skipped = results.filter((r) => r.outcome === 'skip').length;
  const passed = results.length - failed - skipped;
  console.log(
    `\nconformance of ${options.target}: ${passed} of ${results.length} cases passed (${failed} failed, ${skipped} skipped)`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`conformance run failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
