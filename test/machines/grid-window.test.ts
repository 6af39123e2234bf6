import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { dec } from '../../core/decimal.js';
import {
  averageTrueRange,
  effectiveInterval,
  intervalChanged,
  skewedCentre,
  trailingWindow,
  type TrailingBounds,
} from '../../machines/grid-window.js';

const lattice = { anchorPrice: '100000', interval: '100', tickSize: '0.1' };
const open: TrailingBounds = { maxDriftLevels: null, lowerPrice: null, upperPrice: null };
const long = { levelsBelow: 3, levelsAbove: 2, mode: 'long' as const };
const neutral = { ...long, mode: 'neutral' as const };

describe('trailingWindow', () => {
  it('puts the buy levels under the level nearest the price', () => {
    const w = trailingWindow(lattice, '99420', long, open);
    assert.equal(w.centre, -6);
    assert.deepEqual(w.levels, [-9, -8, -7]);
    assert.deepEqual([w.keepFrom, w.keepTo], [-10, -6]);
  });

  it('follows the price up the same lattice', () => {
    const w = trailingWindow(lattice, '100260', long, open);
    assert.equal(w.centre, 3);
    assert.deepEqual(w.levels, [0, 1, 2]);
  });

  it('rounds an exact midpoint up, as the lattice does', () => {
    assert.equal(trailingWindow(lattice, '100050', long, open).centre, 1);
  });

  it('adds the sell levels over the centre in neutral mode', () => {
    const w = trailingWindow(lattice, '99980', neutral, open);
    assert.deepEqual(w.levels, [-3, -2, -1, 1, 2]);
    assert.deepEqual([w.keepFrom, w.keepTo], [-4, 3]);
  });

  it('keeps the centre within the drift bound', () => {
    const w = trailingWindow(lattice, '98000', long, { ...open, maxDriftLevels: 5 });
    assert.equal(w.centre, -5);
    assert.deepEqual(w.levels, [-8, -7, -6]);
  });

  it('leaves out levels beyond the price bounds', () => {
    const bounded = { ...open, lowerPrice: '99750', upperPrice: '100100' };
    assert.deepEqual(trailingWindow(lattice, '100000', neutral, bounded).levels, [-2, -1, 1]);
  });

  it('leaves out levels at or below zero', () => {
    const low = { anchorPrice: '250', interval: '100', tickSize: '1' };
    assert.deepEqual(trailingWindow(low, '260', long, open).levels, [-2, -1]);
  });
});

describe('skewedCentre', () => {
  const skew = { factor: '0.01', maxShift: '0.02' };

  it('moves the centre down with long inventory', () => {
    assert.equal(skewedCentre('100000', '1', skew), '99000');
  });

  it('moves the centre up with short inventory', () => {
    assert.equal(skewedCentre('100000', '-1.5', skew), '101500');
  });

  it('caps the move at maxShift either way', () => {
    assert.equal(skewedCentre('100000', '50', skew), '98000');
    assert.equal(skewedCentre('100000', '-50', skew), '102000');
  });

  it('leaves a flat grid centred on the price', () => {
    assert.equal(skewedCentre('100000', '0', skew), '100000');
  });
});

const candle = (high: string, low: string, close: string, isClosed = true) => ({
  high,
  low,
  close,
  isClosed,
});

describe('averageTrueRange', () => {
  it('averages the true range of the last closed candles, gaps included', () => {
    const candles = [
      candle('105', '95', '100'),
      candle('104', '98', '103'), // range 6
      candle('120', '110', '115'), // gap up: |120 - 103| = 17
      candle('116', '90', '95'), // range 26
    ];
    assert.equal(averageTrueRange(candles, 3)?.toDecimalPlaces(6).toFixed(), '16.333333');
  });

  it('ignores a candle still forming', () => {
    const candles = [
      candle('110', '100', '105'),
      candle('108', '102', '106'),
      candle('500', '1', '2', false),
    ];
    assert.equal(averageTrueRange(candles, 2)?.toFixed(), '8');
  });

  it('is unknown with fewer closed candles than the window', () => {
    assert.equal(averageTrueRange([candle('2', '1', '1'), candle('3', '1', '2', false)], 2), null);
  });
});

describe('effectiveInterval', () => {
  const spec = { interval: '100', atrScale: '0.5', maxInterval: '1000.05', tickSize: '0.1' };

  it('is the configured interval while the market is calm', () => {
    assert.equal(effectiveInterval(spec, dec('150')), '100');
  });

  it('widens with volatility, rounded up to the tick', () => {
    assert.equal(effectiveInterval(spec, dec('300.03')), '150.1');
  });

  it('is capped at the maximum, on the tick', () => {
    assert.equal(effectiveInterval(spec, dec('5000')), '1000');
  });

  it('is the configured interval before any ATR is known', () => {
    assert.equal(effectiveInterval(spec, null), '100');
  });
});

describe('intervalChanged', () => {
  it('ignores changes under ten percent', () => {
    assert.equal(intervalChanged('100', '109.9'), false);
    assert.equal(intervalChanged('100', '110'), true);
    assert.equal(intervalChanged('150', '100'), true);
  });
});
