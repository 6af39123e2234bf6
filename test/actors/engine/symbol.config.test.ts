import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  gridConfigFromWire,
  gridConfigSchema,
  gridConfigToWire,
  sameGridConfig,
} from '../../../actors/engine/symbol.config.js';

const base = { interval: '100', order_quantity: '0.001' };

/** "path: message" of every issue, or [] when the config parses. */
function problems(wire: unknown): string[] {
  const parsed = gridConfigSchema.safeParse(wire);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('gridConfigSchema: trailing, dynamic interval, inventory skew, slippage', () => {
  it('leaves every new feature off for a plain grid', () => {
    const grid = gridConfigFromWire(gridConfigSchema.parse(base));
    assert.equal(grid.trailing, undefined);
    assert.equal(grid.dynamicInterval, undefined);
    assert.equal(grid.inventorySkew, undefined);
    assert.equal(grid.maxSlippageBps, undefined);
    assert.deepEqual(gridConfigToWire(grid), {
      levels_below: 3,
      levels_above: 3,
      interval: '100',
      order_quantity: '0.001',
      mode: 'long',
    });
  });

  it('reads a full config and writes it back to the same wire form', () => {
    const wire = {
      ...base,
      trailing: { max_drift_levels: 40, lower_price: '90000.0', upper_price: '110000' },
      dynamic_interval: { atr_scale: '0.50', atr_window: 20, candle_interval: '5m' },
      inventory_skew: { factor: '0.01' },
      max_slippage_bps: 5,
    };
    const grid = gridConfigFromWire(gridConfigSchema.parse(wire));
    assert.deepEqual(grid.trailing, {
      maxDriftLevels: 40,
      lowerPrice: '90000',
      upperPrice: '110000',
    });
    assert.deepEqual(grid.dynamicInterval, {
      atrScale: '0.5',
      atrWindow: 20,
      candleInterval: '5m',
      maxInterval: '1000',
    });
    assert.deepEqual(grid.inventorySkew, { factor: '0.01', maxShiftPct: '2' });
    assert.equal(grid.maxSlippageBps, 5);
    const again = gridConfigFromWire(gridConfigSchema.parse(gridConfigToWire(grid)));
    assert.deepEqual(again, grid);
    assert.ok(sameGridConfig(grid, again));
  });

  it('takes an empty trailing section as trailing on, unbounded', () => {
    const grid = gridConfigFromWire(gridConfigSchema.parse({ ...base, trailing: {} }));
    assert.deepEqual(grid.trailing, { maxDriftLevels: null, lowerPrice: null, upperPrice: null });
    assert.ok(!sameGridConfig(grid, gridConfigFromWire(gridConfigSchema.parse(base))));
  });

  it('names the field and the fix for each bad value', () => {
    assert.deepEqual(problems({ ...base, trailing: { lower_price: '5', upper_price: '5' } }), [
      'trailing.lower_price: must be below trailing.upper_price',
    ]);
    assert.deepEqual(problems({ ...base, trailing: { max_drift_levels: 0 } }), [
      'trailing.max_drift_levels: must be at least 1 level',
    ]);
    assert.deepEqual(problems({ ...base, inventory_skew: { factor: '0.01' } }), [
      "inventory_skew: skews the trailing window's centre: add a trailing section " +
        '(e.g. trailing: {}) or remove inventory_skew',
    ]);
    assert.deepEqual(
      problems({ ...base, trailing: {}, inventory_skew: { factor: '0.01', max_shift_pct: '60' } }),
      ['inventory_skew.max_shift_pct: must be at most 50 (percent)'],
    );
    assert.deepEqual(
      problems({ ...base, dynamic_interval: { atr_scale: '1', max_interval: '50' } }),
      [
        'dynamic_interval.max_interval: must be at least grid.interval: the dynamic interval never goes under it',
      ],
    );
    assert.deepEqual(
      problems({ ...base, dynamic_interval: { atr_scale: '1', candle_interval: '2m' } }),
      ['dynamic_interval.candle_interval: must be one of 1m, 3m, 5m, 15m, 30m, 1h, 4h'],
    );
    assert.deepEqual(problems({ ...base, max_slippage_bps: -1 }), [
      'max_slippage_bps: must be 0 or more basis points',
    ]);
    assert.deepEqual(problems({ ...base, trailing: { enabled: true } }), [
      'trailing: Unrecognized key: "enabled"',
    ]);
  });
});
