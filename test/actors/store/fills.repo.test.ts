/**
 * FillsRepo: idempotent appends and decimal-exact totals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { fillFromTrade, FillsRepo, type FillRecord } from '../../../actors/store/fills.repo.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const symbol = 'BTCUSDT' as SymbolId;

function fill(tradeId: string, overrides: Partial<FillRecord> = {}): FillRecord {
  return {
    venue: 'sim',
    tradeId,
    symbol,
    venueOrderId: `o-${tradeId}`,
    clientOrderId: 'osq0RZ7BL4bp1g1' as ClientOrderId,
    side: 'BUY',
    price: '0.1',
    quantity: '0.2',
    fee: '0.0001',
    feeAsset: 'USDT',
    realizedPnl: '0',
    isMaker: true,
    tsEvent: 1_700_000_000_000,
    ...overrides,
  };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`FillsRepo (${kind})`, () => {
    let db: TestDatabase;
    let repo: FillsRepo;

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new FillsRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    it('records a trade once: a replayed trade id is a no-op', async () => {
      const first = await repo.append(fill('t1'));
      const replay = await repo.append(fill('t1', { price: '999' }));
      const otherVenue = await repo.append(
        fill('t1', { venue: 'binance', tsEvent: 1_700_000_000_001 }),
      );

      assert.deepEqual([first, replay, otherVenue], [true, false, true]);
      const stored = await repo.listBySymbol(symbol);
      assert.deepEqual(
        stored.map((f) => [f.venue, f.tradeId, f.price]),
        [
          ['sim', 't1', '0.1'],
          ['binance', 't1', '0.1'],
        ],
      );
    });

    it('sums amounts exactly where floats would not', async () => {
      const eth = 'ETHUSDT' as SymbolId;
      // 0.1 + 0.2 is 0.30000000000000004 in floats; ten buys of 0.1 @ 0.1 are not 0.1 in floats
      for (let i = 0; i < 10; i++) {
        await repo.append(
          fill(`b${i}`, { symbol: eth, price: '0.1', quantity: '0.1', tsEvent: i }),
        );
      }
      await repo.append(
        fill('s1', {
          symbol: eth,
          side: 'SELL',
          price: '0.3',
          quantity: '0.3',
          fee: '0.00000001',
          feeAsset: 'BNB',
          realizedPnl: '0.02',
          tsEvent: 20,
        }),
      );
      await repo.append(
        fill('s2', {
          symbol: eth,
          side: 'SELL',
          price: '0.2',
          quantity: '0.2',
          realizedPnl: '0.01',
          tsEvent: 21,
        }),
      );

      const totals = await repo.totals(eth);

      assert.deepEqual(totals, {
        symbol: eth,
        fills: 12,
        boughtQuantity: '1',
        soldQuantity: '0.5',
        boughtNotional: '0.1',
        soldNotional: '0.13',
        netQuantity: '0.5',
        netNotional: '0.03',
        fees: { USDT: '0.0011', BNB: '0.00000001' },
        realizedPnl: '0.03',
      });
    });

    it('lists fills in execution order from a start time', async () => {
      const sol = 'SOLUSDT' as SymbolId;
      await repo.append(fill('late', { symbol: sol, tsEvent: 300 }));
      await repo.append(fill('early', { symbol: sol, tsEvent: 100 }));
      await repo.append(fill('middle', { symbol: sol, tsEvent: 200 }));

      const fromMiddle = await repo.listBySymbol(sol, 200);

      assert.deepEqual(
        fromMiddle.map((f) => f.tradeId),
        ['middle', 'late'],
      );
    });

    it('refuses amounts that are not finite decimals', async () => {
      await assert.rejects(repo.append(fill('nan', { price: 'NaN' })), /not a finite decimal/);
      await assert.rejects(repo.append(fill('inf', { fee: 'Infinity' })), /not a finite decimal/);
    });

    it('builds a ledger record from a venue trade', () => {
      const record = fillFromTrade(
        'sim',
        {
          tradeId: '42',
          orderId: '7',
          symbol: 'BTCUSDT',
          side: 'SELL',
          price: dec('60600.10'),
          quantity: dec('0.00100'),
          fee: dec('0.0606001'),
          feeAsset: 'USDT',
          isMaker: true,
          realizedPnl: dec('0.6'),
          timeMs: 1_700_000_000_500,
        },
        null,
      );

      assert.deepEqual(record, {
        venue: 'sim',
        tradeId: '42',
        symbol: 'BTCUSDT',
        venueOrderId: '7',
        clientOrderId: null,
        side: 'SELL',
        price: '60600.1',
        quantity: '0.001',
        fee: '0.0606001',
        feeAsset: 'USDT',
        realizedPnl: '0.6',
        isMaker: true,
        tsEvent: 1_700_000_000_500,
      });
    });
  });
}
