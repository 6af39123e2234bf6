/**
 * @module test/machines/grid-lattice
 * Tests for lattice math: exact decimal level prices, validation, centring, entry sides by mode,
 * closing prices, and closes priced off a market that has passed the exit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  closePrice,
  entrySide,
  exitPrice,
  latticeSpecError,
  levelPrice,
  levelsAround,
  nearestLevel,
  type LatticeSpec,
} from '../../machines/grid-lattice.js';

const SPEC: LatticeSpec = { anchorPrice: '60000', interval: '100', tickSize: '0.1' };
const SMALL: LatticeSpec = { anchorPrice: '0.1', interval: '0.2', tickSize: '0.1' };

describe('latticeSpecError', () => {
  it('accepts a lattice whose anchor and interval are whole ticks', () => {
    assert.equal(latticeSpecError(SPEC), null);
    assert.equal(latticeSpecError(SMALL), null);
  });

  it('names the field that breaks the lattice', () => {
    assert.match(latticeSpecError({ ...SPEC, tickSize: '0' }) ?? '', /tickSize/);
    assert.match(
      latticeSpecError({ ...SPEC, interval: '-100' }) ?? '',
      /interval must be positive/,
    );
    assert.match(
      latticeSpecError({ ...SPEC, anchorPrice: '0' }) ?? '',
      /anchorPrice must be positive/,
    );
    assert.match(
      latticeSpecError({ ...SPEC, anchorPrice: '60000.05' }) ?? '',
      /anchorPrice must be a multiple/,
    );
    assert.match(
      latticeSpecError({ ...SPEC, interval: '0.25' }) ?? '',
      /interval must be a multiple/,
    );
    assert.match(latticeSpecError({ ...SPEC, interval: 'abc' }) ?? '', /non-decimal/);
  });
});

describe('levelPrice', () => {
  it('is exact where float math is not', () => {
    assert.equal(0.1 + 0.2, 0.30000000000000004);
    assert.equal(levelPrice(SMALL, 1), '0.3');
    assert.equal(levelPrice(SMALL, 3), '0.7');
    assert.equal(levelPrice(SPEC, -3), '59700');
  });
});

describe('nearestLevel and levelsAround', () => {
  it('rounds to the closest level, a midpoint up', () => {
    assert.equal(nearestLevel(SPEC, '60049.9'), 0);
    assert.equal(nearestLevel(SPEC, '60050'), 1);
    assert.equal(nearestLevel(SPEC, '59850'), -1);
  });

  it('lists levels under and over the market nearest first, skipping the centre', () => {
    assert.deepEqual(levelsAround(SPEC, '60010', 3, 2), { below: [-1, -2, -3], above: [1, 2] });
  });
});

describe('entrySide', () => {
  it('buys a level below the market by more than the buffer', () => {
    assert.equal(entrySide(SPEC, -1, '60000', 'long'), 'BUY');
    assert.equal(entrySide(SPEC, -1, '59910', 'long'), null);
    assert.equal(entrySide(SPEC, -1, '59910.1', 'long'), 'BUY');
  });

  it('opens a sell above the market only in neutral mode', () => {
    assert.equal(entrySide(SPEC, 1, '60000', 'long'), null);
    assert.equal(entrySide(SPEC, 1, '60000', 'neutral'), 'SELL');
    assert.equal(entrySide(SPEC, 1, '60095', 'neutral'), null);
  });

  it('never opens a level whose price or closing price is not positive', () => {
    assert.equal(entrySide(SPEC, -600, '60000', 'long'), null);
    const low: LatticeSpec = { anchorPrice: '100', interval: '100', tickSize: '1' };
    assert.equal(entrySide(low, 0, '10', 'neutral'), null);
    assert.equal(entrySide(low, 1, '10', 'neutral'), 'SELL');
  });
});

describe('exitPrice', () => {
  it('closes a long one level up and a short one level down', () => {
    assert.equal(exitPrice(SPEC, -1, 'BUY'), '60000');
    assert.equal(exitPrice(SPEC, 1, 'SELL'), '60000');
  });
});

describe('closePrice', () => {
  it('closes at the lattice exit while the market has not passed it', () => {
    assert.equal(closePrice(SPEC, -1, 'BUY', '59950'), '60000');
    assert.equal(closePrice(SPEC, 1, 'SELL', '60050'), '60000');
  });

  it('closes one tick beyond a market that has passed the exit, so it rests as a maker', () => {
    assert.equal(closePrice(SPEC, -1, 'BUY', '60250'), '60250.1');
    assert.equal(closePrice(SPEC, 1, 'SELL', '59800'), '59799.9');
  });

  it('never prices a short close at or below zero', () => {
    const low: LatticeSpec = { anchorPrice: '100', interval: '100', tickSize: '1' };
    assert.equal(closePrice(low, 1, 'SELL', '1'), '100');
  });
});
