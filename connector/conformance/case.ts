/**
 * @module connector/conformance/case
 * The ExchangeService conformance suite's contract: what a case is, the environment it runs in,
 * and the helpers cases share. A case states one behaviour of the venue port once; the test suite
 * runs every case over every transport (in-process, over gRPC, against venue emulators), and
 * `npm run conformance` runs them against any ExchangeService endpoint, whatever its language.
 *
 * Cases work against a live endpoint: prices, sizes and client order ids come from the venue and
 * the run, and they look only at their own orders. Where the environment is a fresh simulated
 * account (`fresh`), they also check the exact values the simulator starts with.
 */
import assert from 'node:assert/strict';

import { dec, type Decimal } from '../../core/decimal.js';
import type { ErrorReason } from '../../core/errors.js';
import { ExchangeError, GrpcCode } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { PlaceOrderRequest, SymbolInfo } from '../../core/exchange.types.js';
import type { StreamSink, Subscription } from '../../core/stream.js';
import { eventually } from '../../core/eventually.js';

/** The symbol every case trades: a USDT-margined BTC market. */
export const SYMBOL = 'BTCUSDT';

/** What a case works with. */
export interface ConformanceEnv {
  /** The venue under test (a futures market). */
  readonly exchange: Exchange;
  /** Its spot market, when the endpoint serves one; cases that need it are skipped otherwise. */
  readonly spot: Exchange | undefined;
  /**
   * True when each case gets a brand-new simulated account ("sim" / "sim-spot", 100000 USDT,
   * BTCUSDT near 100000): cases then also check those exact starting values.
   */
  readonly fresh: boolean;
  /** Prefix making this run's client order ids unique on a venue that remembers older runs. */
  readonly runId: string;
  /** How long a case waits for a streamed update, ms. */
  readonly patienceMs: number;
  /** The venue's clock, epoch ms. */
  now(): number;
  /** Lets `ms` of venue time pass: at once on a virtual clock, a no-op on a live venue. */
  advance(ms: number): void;
  /** Resolves once `count` stream subscriptions are live at the venue. */
  subscribed(count: number): Promise<unknown>;
}

/** One behaviour of the port. */
export interface ConformanceCase {
  readonly name: string;
  /** Needs the spot market (`env.spot`). */
  readonly needsSpot?: boolean;
  /**
   * Takes liquidity or expects an empty history: runs only on a fresh simulated account, never
   * against a live endpoint, where it would trade real money.
   */
  readonly needsFresh?: boolean;
  run(env: ConformanceEnv): Promise<void>;
}

/** The one polling helper, re-exported for the cases (they pass the env's patience). */
export { eventually };

/** A client order id unique to this run and case: `<runId><tag>`. */
export function clientId(env: ConformanceEnv, tag: string): string {
  return `${env.runId}${tag}`;
}

/** `value` rounded down to a multiple of `step`. */
function floorTo(value: Decimal, step: Decimal): Decimal {
  return value.div(step).floor().mul(step);
}

/** `value` rounded up to a multiple of `step`. */
function ceilTo(value: Decimal, step: Decimal): Decimal {
  return value.div(step).ceil().mul(step);
}

/** A price 10 % below the market on the symbol's tick, where a buy rests unfilled. */
export async function restingBuyPrice(exchange: Exchange, info?: SymbolInfo): Promise<Decimal> {
  const filters = info ?? (await exchange.getSymbolInfo(SYMBOL));
  return floorTo((await exchange.getLatestPrice(SYMBOL)).mul('0.9'), filters.tickSize);
}

/** The smallest order size the venue accepts at `price` (min quantity and min notional). */
export function smallestQuantity(info: SymbolInfo, price: Decimal): Decimal {
  const byNotional = info.minNotional.gt(0) ? info.minNotional.mul('1.2').div(price) : dec(0);
  const wanted = byNotional.gt(info.minQuantity) ? byNotional : info.minQuantity;
  return ceilTo(wanted, info.stepSize);
}

/** A resting limit buy of the smallest size the venue accepts. */
export async function restingBuy(
  exchange: Exchange,
  overrides: Partial<PlaceOrderRequest> = {},
): Promise<PlaceOrderRequest> {
  const info = await exchange.getSymbolInfo(SYMBOL);
  const price = await restingBuyPrice(exchange, info);
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: smallestQuantity(info, price),
    price,
    ...overrides,
  };
}

/** A market buy of ten times the smallest size (0.01 BTC on the simulator). */
export async function marketBuy(exchange: Exchange): Promise<PlaceOrderRequest> {
  const info = await exchange.getSymbolInfo(SYMBOL);
  const price = await exchange.getLatestPrice(SYMBOL);
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'MARKET',
    quantity: smallestQuantity(info, price).mul(10),
  };
}

/** The signed position size on the symbol, zero when flat. */
export async function positionSize(exchange: Exchange): Promise<Decimal> {
  const positions = await exchange.getPositions(SYMBOL);
  return positions.find((p) => p.symbol === SYMBOL)?.size ?? dec(0);
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
      await eventually(() => values.some(match), what, env.patienceMs);
      return values.find(match) as T;
    },
  };
}
