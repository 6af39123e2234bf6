/**
 * End to end, the traded symbol set changed at runtime: a real connector (gRPC, in this process)
 * over the simulated venue, and the market-maker process on a real database (the embedded
 * PGlite, and a fresh PostgreSQL database when TEST_DATABASE_URL is set). ETHUSDT is added with
 * POST /symbols and BTCUSDT (the config's seed) removed with DELETE; after a clean restart the
 * engine trades ETHUSDT only, with the same resting orders, although the config still lists
 * BTCUSDT. BTCUSDT is then added back and the engine SIGKILLed as soon as the API answered: the
 * next start trades both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  agreedState,
  DATABASE_CASES,
  engineScene,
  duplicateClientOrderIds,
  eventually,
  kill,
  listSymbols,
  sidesAndPrices,
  symbolStatus,
  type EngineProcess,
} from './support/engine-process.js';

const WAIT_MS = 30_000;
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
  describe(`market-maker symbols changed at runtime on ${dbCase.name}`, () => {
    const scene = engineScene(dbCase.kind, {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      symbolLines: ['  - symbol: BTCUSDT', `    grid: ${JSON.stringify(BTC_GRID)}`],
    });

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

    async function venueOrders(symbol: string): Promise<number> {
      return (await scene().venue.venue.getOpenOrders(symbol)).length;
    }

    function post(engine: EngineProcess, symbol: string, grid: object): Promise<Response> {
      return fetch(`${engine.adminUrl}/symbols`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ symbol, grid }),
      });
    }

    it('keeps symbols added and removed through the admin API across restarts', async () => {
      const first = await scene().fleet.start(scene().config);
      await settled(first, 'BTCUSDT', 2);

      const added = await post(first, 'ETHUSDT', ETH_GRID);
      assert.equal(added.status, 201);
      assert.deepEqual(await added.json(), { symbol: 'ETHUSDT', outcome: 'added' });
      const eth = await settled(first, 'ETHUSDT', 2);
      assert.deepEqual(sidesAndPrices(eth.orders), ['BUY 3490', 'BUY 3495']);

      const removed = await fetch(`${first.adminUrl}/symbols/BTCUSDT`, { method: 'DELETE' });
      assert.equal(removed.status, 200);
      assert.deepEqual(await removed.json(), { symbol: 'BTCUSDT', removed: true });
      await eventually(
        async () => (await venueOrders('BTCUSDT')) === 0,
        'BTCUSDT orders cancelled on the venue',
        WAIT_MS,
      );
      assert.equal(await kill(first.child, 'SIGTERM'), 0);

      // Clean restart: the database's active set wins over the config's seed list.
      const second = await scene().fleet.start(scene().config);
      const listed = await listSymbols(second);
      assert.deepEqual(
        listed.map((s) => s.symbol),
        ['ETHUSDT'],
      );
      assert.deepEqual(listed[0]?.grid, { ...ETH_GRID, mode: 'long' });
      const ethAfter = await settled(second, 'ETHUSDT', 2);
      assert.deepEqual(ethAfter.orders, eth.orders, 'the same ETHUSDT orders rest on the venue');
      assert.equal(await symbolStatus(second, 'BTCUSDT'), undefined);
      assert.equal(await venueOrders('BTCUSDT'), 0);

      // Crash right after the API answered: the re-added symbol is already durable.
      const readded = await post(second, 'BTCUSDT', BTC_GRID);
      assert.ok([200, 201].includes(readded.status), `POST BTCUSDT answered ${readded.status}`);
      await kill(second.child, 'SIGKILL');

      const third = await scene().fleet.start(scene().config);
      assert.deepEqual((await listSymbols(third)).map((s) => s.symbol).sort(), [
        'BTCUSDT',
        'ETHUSDT',
      ]);
      const btc = await settled(third, 'BTCUSDT', 2);
      assert.deepEqual(sidesAndPrices(btc.orders), ['BUY 99800', 'BUY 99900']);
      assert.deepEqual((await settled(third, 'ETHUSDT', 2)).orders, eth.orders);

      const accepted = scene().venue.placements.filter((p) => p.accepted);
      assert.deepEqual(duplicateClientOrderIds(accepted), [], 'no client order id accepted twice');
      assert.equal(await kill(third.child, 'SIGTERM'), 0);
    });
  });
}
