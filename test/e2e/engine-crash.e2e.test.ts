/**
 * End to end, crash and recovery: a real connector (gRPC, in this process) over the simulated
 * venue, and the market-maker process on a real database (the embedded PGlite, and a fresh
 * PostgreSQL database when TEST_DATABASE_URL is set). The engine is SIGKILLed twice: the moment
 * its first placement is accepted by the venue (before the reply reaches it), and after two buys
 * filled, the moment the first close is accepted while the other is still on its way; a third
 * buy fills while it is down. Each restart on the same database must end with the engine's
 * working orders equal to the venue's open orders, its grid position equal to the venue's
 * position, its order ledger equal to the venue for every order ever placed, and no client order
 * id ever sent to the venue twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  agreedState,
  DATABASE_CASES,
  duplicateClientOrderIds,
  engineScene,
  eventually,
  indexAgainstVenue,
  kill,
  ledgerOrders,
  sidesAndPrices,
  type AgreedState,
  type EngineProcess,
  withTimeout,
  type VenueUnderTest,
} from './support/engine-process.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 30_000;

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker crash and recovery on ${dbCase.name}`, () => {
    const scene = engineScene(dbCase.kind, {
      symbols: [SYMBOL],
      symbolLines: [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 3, levels_above: 1, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
      ],
    });

    /** SIGKILLs the running engine from inside the venue, right after it accepts a placement. */
    function killOnNextPlacement(v: VenueUnderTest): Promise<string> {
      return new Promise((resolve) => {
        v.onNextPlacement((placement) => {
          void kill(scene().fleet.latest(), 'SIGKILL').then(() => resolve(placement.clientOrderId));
        });
      });
    }

    async function settle(engine: EngineProcess, v: VenueUnderTest, what: string, orders: number) {
      return eventually(
        async () => {
          const state = await agreedState(engine, v.venue, SYMBOL);
          if (state?.orders.length !== orders) return undefined;
          const ledger = await ledgerOrders(engine, SYMBOL);
          const problems = await indexAgainstVenue(ledger, v.venue, SYMBOL, v.placements);
          return problems.length === 0 ? state : undefined;
        },
        `${what}: engine and venue agree on ${orders} open orders, the position and every order`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nengine output:\n${engine.output.slice(-20).join('\n')}`);
      });
    }

    it('recovers from SIGKILL at a placement and during fills without duplicate orders', async () => {
      const { venue: v, fleet, config } = scene();

      // Crash 1: the first placement is on the venue, the engine never heard back.
      const firstKill = killOnNextPlacement(v);
      const first = fleet.start(config).catch(() => undefined);
      const inFlightId = await withTimeout(firstKill, WAIT_MS, 'the first placement');
      await first;
      const openAtCrash = await v.venue.getOpenOrders(SYMBOL);
      assert.ok(
        openAtCrash.some((o) => o.clientOrderId === inFlightId),
        'the order placed at the crash rests on the venue',
      );

      const second = await fleet.start(config);
      const afterFirst: AgreedState = await settle(second, v, 'after the crash at placement', 3);
      assert.deepEqual(sidesAndPrices(afterFirst.orders), ['BUY 99700', 'BUY 99800', 'BUY 99900']);
      assert.equal(afterFirst.position, '0');
      assert.ok(
        afterFirst.orders.some((o) => o.endsWith(` ${inFlightId}`)),
        `the order placed at the crash (${inFlightId}) is worked, not replaced: ${afterFirst.orders}`,
      );

      // Crash 2: two buys fill; killed as the first close reaches the venue.
      const secondKill = killOnNextPlacement(v);
      v.sim.setSpotPrice(SYMBOL, '99780');
      await withTimeout(secondKill, WAIT_MS, 'a close placed after the fills');
      assert.equal(second.child.signalCode, 'SIGKILL');
      // While the engine is down the third buy fills.
      v.sim.setSpotPrice(SYMBOL, '99690');

      const third = await fleet.start(config);
      const recovered = await settle(third, v, 'after the crash during fills', 3);
      assert.equal(recovered.position, '0.003');
      assert.deepEqual(sidesAndPrices(recovered.orders), [
        'SELL 100000',
        'SELL 99800',
        'SELL 99900',
      ]);
      assert.deepEqual(
        recovered.slots
          .filter((s) => s.position !== '0')
          .sort((a, b) => a.index - b.index)
          .map((s) => `${s.index} ${s.position}`),
        ['-3 0.001', '-2 0.001', '-1 0.001'],
      );

      // A placement the venue accepted but the killed engine never heard of is looked up by its
      // client order id on recovery, never sent again: a venue that only refuses ids of OPEN
      // orders would otherwise take a second real order once the first one had filled
      assert.deepEqual(
        duplicateClientOrderIds(v.placements),
        [],
        `a client order id reached the venue twice: ${JSON.stringify(v.placements)}`,
      );
      assert.equal(await kill(third.child, 'SIGTERM'), 0);
    });
  });
}
