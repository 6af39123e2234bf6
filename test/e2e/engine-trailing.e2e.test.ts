/**
 * End to end, the trailing grid: a real connector (gRPC, in this process) over the simulated
 * venue and the market-maker process on a real database (the embedded PGlite, and a fresh
 * PostgreSQL database when TEST_DATABASE_URL is set), trading a grid with `trailing: {}`. The
 * price trends down through two windows of buys, then back up through every close and beyond
 * the start. At every checkpoint the engine's working orders are the venue's open orders and its
 * inventory the venue's position, and the buys sit in the window under the price wherever it has
 * gone; a watcher reads the venue's open orders all along and fails if a slot ever has two live
 * orders at once. Afterwards no client order id reached the venue twice, the engine's recorded
 * fills are exactly the venue's trades, and realized PnL agrees with the venue's to the decimal.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { dec, toPlain, ZERO } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import type { Database } from '../../actors/store/database.js';
import { FillsRepo } from '../../actors/store/fills.repo.js';
import { parseClientOrderId } from '../../machines/client-order-id.js';
import {
  agreedState,
  DATABASE_CASES,
  duplicateClientOrderIds,
  engineScene,
  eventually,
  kill,
  sidesAndPrices,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';
import { fillLine, openLedgerDatabase, venueFills } from './support/venue-fills.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 30_000;

/**
 * Watches the venue's open orders until stopped and records every moment a slot had two.
 * @returns stop, which resolves to the overlaps seen ("slot: id, id")
 */
function watchOverlaps(v: VenueUnderTest): () => Promise<string[]> {
  const overlaps: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const bySlot = new Map<number, string[]>();
      for (const o of await v.venue.getOpenOrders(SYMBOL)) {
        const slot = parseClientOrderId(o.clientOrderId)?.slotIndex;
        if (slot === undefined) continue;
        bySlot.set(slot, [...(bySlot.get(slot) ?? []), o.clientOrderId]);
      }
      for (const [slot, ids] of bySlot)
        if (ids.length > 1) overlaps.push(`${slot}: ${ids.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return overlaps;
  };
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker trailing grid on ${dbCase.name}`, () => {
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

    /** Waits until engine and venue agree on exactly `orders` ("SIDE price") and `position`. */
    async function checkpoint(
      engine: EngineProcess,
      v: VenueUnderTest,
      what: string,
      orders: readonly string[],
      position: string,
    ): Promise<void> {
      const expected = [...orders].sort().join();
      await eventually(
        async () => {
          const state = await agreedState(engine, v.venue, SYMBOL);
          if (!state) return undefined;
          return (
            sidesAndPrices(state.orders).join() === expected && dec(state.position).eq(position)
          );
        },
        `${what}: engine and venue agree on [${expected}] and position ${position}`,
        WAIT_MS,
      ).catch(async (e: Error) => {
        const seen = await agreedState(engine, v.venue, SYMBOL).catch(() => undefined);
        const open = sidesAndPrices(
          (await v.venue.getOpenOrders(SYMBOL)).map((o) => `${o.side} ${o.price.toFixed()}`),
        );
        throw new Error(
          `${e.message}\nlast agreed state: ${JSON.stringify(seen)}\nvenue: ${open.join()}\n` +
            `engine output:\n${engine.output.slice(-20).join('\n')}`,
        );
      });
    }

    it('keeps buying under the price as it trends down, then up, and ends flat with the venue', async () => {
      const v = scene().venue;
      const engine = await scene().fleet.start(scene().config);
      const stopWatching = watchOverlaps(v);

      await checkpoint(engine, v, 'at start', ['BUY 99700', 'BUY 99800', 'BUY 99900'], '0');

      // Down through the first window: three buys fill, their closes rest one interval up, and
      // the window follows the price down (centre 99500)
      v.sim.setSpotPrice(SYMBOL, '99450');
      await checkpoint(
        engine,
        v,
        'down to 99450',
        ['BUY 99200', 'BUY 99300', 'BUY 99400', 'SELL 100000', 'SELL 99800', 'SELL 99900'],
        '0.003',
      );

      // Down through the second window (centre 99100 rounds to 99100: buys at 98800..99000)
      v.sim.setSpotPrice(SYMBOL, '99050');
      await checkpoint(
        engine,
        v,
        'down to 99050',
        [
          'BUY 98800',
          'BUY 98900',
          'BUY 99000',
          'SELL 100000',
          'SELL 99300',
          'SELL 99400',
          'SELL 99500',
          'SELL 99800',
          'SELL 99900',
        ],
        '0.006',
      );

      // Up through the lower closes: the buys left behind are pulled, new ones bid under 99560
      v.sim.setSpotPrice(SYMBOL, '99560');
      await checkpoint(
        engine,
        v,
        'up to 99560',
        ['BUY 99300', 'BUY 99400', 'BUY 99500', 'SELL 100000', 'SELL 99800', 'SELL 99900'],
        '0.003',
      );

      // Up through every close and past the start: flat, bidding under the new price
      v.sim.setSpotPrice(SYMBOL, '100050');
      await checkpoint(engine, v, 'up to 100050', ['BUY 100000', 'BUY 99800', 'BUY 99900'], '0');

      // The window moved with the price, and the grid read the venue's book all along
      const metrics = await (await fetch(`${engine.adminUrl}/metrics`)).text();
      const sample = (name: string, labels = `symbol="${SYMBOL}"`) => {
        const line = metrics
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && l.includes(labels));
        return Number(line?.split(' ').pop() ?? 0);
      };
      assert.ok(sample('market_maker_grid_window_moves_total') >= 4, 'window moves counted');
      assert.ok(sample('market_maker_grid_entries_pulled_total') >= 6, 'pulled entries counted');
      assert.ok(
        sample('market_maker_grid_book_streams_total', 'outcome="subscribed"') >= 1,
        'book stream subscribed',
      );

      const overlaps = await stopWatching();
      assert.deepEqual(overlaps, [], 'a slot had two live orders on the venue');
      assert.deepEqual(
        duplicateClientOrderIds(v.placements),
        [],
        'a client order id was sent twice',
      );

      const fills = await venueFills(v, SYMBOL);
      assert.deepEqual(fills.map((f) => `${f.side} ${toPlain(dec(f.price))}`).sort(), [
        'BUY 99200',
        'BUY 99300',
        'BUY 99400',
        'BUY 99700',
        'BUY 99800',
        'BUY 99900',
        'SELL 100000',
        'SELL 99300',
        'SELL 99400',
        'SELL 99500',
        'SELL 99800',
        'SELL 99900',
      ]);
      const venuePnl = fills.reduce((sum, f) => sum.add(dec(f.realizedPnl)), ZERO);

      assert.equal(await kill(engine.child, 'SIGTERM'), 0);
      ledger = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);
      const repo = new FillsRepo(ledger.sql);
      const recorded = await repo.listBySymbol(SYMBOL as SymbolId);
      assert.deepEqual(recorded.map(fillLine).sort(), fills.map(fillLine).sort(), 'ledger = venue');
      const totals = await repo.totals(SYMBOL as SymbolId);
      assert.equal(totals.netQuantity, '0');
      assert.equal(totals.realizedPnl, toPlain(venuePnl), 'realized PnL agrees with the venue');
      // Six round trips of 0.001, each one interval (100) apart: 0.6 gross, before fees
      assert.equal(totals.netNotional, '0.6');
    });
  });
}
