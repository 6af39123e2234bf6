/**
 * End to end, the kill switch under SIGKILL, on the embedded PGlite (and PostgreSQL when
 * TEST_DATABASE_URL is set): `POST /halt` followed at once by a SIGKILL leaves, after a
 * restart, every order of ours cancelled and the engine still halted; `POST /flatten` killed
 * the moment the venue accepts the close leaves, after a restart, the position closed by that
 * one close and the engine halted. Across both, no client order id is ever placed twice and
 * nothing new is placed while halted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DATABASE_CASES,
  engineScene,
  eventually,
  kill,
  type EngineProcess,
} from './support/engine-process.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 30_000;

interface TradingView {
  scope: string;
  state: string;
}

async function globalState(engine: EngineProcess): Promise<string | undefined> {
  const response = await fetch(`${engine.adminUrl}/risk`);
  const report = (await response.json()) as { trading: TradingView[] };
  return report.trading.find((t) => t.scope === 'global')?.state;
}

async function post(engine: EngineProcess, path: string): Promise<Response> {
  return fetch(`${engine.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ by: 'e2e' }),
  });
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker kill switch under SIGKILL on ${dbCase.name}`, () => {
    const scene = engineScene(dbCase.kind, {
      symbols: [SYMBOL],
      symbolLines: [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 2, levels_above: 0, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
      ],
    });

    const openOrders = async () => scene().venue.venue.getOpenOrders(SYMBOL);
    const position = async () =>
      (await scene().venue.venue.getPositions(SYMBOL))[0]?.size.toFixed() ?? '0';
    const uniquePlacements = () => {
      const ids = scene()
        .venue.placements.filter((p) => p.accepted)
        .map((p) => p.clientOrderId);
      assert.equal(new Set(ids).size, ids.length, `a client order id placed twice: ${ids}`);
    };

    it('halts and flattens exactly once however the engine is killed in between', async () => {
      const v = scene().venue;
      let engine = await scene().fleet.start(scene().config);
      await eventually(async () => (await openOrders()).length === 2, 'two resting buys', WAIT_MS);
      v.sim.setSpotPrice(SYMBOL, '99880');
      await eventually(
        async () => (await openOrders()).some((o) => o.side === 'SELL'),
        'the close of level -1',
        WAIT_MS,
      );

      // Halt, killed at once: after the restart every order is gone and the engine halted
      const halted = await post(engine, '/halt');
      assert.equal(halted.status, 200);
      await kill(engine.child, 'SIGKILL');
      const placedBeforeRestart = v.placements.length;
      engine = await scene().fleet.start(scene().config);
      assert.equal(await globalState(engine), 'HALTED');
      await eventually(
        async () => (await openOrders()).length === 0,
        'every order cancelled',
        WAIT_MS,
      );
      v.sim.setSpotPrice(SYMBOL, '99890');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(v.placements.length, placedBeforeRestart, 'nothing placed while halted');
      assert.equal(await position(), '0.001');
      uniquePlacements();

      // Flatten, killed the moment the venue accepts the close: one close, flat, halted
      const killed = new Promise<void>((resolve) => {
        v.onNextPlacement(() => {
          void kill(engine.child, 'SIGKILL').then(() => resolve());
        });
      });
      const flatten = await post(engine, '/flatten');
      assert.equal(flatten.status, 200);
      await killed;
      engine = await scene().fleet.start(scene().config);
      await eventually(async () => (await position()) === '0', 'the position closed', WAIT_MS);
      await eventually(
        async () => (await globalState(engine)) === 'HALTED',
        'halted after the flatten',
        WAIT_MS,
      );
      const closes = v.placements.filter((p) => p.accepted && p.side === 'SELL');
      assert.equal(closes.filter((p) => Number(p.price) < 99880).length, 1, 'one flatten close');
      uniquePlacements();
      assert.deepEqual(await openOrders(), []);

      // Resume: the grid trades again
      assert.equal((await post(engine, '/resume')).status, 200);
      v.sim.setSpotPrice(SYMBOL, '100000');
      await eventually(async () => (await openOrders()).length === 2, 'entries again', WAIT_MS);
      uniquePlacements();
      await kill(engine.child, 'SIGTERM');
    });
  });
}
