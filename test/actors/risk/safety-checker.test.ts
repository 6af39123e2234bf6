/**
 * The safety checker: each violation names its parameter and numbers; a sound grid passes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  checkGridSafety,
  gridLevelPrices,
  type SafetyInput,
} from '../../../actors/risk/safety-checker.js';
import { dec } from '../../../core/decimal.js';
import type { GridConfig } from '../../../actors/engine/symbol.config.js';

const GRID: GridConfig = {
  levelsBelow: 3,
  levelsAbove: 3,
  interval: '50',
  orderQuantity: '0.001',
  mode: 'long',
  anchorPrice: null,
};

const INPUT: SafetyInput = {
  grid: GRID,
  filters: {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    pricePrecision: 1,
    quantityPrecision: 3,
    tickSize: dec('0.1'),
    stepSize: dec('0.001'),
    minQuantity: dec('0.001'),
    minNotional: dec('5'),
  },
  makerFeeRate: dec('0.0002'),
  availableBalance: dec('1000'),
  leverage: 5,
  maxLeverage: 10,
  maxBalanceUsePct: dec('80'),
  marketPrice: dec('100000'),
};

describe('checkGridSafety', () => {
  it('passes a sound grid', () => {
    assert.deepEqual(checkGridSafety(INPUT), []);
  });

  it('lists the levels without the anchor', () => {
    const levels = gridLevelPrices({ ...GRID, levelsBelow: 2, levelsAbove: 1 }, dec('100'));
    assert.deepEqual(
      levels.map((p) => p.toFixed()),
      ['0', '50', '150'],
    );
  });

  it('refuses an interval that fees eat, naming the break-even', () => {
    const [violation] = checkGridSafety({ ...INPUT, grid: { ...GRID, interval: '10' } });
    assert.equal(violation?.parameter, 'grid.interval');
    assert.match(
      violation?.message ?? '',
      /a round trip at level 100030 earns 0.01 but pays 0.040014 in maker fees \(rate 0.0002 on both legs\), net -0.030014 ≤ 0; raise the interval above 40.020004$/,
    );
  });

  it('refuses leverage above the cap', () => {
    const violations = checkGridSafety({ ...INPUT, leverage: 20 });
    assert.deepEqual(
      violations.map((v) => [v.parameter, v.values]),
      [['leverage', { leverage: '20', max_leverage: '10' }]],
    );
  });

  it('refuses a grid the balance cannot carry', () => {
    const [violation] = checkGridSafety({ ...INPUT, availableBalance: dec('100') });
    assert.equal(violation?.parameter, 'grid.order_quantity');
    assert.equal(
      violation?.message,
      '6 levels × 0.001 need 120 of margin at leverage 5, but 80 is usable (80% of available 100); use fewer levels or a smaller quantity',
    );
  });

  it('refuses orders below the venue minimums, all at once', () => {
    const violations = checkGridSafety({
      ...INPUT,
      grid: { ...GRID, orderQuantity: '0.00001' },
      filters: { ...INPUT.filters, minNotional: dec('5') },
    });
    assert.deepEqual(
      violations.map((v) => v.message),
      [
        'order quantity 0.00001 is below the venue minimum 0.001',
        'the order at the lowest level is worth 0.9985 (0.00001 × 99850), below the venue minimum notional 5; raise the quantity',
      ],
    );
  });

  it('refuses a lattice that reaches zero, and still checks the rest', () => {
    const violations = checkGridSafety({
      ...INPUT,
      grid: { ...GRID, levelsBelow: 3, anchorPrice: '100', interval: '50' },
      leverage: 50,
    });
    assert.deepEqual(
      violations.map((v) => v.parameter),
      ['grid.levels_below', 'leverage'],
    );
  });
});
