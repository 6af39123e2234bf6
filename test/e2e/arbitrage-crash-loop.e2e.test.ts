/**
 * End to end, arbitrage under SIGKILL: the market-maker process (on the embedded PGlite, and on
 * PostgreSQL when TEST_DATABASE_URL is set) trades funding-rate arbitrage pairs (spot on
 * "sim-spot", perp on "sim", one pair per symbol, added with POST /symbols) over a real connector.
 * Each entry is killed twice the moment the venue accepts a leg order, before the reply reaches
 * the engine: once on the first leg, then, after the restart resumed the cycle, on the second
 * leg. Then the funding turns negative on every symbol and the exits are killed the same way.
 * After every restart the engine must show every pair resting hedged or flat with legs equal to
 * what the venues hold, and at the end no client order id reached a venue twice.
 * ARB_CRASH_PAIRS sets the number of pairs (1-10, default 2: 2 x pairs + 2 kills, so 6; 9 gives 20).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startConnectorServer, type ConnectorServer } from '../../connector/connector.server.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../connector/venues/sim/index.js';
import { dec, type Decimal } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import { createLogger } from '../../core/logger.js';
import {
  DATABASE_CASES,
  EngineFleet,
  eventually,
  kill,
  makeTempDir,
  openEngineDatabase,
  removeTempDir,
  withTimeout,
  writeEngineConfig,
  type EngineDatabase,
  type EngineProcess,
} from './support/engine-process.js';

const ALL_PAIRS = [
  { symbol: 'BTCUSDT', base: 'BTC', quantity: '0.01', tolerance: '0.001' },
  { symbol: 'ETHUSDT', base: 'ETH', quantity: '0.3', tolerance: '0.001' },
  { symbol: 'BNBUSDT', base: 'BNB', quantity: '1.5', tolerance: '0.01' },
  { symbol: 'SOLUSDT', base: 'SOL', quantity: '5', tolerance: '1' },
  { symbol: 'XRPUSDT', base: 'XRP', quantity: '10', tolerance: '0.1' },
  { symbol: 'DOGEUSDT', base: 'DOGE', quantity: '100', tolerance: '1' },
  { symbol: 'ADAUSDT', base: 'ADA', quantity: '20', tolerance: '1' },
  { symbol: 'AVAXUSDT', base: 'AVAX', quantity: '3', tolerance: '1' },
  { symbol: 'LINKUSDT', base: 'LINK', quantity: '1', tolerance: '0.01' },
  { symbol: 'LTCUSDT', base: 'LTC', quantity: '0.2', tolerance: '0.001' },
];
const PAIRS = ALL_PAIRS.slice(
  0,
  Math.min(ALL_PAIRS.length, Math.max(1, Number(process.env.ARB_CRASH_PAIRS ?? 2))),
);
const WAIT_MS = 90_000;

const pairId = (symbol: string) => `${symbol.slice(0, -4).toLowerCase()}-basis`;

/** Every accepted placement, by venue. */
interface Accepted {
  readonly venue: string;
  readonly clientOrderId: string;
}

interface Venues {
  readonly sim: SimulatedVenue;
  readonly accepted: Accepted[];
  readonly address: string;
  /** Runs `hook` once, on the next accepted placement, before the reply leaves the venue. */
  onNextPlacement(hook: () => void): void;
  close(): Promise<void>;
}

async function startVenues(): Promise<Venues> {
  const sim = createSimulatedVenue({
    symbols: PAIRS.map((p) => p.symbol),
    price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 10, basisVolatilityBps: 0 },
    funding: { intervalMs: 60_000, publishIntervalMs: 1_000 },
  });
  const accepted: Accepted[] = [];
  let hook: (() => void) | null = null;
  const hooked = (venue: Exchange, name: string): Exchange =>
    new Proxy(venue, {
      get(target, property) {
        if (property === 'placeOrder') {
          return async (request: PlaceOrderRequest): Promise<Order> => {
            const order = await target.placeOrder(request);
            accepted.push({ venue: name, clientOrderId: request.clientOrderId ?? '' });
            const next = hook;
            hook = null;
            next?.();
            return order;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const connector: ConnectorServer = await startConnectorServer({
    venues: new Map([
      ['sim', hooked(sim.exchange('futures'), 'sim')],
      ['sim-spot', hooked(sim.exchange('spot'), 'sim-spot')],
    ]),
    defaultVenue: 'sim',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('e2e-connector', 'silent'),
  });
  return {
    sim,
    accepted,
    address: connector.address,
    onNextPlacement: (h) => {
      hook = h;
    },
    close: async () => {
      await connector.shutdown(1_000);
      await sim.close();
    },
  };
}

interface PairLeg {
  readonly position: string;
}
interface PairListing {
  readonly pair: string;
  readonly actor: {
    readonly position: string;
    readonly busy: boolean;
    readonly legs: PairLeg[];
  } | null;
}

function spotHoldings(sim: SimulatedVenue): Map<string, Decimal> {
  return new Map(sim.spotBalances().map((b) => [b.asset, b.free.add(b.locked)]));
}

for (const dbCase of DATABASE_CASES) {
  describe(`arbitrage crash loop on ${dbCase.name}`, () => {
    let dir: string | undefined;
    let venues: Venues | undefined;
    let database: EngineDatabase | undefined;
    let config: string;
    let initial: Map<string, Decimal>;
    const fleet = new EngineFleet();

    before(async () => {
      dir = await makeTempDir();
      venues = await startVenues();
      initial = spotHoldings(venues.sim);
      database = await openEngineDatabase(dbCase.kind, dir);
      config = await writeEngineConfig(dir, venues.address, database, [
        '  []',
        'arbitrage:',
        '  guards: { evaluate_interval_ms: 500, retry_backoff_ms: 500 }',
      ]);
    });

    after(async () => {
      await fleet.killAll();
      await venues?.close();
      await database?.close();
      await removeTempDir(dir);
    });

    /** Waits until every pair in `expected` rests in `state` and equals what the venues hold. */
    async function agreed(
      engine: EngineProcess,
      expected: typeof PAIRS,
      state: string,
      what: string,
    ) {
      const v = venues!;
      let problems: string[] = [];
      await eventually(
        async () => {
          problems = [];
          const res = await fetch(`${engine.adminUrl}/arbitrage`);
          const { pairs } = (await res.json()) as { pairs: PairListing[] };
          const holdings = spotHoldings(v.sim);
          for (const p of expected) {
            const actor = pairs.find((l) => l.pair === pairId(p.symbol))?.actor;
            if (!actor || actor.busy || actor.position !== state) {
              problems.push(
                `${p.symbol}: ${actor ? `${actor.position}${actor.busy ? ' (busy)' : ''}` : 'no actor'}`,
              );
              continue;
            }
            const [perp] = await v.sim.exchange('futures').getPositions(p.symbol);
            const venuePerp = perp?.size ?? dec(0);
            const venueSpot = (holdings.get(p.base) ?? dec(0)).sub(initial.get(p.base) ?? dec(0));
            const [spotLeg, perpLeg] = actor.legs;
            if (
              !venueSpot.eq(spotLeg?.position ?? 'x') ||
              !venuePerp.eq(perpLeg?.position ?? 'x')
            ) {
              problems.push(
                `${p.symbol}: engine ${spotLeg?.position}/${perpLeg?.position}, venue ${venueSpot.toFixed()}/${venuePerp.toFixed()}`,
              );
            }
            if (venueSpot.add(venuePerp).abs().gt(p.tolerance)) {
              problems.push(`${p.symbol}: legs apart by ${venueSpot.add(venuePerp).toFixed()}`);
            }
          }
          return problems.length === 0;
        },
        `${what}: every pair ${state}, engine = venues`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}\n${problems.join('\n')}\n${engine.output.slice(-20).join('\n')}`,
        );
      });
    }

    /** Kills `engine` the moment a venue accepts its next leg order. */
    function killOnNextPlacement(engine: EngineProcess, what: string): Promise<void> {
      const killed = new Promise<void>((resolve) => {
        venues!.onNextPlacement(() => void kill(engine.child, 'SIGKILL').then(() => resolve()));
      });
      return withTimeout(killed, WAIT_MS, what);
    }

    it(`kills entries and exits of ${PAIRS.length} pairs at every leg; legs stay hedged or flat`, async () => {
      const v = venues!;
      let engine = await fleet.start(config);
      let kills = 0;
      for (const [i, p] of PAIRS.entries()) {
        const firstLeg = killOnNextPlacement(engine, `${p.symbol} first leg`);
        const body = {
          strategy: 'arbitrage',
          pair: pairId(p.symbol),
          legs: [
            { venue: 'sim-spot', market: 'spot', symbol: p.symbol },
            { venue: 'sim', market: 'perp', symbol: p.symbol },
          ],
          quantity: p.quantity,
          thresholds: {
            entry_apr: '0.1',
            exit_apr: '0.03',
            min_hold_hours: 0,
            reentry_cooldown_minutes: 600,
            hold_through_funding_minutes: 0,
          },
          feeds: { funding_stale_ms: 60_000, price_stale_ms: 60_000 },
        };
        // The kill may land before the answer: the pair is stored before it trades
        await fetch(`${engine.adminUrl}/symbols`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).catch(() => undefined);
        await firstLeg;
        engine = await fleet.start(config);
        await killOnNextPlacement(engine, `${p.symbol} second leg after the restart`);
        engine = await fleet.start(config);
        kills += 2;
        await agreed(engine, PAIRS.slice(0, i + 1), 'hedged', `${p.symbol} entered`);
      }

      for (const p of PAIRS) v.sim.setPerpBasis(p.symbol, -10);
      await killOnNextPlacement(engine, 'an exit');
      engine = await fleet.start(config);
      await killOnNextPlacement(engine, 'an exit after the restart');
      engine = await fleet.start(config);
      kills += 2;
      await agreed(engine, PAIRS, 'flat', 'every pair exited');
      assert.equal(await kill(engine.child, 'SIGTERM'), 0);

      assert.equal(kills, PAIRS.length * 2 + 2);
      const ids = v.accepted.map((a) => `${a.venue}/${a.clientOrderId}`);
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      assert.deepEqual(twice, [], 'a client order id reached a venue twice');
      // Each pair: open + hedge, then close + match
      assert.equal(v.accepted.length, PAIRS.length * 4);
    });
  });
}
