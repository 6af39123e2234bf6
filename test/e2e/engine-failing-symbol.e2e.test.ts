/**
 * End to end, one failing symbol: a real connector (gRPC, in this process) over the simulated
 * venue, and the market-maker process on a real database (the embedded PGlite, and a fresh
 * PostgreSQL database when TEST_DATABASE_URL is set), trading BTCUSDT and ETHUSDT. Once both
 * trade, the venue behind the connector breaks for ETHUSDT only: every request about ETHUSDT
 * except cancels answers with an internal error (the venue is broken for this symbol; the
 * connector itself answers fine, so this is the symbol's failure, not an outage). Then the venue
 * drops its streams: the engine resubscribes and reconciles every symbol, ETHUSDT's
 * reconciliation fails and its actor dies. Every restart from its snapshot dies again. With the supervision limits shortened in the config, the
 * engine must give up on ETHUSDT (`failed` in /status) while BTCUSDT keeps its orders resting on
 * the venue and still trades on a price move. The failed symbol's orders must not rest unmanaged:
 * once the venue answers for ETHUSDT again they are cancelled. No engine code is touched: the
 * failure reaches the engine over gRPC like any venue failure.
 */
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SimulatedVenue } from '../../connector/venues/sim/index.js';
import {
  agreedState,
  DATABASE_CASES,
  EngineFleet,
  eventually,
  kill,
  makeTempDir,
  openEngineDatabase,
  removeTempDir,
  sidesAndPrices,
  startVenue,
  symbolStatus,
  writeEngineConfig,
  type AgreedState,
  type EngineDatabase,
  type EngineProcess,
} from './support/engine-process.js';

const BTC = 'BTCUSDT';
const ETH = 'ETHUSDT';
const WAIT_MS = 20_000;

/** The simulated venue behind a real connector, with a switch that breaks one symbol. */
interface BreakableVenue {
  readonly sim: SimulatedVenue;
  /** The venue port itself (never broken), for reading what the venue holds. */
  readonly venue: Exchange;
  readonly address: string;
  /** From now on placements for `symbol` time out and its order queries fail. */
  breakSymbol(symbol: string): void;
  /** Ends `breakSymbol`. */
  healSymbol(symbol: string): void;
  /** Calls refused so far, per method name. */
  readonly refused: Map<string, number>;
  close(): Promise<void>;
}

/** The symbol a port call is about, when its arguments name one. */
function symbolOf(args: readonly unknown[]): string | undefined {
  const [first] = args;
  if (typeof first === 'string') return first;
  if (Array.isArray(first)) {
    const symbols = first.map((r: unknown) => (r as { symbol?: unknown } | null)?.symbol);
    return symbols.find((s): s is string => typeof s === 'string');
  }
  if (first && typeof first === 'object') {
    const symbol = (first as { symbol?: unknown }).symbol;
    return typeof symbol === 'string' ? symbol : undefined;
  }
  return undefined;
}

async function startBreakableVenue(symbols: readonly string[]): Promise<BreakableVenue> {
  const broken = new Set<string>();
  const refused = new Map<string, number>();
  const breakable = (venue: Exchange): Exchange =>
    new Proxy(venue, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const name = String(property);
        // Streams are shared by every symbol; only request/response calls are broken
        if (name.startsWith('subscribe')) return value.bind(target);
        const fn = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]): unknown => {
          const symbol = symbolOf(args);
          if (symbol === undefined || !broken.has(symbol)) return fn.apply(target, args);
          refused.set(name, (refused.get(name) ?? 0) + 1);
          return Promise.reject(new ExchangeError('INTERNAL', `test: ${symbol} is broken`));
        };
      },
    });
  const served = await startVenue(symbols, { wrap: breakable });
  return {
    sim: served.sim,
    venue: served.venue,
    address: served.address,
    breakSymbol: (symbol) => broken.add(symbol),
    healSymbol: (symbol) => broken.delete(symbol),
    refused,
    close: served.close,
  };
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker with one failing symbol on ${dbCase.name}`, () => {
    let dir: string | undefined;
    let venue: BreakableVenue | undefined;
    let database: EngineDatabase | undefined;
    let config: string;
    const fleet = new EngineFleet();

    before(async () => {
      dir = await makeTempDir();
      venue = await startBreakableVenue([BTC, ETH]);
      database = await openEngineDatabase(dbCase.kind, dir);
      config = await writeEngineConfig(dir, venue.address, database, [
        `  - symbol: ${BTC}`,
        '    grid: { levels_below: 2, levels_above: 0, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
        `  - symbol: ${ETH}`,
        '    grid: { levels_below: 2, levels_above: 0, interval: "5", order_quantity: "0.01",',
        '            anchor_price: "3500" }',
      ]);
      // Three failures within a minute and the symbol is given up on; restarts come quickly
      await appendFile(
        config,
        [
          '',
          'supervision:',
          '  max_failures: 3',
          '  window_ms: 60000',
          '  initial_backoff_ms: 100',
          '  max_backoff_ms: 400',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      await fleet.killAll();
      await venue?.close();
      await database?.close();
      await removeTempDir(dir);
    });

    async function settled(
      engine: EngineProcess,
      v: BreakableVenue,
      symbol: string,
      orders: readonly string[],
      position: string,
      what: string,
    ): Promise<AgreedState> {
      const expected = [...orders].sort().join();
      return eventually(
        async () => {
          const state = await agreedState(engine, v.venue, symbol);
          if (!state) return undefined;
          const same = sidesAndPrices(state.orders).join() === expected;
          return same && state.position === position ? state : undefined;
        },
        `${what}: ${symbol} engine and venue agree on [${expected}] and position ${position}`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nengine output:\n${engine.output.slice(-20).join('\n')}`);
      });
    }

    it('gives up on a symbol that keeps failing while the other trades on, and cancels its orders', async () => {
      const v = venue!;
      const engine = await fleet.start(config);
      const btc = await settled(engine, v, BTC, ['BUY 99800', 'BUY 99900'], '0', 'at start');
      await settled(engine, v, ETH, ['BUY 3490', 'BUY 3495'], '0', 'at start');

      // ETHUSDT breaks; a fill makes its actor act on the venue
      v.breakSymbol(ETH);
      v.sim.faults.dropStreams();

      const failed = await eventually(
        async () => {
          const status = await symbolStatus(engine, ETH);
          return status?.state === 'failed' ? status : undefined;
        },
        `${ETH} marked failed`,
        WAIT_MS,
      ).catch(async (e: Error) => {
        const status = await symbolStatus(engine, ETH);
        throw new Error(
          `${e.message}\nlast status: ${JSON.stringify(status)}\n` +
            `refused: ${JSON.stringify([...v.refused])}\n` +
            `engine output:\n${engine.output.slice(-20).join('\n')}`,
        );
      });
      const view = failed as typeof failed & {
        failures?: number;
        restarts?: number;
        lastError?: string | null;
      };
      assert.equal(view.actor, null, 'a failed symbol runs no actor');
      assert.equal(view.failures, 3, 'given up after max_failures failures');
      assert.equal(view.restarts, 2, 'restarted between the failures');
      assert.match(view.lastError ?? '', /ETHUSDT is broken/);
      assert.ok((v.refused.get('getOpenOrders') ?? 0) > 0, 'ETHUSDT reconciled and failed');

      // Its buys must not rest unmanaged: cancelled as soon as the venue answers for ETHUSDT
      assert.equal((await v.venue.getOpenOrders(ETH)).length, 2, 'still there while it refuses');
      v.healSymbol(ETH);
      const cleanup = await eventually(
        async () => {
          const status = (await symbolStatus(engine, ETH)) as typeof failed & {
            cleanup?: { state: string; message: string } | null;
          };
          return status.cleanup?.state === 'cancelled' ? status.cleanup : undefined;
        },
        `${ETH} orders cancelled once the venue answers for it again`,
        WAIT_MS,
      );
      assert.match(cleanup.message, /cancelled \d+ orders of the failed symbol/);
      assert.deepEqual(await v.venue.getOpenOrders(ETH), [], 'no order of the failed symbol rests');
      assert.equal((await symbolStatus(engine, ETH))?.state, 'failed', 'still failed: no restart');

      // BTCUSDT kept its orders resting on the venue, and still reacts to the market
      const btcNow = await settled(engine, v, BTC, ['BUY 99800', 'BUY 99900'], '0', 'ETH failed');
      assert.deepEqual(btcNow.orders, btc.orders, 'the same BTCUSDT orders rest on the venue');
      v.sim.setSpotPrice(BTC, '99850');
      await settled(engine, v, BTC, ['BUY 99800', 'SELL 100000'], '0.001', 'after 99850');
      assert.equal((await symbolStatus(engine, BTC))?.state, 'trading');
      assert.equal((await symbolStatus(engine, ETH))?.state, 'failed');

      assert.equal(await kill(engine.child, 'SIGTERM'), 0);
    });
  });
}
