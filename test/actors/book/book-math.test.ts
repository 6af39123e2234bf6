/**
 * Book math against a hand-computed book. Bids 100 x 2, 99 x 3, 98 x 5; asks 101 x 1,
 * 102 x 2, 104 x 4: mid 100.5, spread 1 (99.502488 bps), and every other figure below worked
 * out by hand in the comments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal, dec } from '../../../core/decimal.js';
import { packLevels, unpackLevels } from '../../../actors/book/level-codec.js';
import {
  bestNonCrossingPrice,
  estimateFill,
  imbalance,
  liquidityBands,
  liquidityWithin,
  takerLimitPrice,
  topOfBook,
} from '../../../actors/book/book-math.js';

const level = (price: string, quantity: string) => ({ price: dec(price), quantity: dec(quantity) });
const bids = [level('100', '2'), level('99', '3'), level('98', '5')];
const asks = [level('101', '1'), level('102', '2'), level('104', '4')];
const text = (v: { toFixed(): string } | undefined) => v?.toFixed();

describe('topOfBook', () => {
  it('finds best bid and ask, mid, spread and spread in bps', () => {
    const top = topOfBook(bids, asks);
    // 1 / 100.5 x 10000 = 99.50248756..., to 6 places
    assert.deepEqual([top.bestBid, top.bestAsk, top.mid, top.spread, top.spreadBps].map(text), [
      '100',
      '101',
      '100.5',
      '1',
      '99.502488',
    ]);
  });

  it('has no mid or spread with an empty side', () => {
    const top = topOfBook(bids, []);
    assert.deepEqual([text(top.bestBid), top.mid, top.spread], ['100', undefined, undefined]);
  });
});

describe('imbalance', () => {
  it('compares bid and ask quantity over the first levels', () => {
    // Top 2: (5 - 3) / 8; all: (10 - 7) / 17 = 0.17647058...
    assert.equal(text(imbalance(bids, asks, 2)), '0.25');
    assert.equal(text(imbalance(bids, asks, 10)), '0.176471');
    assert.equal(text(imbalance(bids, [], 10)), '1');
    assert.equal(imbalance([], [], 10), undefined);
  });
});

describe('estimateFill', () => {
  it('walks the asks for a buy: VWAP, worst level and slippage against the touch', () => {
    // 101 x 1 + 102 x 1.5 = 254 for 2.5: VWAP 101.6, 0.6 / 101 = 59.405940... bps
    const fill = estimateFill(asks, dec('2.5'));
    assert.deepEqual(
      [fill.filled, fill.quote, fill.vwap, fill.worstPrice, fill.slippageBps].map(text),
      ['2.5', '254', '101.6', '102', '59.405941'],
    );
    assert.equal(fill.complete, true);
  });

  it('walks the bids for a sell', () => {
    // 100 x 2 + 99 x 2 = 398 for 4: VWAP 99.5, 0.5 / 100 = 50 bps
    const fill = estimateFill(bids, dec('4'));
    assert.deepEqual([fill.vwap, fill.worstPrice, fill.slippageBps].map(text), [
      '99.5',
      '99',
      '50',
    ]);
  });

  it('reports a partial fill when the depth runs out', () => {
    // All 7 asks: 101 + 204 + 416 = 721, VWAP 103, 2 / 101 = 198.019801... bps
    const fill = estimateFill(asks, dec('10'));
    assert.deepEqual([fill.filled, fill.quote, fill.vwap, fill.slippageBps].map(text), [
      '7',
      '721',
      '103',
      '198.019802',
    ]);
    assert.equal(fill.complete, false);
  });

  it('keeps a VWAP that does not divide evenly to 12 places', () => {
    // 101 x 1 + 102 x 2 = 305 for 3: 101.6666...
    assert.equal(text(estimateFill(asks, dec('3')).vwap), '101.666666666667');
  });

  it('has no price when nothing fills', () => {
    const fill = estimateFill([], dec('1'));
    assert.deepEqual([fill.filled.toFixed(), fill.vwap, fill.complete], ['0', undefined, false]);
  });
});

describe('liquidityWithin', () => {
  it('sums the levels within a distance of mid, both ends inclusive', () => {
    const mid = dec('100.5');
    // 100 bps of 100.5 = 1.005: bids down to 99.495, asks up to 101.505
    assert.deepEqual(
      [liquidityWithin(bids, mid, dec(100), true), liquidityWithin(asks, mid, dec(100), false)].map(
        (l) => [l.base.toFixed(), l.quote.toFixed()],
      ),
      [
        ['2', '200'],
        ['1', '101'],
      ],
    );
    // 300 bps = 3.015: bids to 97.485 (all three), asks to 103.515 (two)
    const wide = liquidityWithin(bids, mid, dec(300), true);
    assert.deepEqual([wide.base.toFixed(), wide.quote.toFixed()], ['10', '987']);
    assert.equal(liquidityWithin(asks, mid, dec(300), false).quote.toFixed(), '305');
    assert.equal(liquidityWithin(asks, dec('101'), dec(0), false).base.toFixed(), '1');
  });
});

describe('liquidityBands', () => {
  it('gives each band, in the order asked, what liquidityWithin gives it alone', () => {
    const mid = dec('100.5');
    const bands = [dec(300), dec(0), dec(100)];
    for (const [side, isBid] of [
      [bids, true],
      [asks, false],
    ] as const) {
      assert.deepEqual(
        liquidityBands(side, mid, bands, isBid).map((l) => [l.base.toFixed(), l.quote.toFixed()]),
        bands.map((bps) => {
          const alone = liquidityWithin(side, mid, bps, isBid);
          return [alone.base.toFixed(), alone.quote.toFixed()];
        }),
      );
    }
  });
});

describe('bestNonCrossingPrice', () => {
  const top = topOfBook(bids, asks);
  const tick = dec('0.5');

  it('keeps a price that rests, and moves one that would take inside the opposite touch', () => {
    assert.equal(text(bestNonCrossingPrice('BUY', dec('99'), top, tick)), '99');
    assert.equal(text(bestNonCrossingPrice('BUY', dec('101.5'), top, tick)), '100.5');
    assert.equal(text(bestNonCrossingPrice('SELL', dec('103'), top, tick)), '103');
    assert.equal(text(bestNonCrossingPrice('SELL', dec('100'), top, tick)), '100.5');
  });

  it('keeps the price when the opposite side is empty', () => {
    const oneSided = topOfBook(bids, []);
    assert.equal(text(bestNonCrossingPrice('BUY', dec('150'), oneSided, tick)), '150');
  });
});

describe('takerLimitPrice', () => {
  const mid = dec('100.5');

  it('is the worst level of the expected fill inside the band', () => {
    // Band 300 bps: 100.5 +/- 3.015; a buy of 2.5 reaches 102, a sell of 4 reaches 99
    assert.equal(
      text(takerLimitPrice('BUY', estimateFill(asks, dec('2.5')), mid, dec(300))),
      '102',
    );
    assert.equal(text(takerLimitPrice('SELL', estimateFill(bids, dec('4')), mid, dec(300))), '99');
  });

  it('stops at the band when the fill would go beyond it or the depth runs out', () => {
    // Band 100 bps: 101.505 above, 99.495 below
    assert.equal(
      text(takerLimitPrice('BUY', estimateFill(asks, dec('2.5')), mid, dec(100))),
      '101.505',
    );
    assert.equal(
      text(takerLimitPrice('SELL', estimateFill(bids, dec('4')), mid, dec(100))),
      '99.495',
    );
    assert.equal(
      text(takerLimitPrice('BUY', estimateFill(asks, dec('10')), mid, dec(300))),
      '103.515',
    );
    assert.equal(
      takerLimitPrice('BUY', estimateFill(asks, dec('1')), undefined, dec(300)),
      undefined,
    );
  });
});

describe('packLevels / unpackLevels', () => {
  it('moves levels across threads digit for digit, whatever their size or scale', () => {
    const levels = [
      level('0', '0.000000000000000000000001'),
      level('123456789012345678901234.5', '1'),
      level('-3.14159', '1e-30'),
      level('99999.9', '1.5'),
    ];
    const back = unpackLevels(packLevels(levels));
    assert.deepEqual(
      back.map((l) => [l.price.toFixed(), l.quantity.toFixed()]),
      levels.map((l) => [l.price.toFixed(), l.quantity.toFixed()]),
    );
    assert.ok(back[3]?.price.eq('99999.9') && back[3].price instanceof Decimal);
    assert.deepEqual(unpackLevels(packLevels([])), []);
  });
});
