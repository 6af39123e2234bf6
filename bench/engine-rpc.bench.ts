/**
 * @module bench/engine-rpc.bench
 * The engine gRPC API's read paths over the real fills ledger (embedded PGlite, as `npm start`
 * runs it) holding BENCH_RPC_FILLS fills of our orders (default 5,000) on 10 symbols:
 * - a GetFills page of 100 rows from the middle of the ledger (a cursor page), against the floor
 *   of the same keyset query made directly on the repository (no gRPC, no codec);
 * - GetRealizedPnL over every fill, against the floor of reading the fills and replaying them
 *   directly;
 * - GetOpenOrders over 10 symbols × 20 resting orders of the ledgers (memory only).
 * Calls go through a real grpc-js client on loopback; floor and API samples alternate so machine
 * noise falls on both.
 *
 * Run alone with `node --import tsx bench/engine-rpc.bench.ts`; BENCH_RPC_SAMPLES sets the samples
 * per path (default 200).
 */
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';

import { VirtualClock } from '../core/clock.js';
import { dec } from '../core/decimal.js';
import { createLogger } from '../core/logger.js';
import type { ClientOrderId, SymbolId } from '../core/types.js';
import { preTradeLimitsFromConfig } from '../actors/risk/pre-trade.js';
import { riskConfigSchema } from '../actors/risk/risk.config.js';
import { openDatabase } from '../actors/store/database.js';
import type { FillRecord } from '../actors/store/fills.repo.js';
import { OrderHistoryRepo } from '../actors/store/order-history.repo.js';
import { OrderIndexRepo, type IndexedOrder } from '../actors/store/order-index.repo.js';
import { PositionServiceClient } from '../proto/gen/opensqt/market_maker/v1/position.js';
import { AlertFeed } from '../server/rpc/alert-feed.js';
import { fillsCursor } from '../server/rpc/page-cursor.js';
import { replayFills } from '../server/rpc/position-math.js';
import { startEngineRpcServer } from '../server/rpc/rpc.server.js';
import type { LiveSymbol } from '../server/rpc/rpc.ports.js';
import { machineDescription, markdownTable, ms, percentile, type Row } from './support/stats.js';

const FILLS = Number(process.env.BENCH_RPC_FILLS ?? 5_000);
const SAMPLES = Number(process.env.BENCH_RPC_SAMPLES ?? 200);
const SYMBOLS = 10;
const RESTING = 20;
const T0 = 1_765_000_000_000;
const GOALS = { page: 10, pnl: 250, open: 5 };

function order(i: number, symbol: string, status: IndexedOrder['status']): IndexedOrder {
  return {
    clientOrderId: `osq-${symbol}-${i}` as ClientOrderId,
    venue: 'sim',
    symbol: symbol as SymbolId,
    venueOrderId: `${symbol}${i}`,
    side: i % 2 === 0 ? 'BUY' : 'SELL',
    price: `${100_000 + (i % 7) * 10}`,
    quantity: '0.001',
    filledQuantity: status === 'FILLED' ? '0.001' : '0',
    avgPrice: null,
    reduceOnly: i % 2 === 1,
    slotIndex: i % 20,
    status,
    rejectReason: null,
    revision: 2,
    updatedAtMs: T0,
  };
}

async function seed(index: OrderIndexRepo): Promise<LiveSymbol[]> {
  const batch: [IndexedOrder[], FillRecord[]] = [[], []];
  for (let i = 0; i < FILLS; i++) {
    const symbol = `SYM${i % SYMBOLS}USDT`;
    const o = order(i, symbol, 'FILLED');
    batch[0].push(o);
    batch[1].push({
      venue: 'sim',
      tradeId: `t${i}`,
      symbol: o.symbol,
      venueOrderId: o.venueOrderId ?? '',
      clientOrderId: o.clientOrderId,
      side: o.side,
      price: o.price ?? '0',
      quantity: o.quantity,
      fee: '0.02',
      feeAsset: 'USDT',
      realizedPnl: '0',
      isMaker: true,
      tsEvent: T0 + i,
    });
    if (batch[0].length === 250) {
      await index.record(batch[0], batch[1]);
      batch[0] = [];
      batch[1] = [];
    }
  }
  if (batch[0].length > 0) await index.record(batch[0], batch[1]);
  return Array.from({ length: SYMBOLS }, (_, s) => ({
    symbol: `SYM${s}USDT`,
    venue: 'sim',
    mark: dec('100050'),
    liveOrders: Array.from({ length: RESTING }, (_, i) => order(FILLS + i, `SYM${s}USDT`, 'NEW')),
    exposure: null,
    divergencePaused: false,
  }));
}

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/**
 * Runs the benchmark.
 * @returns its table rows
 */
export async function run(): Promise<Row[]> {
  const db = await openDatabase({ url: null, dataDir: 'memory://' });
  const log = createLogger('bench', 'silent');
  const clock = new VirtualClock(T0);
  const history = new OrderHistoryRepo(db.sql);
  const symbols = await seed(new OrderIndexRepo(db.sql));
  const server = await startEngineRpcServer(
    {
      ledger: { symbols: () => symbols },
      history,
      account: {
        getAccount: () => Promise.reject(new Error('not used')),
        getLatestPrice: async () => dec('100000'),
      },
      limits: {
        limits: () => preTradeLimitsFromConfig(riskConfigSchema.parse({}).limits),
        maxLeverage: () => 10,
        setLimits: null,
      },
      reconcile: { symbols: () => [], request: () => false, onReconciled: () => () => undefined },
      alerts: new AlertFeed(clock, log),
      risk: null,
      funding: null,
      clock,
      log,
    },
    { host: '127.0.0.1', port: 0, manualBreaker: 'drawdown' },
  );
  const client = new PositionServiceClient(server.address, credentials.createInsecure());
  const unary = <Res>(method: string, request: object) =>
    new Promise<Res>((resolve, reject) =>
      (
        client as unknown as Record<
          string,
          (r: object, cb: (e: Error | null, v: Res) => void) => void
        >
      )[method]!.call(client, request, (e, v) => (e ? reject(e) : resolve(v))),
    );
  try {
    // The cursor of the page in the middle of the ledger
    const middle = (
      await history.fills({
        symbols: [],
        fromMs: 0,
        toMs: 0,
        limit: Math.floor(FILLS / 2),
        after: null,
      })
    ).rows.at(-1)!;
    const half = { nextCursor: fillsCursor({ symbols: [], fromMs: 0, toMs: 0 }, middle) };
    const samples = {
      pageFloor: [] as number[],
      page: [] as number[],
      pnlFloor: [] as number[],
      pnl: [] as number[],
      open: [] as number[],
    };
    for (let i = 0; i < SAMPLES + 10; i++) {
      const warm = i < 10;
      const pageFloor = await time(() =>
        history.fills({ symbols: [], fromMs: 0, toMs: 0, limit: 100, after: middle }),
      );
      const page = await time(() =>
        unary('getFills', {
          symbols: [],
          startTime: 0n,
          endTime: 0n,
          limit: 100,
          cursor: half.nextCursor,
        }),
      );
      const pnlFloor = await time(async () => replayFills(await history.ownFills([])));
      const pnl = await time(() =>
        unary('getRealizedPnL', { symbols: [], startTime: 0n, endTime: 0n }),
      );
      const open = await time(() => unary('getOpenOrders', { symbols: [], exchanges: [] }));
      if (warm) continue;
      samples.pageFloor.push(pageFloor);
      samples.page.push(page);
      samples.pnlFloor.push(pnlFloor);
      samples.pnl.push(pnl);
      samples.open.push(open);
    }
    const row = (metric: string, api: number[], floor: number[] | null, goal: number): Row => {
      const p50 = percentile(api, 50);
      const p99 = percentile(api, 99);
      return {
        metric,
        original: '—',
        goal: `p99 ≤ ${goal} ms`,
        measured: `p50 ${ms(p50)} / p99 ${ms(p99)}`,
        ratio: floor
          ? `${(p50 / percentile(floor, 50)).toFixed(2)}x of ${ms(percentile(floor, 50))}`
          : '',
        met: p99 <= goal,
      };
    };
    return [
      row(
        `GetFills page of 100 mid-ledger (${FILLS} fills)`,
        samples.page,
        samples.pageFloor,
        GOALS.page,
      ),
      row(
        `GetRealizedPnL over ${FILLS} fills, ${SYMBOLS} symbols`,
        samples.pnl,
        samples.pnlFloor,
        GOALS.pnl,
      ),
      row(`GetOpenOrders, ${SYMBOLS} symbols × ${RESTING} resting`, samples.open, null, GOALS.open),
    ];
  } finally {
    client.close();
    await server.shutdown(0);
    await db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`engine gRPC API benchmark on ${machineDescription()}\n`);
  console.log(markdownTable(await run()));
}
