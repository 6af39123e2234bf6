/**
 * End to end, normal trading: a real connector (gRPC, in this process) over the simulated venue,
 * and the market-maker process on a real database (the embedded PGlite, and a fresh PostgreSQL
 * database when TEST_DATABASE_URL is set). The simulated price walks down through two buy levels
 * and back up through their sell levels, one deterministic step at a time. At every checkpoint
 * the engine's working orders must be the venue's open orders and its inventory the venue's
 * position: each filled buy is closed by a sell one interval up, each filled sell reopens its
 * slot's buy; and its order ledger (and, on PostgreSQL, the order index read from the database
 * while it runs) must equal the venue for every order ever placed: status, fill and venue id.
 * Afterwards the fills the engine recorded in its database (the fills ledger) must be exactly
 * the venue's own trades of our orders, realized PnL must agree, as decimals, and the persisted
 * order index must equal the venue for every order.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { dec, toPlain, ZERO } from '../../core/decimal.js';
import type { SymbolId } from '../../core/types.js';
import type { Database } from '../../actors/store/database.js';
import { FillsRepo, type FillRecord } from '../../actors/store/fills.repo.js';
import { OrderIndexRepo } from '../../actors/store/order-index.repo.js';
import {
  agreedState,
  DATABASE_CASES,
  engineScene,
  eventually,
  indexAgainstVenue,
  kill,
  ledgerOrders,
  sidesAndPrices,
  type AgreedState,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';
import { fillLine, openLedgerDatabase, venueFills } from './support/venue-fills.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 20_000;

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker trading a price path on ${dbCase.name}`, () => {
    let ledger: Database | undefined;
    /** The engine's own database while it runs (PostgreSQL only: PGlite is the engine's alone). */
    let live: Database | undefined;
    after(async () => {
      await ledger?.close();
      await live?.close();
    });
    const scene = engineScene(dbCase.kind, {
      symbols: [SYMBOL],
      symbolLines: [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 3, levels_above: 0, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
      ],
    });

    /** Waits until engine and venue agree on exactly `orders` ("SIDE price") and `position`. */
    async function checkpoint(
      engine: EngineProcess,
      v: VenueUnderTest,
      what: string,
      orders: readonly string[],
      position: string,
    ): Promise<AgreedState> {
      const expected = [...orders].sort().join();
      return eventually(
        async () => {
          const state = await agreedState(engine, v.venue, SYMBOL);
          if (!state) return undefined;
          const same = sidesAndPrices(state.orders).join() === expected;
          return same && dec(state.position).eq(position) ? state : undefined;
        },
        `${what}: engine and venue agree on [${expected}] and position ${position}`,
        WAIT_MS,
      ).catch(async (e: Error) => {
        const seen = await agreedState(engine, v.venue, SYMBOL).catch(() => undefined);
        throw new Error(
          `${e.message}\nlast agreed state: ${JSON.stringify(seen)}\n` +
            `engine output:\n${engine.output.slice(-20).join('\n')}`,
        );
      });
    }

    /** Waits until the ledger, and the persisted index where readable, equal the venue. */
    async function indexEqualsVenue(engine: EngineProcess, v: VenueUnderTest, what: string) {
      let problems: string[] = [];
      await eventually(
        async () => {
          problems = await indexAgainstVenue(
            await ledgerOrders(engine, SYMBOL),
            v.venue,
            SYMBOL,
            v.placements,
          );
          if (live) {
            const stored = await new OrderIndexRepo(live.sql).all(SYMBOL as SymbolId);
            problems.push(...(await indexAgainstVenue(stored, v.venue, SYMBOL, v.placements)));
          }
          return problems.length === 0;
        },
        `${what}: order index = venue for every order`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${problems.join('\n')}`);
      });
    }

    /** "index state side price" of every slot that holds inventory or an order, by index. */
    function slotLines(state: AgreedState): string[] {
      return [...state.slots]
        .sort((a, b) => a.index - b.index)
        .map((s) => `${s.index} ${s.state} ${s.position} ${s.order?.side} ${s.order?.price}`);
    }

    it('closes each filled buy one interval up and reopens the buy when the sell fills', async () => {
      const v = scene().venue;
      const engine = await scene().fleet.start(scene().config);
      if (dbCase.kind === 'postgres')
        live = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);

      const start = await checkpoint(
        engine,
        v,
        'at start',
        ['BUY 99700', 'BUY 99800', 'BUY 99900'],
        '0',
      );
      await indexEqualsVenue(engine, v, 'at start');
      assert.deepEqual(slotLines(start), [
        '-3 opening.resting 0 BUY 99700',
        '-2 opening.resting 0 BUY 99800',
        '-1 opening.resting 0 BUY 99900',
      ]);

      // Down through the first buy level: its slot now holds 0.001 and sells it 100 higher
      v.sim.setSpotPrice(SYMBOL, '99850');
      const down1 = await checkpoint(
        engine,
        v,
        'after 99850',
        ['BUY 99700', 'BUY 99800', 'SELL 100000'],
        '0.001',
      );
      await indexEqualsVenue(engine, v, 'after 99850');
      assert.deepEqual(slotLines(down1), [
        '-3 opening.resting 0 BUY 99700',
        '-2 opening.resting 0 BUY 99800',
        '-1 closing.resting 0.001 SELL 100000',
      ]);

      // Through the second
      v.sim.setSpotPrice(SYMBOL, '99750');
      const down2 = await checkpoint(
        engine,
        v,
        'after 99750',
        ['BUY 99700', 'SELL 99900', 'SELL 100000'],
        '0.002',
      );
      await indexEqualsVenue(engine, v, 'after 99750');
      assert.deepEqual(slotLines(down2), [
        '-3 opening.resting 0 BUY 99700',
        '-2 closing.resting 0.001 SELL 99900',
        '-1 closing.resting 0.001 SELL 100000',
      ]);

      // Back up through the lower sell: that slot is flat and bids again
      v.sim.setSpotPrice(SYMBOL, '99950');
      const up1 = await checkpoint(
        engine,
        v,
        'after 99950',
        ['BUY 99700', 'BUY 99800', 'SELL 100000'],
        '0.001',
      );
      await indexEqualsVenue(engine, v, 'after 99950');
      assert.deepEqual(slotLines(up1), [
        '-3 opening.resting 0 BUY 99700',
        '-2 opening.resting 0 BUY 99800',
        '-1 closing.resting 0.001 SELL 100000',
      ]);

      // And through the upper one: the grid is back where it started, flat
      v.sim.setSpotPrice(SYMBOL, '100050');
      const up2 = await checkpoint(
        engine,
        v,
        'after 100050',
        ['BUY 99700', 'BUY 99800', 'BUY 99900'],
        '0',
      );
      await indexEqualsVenue(engine, v, 'after 100050');
      assert.deepEqual(slotLines(up2), slotLines(start));
      // The reopened buys are new orders, not the filled ones
      assert.notDeepEqual(up2.orders, start.orders);

      // The venue's own trades of every order we placed
      const onVenue = await venueFills(v, SYMBOL);
      const venueSorted = onVenue.map(fillLine).sort();
      assert.deepEqual(
        onVenue.map((f) => `${f.side} ${toPlain(dec(f.price))} ${toPlain(dec(f.quantity))}`).sort(),
        ['BUY 99800 0.001', 'BUY 99900 0.001', 'SELL 100000 0.001', 'SELL 99900 0.001'],
      );
      const venuePnl = onVenue.reduce((sum, f) => sum.add(dec(f.realizedPnl)), ZERO);

      // The engine stops cleanly; its ledger is read from its own database
      assert.equal(await kill(engine.child, 'SIGTERM'), 0);
      ledger = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);
      const fills = new FillsRepo(ledger.sql);
      const recorded: FillRecord[] = await fills.listBySymbol(SYMBOL as SymbolId);
      assert.deepEqual(recorded.map(fillLine).sort(), venueSorted, 'ledger = venue trades');
      const persisted = await new OrderIndexRepo(ledger.sql).all(SYMBOL as SymbolId);
      assert.deepEqual(
        await indexAgainstVenue(persisted, v.venue, SYMBOL, v.placements),
        [],
        'the persisted order index equals the venue for every order',
      );
      assert.equal(persisted.length, new Set(v.placements.map((p) => p.clientOrderId)).size);
      const totals = await fills.totals(SYMBOL as SymbolId);
      assert.equal(totals.fills, 4);
      assert.equal(totals.netQuantity, '0');
      assert.equal(totals.realizedPnl, toPlain(venuePnl), 'realized PnL agrees with the venue');
      const venueFees = onVenue.reduce((sum, f) => sum.add(dec(f.fee)), ZERO);
      assert.deepEqual(totals.fees, { USDT: toPlain(venueFees) }, 'fees agree with the venue');
      // Two round trips of 0.001 one interval (100) apart: 0.2 gross, before fees; back flat,
      // the venue's realized PnL is all of it
      assert.equal(totals.netNotional, '0.2');
      assert.equal(toPlain(venuePnl), '0.2');
    });
  });
}
