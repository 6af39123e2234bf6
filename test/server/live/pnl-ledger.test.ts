import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Side, Trade } from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import { PnlLedger } from '../../../server/live/pnl-ledger.js';

let nextId = 1;
function fill(side: Side, quantity: string, price: string, fee = '0', feeAsset = 'USDT'): Trade {
  return {
    tradeId: String(nextId++),
    orderId: '1',
    symbol: 'BTCUSDT',
    side,
    price: dec(price),
    quantity: dec(quantity),
    fee: dec(fee),
    feeAsset,
    isMaker: true,
    realizedPnl: dec(0),
    timeMs: 0,
  };
}

function ledger(): PnlLedger {
  return new PnlLedger('USDT', 1_000);
}

describe('PnlLedger', () => {
  it('averages the entry price of fills that add to a long and realizes on the way out', () => {
    const l = ledger();
    l.apply(fill('BUY', '1', '100'));
    l.apply(fill('BUY', '3', '120'));
    l.apply(fill('SELL', '2', '130'));

    const s = l.summary();
    assert.equal(s.entryPrice.toFixed(), '115');
    assert.equal(s.size.toFixed(), '2');
    assert.equal(s.realized.toFixed(), '30');
  });

  it('realizes a short as entry minus exit', () => {
    const l = ledger();
    l.apply(fill('SELL', '0.5', '200'));
    l.apply(fill('BUY', '0.5', '180'));

    assert.equal(l.summary().realized.toFixed(), '10');
    assert.equal(l.summary().size.toFixed(), '0');
    assert.equal(l.summary().entryPrice.toFixed(), '0');
  });

  it('closes the position and opens the rest at the fill price when a fill flips it', () => {
    const l = ledger();
    l.apply(fill('BUY', '1', '100'));
    l.apply(fill('SELL', '3', '90'));

    const s = l.summary();
    assert.equal(s.realized.toFixed(), '-10');
    assert.equal(s.size.toFixed(), '-2');
    assert.equal(s.entryPrice.toFixed(), '90');
  });

  it('starts from a seeded position', () => {
    const l = ledger();
    l.seed(dec('-2'), dec('50'));
    l.apply(fill('BUY', '1', '45'));

    assert.equal(l.summary().realized.toFixed(), '5');
    assert.equal(l.summary().size.toFixed(), '-1');
  });

  it('counts fees in the quote asset only and counts buys and sells', () => {
    const l = ledger();
    l.apply(fill('BUY', '1', '100', '0.04'));
    l.apply(fill('SELL', '1', '101', '0.0404'));
    l.apply(fill('BUY', '1', '100', '0.001', 'BNB'));

    const s = l.summary();
    assert.equal(s.fees.toFixed(), '0.0804');
    assert.deepEqual([s.buys, s.sells, s.sinceMs], [2, 1, 1_000]);
  });

  it('applies a fill once, however often it is reported', () => {
    const l = ledger();
    const t = fill('BUY', '1', '100');
    assert.equal(l.apply(t), true);
    assert.equal(l.apply(t), false);

    assert.equal(l.summary().size.toFixed(), '1');
    assert.equal(l.summary().buys, 1);
  });

  it('never applies fills marked as already in the seeded position', () => {
    const l = ledger();
    const t = fill('SELL', '1', '100');
    l.markSeen([t.tradeId]);

    assert.equal(l.has(t.tradeId), true);
    assert.equal(l.apply(t), false);
    assert.equal(l.summary().sells, 0);
  });

  it('keeps exact decimals where floats would drift', () => {
    const l = ledger();
    for (let i = 0; i < 10; i++) l.apply(fill('BUY', '0.1', '0.3'));
    l.apply(fill('SELL', '1', '0.7'));

    assert.equal(l.summary().realized.toFixed(), '0.4');
    assert.equal(l.summary().size.toFixed(), '0');
  });
});
