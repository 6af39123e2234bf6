/**
 * @module connector/conformance
 * The ExchangeService conformance suite: every case, grouped, and a runner that reports each
 * case's outcome. The tests run it in-process and over gRPC (test/connector/conformance.test.ts);
 * `npm run conformance -- --target host:port` runs it against any endpoint (tools/conformance.ts).
 */
import { bookCases } from './book.cases.js';
import type { ConformanceCase, ConformanceEnv } from './case.js';
import { errorCases } from './errors.cases.js';
import { marketCases } from './market.cases.js';
import { orderCases } from './orders.cases.js';
import { streamCases } from './streams.cases.js';

export * from './case.js';

/** Every case by group, in the order they run. */
export const CONFORMANCE_GROUPS: Readonly<Record<string, readonly ConformanceCase[]>> = {
  orders: orderCases,
  market: marketCases,
  streams: streamCases,
  errors: errorCases,
  book: bookCases,
};

/** Every case. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] =
  Object.values(CONFORMANCE_GROUPS).flat();

/** How one case went. */
export interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly outcome: 'pass' | 'fail' | 'skip';
  readonly ms: number;
  /** Why it failed or was skipped. */
  readonly detail?: string;
}

/** What the runner needs from its caller. */
export interface RunOptions {
  /** A fresh environment per case (and its cleanup). */
  readonly environment: () => Promise<{ env: ConformanceEnv; cleanup(): Promise<void> }>;
  /** Runs only cases whose name matches. */
  readonly only?: RegExp;
  /** Told each result as it comes. */
  readonly onResult?: (result: CaseResult) => void;
}

/**
 * Runs every case, one at a time, each in its own environment.
 * @returns one result per case
 */
export async function runConformance(options: RunOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [group, cases] of Object.entries(CONFORMANCE_GROUPS)) {
    for (const c of cases) {
      if (options.only && !options.only.test(c.name)) continue;
      const started = Date.now();
      const { env, cleanup } = await options.environment();
      const failed = (stage: string, e: unknown): CaseResult => {
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        const detail = `${stage}${message}`;
        return { group, name: c.name, outcome: 'fail', ms: Date.now() - started, detail };
      };
      let result: CaseResult;
      if (c.needsSpot && env.spot === undefined) {
        result = { group, name: c.name, outcome: 'skip', ms: 0, detail: 'no spot venue' };
      } else if (c.needsFresh && !env.fresh) {
        const detail = 'trades at market: runs on a fresh simulated account only';
        result = { group, name: c.name, outcome: 'skip', ms: 0, detail };
      } else {
        try {
          await c.run(env);
          result = { group, name: c.name, outcome: 'pass', ms: Date.now() - started };
        } catch (e) {
          result = failed('', e);
        }
      }
      try {
        await cleanup();
      } catch (e) {
        // A case that passed but left the account dirty still fails: the next case would inherit it
        if (result.outcome !== 'fail') result = failed('cleanup: ', e);
      }
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}
