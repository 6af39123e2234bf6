import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DECIMAL_LIMITS,
  Decimal,
  DecimalFormatError,
  checkDecimal,
  dec,
  parseDecimal,
  toPlain,
} from '../../core/decimal.js';

/** Fails when `fn` takes longer than `ms`: a parse must never start the huge-number work. */
function within<T>(ms: number, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const took = performance.now() - started;
  assert.ok(took < ms, `took ${took.toFixed(1)} ms, limit ${ms} ms`);
  return result;
}

describe('parseDecimal: the google.type.Decimal grammar', () => {
  const accepted: [string, string][] = [
    ['45000', '45000'],
    ['0.0005', '0.0005'],
    ['-12.5', '-12.5'],
    ['+2.5', '2.5'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['2.5e8', '250000000'],
    ['2.5E-1', '0.25'],
    ['1e+3', '1000'],
    ['0', '0'],
    ['000123.4500', '123.45'],
  ];
  for (const [text, plain] of accepted) {
    it(`accepts "${text}" as ${plain}`, () => {
      assert.equal(toPlain(parseDecimal(text)), plain);
    });
  }

  const refused = [
    '0x10',
    '0b101',
    '0o17',
    '0x1p3',
    '1_000',
    'Infinity',
    '-Infinity',
    'NaN',
    ' 1',
    '1 ',
    '\t1',
    '1,5',
    '1.2.3',
    '',
    '.',
    '+',
    '-',
    'e5',
    '1e',
    '1e+',
    '--1',
    '١٢٣',
    '1.5f',
  ];
  for (const text of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDecimal(text), DecimalFormatError);
      assert.equal(typeof checkDecimal(text), 'string');
    });
  }

  it('says what the grammar is when refusing', () => {
    assert.throws(() => parseDecimal('0x10'), /"0x10" is not a decimal number.*"0\.01"/);
  });
});

describe('parseDecimal: bounds checked before any arithmetic or formatting', () => {
  it('refuses 1e199999999 at once instead of building a 200-million-digit string', () => {
    const e = within(50, () => checkDecimal('1e199999999'));
    assert.match(e ?? '', /out of range/);
    assert.throws(() => parseDecimal('1e99999999'), /out of range/);
  });

  it('refuses exponents too large for the engine in either direction', () => {
    assert.throws(() => parseDecimal('1e30'), /out of range/);
    assert.throws(() => parseDecimal('-1e30'), /out of range/);
    assert.throws(() => parseDecimal('1e-61'), /out of range/);
    assert.throws(() => parseDecimal('5e-99999999999999999'), /out of range/);
    assert.equal(toPlain(parseDecimal('9.99e29')), '999000000000000000000000000000');
    assert.equal(parseDecimal('1e-60').eq('1e-60'), true);
  });

  it('accepts zero with any small exponent, and zero is zero', () => {
    assert.equal(parseDecimal('0e10').isZero(), true);
    assert.equal(parseDecimal('-0.000').isZero(), true);
  });

  it('refuses more significant digits than the arithmetic keeps', () => {
    const forty = '1234567891'.repeat(4);
    assert.equal(toPlain(parseDecimal(`0.${forty}`)), `0.${forty}`);
    assert.throws(() => parseDecimal(`0.${forty}1`), /41 significant digits.*at most 40/);
    // Trailing zeros are not significant
    assert.equal(toPlain(parseDecimal(`1.${'0'.repeat(60)}`)), '1');
  });

  it('refuses text longer than the limit, quoting only a short prefix', () => {
    const long = '1'.repeat(10_000);
    const message = within(50, () => checkDecimal(long)) ?? '';
    assert.match(message, /10000 characters/);
    assert.ok(message.length < 200, `message is ${message.length} characters`);
    assert.ok(!message.includes('1'.repeat(40)));
  });

  it('never echoes more than a short prefix of a refused value', () => {
    const message = checkDecimal(`0x${'f'.repeat(90)}`) ?? '';
    assert.ok(message.length < 200);
  });

  it('property: every string it accepts formats and compares within bounds, quickly', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 140, unit: fc.constantFrom(...'0123456789.eE+-x_ ') }),
        (s) => {
          const problem = checkDecimal(s);
          if (problem !== undefined) {
            assert.ok(problem.length < 200);
            return;
          }
          const d = parseDecimal(s);
          assert.ok(d.isFinite());
          assert.ok(toPlain(d).length <= DECIMAL_LIMITS.maxPlainLength);
          d.mod('0.01');
        },
      ),
      { seed: 20_240_601, numRuns: 2000 },
    );
  });

  it('property: plain decimals of the engine round-trip exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: 0, max: 18 }),
        (units, scale) => {
          const d = new Decimal(units.toString()).div(new Decimal(10).pow(scale));
          assert.equal(parseDecimal(toPlain(d)).eq(d), true);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('dec', () => {
  it('parses strings with the same grammar and bounds', () => {
    assert.equal(toPlain(dec('1.50')), '1.5');
    assert.throws(() => dec('0x10'), DecimalFormatError);
    assert.throws(() => dec('1e199999999'), DecimalFormatError);
  });

  it('refuses non-finite numbers and decimals', () => {
    assert.throws(() => dec(Number.NaN), DecimalFormatError);
    assert.throws(() => dec(new Decimal(Infinity)), DecimalFormatError);
    assert.throws(() => dec(1e300), DecimalFormatError);
  });

  it('passes finite numbers and decimals through', () => {
    assert.equal(toPlain(dec(10_000)), '10000');
    const d = new Decimal('3.25');
    assert.equal(dec(d), d);
  });
});
