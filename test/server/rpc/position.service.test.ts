/**
 * PositionService over the real order index and fills ledger (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set), called with clients built from the contract.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, status as Status } from '@grpc/grpc-js';

import { WallClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import type { FillRecord } from '../../../actors/store/fills.repo.js';
import { OrderHistoryRepo } from '../../../actors/store/order-history.repo.js';
import { OrderIndexRepo, type IndexedOrder } from '../../../actors/store/order-index.repo.js';
import type {
  PositionServiceGetFillsResponse,
  PositionServiceGetOrderHistoryResponse,
  PositionUpdate,
} from '../../../proto/gen/opensqt/market_maker/v1/position.js';
import type { LiveSymbol } from '../../../server/rpc/rpc.ports.js';
import {
  TEST_DATABASE_KINDS,
  openTestDatabase,
  type TestDatabase,
} from '../../support/postgres.js';
import { call, eventually, failure, liveSymbol, startRpc, type Harness } from './rpc-harness.js';

const BTC = 'BTCUSDT' as SymbolId;
const ETH = 'ETHUSDT' as SymbolId;
const T0 = 1_765_000_000_000;

function order(
  id: string,
  symbol: SymbolId,
  side: 'BUY' | 'SELL',
  status: IndexedOrder['status'],
  venueId: string | null,
): IndexedOrder {
  return {
    clientOrderId: id as ClientOrderId,
    venue: 'sim',
    symbol,
    venueOrderId: venueId,
    side,
    price: side === 'BUY' ? '100' : '110',
    quantity: '1',
    filledQuantity: status === 'FILLED' ? '1' : '0',
    avgPrice: status === 'FILLED' ? (side === 'BUY' ? '100' : '110') : null,
    reduceOnly: side === 'SELL',
    slotIndex: 0,
    status,
    rejectReason: null,
    revision: 2,
    updatedAtMs: T0,
  };
}

function fill(o: IndexedOrder, tradeId: string, tsEvent: number, quantity = '1'): FillRecord {
  return {
    venue: 'sim',
    tradeId,
    symbol: o.symbol,
    venueOrderId: o.venueOrderId ?? '',
    clientOrderId: o.clientOrderId,
    side: o.side,
    price: o.price ?? '0',
    quantity,
    fee: '0.05',
    feeAsset: 'USDT',
    realizedPnl: '0',
    isMaker: true,
    tsEvent,
  };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`PositionService (${kind})`, () => {
    let db: TestDatabase;
    let index: OrderIndexRepo;
    let rpc: Harness;
    const symbols: LiveSymbol[] = [];
    const hooks: (() => unknown)[] = [];
    const buy1 = order('osq-b1', BTC, 'BUY', 'FILLED', '1001');
    const sell1 = order('osq-s1', BTC, 'SELL', 'FILLED', '1002');
    const buy2 = order('osq-b2', BTC, 'BUY', 'FILLED', '1003');
    const eth = order('osq-e1', ETH, 'BUY', 'FILLED', '2001');
    const resting = order('osq-r1', BTC, 'BUY', 'NEW', '1004');
    const cancelled = order('osq-c1', BTC, 'BUY', 'CANCELED', '1005');

    before(async () => {
      db = await openTestDatabase(kind);
      index = new OrderIndexRepo(db.sql);
      for (const [o, fills] of [
        [buy1, [fill(buy1, 't1', T0 + 1_000)]],
        [sell1, [fill(sell1, 't2', T0 + 2_000)]],
        [buy2, [fill(buy2, 't3', T0 + 3_000, '0.4'), fill(buy2, 't4', T0 + 4_000, '0.6')]],
        [eth, [fill(eth, 't5', T0 + 5_000)]],
        [resting, []],
        [cancelled, []],
      ] as const) {
        await index.record([o], fills);
      }
      symbols.push(
        liveSymbol({
          symbol: BTC,
          mark: dec('105'),
          liveOrders: [
            resting,
            {
              ...buy2,
              status: 'SUBMITTED',
              clientOrderId: 'osq-x' as ClientOrderId,
              venueOrderId: null,
            },
          ],
        }),
      );
      rpc = await startRpc(
        { after: (fn: () => unknown) => hooks.push(fn) },
        {
          history: new OrderHistoryRepo(db.sql),
          ledger: { symbols: () => symbols },
          clock: new WallClock(),
        },
      );
    });

    after(async () => {
      for (const hook of hooks) await hook();
      await db?.close();
    });

    it('pages through every fill in execution order with cursors, without repeats', async () => {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const page = await call<object, PositionServiceGetFillsResponse>(
          rpc.clients.position,
          'getFills',
          {
            symbols: [],
            startTime: 0n,
            endTime: 0n,
            limit: 2,
            cursor,
          },
        );
        seen.push(...page.fills.map((f) => f.fillId));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== '');
      assert.deepEqual(seen, ['t1', 't2', 't3', 't4', 't5']);
      assert.equal(pages, 3);
      const first = await call<object, PositionServiceGetFillsResponse>(
        rpc.clients.position,
        'getFills',
        {
          symbols: [BTC],
          startTime: BigInt(T0 + 2_000),
          endTime: BigInt(T0 + 4_000),
          limit: 0,
          cursor: '',
        },
      );
      const f = first.fills[0]!;
      assert.deepEqual(
        first.fills.map((x) => x.fillId),
        ['t2', 't3'],
      );
      assert.deepEqual(
        [
          f.orderId,
          f.symbol,
          f.side,
          f.quantity?.value,
          f.price?.value,
          f.fee?.value,
          f.feeCurrency,
          f.filledAt,
        ],
        ['1002', BTC, 'SELL', '1', '110', '0.05', 'USDT', BigInt(T0 + 2_000) * 1_000_000n],
      );
    });

    it('refuses a cursor used with another query, naming the field', async () => {
      const page = await call<object, PositionServiceGetFillsResponse>(
        rpc.clients.position,
        'getFills',
        {
          symbols: [],
          startTime: 0n,
          endTime: 0n,
          limit: 1,
          cursor: '',
        },
      );
      const e = await failure(
        call(rpc.clients.position, 'getFills', {
          symbols: [BTC],
          startTime: 0n,
          endTime: 0n,
          limit: 1,
          cursor: page.nextCursor,
        }),
      );
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.match(e.details, /^cursor: .*start again/);
      const other = await failure(
        call(rpc.clients.position, 'getOrderHistory', {
          symbols: [],
          startTime: 0n,
          endTime: 0n,
          limit: 1,
          cursor: page.nextCursor,
        }),
      );
      assert.match(other.details, /^cursor: was issued by GetFills/);
    });

    it('pages the order history by creation time and answers one order with its fills by either id', async () => {
      const ids: string[] = [];
      let cursor = '';
      do {
        const page = await call<object, PositionServiceGetOrderHistoryResponse>(
          rpc.clients.position,
          'getOrderHistory',
          {
            symbols: [BTC],
            startTime: 0n,
            endTime: 0n,
            limit: 4,
            cursor,
          },
        );
        ids.push(...page.orders.map((o) => o.clientOrderId));
        cursor = page.nextCursor;
      } while (cursor !== '');
      assert.deepEqual(ids, ['osq-b1', 'osq-s1', 'osq-b2', 'osq-r1', 'osq-c1']);

      const byClient = await call<
        object,
        {
          order: { status: number; executedQty: { value: string }; orderId: bigint };
          fills: { fillId: string }[];
        }
      >(rpc.clients.position, 'getOrder', { orderId: 'osq-b2' });
      assert.deepEqual(
        byClient.fills.map((f) => f.fillId),
        ['t3', 't4'],
      );
      assert.deepEqual(
        [byClient.order.status, byClient.order.executedQty.value, byClient.order.orderId],
        [3, '1', 1003n],
      );
      const byVenue = await call<object, { order: { clientOrderId: string } }>(
        rpc.clients.position,
        'getOrder',
        { orderId: '1002' },
      );
      assert.equal(byVenue.order.clientOrderId, 'osq-s1');
      const missing = await failure(call(rpc.clients.position, 'getOrder', { orderId: 'nope' }));
      assert.equal(missing.code, Status.NOT_FOUND);
      assert.match(missing.details, /^order_id: /);
    });

    it('answers positions, realized and unrealized PnL replayed from the fills, at the engine mark', async () => {
      const { positions } = await call<
        object,
        {
          positions: {
            symbol: string;
            quantity: { value: string };
            entryPrice?: { value: string };
            currentPrice?: { value: string };
            unrealizedPnl?: { value: string };
            realizedPnl: { value: string };
            exchange: string;
          }[];
        }
      >(rpc.clients.position, 'getPositions', { symbols: [], exchanges: [] });
      const btc = positions.find((p) => p.symbol === BTC)!;
      assert.deepEqual(
        [
          btc.exchange,
          btc.quantity.value,
          btc.entryPrice?.value,
          btc.currentPrice?.value,
          btc.unrealizedPnl?.value,
          btc.realizedPnl.value,
        ],
        ['sim', '1', '100', '105', '5', '9.8'],
      );
      const ethPosition = positions.find((p) => p.symbol === ETH)!;
      assert.equal(ethPosition.currentPrice, undefined, 'no mark known: absent, not zero');

      const pnl = await call<
        object,
        {
          totalPnl: { value: string };
          bySymbol: {
            symbol: string;
            realizedPnl: { value: string };
            numTrades: number;
            winningTrades: number;
            winRate: string;
          }[];
        }
      >(rpc.clients.position, 'getRealizedPnL', { symbols: [BTC], startTime: 0n, endTime: 0n });
      assert.deepEqual(
        [
          pnl.totalPnl.value,
          pnl.bySymbol[0]?.numTrades,
          pnl.bySymbol[0]?.winningTrades,
          pnl.bySymbol[0]?.winRate,
        ],
        ['9.8', 1, 1, '1'],
      );
      const later = await call<object, { totalPnl: { value: string } }>(
        rpc.clients.position,
        'getRealizedPnL',
        { symbols: [BTC], startTime: BigInt(T0 + 2_500), endTime: 0n },
      );
      assert.equal(later.totalPnl.value, '-0.1', 'only the fees of the fills in range');

      const unrealized = await call<
        object,
        { totalPnl: { value: string }; positions: { symbol: string; pnlPercentage: string }[] }
      >(rpc.clients.position, 'getUnrealizedPnL', { symbols: [] });
      // BTC at the engine mark 105, ETH at the venue's latest price (the fake says 100)
      assert.equal(unrealized.totalPnl.value, '5');
      assert.deepEqual(unrealized.positions.map((p) => p.pnlPercentage).sort(), ['0', '5']);

      const history = await call<
        object,
        { snapshots: { quantity: { value: string }; timestamp: bigint }[] }
      >(rpc.clients.position, 'getPositionHistory', {
        symbol: BTC,
        startTime: BigInt(T0 + 2_000),
        endTime: 0n,
      });
      assert.deepEqual(
        history.snapshots.map((s) => s.quantity.value),
        ['0', '0.4', '1'],
      );
    });

    it('lists the open orders the ledger holds, not in-flight or final ones, and one position with them', async () => {
      const { orders } = await call<
        object,
        { orders: { clientOrderId: string; status: number }[] }
      >(rpc.clients.position, 'getOpenOrders', { symbols: [], exchanges: [] });
      assert.deepEqual(
        orders.map((o) => [o.clientOrderId, o.status]),
        [['osq-r1', 1]],
      );
      const one = await call<
        object,
        { position: { quantity: { value: string } }; openOrders: unknown[] }
      >(rpc.clients.position, 'getPosition', { symbol: BTC, exchange: '' });
      assert.deepEqual([one.position.quantity.value, one.openOrders.length], ['1', 1]);
      const none = await failure(
        call(rpc.clients.position, 'getPosition', { symbol: 'XRPUSDT', exchange: '' }),
      );
      assert.equal(none.code, Status.NOT_FOUND);
    });

    it('refuses bad requests with INVALID_ARGUMENT naming the field and the fix', async () => {
      const cases: [string, object, RegExp][] = [
        [
          'getFills',
          { symbols: ['BTC USDT'], startTime: 0n, endTime: 0n, limit: 0, cursor: '' },
          /^symbols\[0\]: /,
        ],
        [
          'getFills',
          { symbols: [], startTime: 0n, endTime: 0n, limit: 5000, cursor: '' },
          /^limit: must be 0 .* to 1000, was 5000/,
        ],
        [
          'getFills',
          { symbols: [], startTime: BigInt(T0) * 1_000_000n, endTime: 0n, limit: 0, cursor: '' },
          /^start_time: .*nanoseconds/,
        ],
        [
          'getOrderHistory',
          { symbols: [], startTime: 20n, endTime: 10n, limit: 0, cursor: '' },
          /^end_time: must be after start_time/,
        ],
        ['getOrder', { orderId: 'x'.repeat(200) }, /^order_id: /],
        ['getOrder', { orderId: '' }, /^order_id: is required/],
        ['getPositions', { symbols: [], exchanges: ['sim venue'] }, /^exchanges\[0\]: /],
        ['getPositionHistory', { symbol: '', startTime: 0n, endTime: 0n }, /^symbol: is required/],
        [
          'getRealizedPnL',
          { symbols: Array.from({ length: 201 }, () => BTC), startTime: 0n, endTime: 0n },
          /^symbols: 201 symbols/,
        ],
      ];
      for (const [method, request, pattern] of cases) {
        const e = await failure(call(rpc.clients.position, method, request));
        assert.equal(e.code, Status.INVALID_ARGUMENT, method);
        assert.match(e.details, pattern, method);
      }
    });

    it('refuses bytes that are not a message of the method', async () => {
      const raw = new Client(rpc.address, credentials.createInsecure());
      const e = await failure(
        new Promise((resolve, reject) =>
          raw.makeUnaryRequest(
            '/opensqt.market_maker.v1.PositionService/GetFills',
            (b: Buffer) => b,
            (b: Buffer) => b,
            Buffer.from([0x0a, 0x7f, 0x01]),
            (error, value) => (error ? reject(error) : resolve(value)),
          ),
        ),
      );
      raw.close();
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.match(e.details, /^request: /);
    });

    it('streams the current positions, then a change when a fill of ours is recorded', async () => {
      const stream = rpc.clients.position.subscribePositions({ symbols: [BTC] });
      const updates: PositionUpdate[] = [];
      stream.on('data', (u: PositionUpdate) => updates.push(u));
      stream.on('error', () => undefined);
      await eventually(() => updates.length >= 1, 'the snapshot');
      assert.deepEqual(
        [updates[0]?.updateType, updates[0]?.position?.quantity?.value],
        ['snapshot', '1'],
      );
      // Let the feed learn where now is before the fill lands
      await new Promise((r) => setTimeout(r, 100));
      const sell2 = order('osq-s2', BTC, 'SELL', 'FILLED', '1006');
      await index.record([sell2], [fill(sell2, 't6', T0 + 6_000)]);
      const update = await eventually(
        () => updates.find((u) => u.updateType === 'fill'),
        'the fill update',
      );
      assert.deepEqual(
        [
          update.position?.quantity?.value,
          update.position?.realizedPnl?.value,
          update.triggerOrder?.clientOrderId,
        ],
        ['0', '19.75', 'osq-s2'],
      );
      stream.cancel();
    });
  });
}
