/**
 * End to end, SIGKILL while the trailing window moves: a real connector over the simulated
 * venue and the market-maker process on a real database (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set), trading a grid with `trailing: {}`. Twice the price jumps far
 * enough to move the window (entries are pulled and new ones placed) and the engine is SIGKILLed
 * the moment the venue accepts the first new placement; while it is down the price moves back
 * through that order, so it fills with nobody listening. Each restart must end with the engine's
 * working orders equal to the venue's open orders and its inventory equal to the venue's
 * position, with buys on every window level under the price that is not holding inventory. At
 * the end no client order id reached the venue twice and no fill was lost: the engine's recorded
 * fills are exactly the venue's trades of its orders.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { dec } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import type { Database } from '../../actors/store/database.js';
import { FillsRepo } from '../../actors/store/fills.repo.js';
import { nearestLevel } from '../../machines/grid-lattice.js';
import {
  agreedState,
  DATABASE_CASES,
  duplicateClientOrderIds,
  engineScene,
  eventually,
  kill,
  withTimeout,
  type AgreedState,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';
import { fillLine, openLedgerDatabase, venueFills } from './support/venue-fills.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 30_000;
const LATTICE = { anchorPrice: '100000', interval: '100', tickSize: '0.1' };
const LEVELS_BELOW = 3;

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker trailing grid killed while its window moves, on ${dbCase.name}`, () => {
    let ledger: Database | undefined;
    after(async () => {
      await ledger?.close();
    });
    const scene = engineScene(dbCase.kind, {
      symbols: [SYMBOL],
      symbolLines: [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 3, levels_above: 0, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000", trailing: {} }',
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

    /**
     * Waits until engine and venue agree at `price`: every window level under it that holds no
     * inventory works a buy at its level, every slot holding inventory works a close, and no
     * entry rests outside the window's keep range.
     */
    async function settled(engine: EngineProcess, v: VenueUnderTest, price: string) {
      const centre = nearestLevel(LATTICE, price);
      const window = Array.from({ length: LEVELS_BELOW }, (_, i) => centre - LEVELS_BELOW + i);
      let last: AgreedState | undefined;
      return eventually(
        async () => {
          last = await agreedState(engine, v.venue, SYMBOL);
          if (!last) return undefined;
          const byIndex = new Map(last.slots.map((s) => [s.index, s]));
          const bidding = window.every((k) => {
            const slot = byIndex.get(k);
            return slot?.order && (slot.order.side === 'BUY' || slot.position !== '0');
          });
          const closing = last.slots.every((s) => s.position === '0' || s.order?.side === 'SELL');
          const strays = last.slots.filter(
            (s) =>
              s.order?.side === 'BUY' &&
              s.position === '0' &&
              (s.index < centre - LEVELS_BELOW - 1 || s.index > centre),
          );
          return bidding && closing && strays.length === 0 ? last : undefined;
        },
        `engine and venue agree at ${price} with the window's buys in place`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}\nlast agreed state: ${JSON.stringify(last)}\n` +
            `engine output:\n${engine.output.slice(-20).join('\n')}`,
        );
      });
    }

    it('recovers from SIGKILL in the middle of a window move without a duplicate or a lost fill', async () => {
      const v = scene().venue;
      const first = await scene().fleet.start(scene().config);
      await settled(first, v, '100000');

      // The window moves up; killed as its first new buy (at 100000) reaches the venue
      const firstKill = killOnNextPlacement(v);
      v.sim.setSpotPrice(SYMBOL, '100260');
      const killedAt = await withTimeout(firstKill, WAIT_MS, 'a placement of the moved window');
      // Down again while the engine is dead: the new buy at 100000 fills unheard
      v.sim.setSpotPrice(SYMBOL, '99950');

      const second = await scene().fleet.start(scene().config);
      const afterFirst = await settled(second, v, '99950');
      // The buy placed at the kill filled unheard; the dying engine may have placed another
      // before SIGKILL landed (a loaded machine), which the drop to 99950 fills too
      assert.ok(
        dec(afterFirst.position).gte('0.001'),
        `the fill while down became inventory (${killedAt})`,
      );
      const netOf = (fills: Awaited<ReturnType<typeof venueFills>>) =>
        fills.reduce((sum, f) => sum.add(f.side === 'BUY' ? f.quantity : `-${f.quantity}`), dec(0));
      assert.ok(
        netOf(await venueFills(v, SYMBOL)).eq(afterFirst.position),
        'the position is the net of the venue fills',
      );

      // Up through that close and far enough to move the window twice; killed again
      const secondKill = killOnNextPlacement(v);
      v.sim.setSpotPrice(SYMBOL, '100350');
      const killedAgainAt = await withTimeout(
        secondKill,
        WAIT_MS,
        'a placement of the second move',
      );
      // The first new buy (100100) fills while the engine is down
      v.sim.setSpotPrice(SYMBOL, '100050');

      const third = await scene().fleet.start(scene().config);
      const recovered = await settled(third, v, '100050');
      // At least the buy placed at the kill filled unheard (the dying engine may have placed more)
      assert.ok(dec(recovered.position).gte('0.001'), `the second unheard fill (${killedAgainAt})`);

      assert.deepEqual(
        duplicateClientOrderIds(v.placements),
        [],
        `a client order id reached the venue twice: ${JSON.stringify(v.placements)}`,
      );
      const fills = await venueFills(v, SYMBOL);
      // Buys filled while the engine was down, and the close of the first in between
      assert.ok(fills.length >= 3, `fills: ${fills.map(fillLine).join('; ')}`);
      assert.ok(netOf(fills).eq(recovered.position), 'the position is the net of the venue fills');
      assert.equal(await kill(third.child, 'SIGTERM'), 0);
      ledger = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);
      const recorded = await new FillsRepo(ledger.sql).listBySymbol(SYMBOL as SymbolId);
      assert.deepEqual(
        recorded.map(fillLine).sort(),
        fills.map(fillLine).sort(),
        'every venue fill of our orders is recorded once',
      );
    });
  });
}
