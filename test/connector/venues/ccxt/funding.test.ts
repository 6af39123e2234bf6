/**
 * Funding feeds per venue source: OKX's funding-rate WebSocket channel (watchFundingRate) and
 * REST polling where the venue has no funding stream (Bybit through its tickers endpoint).
 * Binance's markPrice stream runs in the conformance suite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExchangeError } from '../../../../core/errors.js';
import type { FundingRate } from '../../../../core/exchange.types.js';
import { eventually } from '../../../support/grpc-harness.js';
import { BYBIT_NEXT_FUNDING } from './emulators/bybit.emulator.js';
import { OKX_FUNDING_TIME } from './emulators/okx.emulator.js';
import { VENUE_SPECS } from './venue-specs.js';
import { startVenue } from './venue.harness.js';

const cases = [
  {
    name: 'okx',
    via: 'the funding-rate channel',
    rate: '0.0001215',
    next: OKX_FUNDING_TIME,
    restCalls: [],
  },
  {
    name: 'bybit',
    via: 'polling the tickers endpoint',
    rate: '0.000085',
    next: BYBIT_NEXT_FUNDING,
    restCalls: ['/v5/market/tickers'],
  },
];

describe('ccxt funding feeds', () => {
  for (const c of cases) {
    it(`streams ${c.name} funding from ${c.via}`, async (t) => {
      const spec = VENUE_SPECS.find((s) => s.name === c.name);
      assert.ok(spec);
      const emulator = spec.emulator();
      await emulator.start();
      const venue = await startVenue(t, { ...spec.venue, server: emulator.server });
      const rates: FundingRate[] = [];
      const errors: ExchangeError[] = [];

      venue.subscribeFundingRate('BTCUSDT', {
        next: (r) => rates.push(r),
        error: (e) => errors.push(e),
      });
      await eventually(() => rates.length > 0, 'a funding update');

      const [rate] = rates;
      assert.deepEqual(
        [rate?.exchange, rate?.symbol, rate?.rate.toFixed(), rate?.nextFundingTimeMs],
        ['venue-under-test', 'BTCUSDT', c.rate, c.next],
      );
      const startup = new Set(spec.startup.map((s) => s.split(' ')[1]));
      const after = emulator.server.requests.map((r) => r.path).filter((p) => !startup.has(p));
      assert.deepEqual(after, c.restCalls);
      assert.deepEqual(errors, []);
    });
  }
});
