/**
 * End to end, a crash loop: the market-maker process (on the embedded PGlite, and on PostgreSQL
 * when TEST_DATABASE_URL is set) trading a price path over a real connector and the simulated
 * venue is SIGKILLed again and again: every other kill the moment the venue accepts a placement
 * (before the reply reaches the engine), the others a random moment after a price move set fills
 * and closes going. After every restart the engine must agree with the venue (working orders =
 * open orders, grid position = venue position) and its order ledger must equal the venue for
 * every order ever placed. At the end: no client order id ever reached the venue twice, no fill
 * lost (the fills ledger holds exactly the venue's trades of our orders), the persisted order
 * index equals the venue for every order, and no slot had more than 5 placements refused within
 * any 10 s. CRASH_LOOP_KILLS sets the number of kills (default 4; run it with 20+ once in a while).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { Database } from '../../actors/store/database.js';
import { FillsRepo } from '../../actors/store/fills.repo.js';
import { OrderIndexRepo } from '../../actors/store/order-index.repo.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import type { SymbolId } from '../../core/types.js';
import { parseClientOrderId } from '../../machines/client-order-id.js';
import {
  agreedState,
  DATABASE_CASES,
  engineScene,
  duplicateClientOrderIds,
  eventually,
  indexAgainstVenue,
  kill,
  ledgerOrders,
  withTimeout,
  type AgreedState,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';
import { openLedgerDatabase } from './support/venue-fills.js';

const SYMBOL = 'BTCUSDT';
const KILLS = Number(process.env.CRASH_LOOP_KILLS ?? 4);
const WAIT_MS = 45_000;
/**
 * Each move crosses levels the one before did not (below the buys, above the sells, in turn), so
 * every move fills orders and makes the engine place new ones.
 */
const PRICES = ['99650', '100150', '99750', '100250', '99550', '100050'];

/** A refused placement, when and for which slot. */
interface Refusal {
  readonly slot: number | null;
  readonly atMs: number;
}

/** Records every refused placement with its time, then passes the refusal on. */
function recordingRefusals(refusals: Refusal[]) {
  return (venue: Exchange): Exchange =>
    new Proxy(venue, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'placeOrder')
          return typeof value === 'function' ? value.bind(target) : value;
        return async (request: PlaceOrderRequest): Promise<Order> => {
          try {
            return await target.placeOrder(request);
          } catch (e) {
            const slot = parseClientOrderId(request.clientOrderId ?? '')?.slotIndex ?? null;
            refusals.push({ slot, atMs: Date.now() });
            throw e;
          }
        };
      },
    });
}

/** The most refusals any one slot had within a 10 s window. */
function worstRefusalBurst(refusals: readonly Refusal[]): number {
  let worst = 0;
  for (const first of refusals) {
    const burst = refusals.filter(
      (r) => r.slot === first.slot && r.atMs >= first.atMs && r.atMs - first.atMs < 10_000,
    ).length;
    worst = Math.max(worst, burst);
  }
  return worst;
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker crash loop on ${dbCase.name}`, () => {
    let stored: Database | undefined;
    /** The engine's own database while it runs (PostgreSQL only: PGlite is the engine's alone). */
    let live: Database | undefined;
    const refusals: Refusal[] = [];
    after(async () => {
      await stored?.close();
      await live?.close();
    });
    const scene = engineScene(dbCase.kind, {
      symbols: [SYMBOL],
      venue: { wrap: recordingRefusals(refusals) },
      symbolLines: [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 3, levels_above: 1, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
      ],
    });

    /** Waits until engine and venue agree and the ledger equals the venue for every order. */
    async function agreed(engine: EngineProcess, v: VenueUnderTest, what: string) {
      let problems: string[] = [];
      return eventually(
        async () => {
          const state: AgreedState | undefined = await agreedState(engine, v.venue, SYMBOL);
          if (!state) return undefined;
          // /status lists the ledger's live orders and only its latest final ones
          problems = await indexAgainstVenue(
            await ledgerOrders(engine, SYMBOL),
            v.venue,
            SYMBOL,
            v.placements,
            { partial: true },
          );
          if (live) {
            const index = await new OrderIndexRepo(live.sql).all(SYMBOL as SymbolId);
            problems.push(...(await indexAgainstVenue(index, v.venue, SYMBOL, v.placements)));
          }
          return problems.length === 0 ? state : undefined;
        },
        `${what}: engine = venue, order ledger = venue for every order`,
        WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}\n${problems.join('\n')}\nengine output:\n${engine.output.slice(-25).join('\n')}`,
        );
      });
    }

    it(`survives ${KILLS} SIGKILLs, half the moment the venue accepts a placement`, async (t) => {
      const v = scene().venue;
      if (dbCase.kind === 'postgres')
        live = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);
      let placementKills = 0;
      for (let round = 0; round < KILLS; round++) {
        const engine = await scene().fleet.start(scene().config);
        await agreed(engine, v, `after restart ${round}`);
        const price = PRICES[round % PRICES.length] as string;
        if (round % 2 === 0) {
          // The venue takes the next placement and the engine dies before it hears back
          const killed = new Promise<void>((resolve) => {
            v.onNextPlacement(() => void kill(engine.child, 'SIGKILL').then(() => resolve()));
          });
          v.sim.setSpotPrice(SYMBOL, price);
          await withTimeout(killed, WAIT_MS, `a placement after the move to ${price}`);
          placementKills++;
        } else {
          v.sim.setSpotPrice(SYMBOL, price);
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 400)));
          await kill(engine.child, 'SIGKILL');
        }
        assert.equal(engine.child.signalCode, 'SIGKILL');
      }

      const last = await scene().fleet.start(scene().config);
      const final = await agreed(last, v, 'after the last restart');
      assert.equal(await kill(last.child, 'SIGTERM'), 0);

      assert.equal(placementKills, Math.ceil(KILLS / 2));
      assert.deepEqual(
        duplicateClientOrderIds(v.placements),
        [],
        `a client order id reached the venue twice: ${JSON.stringify(v.placements)}`,
      );
      stored = await openLedgerDatabase(dbCase.kind, scene().dir, scene().database);
      const index = await new OrderIndexRepo(stored.sql).all(SYMBOL as SymbolId);
      assert.deepEqual(await indexAgainstVenue(index, v.venue, SYMBOL, v.placements), []);
      // No fill lost: the fills ledger holds exactly the venue's trades of our orders
      const venueTrades: string[] = [];
      for (const id of new Set(
        v.placements.filter((p) => p.accepted).map((p) => p.clientOrderId),
      )) {
        const order = await v.venue.getOrder({ symbol: SYMBOL, clientOrderId: id });
        venueTrades.push(...order.trades.map((t) => `${t.tradeId} ${id}`));
      }
      const recorded = await new FillsRepo(stored.sql).listBySymbol(SYMBOL as SymbolId);
      assert.deepEqual(
        recorded.map((f) => `${f.tradeId} ${f.clientOrderId}`).sort(),
        venueTrades.sort(),
      );
      assert.ok(venueTrades.length > 0, 'the price path filled orders');
      const burst = worstRefusalBurst(refusals);
      assert.ok(burst <= 5, `refusals: ${JSON.stringify(refusals)}`);
      assert.equal(final.orders.length > 0, true);
      t.diagnostic(
        `${KILLS} SIGKILLs (${placementKills} at an accepted placement), ${index.length} orders, ` +
          `${venueTrades.length} fills, ${refusals.length} refusals (at most ${burst} per slot ` +
          'in 10 s), no duplicate id, no fill lost, index = venue',
      );
    });
  });
}
