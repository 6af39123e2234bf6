/**
 * The engine gRPC API over a real engine trading a grid on the simulated venue (PGlite, and
 * PostgreSQL when TEST_DATABASE_URL is set): after a round trip, GetFills, GetPositions,
 * GetRealizedPnL and GetOpenOrders equal what the venue says, and a triggered reconciliation
 * runs through the symbol's reconcile job and finds the position matching.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentials } from '@grpc/grpc-js';

import { engineConfigSchema } from '../../../actors/engine/engine.config.js';
import { startEngine } from '../../../actors/engine/engine.js';
import { VirtualClock } from '../../../core/clock.js';
import { ZERO, toPlain } from '../../../core/decimal.js';
import type { Trade } from '../../../core/exchange.types.js';
import { createSimulatedVenue } from '../../../connector/venues/sim/index.js';
import { PositionServiceClient } from '../../../proto/gen/opensqt/market_maker/v1/position.js';
import type {
  Fill,
  PositionData,
  PositionServiceGetRealizedPnLResponse,
} from '../../../proto/gen/opensqt/market_maker/v1/position.js';
import { RiskServiceClient } from '../../../proto/gen/opensqt/market_maker/v1/risk.js';
import { bindEngineRpc } from '../../../server/rpc/rpc.adapters.js';
import { startEngineRpcServer } from '../../../server/rpc/rpc.server.js';
import { TEST_DATABASE_KINDS, openTestDatabase } from '../../support/postgres.js';
import { call, eventually, silent } from './rpc-harness.js';

const BTC = 'BTCUSDT';
const GRID = {
  levels_below: 2,
  levels_above: 0,
  interval: '100',
  order_quantity: '0.001',
  mode: 'long',
  anchor_price: '100000',
};

for (const kind of TEST_DATABASE_KINDS) {
  describe(`engine gRPC API over a trading engine (${kind})`, () => {
    it('answers fills, positions, realized PnL and open orders as the venue has them', async (t) => {
      const sim = createSimulatedVenue(
        {
          symbols: [BTC],
          price: { volatilityPerYear: 0, jumpProbability: 0, basisVolatilityBps: 0 },
        },
        new VirtualClock(),
      );
      t.after(() => sim.close());
      const db = await openTestDatabase(kind);
      t.after(() => db.close());
      const venue = sim.exchange('futures');
      const clock = new VirtualClock(Date.now());
      const config = engineConfigSchema.parse({ symbols: [{ symbol: BTC, grid: GRID }] });
      const engine = await startEngine({ config, exchange: venue, db, clock, log: silent });
      t.after(() => engine.stop());
      const { deps, detach } = bindEngineRpc({
        engine,
        exchange: venue,
        sql: db.sql,
        risk: config.risk,
        clock,
        log: silent,
      });
      t.after(detach);
      const server = await startEngineRpcServer(deps, {
        host: '127.0.0.1',
        port: 0,
        manualBreaker: 'drawdown',
      });
      t.after(() => server.shutdown(0));
      const position = new PositionServiceClient(server.address, credentials.createInsecure());
      const risk = new RiskServiceClient(server.address, credentials.createInsecure());
      t.after(() => {
        position.close();
        risk.close();
      });

      const openAtVenue = async () => (await venue.getOpenOrders(BTC)).map((o) => o.clientOrderId);
      await eventually(async () => (await openAtVenue()).length === 2, 'two resting buys');
      // Down through the upper buy, then up through its close one interval higher
      sim.setSpotPrice(BTC, '99880');
      await eventually(
        async () => (await venue.getOpenOrders(BTC)).some((o) => o.side === 'SELL'),
        'the close resting',
      );
      sim.setSpotPrice(BTC, '100050');
      const fills = await eventually(async () => {
        const page = await call<object, { fills: Fill[] }>(position, 'getFills', {
          symbols: [BTC],
          startTime: 0n,
          endTime: 0n,
          limit: 0,
          cursor: '',
        });
        return page.fills.length >= 2 && page.fills;
      }, 'both fills in the ledger');

      // Fills: the venue's trades of the orders they name, one for one
      const venueTrades: Trade[] = [];
      for (const orderId of new Set(fills.map((f) => f.orderId))) {
        const clientOrderId = (
          await call<object, { order: { clientOrderId: string } }>(position, 'getOrder', {
            orderId,
          })
        ).order.clientOrderId;
        const order = await venue.getOrder({ symbol: BTC, orderId, clientOrderId });
        venueTrades.push(...order.trades);
      }
      const key = (id: string, qty: string, price: string, fee: string) =>
        `${id} ${qty}@${price} fee ${fee}`;
      assert.deepEqual(
        fills.map((f) => key(f.fillId, f.quantity!.value, f.price!.value, f.fee!.value)).sort(),
        venueTrades
          .map((tr) => key(tr.tradeId, toPlain(tr.quantity), toPlain(tr.price), toPlain(tr.fee)))
          .sort(),
      );

      // Positions: the venue's position of the symbol (flat after the round trip, or what is held)
      const venueSize = (await venue.getPositions(BTC)).reduce((sum, p) => sum.add(p.size), ZERO);
      const { positions } = await call<object, { positions: PositionData[] }>(
        position,
        'getPositions',
        {
          symbols: [BTC],
          exchanges: [],
        },
      );
      assert.equal(positions.length, 1);
      assert.equal(positions[0]?.quantity?.value, toPlain(venueSize));

      // Realized PnL: the venue's realized PnL of those trades, less their fees
      const expected = venueTrades.reduce((sum, tr) => sum.add(tr.realizedPnl).sub(tr.fee), ZERO);
      const pnl = await call<object, PositionServiceGetRealizedPnLResponse>(
        position,
        'getRealizedPnL',
        {
          symbols: [BTC],
          startTime: 0n,
          endTime: 0n,
        },
      );
      assert.equal(pnl.totalPnl?.value, toPlain(expected));
      assert.ok(expected.gt(0), 'a grid round trip earns the interval less fees');

      // Open orders: the engine's ledger agrees with the venue
      const open = await eventually(async () => {
        const atVenue = (await openAtVenue()).sort();
        const { orders } = await call<object, { orders: { clientOrderId: string }[] }>(
          position,
          'getOpenOrders',
          { symbols: [], exchanges: [] },
        );
        const ours = orders.map((o) => o.clientOrderId).sort();
        return JSON.stringify(ours) === JSON.stringify(atVenue) && ours;
      }, 'the ledger to agree with the venue');
      assert.ok(open.length > 0);

      // A reconciliation asked over gRPC runs through the symbol's job
      const started = await call<object, { reconciliationId: string }>(
        risk,
        'triggerReconciliation',
        {
          symbol: BTC,
        },
      );
      const done = await eventually(async () => {
        const status = await call<
          object,
          { status: string; results: { positionMatch: boolean }[] }
        >(risk, 'getReconciliationStatus', { reconciliationId: started.reconciliationId });
        return status.status === 'completed' && status;
      }, 'the manual reconciliation');
      assert.deepEqual(
        done.results.map((r) => r.positionMatch),
        [true],
      );
    });
  });
}
