/**
 * End to end, a connector that refuses the engine for 20 seconds: a real connector (gRPC, in this
 * process, API-key auth on) over the simulated venue and the market-maker process on a real
 * database (the embedded PGlite, and a fresh PostgreSQL database when TEST_DATABASE_URL is set),
 * trading BTCUSDT with its orders resting. The connector restarts accepting another key only:
 * every call and stream of the engine ends UNAUTHENTICATED. With supervision limits that would
 * give up on a symbol after three failures within a minute, the outage must not count: /health
 * says "degraded" with the reason, the symbol waits for the connector (never `failed`), and the
 * engine logs the outage. Twenty seconds later the connector takes the engine's key again: the
 * symbol resumes by itself, with the same orders on the venue managed by its slots, no failure
 * counted and no client order id placed twice.
 */
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import {
  agreedState,
  DATABASE_CASES,
  duplicateClientOrderIds,
  EngineFleet,
  eventually,
  kill,
  makeTempDir,
  openEngineDatabase,
  removeTempDir,
  startVenue,
  symbolStatus,
  writeEngineConfig,
  type EngineDatabase,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';

const WAIT_MS = 30_000;
const OUTAGE_MS = 20_000;
const KEY = 'engine-key-0123456789abcdef';
const OTHER_KEY = 'someone-else-0123456789abcdef';

interface Health {
  readonly status: string;
  readonly connector: { readonly state: string; readonly reason: string | null };
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker through a connector outage on ${dbCase.name}`, () => {
    let dir: string | undefined;
    let venue: VenueUnderTest | undefined;
    let database: EngineDatabase | undefined;
    let config: string;
    const fleet = new EngineFleet();

    before(async () => {
      dir = await makeTempDir();
      venue = await startVenue(['BTCUSDT'], { apiKeys: [KEY] });
      database = await openEngineDatabase(dbCase.kind, dir);
      config = await writeEngineConfig(
        dir,
        venue.address,
        database,
        [
          '  - symbol: BTCUSDT',
          '    grid: { levels_below: 2, levels_above: 0, interval: "100", order_quantity: "0.001",',
          '            anchor_price: "100000" }',
        ],
        [`  api_key: ${KEY}`, '  probe_interval_ms: 500', '  probe_timeout_ms: 1000'],
      );
      await appendFile(
        config,
        [
          '',
          'supervision:',
          '  max_failures: 3',
          '  window_ms: 60000',
          '  initial_backoff_ms: 100',
          '  max_backoff_ms: 1000',
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

    async function health(engine: EngineProcess): Promise<Health> {
      return (await (await fetch(`${engine.adminUrl}/health`)).json()) as Health;
    }

    async function settled(engine: EngineProcess, what: string) {
      return eventually(
        async () => {
          const state = await agreedState(engine, venue!.venue, 'BTCUSDT');
          return state?.orders.length === 2 ? state : undefined;
        },
        `${what}: engine and venue agree on BTCUSDT's 2 open orders`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nengine output:\n${engine.output.slice(-25).join('\n')}`);
      });
    }

    it('waits out 20 s of refused calls without giving up on the symbol, then resumes it', async () => {
      const v = venue!;
      const engine = await fleet.start(config);
      const before = await settled(engine, 'at start');
      assert.equal((await health(engine)).status, 'ok');

      await v.restartConnector([OTHER_KEY]);
      const outageStarted = Date.now();
      const degraded = await eventually(
        async () => {
          const h = await health(engine);
          return h.status === 'degraded' ? h : undefined;
        },
        '/health to report the connector down',
        10_000,
      );
      assert.equal(degraded.connector.state, 'down');
      assert.match(degraded.connector.reason ?? '', /invalid API key|UNAUTHENTICATED|API key/i);
      await eventually(
        async () => (await symbolStatus(engine, 'BTCUSDT'))?.state === 'waiting',
        'BTCUSDT waiting for the connector',
        10_000,
      );

      const states = new Set<string>();
      while (Date.now() - outageStarted < OUTAGE_MS) {
        states.add((await symbolStatus(engine, 'BTCUSDT'))?.state ?? 'missing');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(!states.has('failed'), `never failed during the outage: ${[...states].join()}`);
      assert.ok(
        engine.output.some((line) => line.includes('exchange connector not answering')),
        'the outage is logged',
      );
      const metrics = await (await fetch(`${engine.adminUrl}/metrics`)).text();
      assert.match(metrics, /market_maker_connector_up 0/);

      await v.restartConnector([KEY]);
      const after = await settled(engine, 'after the outage');
      assert.deepEqual(after.orders, before.orders, 'the same orders, managed again');
      const status = (await symbolStatus(engine, 'BTCUSDT')) as unknown as {
        state: string;
        failures: number;
        outages: number;
      };
      assert.deepEqual([status.state, status.failures], ['trading', 0]);
      assert.ok(status.outages >= 1);
      await eventually(async () => (await health(engine)).status === 'ok', '/health ok again');

      const accepted = v.placements.filter((p) => p.accepted);
      assert.deepEqual(duplicateClientOrderIds(accepted), [], 'no client order id accepted twice');
      assert.equal(await kill(engine.child, 'SIGTERM'), 0);
    });
  });
}
