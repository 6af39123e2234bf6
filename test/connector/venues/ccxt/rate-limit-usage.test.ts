import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rateLimitUsage } from '../../../../connector/venues/ccxt/rate-limit-usage.js';

describe('rateLimitUsage', () => {
  it('reads Binance used weight against the documented per-minute budget', () => {
    assert.equal(rateLimitUsage('binanceusdm', { 'X-Mbx-Used-Weight-1m': '600' }), 0.25);
    assert.equal(rateLimitUsage('binance', { 'x-mbx-used-weight-1m': '3000' }), 0.5);
  });

  it('derives the used share from remaining and limit headers (Bybit, Gate)', () => {
    assert.equal(
      rateLimitUsage('bybit', { 'X-Bapi-Limit-Status': '15', 'X-Bapi-Limit': '20' }),
      0.25,
    );
    assert.equal(
      rateLimitUsage('gate', {
        'X-Gate-Ratelimit-Requests-Remain': '0',
        'X-Gate-Ratelimit-Limit': '100',
      }),
      1,
    );
  });

  it('answers undefined for venues that do not report and replies without the headers', () => {
    assert.equal(rateLimitUsage('okx', { 'X-Mbx-Used-Weight-1m': '600' }), undefined);
    assert.equal(rateLimitUsage('binanceusdm', {}), undefined);
    assert.equal(rateLimitUsage('binanceusdm', undefined), undefined);
    assert.equal(
      rateLimitUsage('bybit', { 'X-Bapi-Limit-Status': '5', 'X-Bapi-Limit': '0' }),
      undefined,
    );
    assert.equal(rateLimitUsage('binance', { 'X-Mbx-Used-Weight-1m': 'n/a' }), undefined);
  });

  it('clamps a count past the budget to 1', () => {
    assert.equal(rateLimitUsage('binanceusdm', { 'X-Mbx-Used-Weight-1m': '5000' }), 1);
  });
});
