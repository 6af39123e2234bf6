import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { FillRecord } from '../../../actors/store/fills.repo.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import { dec } from '../../../core/decimal.js';
import {
  isQuoteFee,
  positionKey,
  replayFills,
  unrealizedPct,
  unrealizedPnl,
} from '../../../server/rpc/position-math.js';

let seq = 0;
function fill(
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  tsEvent: number,
  fee = '0',
): FillRecord {
  seq++;
  return {
    venue: 'sim',
    tradeId: `t${seq}`,
    symbol: 'BTCUSDT' as SymbolId,
    venueOrderId: `${seq}`,
    clientOrderId: `c${seq}` as ClientOrderId,
    side,
    price,
    quantity,
    fee,
    feeAsset: 'USDT',
    realizedPnl: '0',
    isMaker: true,
    tsEvent,
  };
}

const KEY = positionKey('sim', 'BTCUSDT');

describe('replayFills', () => {
  it('averages the entry of fills that add, and realizes against it on a close', () => {
    const p = replayFills([
      fill('BUY', '1', '100', 1, '0.1'),
      fill('BUY', '1', '110', 2, '0.1'),
      fill('SELL', '1', '120', 3, '0.1'),
    ]).get(KEY)!;
    assert.deepEqual(
      [p.quantity.toFixed(), p.entryPrice.toFixed(), p.realizedGross.toFixed(), p.fees.toFixed()],
      ['1', '105', '15', '0.3'],
    );
    assert.equal(p.realizedNet.toFixed(), '14.7');
    assert.deepEqual([p.closingTrades, p.wins, p.losses, p.lossStreak], [1, 1, 0, 0]);
    assert.deepEqual([p.openedAtMs, p.updatedAtMs], [1, 3]);
  });

  it('opens the rest at the fill price when a fill crosses zero, and is flat with no entry at zero', () => {
    const crossed = replayFills([fill('BUY', '1', '100', 1), fill('SELL', '3', '90', 2)]).get(KEY)!;
    assert.deepEqual(
      [crossed.quantity.toFixed(), crossed.entryPrice.toFixed(), crossed.realizedGross.toFixed()],
      ['-2', '90', '-10'],
    );
    assert.equal(crossed.openedAtMs, 2);
    const flat = replayFills([fill('SELL', '2', '90', 1), fill('BUY', '2', '80', 2)]).get(KEY)!;
    assert.deepEqual(
      [flat.quantity.toFixed(), flat.entryPrice.toFixed(), flat.openedAtMs],
      ['0', '0', 0],
    );
    assert.equal(flat.realizedGross.toFixed(), '20');
  });

  it('counts PnL only inside the range but builds the position from every fill before its end', () => {
    const fills = [
      fill('BUY', '2', '100', 10),
      fill('SELL', '1', '110', 20),
      fill('SELL', '1', '90', 30),
    ];
    const p = replayFills(fills, { fromMs: 15, toMs: 25 }).get(KEY)!;
    assert.deepEqual(
      [p.realizedGross.toFixed(), p.closingTrades, p.quantity.toFixed()],
      ['10', 1, '1'],
    );
    const all = replayFills(fills).get(KEY)!;
    assert.deepEqual(
      [all.realizedGross.toFixed(), all.wins, all.losses, all.lossStreak],
      ['0', 1, 1, 1],
    );
  });

  it('leaves fees in an asset other than the quote out of PnL', () => {
    const f = { ...fill('BUY', '1', '100', 1, '0.001'), feeAsset: 'BNB' };
    assert.equal(replayFills([f]).get(KEY)!.fees.toFixed(), '0');
    assert.equal(isQuoteFee('BTCUSDT', 'USDT'), true);
    assert.equal(isQuoteFee('BTCUSDT', 'BTC'), false);
    assert.equal(isQuoteFee('USDT', 'USDT'), false);
  });

  it('values a position at a mark, and gives no percentage when flat', () => {
    const p = replayFills([fill('SELL', '2', '100', 1)]).get(KEY)!;
    assert.equal(unrealizedPnl(p, dec('90')).toFixed(), '20');
    assert.equal(unrealizedPct(p, dec('90'))?.toFixed(), '10');
    const flat = replayFills([fill('SELL', '1', '100', 1), fill('BUY', '1', '100', 2)]).get(KEY)!;
    assert.equal(unrealizedPct(flat, dec('90')), null);
  });
});
