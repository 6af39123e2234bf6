/**
 * @module test/connector/sim/sim-fixtures
 * Shared arrangements for the simulated venue tests: a "quiet" venue whose price only moves when
 * the test says so (no volatility, jumps or basis), stream collectors and error matchers.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../../core/clock.js';
import { ExchangeError, type ErrorReason } from '../../../../core/errors.js';
import type { Exchange } from '../../../../core/exchange.port.js';
import {
  createSimulatedVenue,
  type SimulatedVenue,
  type SimVenueConfigInput,
} from '../../../../connector/venues/sim/index.js';
import type { StreamSink } from '../../../../core/stream.js';
import type { PlaceOrderRequest } from '../../../../core/exchange.types.js';
import { Decimal } from '../../../../core/decimal.js';

/** A venue, its clock and both exchanges. */
export interface SimFixture {
  readonly clock: VirtualClock;
  readonly venue: SimulatedVenue;
  readonly futures: Exchange;
  readonly spot: Exchange;
}

/** Shorthand for a Decimal. */
export const d = (value: string | number): Decimal => new Decimal(value);

/**
 * A venue whose prices stay at the start prices (BTC 100000, ETH 3500, ...) until
 * `venue.setSpotPrice` moves them; perp = spot unless `price.basisMeanBps` is given.
 */
export function quietVenue(config: SimVenueConfigInput = {}): SimFixture {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue(
    {
      ...config,
      price: {
        volatilityPerYear: 0,
        jumpProbability: 0,
        basisMeanBps: 0,
        basisVolatilityBps: 0,
        ...config.price,
      },
    },
    clock,
  );
  return { clock, venue, futures: venue.exchange('futures'), spot: venue.exchange('spot') };
}

/** A limit order request. */
export function limit(
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  extra: Partial<PlaceOrderRequest> = {},
): PlaceOrderRequest {
  return {
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    quantity: d(quantity),
    price: d(price),
    ...extra,
  };
}

/** A market order request. */
export function market(
  side: 'BUY' | 'SELL',
  quantity: string,
  extra: Partial<PlaceOrderRequest> = {},
): PlaceOrderRequest {
  return { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: d(quantity), ...extra };
}

/** A sink that records everything delivered to it. */
export function collector<T>(): { sink: StreamSink<T>; values: T[]; errors: ExchangeError[] } {
  const values: T[] = [];
  const errors: ExchangeError[] = [];
  return { sink: { next: (v) => values.push(v), error: (e) => errors.push(e) }, values, errors };
}

/** Asserts that `promise` rejects with an ExchangeError of `reason` (and `field`, if given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  reason: ErrorReason,
  field?: string,
): Promise<ExchangeError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof ExchangeError, `expected ExchangeError, was ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  return caught;
}

/** Asserts two decimals are equal, printing both as plain strings on failure. */
export function assertDec(actual: Decimal, expected: string | Decimal, what = 'value'): void {
  assert.equal(actual.toFixed(), new Decimal(expected).toFixed(), what);
}
