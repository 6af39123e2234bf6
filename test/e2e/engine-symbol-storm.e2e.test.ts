/**
 * End to end, a storm of changes to one symbol: a real connector (gRPC, in this process) over the
 * simulated venue and the market-maker process on a real database (the embedded PGlite, and a
 * fresh PostgreSQL database when TEST_DATABASE_URL is set). Four clients POST and DELETE ETHUSDT
 * at once, fifteen rounds; every answer must be a clear success or "not traded", never an error.
 * Then ETHUSDT is added once more, rests its orders, and a final DELETE answers 200 "removed":
 * from that moment the venue must hold none of its orders of ours and no new one may arrive, no
 * two actors may ever have written the symbol's snapshot (StaleSnapshotError), its gauges are
 * gone, and BTCUSDT traded on untouched throughout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseClientOrderId, symbolTag } from '../../machines/client-order-id.js';
import {
  agreedState,
  DATABASE_CASES,
  engineScene,
  duplicateClientOrderIds,
  eventually,
  kill,
  type EngineProcess,
} from './support/engine-process.js';

const WAIT_MS = 30_000;
const ETH = 'ETHUSDT';
const BTC_GRID = {
  levels_below: 2,
  levels_above: 0,
  interval: '100',
  order_quantity: '0.001',
  anchor_price: '100000',
};
const ETH_GRID = {
  levels_below: 2,
  levels_above: 0,
  interval: '5',
  order_quantity: '0.01',
  anchor_price: '3500',
};

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker under concurrent add/remove of one symbol on ${dbCase.name}`, () => {
    const scene = engineScene(dbCase.kind, {
      symbols: ['BTCUSDT', ETH],
      symbolLines: ['  - symbol: BTCUSDT', `    grid: ${JSON.stringify(BTC_GRID)}`],
    });

    function post(engine: EngineProcess): Promise<Response> {
      return fetch(`${engine.adminUrl}/symbols`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ symbol: ETH, grid: ETH_GRID }),
      });
    }

    function remove(engine: EngineProcess): Promise<Response> {
      return fetch(`${engine.adminUrl}/symbols/${ETH}`, { method: 'DELETE' });
    }

    async function ourEthOrders(): Promise<string[]> {
      const open = await scene().venue.venue.getOpenOrders(ETH);
      return open.filter((o) => isOurEthOrder(o.clientOrderId)).map((o) => o.clientOrderId);
    }

    function acceptedEthPlacements(): number {
      return scene().venue.placements.filter((p) => p.accepted && isOurEthOrder(p.clientOrderId))
        .length;
    }

    async function settled(engine: EngineProcess, symbol: string, orders: number) {
      return eventually(
        async () => {
          const state = await agreedState(engine, scene().venue.venue, symbol);
          return state?.orders.length === orders ? state : undefined;
        },
        `${symbol}: engine and venue agree on ${orders} open orders`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nengine output:\n${engine.output.slice(-20).join('\n')}`);
      });
    }

    it('applies the changes one at a time and leaves no order of a removed symbol on the venue', async () => {
      const engine = await scene().fleet.start(scene().config);
      const btc = await settled(engine, 'BTCUSDT', 2);

      const answers: string[] = [];
      for (let round = 0; round < 15; round++) {
        const replies = await Promise.all(
          [0, 1, 2, 3].map((client) =>
            (client + round) % 2 === 0 ? post(engine) : remove(engine),
          ),
        );
        for (const reply of replies) {
          const body = await reply.text();
          answers.push(`${reply.status}`);
          assert.ok([200, 201, 404].includes(reply.status), `answered ${reply.status}: ${body}`);
        }
      }
      assert.ok(answers.includes('201') && answers.includes('404'), answers.join());

      const added = await post(engine);
      assert.ok([200, 201].includes(added.status), `POST answered ${added.status}`);
      await settled(engine, ETH, 2);
      const removed = await remove(engine);
      assert.equal(removed.status, 200);
      assert.deepEqual(await removed.json(), { symbol: ETH, removed: true });

      assert.deepEqual(await ourEthOrders(), [], 'the venue holds none of its orders');
      const placedAtRemoval = acceptedEthPlacements();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.deepEqual(await ourEthOrders(), [], 'and none arrives later');
      assert.equal(acceptedEthPlacements(), placedAtRemoval, 'no placement after the removal');

      const stale = engine.output.filter((line) => line.includes('StaleSnapshotError'));
      assert.deepEqual(stale, [], 'never two actors writing one symbol');
      const metrics = await (await fetch(`${engine.adminUrl}/metrics`)).text();
      assert.doesNotMatch(metrics, /market_maker_orders_active\{symbol="ETHUSDT"\}/);
      const listed = (await (await fetch(`${engine.adminUrl}/symbols`)).json()) as {
        symbol: string;
      }[];
      assert.deepEqual(
        listed.map((s) => s.symbol),
        ['BTCUSDT'],
      );

      const btcAfter = await settled(engine, 'BTCUSDT', 2);
      assert.deepEqual(btcAfter.orders, btc.orders, 'BTCUSDT untouched');
      const accepted = scene().venue.placements.filter((p) => p.accepted);
      assert.deepEqual(duplicateClientOrderIds(accepted), [], 'no client order id accepted twice');
      assert.equal(await kill(engine.child, 'SIGTERM'), 0);
    });
  });
}

/** A grid order of the engine under test for ETH, whatever namespace its database gave it. */
function isOurEthOrder(clientOrderId: string): boolean {
  return parseClientOrderId(clientOrderId)?.symbolTag === symbolTag(ETH);
}
