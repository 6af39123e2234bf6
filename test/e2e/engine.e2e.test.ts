/**
 * End to end: a real exchange connector over the simulated venue and the market-maker process,
 * on each test database. The engine places its grid, is stopped with SIGTERM, a buy fills while
 * it is down, and the restarted engine resumes the same grid: the fill becomes inventory with its
 * close placed, the other buy keeps its client order id, and no client order id ever reaches the
 * venue twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DATABASE_CASES,
  duplicateClientOrderIds,
  engineScene,
  eventually,
  kill,
  symbolStatus,
  type EngineProcess,
  type SlotStatus,
} from './support/engine-process.js';

const SYMBOL = 'BTCUSDT';
const GRID = [
  `  - symbol: ${SYMBOL}`,
  '    grid: { levels_below: 2, levels_above: 1, interval: "100", order_quantity: "0.001",',
  '            anchor_price: "100000" }',
];

/** The slots once the actor trades, else none. */
async function tradingSlots(engine: EngineProcess): Promise<readonly SlotStatus[]> {
  const actor = (await symbolStatus(engine, SYMBOL))?.actor;
  return actor?.phase === 'trading' ? actor.slots : [];
}

for (const database of DATABASE_CASES) {
  describe(`market-maker end to end (${database.name})`, () => {
    const scene = engineScene(database.kind, { symbols: [SYMBOL], symbolLines: GRID });

    it('places the grid, stops cleanly, and resumes it after a restart without duplicate orders', async () => {
      const { venue, fleet, config } = scene();
      const first = await fleet.start(config);
      const placed = await eventually(
        async () => {
          const open = await venue.venue.getOpenOrders(SYMBOL);
          return open.length === 2 ? open : undefined;
        },
        'the two grid buys on the venue',
        30_000,
      );
      const health = await fetch(`${first.adminUrl}/health`);
      assert.equal(health.status, 200);
      const placedMetric =
        /market_maker_orders_placed_total\{symbol="BTCUSDT",side="BUY",type="LIMIT"\} 2/;
      await eventually(
        async () => placedMetric.test(await (await fetch(`${first.adminUrl}/metrics`)).text()),
        'both placements counted in /metrics',
      );
      assert.equal(await kill(first.child, 'SIGTERM'), 0);

      venue.sim.setSpotPrice(SYMBOL, '99880');
      const second = await fleet.start(config);
      const resumed = await eventually(
        async () => {
          const slots = await tradingSlots(second);
          return slots.find((s) => s.index === -1)?.state === 'closing.resting' ? slots : undefined;
        },
        'the close of the buy filled while down',
        30_000,
      );
      const open = await venue.venue.getOpenOrders(SYMBOL);
      assert.equal(await kill(second.child, 'SIGTERM'), 0);

      assert.deepEqual(duplicateClientOrderIds(venue.placements), []);
      assert.deepEqual(venue.placements.map((p) => `${p.side} ${p.price} ${p.accepted}`).sort(), [
        'BUY 99800 true',
        'BUY 99900 true',
        'SELL 100000 true',
      ]);
      const keptBuy = placed.find((o) => o.price.eq(99800))?.clientOrderId;
      assert.equal(resumed.find((s) => s.index === -2)?.order?.clientOrderId, keptBuy);
      assert.equal(resumed.find((s) => s.index === -1)?.position, '0.001');
      assert.deepEqual(open.map((o) => `${o.side} ${o.price.toFixed()}`).sort(), [
        'BUY 99800',
        'SELL 100000',
      ]);
    });
  });
}
