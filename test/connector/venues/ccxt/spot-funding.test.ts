/**
 * @module test/connector/venues/ccxt/spot-funding
 * A ccxt spot venue answers funding requests as REQ-FUND-004 says (rate 0, next funding time 0,
 * a valid receipt timestamp) instead of UNIMPLEMENTED, without calling the venue, so an
 * arbitrage pair's spot leg has a funding answer like every other leg (the original's spot legs
 * never answered and went stale one TTL after start). Also: a spot short on Binance's margin
 * account borrows and repays by itself (the original sent no sideEffectType).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExchangeError } from '../../../../core/errors.js';
import { dec } from '../../../../core/decimal.js';
import type { FundingRate } from '../../../../core/exchange.types.js';
import { eventually } from '../../../support/grpc-harness.js';
import { startBinanceHarness } from './binance.harness.js';

const zero = (r: FundingRate | undefined) => [
  r?.exchange,
  r?.symbol,
  r?.rate.toFixed(),
  r?.predictedRate.toFixed(),
  r?.nextFundingTimeMs,
  r?.timeMs,
];

describe('ccxt spot venue: funding (REQ-FUND-004)', () => {
  it('answers the current rate with zero rate, no funding time and the receipt time', async (t) => {
    const { spot, emulator, clock } = await startBinanceHarness(t);
    const before = emulator.server.requests.length;
    clock.advance(1234);

    const rate = await spot.getFundingRate('BTCUSDT');
    const rates = await spot.getFundingRates();
    const history = await spot.getHistoricalFundingRates('BTCUSDT', 10);

    assert.deepEqual(zero(rate), ['binance-spot', 'BTCUSDT', '0', '0', 0, clock.now()]);
    assert.deepEqual(
      rates.map((r) => r.symbol),
      await spot.getSymbols(),
    );
    assert.ok(rates.every((r) => r.rate.isZero() && r.nextFundingTimeMs === 0));
    assert.deepEqual(history, []);
    // Nothing to ask the venue: spot has no funding
    assert.equal(emulator.server.requests.length, before);
  });

  it('still refuses a symbol the venue does not list, naming it', async (t) => {
    const { spot } = await startBinanceHarness(t);
    await assert.rejects(spot.getFundingRate('NOPEUSDT'), (e: ExchangeError) => {
      assert.equal(e.reason, 'UNKNOWN_SYMBOL');
      assert.match(e.message, /NOPEUSDT/);
      return true;
    });
  });

  it('streams one zero update at subscription and keeps the stream open', async (t) => {
    const { spot, clock } = await startBinanceHarness(t);
    const rates: FundingRate[] = [];
    const errors: ExchangeError[] = [];
    const sub = spot.subscribeFundingRate('BTCUSDT', {
      next: (r) => rates.push(r),
      error: (e) => errors.push(e),
    });
    t.after(() => sub.close());
    await eventually(() => rates.length > 0, 'the zero funding update');
    assert.deepEqual(zero(rates[0]), ['binance-spot', 'BTCUSDT', '0', '0', 0, clock.now()]);
    assert.deepEqual(errors, []);
  });
});

describe('ccxt spot venue: margin shorts', () => {
  it('sends margin orders with AUTO_BORROW_REPAY so a short sell borrows and the buy back repays', async (t) => {
    const { spot, emulator } = await startBinanceHarness(t);
    await spot.placeOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: dec('0.001'),
      price: dec('100000.01'),
      clientOrderId: 'osa-short-1',
      useMargin: true,
    });
    const sent = emulator.spotOrders.at(-1);
    assert.equal(sent?.account, 'margin');
    assert.equal(sent?.params.sideEffectType, 'AUTO_BORROW_REPAY');
  });
});
