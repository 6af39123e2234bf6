/**
 * @module test/connector/conformance/case
 * The shape of a conformance case and the helpers cases share. A case states behaviour once; the
 * suite runs it over every transport, so any difference the wire makes fails it.
 */
import assert from 'node:assert/strict';
import type { ErrorReason } from '../../../core/errors.js';
import { ExchangeError, GrpcCode } from '../../../core/errors.js';
import type { Exchange } from '../../../core/exchange.port.js';
import type { StreamSink, Subscription } from '../../../core/stream.js';
import type { PlaceOrderRequest } from '../../../core/exchange.types.js';
import { dec, type Decimal } from '../../../core/decimal.js';
import { eventually } from '../../support/grpc-harness.js';
import type { ConformanceEnv } from './transports.js';

export interface ConformanceCase {
  readonly name: string;
  run(env: ConformanceEnv): Promise<void>;
}

export const SYMBOL = 'BTCUSDT';

/** A price well below the market (rounded to the 0.1 tick), where a buy rests unfilled. */
export async function restingBuyPrice(exchange: Exchange): Promise<Decimal> {
  return (await exchange.getLatestPrice(SYMBOL)).mul('0.9').toDecimalPlaces(1);
}

/** A resting limit buy of 0.001 BTC. */
export async function restingBuy(
  exchange: Exchange,
  overrides: Partial<PlaceOrderRequest> = {},
): Promise<PlaceOrderRequest> {
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: dec('0.001'),
    price: await restingBuyPrice(exchange),
    ...overrides,
  };
}

/**
 * Asserts `promise` fails with an ExchangeError of `reason` and, when given, of `field`; a bad
 * request (INVALID_ARGUMENT) must name the field in its message too.
 */
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
  assert.ok(caught instanceof ExchangeError, `expected an ExchangeError, was ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  if (field !== undefined) {
    assert.equal(caught.field, field);
    // A bad request also says which field in its message, for the person reading the log
    if (caught.code === GrpcCode.INVALID_ARGUMENT) {
      assert.ok(caught.message.includes(field), `message names ${field}: ${caught.message}`);
    }
  }
  return caught;
}

/** A sink that keeps what it gets, and the subscription feeding it. */
export interface Collected<T> {
  readonly values: T[];
  readonly errors: ExchangeError[];
  readonly subscription: Subscription;
  /** Resolves once a value satisfies `match`, returning it. */
  next(match: (value: T) => boolean, what: string): Promise<T>;
}

/** Subscribes with a collecting sink and waits until the subscription is live. */
export async function collect<T>(
  env: ConformanceEnv,
  subscribe: (sink: StreamSink<T>) => Subscription,
  liveSubscriptions = 1,
): Promise<Collected<T>> {
  const values: T[] = [];
  const errors: ExchangeError[] = [];
  const subscription = subscribe({ next: (v) => values.push(v), error: (e) => errors.push(e) });
  await env.subscribed(liveSubscriptions);
  return {
    values,
    errors,
    subscription,
    async next(match, what) {
      await eventually(() => values.some(match), what);
      return values.find(match) as T;
    },
  };
}
