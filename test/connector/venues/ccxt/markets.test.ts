/**
 * Decimal edges of the ccxt adapters' number conversion: every number or string ccxt hands over
 * becomes a bounded decimal or the fallback, quickly, whatever the venue sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DECIMAL_LIMITS, dec, toPlain } from '../../../../core/decimal.js';
import { num, onStep } from '../../../../connector/venues/ccxt/markets.js';

describe('ccxt num: venue numbers as bounded decimals', () => {
  it('converts plain venue numbers through their shortest string', () => {
    assert.equal(toPlain(num(0.1)), '0.1');
    assert.equal(toPlain(num(1e-7)), '0.0000001');
    assert.equal(toPlain(num(1e21)), '1000000000000000000000');
    assert.equal(toPlain(num('95000.50')), '95000.5');
  });

  it('falls back for values no price or amount can be, without building them', () => {
    for (const value of [
      Number.MAX_VALUE,
      5e-324,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      '1e199999999',
      '0x10',
      '1_000',
      ' 1',
      'Infinity',
    ]) {
      const started = performance.now();
      assert.equal(toPlain(num(value, '7')), '7', String(value));
      assert.ok(performance.now() - started < 50, `${String(value)} answered at once`);
    }
  });

  it('property: any double becomes a bounded decimal or the fallback, and rounds to a step', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const d = num(value, '0');
        assert.ok(d.isFinite());
        assert.ok(toPlain(d).length <= DECIMAL_LIMITS.maxPlainLength);
        assert.ok(onStep(value, dec('0.01')).decimalPlaces() <= 2);
      }),
      { seed: 9, numRuns: 3000 },
    );
  });
});
