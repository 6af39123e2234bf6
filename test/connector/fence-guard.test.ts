/**
 * Fencing at the connector, end to end: engines call through a real RemoteExchange under
 * `withFence`, a started connector serves the simulated venue, and a former owner's order calls
 * are refused FENCED before the venue sees them.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { toProtoPlaceOrderRequest } from '../../connector/codec.js';
import {
  createConnectorMetrics,
  type ConnectorMetrics,
} from '../../connector/connector.metrics.js';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { PlaceOrderRequest } from '../../core/exchange.types.js';
import {
  currentFence,
  FENCE_OWNER_HEADER,
  FENCE_TOKEN_HEADER,
  withFence,
  type FenceStamp,
} from '../../core/fence.js';
import { VirtualClock } from '../../core/clock.js';
import { createSimulatedVenue } from '../../connector/venues/sim/index.js';
import {
  header,
  metadata,
  rawClient,
  remote,
  startConnector,
  startSimConnector,
  unaryResult,
  type SimConnector,
} from '../support/grpc-harness.js';

const quiet = {
  price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0, basisVolatilityBps: 0 },
};

/** A resting bid well below the simulated market (about 100000), so it stays open. */
const bid = (clientOrderId: string, symbol = 'BTCUSDT'): PlaceOrderRequest => ({
  symbol,
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.01'),
  price: dec(symbol === 'BTCUSDT' ? '90000' : '1000'),
  clientOrderId,
});

const stamp = (owner: string, token: number): FenceStamp => ({ symbol: 'BTCUSDT', owner, token });

const fenced =
  (check: (e: ExchangeError) => void = () => undefined) =>
  (e: unknown) => {
    assert.ok(e instanceof ExchangeError, `expected an ExchangeError, was ${String(e)}`);
    assert.equal(e.reason, 'FENCED', e.message);
    assert.equal(e.code, Status.FAILED_PRECONDITION);
    check(e);
    return true;
  };

async function setup(t: TestContext): Promise<{
  sim: SimConnector;
  metrics: ConnectorMetrics;
  engineA: Exchange;
  engineB: Exchange;
}> {
  const metrics = createConnectorMetrics();
  const sim = await startSimConnector(t, { config: quiet, server: { metrics } });
  const engineA = await remote(t, sim.server.address);
  const engineB = await remote(t, sim.server.address);
  return { sim, metrics, engineA, engineB };
}

async function fencedCount(metrics: ConnectorMetrics, method: string): Promise<number> {
  const { values } = await metrics.fencedRequests.get();
  return values.find((v) => v.labels.method === method && v.labels.venue === 'sim')?.value ?? 0;
}

const clientIds = async (venue: Exchange): Promise<string[]> =>
  (await venue.getOpenOrders('BTCUSDT')).map((o) => o.clientOrderId).sort();

describe('fencing at the connector', () => {
  it('refuses placements and cancels of a former owner after a takeover, before the venue sees them', async (t) => {
    const { sim, metrics, engineA, engineB } = await setup(t);
    const b = stamp('engine-b', 2);
    const a = stamp('engine-a', 1);
    const placedByB = await withFence(b, () => engineB.placeOrder(bid('b-1')));

    await assert.rejects(
      withFence(a, () => engineA.placeOrder(bid('a-1'))),
      fenced((e) => {
        for (const part of ['BTCUSDT', '"engine-a"', 'token 1', '"engine-b"', 'token 2']) {
          assert.ok(e.message.includes(part), `"${e.message}" names ${part}`);
        }
      }),
    );
    await assert.rejects(
      withFence(a, () => engineA.batchPlaceOrders([bid('a-2'), bid('a-3')])),
      fenced(),
    );
    await assert.rejects(
      withFence(a, () => engineA.cancelOrder('BTCUSDT', placedByB.orderId)),
      fenced(),
    );
    await assert.rejects(
      withFence(a, () => engineA.batchCancelOrders('BTCUSDT', [placedByB.orderId])),
      fenced(),
    );
    await assert.rejects(
      withFence(a, () => engineA.cancelAllOrders('BTCUSDT')),
      fenced(),
    );

    assert.deepEqual(await clientIds(sim.futures), ['b-1']);
    for (const id of ['a-1', 'a-2', 'a-3']) {
      await assert.rejects(sim.futures.getOrder({ symbol: 'BTCUSDT', clientOrderId: id }), {
        reason: 'ORDER_NOT_FOUND',
      });
    }
    const counts = await Promise.all(
      ['PlaceOrder', 'BatchPlaceOrders', 'CancelOrder', 'BatchCancelOrders', 'CancelAllOrders'].map(
        (m) => fencedCount(metrics, m),
      ),
    );
    assert.deepEqual(counts, [1, 1, 1, 1, 1]);
  });

  it("announces a new owner by its stamped read of the symbol's orders, never refusing a read", async (t) => {
    const { sim, engineA, engineB } = await setup(t);
    await withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-1')));

    // The new owner reconciles first: its read raises the fence before it places anything
    await withFence(stamp('engine-b', 2), () => engineB.getOpenOrders('BTCUSDT'));
    const readByFormer = await withFence(stamp('engine-a', 1), () =>
      engineA.getOpenOrders('BTCUSDT'),
    );

    await assert.rejects(
      withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-2'))),
      fenced(),
    );
    assert.deepEqual(
      readByFormer.map((o) => o.clientOrderId),
      ['a-1'],
      'a former owner may still read',
    );
    assert.deepEqual(await clientIds(sim.futures), ['a-1']);
  });

  it('lets the holder go on with the same token and a newer owner take over with a higher one', async (t) => {
    const { sim, engineA, engineB } = await setup(t);

    await withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-1')));
    await withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-2')));
    await withFence(stamp('engine-b', 2), () => engineB.placeOrder(bid('b-1')));

    await assert.rejects(
      withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-3'))),
      fenced(),
    );
    assert.deepEqual(await clientIds(sim.futures), ['a-1', 'a-2', 'b-1']);
  });

  it('refuses the same token under another owner, saying the lease invariant is broken', async (t) => {
    const { sim, metrics, engineA, engineB } = await setup(t);
    await withFence(stamp('engine-b', 2), () => engineB.placeOrder(bid('b-1')));

    await assert.rejects(
      withFence(stamp('engine-a', 2), () => engineA.placeOrder(bid('a-1'))),
      fenced((e) =>
        assert.match(
          e.message,
          /token 2 is held by owner "engine-b".*"engine-a".*broken lease invariant/,
        ),
      ),
    );
    assert.deepEqual(await clientIds(sim.futures), ['b-1']);
    assert.equal(await fencedCount(metrics, 'PlaceOrder'), 1);
  });

  it('passes calls without a stamp unchanged, even on a fenced symbol', async (t) => {
    const { sim, metrics, engineA, engineB } = await setup(t);
    await withFence(stamp('engine-b', 2), () => engineB.placeOrder(bid('b-1')));

    const order = await engineA.placeOrder(bid('plain-1'));
    await engineA.cancelOrder('BTCUSDT', order.orderId);

    assert.deepEqual(await clientIds(sim.futures), ['b-1']);
    assert.equal(await fencedCount(metrics, 'PlaceOrder'), 0);
    assert.equal(await fencedCount(metrics, 'CancelOrder'), 0);
  });

  it('keeps one fence per venue and symbol, whether the default venue is named or not', async (t) => {
    const { sim, engineA, engineB } = await setup(t);
    const named = await remote(t, sim.server.address, { exchange: 'sim' });
    const spot = await remote(t, sim.server.address, { exchange: 'sim-spot' });
    await withFence(stamp('engine-b', 2), () => named.placeOrder(bid('b-1')));

    await assert.rejects(
      withFence(stamp('engine-a', 1), () => engineA.placeOrder(bid('a-1'))),
      fenced(),
    );
    const otherSymbol = { symbol: 'ETHUSDT', owner: 'engine-a', token: 1 };
    await withFence(otherSymbol, () => engineA.placeOrder(bid('a-eth', 'ETHUSDT')));
    await withFence(stamp('engine-a', 1), () => spot.placeOrder(bid('a-spot')));

    assert.deepEqual(await clientIds(sim.futures), ['b-1']);
    assert.deepEqual(
      (await sim.spot.getOpenOrders('BTCUSDT')).map((o) => o.clientOrderId),
      ['a-spot'],
    );
    assert.equal(engineB.name, 'sim');
  });

  it('runs an admitted call at the venue under its stamp, so decorators know whose lease it is', async (t) => {
    const sim = createSimulatedVenue({ seed: 7, ...quiet }, new VirtualClock());
    t.after(() => sim.close());
    const seen: string[] = [];
    const futures = sim.exchange('futures');
    const recording = new Proxy(futures, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const lease = currentFence();
          seen.push(`${String(property)} ${lease ? `${lease.owner}/${lease.token}` : 'none'}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const server = await startConnector(t, recording);
    const engine = await remote(t, server.address);
    seen.length = 0;

    const placed = await withFence(stamp('engine-a', 3), () => engine.placeOrder(bid('a-1')));
    await withFence(stamp('engine-a', 3), () => engine.cancelOrder('BTCUSDT', placed.orderId));
    await engine.placeOrder(bid('plain-1'));
    await withFence(stamp('engine-a', 3), () => engine.getOpenOrders('BTCUSDT'));

    assert.deepEqual(seen, [
      'placeOrder engine-a/3',
      'cancelOrder engine-a/3',
      'placeOrder none',
      // Reads are never fenced and carry no stamp to the venue
      'getOpenOrders none',
    ]);
  });
});

describe('fence metadata at the connector edge', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['a zero token', { owner: 'engine-a', token: '0' }, FENCE_TOKEN_HEADER, /positive integer/],
    [
      'a negative token',
      { owner: 'engine-a', token: '-1' },
      FENCE_TOKEN_HEADER,
      /positive integer/,
    ],
    [
      'a fractional token',
      { owner: 'engine-a', token: '1.5' },
      FENCE_TOKEN_HEADER,
      /positive integer/,
    ],
    [
      'a word as token',
      { owner: 'engine-a', token: 'two' },
      FENCE_TOKEN_HEADER,
      /positive integer/,
    ],
    [
      'a token past 2^53',
      { owner: 'engine-a', token: '99999999999999999999' },
      FENCE_TOKEN_HEADER,
      /positive integer/,
    ],
    ['an empty owner', { owner: '', token: '1' }, FENCE_OWNER_HEADER, /is empty; send the id/],
    [
      'an owner of 129 characters',
      { owner: 'e'.repeat(129), token: '1' },
      FENCE_OWNER_HEADER,
      /129 characters; send an engine id of at most 128/,
    ],
    [
      'an owner without a token',
      { owner: 'engine-a' },
      FENCE_TOKEN_HEADER,
      /is missing .* send both/,
    ],
    ['a token without an owner', { token: '1' }, FENCE_OWNER_HEADER, /is missing .* send both/],
  ];

  it('refuses a malformed stamp with INVALID_ARGUMENT naming the header and the fix', async (t) => {
    const { sim, metrics } = await setup(t);
    const client = rawClient(t, sim.server.address);

    for (const [what, stampHeaders, field, fix] of cases) {
      const md = metadata({
        ...(stampHeaders.owner === undefined ? {} : { [FENCE_OWNER_HEADER]: stampHeaders.owner }),
        ...(stampHeaders.token === undefined ? {} : { [FENCE_TOKEN_HEADER]: stampHeaders.token }),
      });
      const { error } = await unaryResult(
        (m, o, done) => client.placeOrder(toProtoPlaceOrderRequest(bid('bad-1')), m, o, done),
        md,
      );
      assert.equal(error?.code, Status.INVALID_ARGUMENT, what);
      assert.equal(header(error?.metadata, 'x-error-field'), field, what);
      assert.ok(error?.details.startsWith(`${field}: `), `${what}: "${error?.details}"`);
      assert.match(error?.details ?? '', fix, what);
    }
    assert.deepEqual(await clientIds(sim.futures), []);
    assert.equal(await fencedCount(metrics, 'PlaceOrder'), 0);
  });

  it('refuses a header sent twice, naming it', async (t) => {
    const { sim } = await setup(t);
    const client = rawClient(t, sim.server.address);
    const md = metadata({ [FENCE_OWNER_HEADER]: 'engine-a', [FENCE_TOKEN_HEADER]: '1' });
    md.add(FENCE_TOKEN_HEADER, '2');

    const { error } = await unaryResult(
      (m, o, done) => client.cancelAllOrders({ symbol: 'BTCUSDT', useMargin: false }, m, o, done),
      md,
    );

    assert.equal(error?.code, Status.INVALID_ARGUMENT);
    assert.equal(header(error?.metadata, 'x-error-field'), FENCE_TOKEN_HEADER);
    assert.match(error?.details ?? '', /sent more than once .* send it once/);
  });

  it('refuses a stamped batch over several symbols, naming the first other one', async (t) => {
    const { sim } = await setup(t);
    const client = rawClient(t, sim.server.address);
    const md = metadata({ [FENCE_OWNER_HEADER]: 'engine-a', [FENCE_TOKEN_HEADER]: '1' });
    const orders = [bid('a-1'), bid('a-2'), bid('a-3', 'ETHUSDT')].map(toProtoPlaceOrderRequest);

    const { error } = await unaryResult(
      (m, o, done) => client.batchPlaceOrders({ orders }, m, o, done),
      md,
    );

    assert.equal(error?.code, Status.INVALID_ARGUMENT);
    assert.equal(header(error?.metadata, 'x-error-field'), 'orders[2].symbol');
    assert.match(error?.details ?? '', /one batch per symbol/);
    assert.deepEqual(await clientIds(sim.futures), []);
  });

  it('sends FENCED with its reason in the trailers, for clients in any language', async (t) => {
    const { sim, engineB } = await setup(t);
    const client = rawClient(t, sim.server.address);
    await withFence(stamp('engine-b', 2), () => engineB.placeOrder(bid('b-1')));
    const md = metadata({ [FENCE_OWNER_HEADER]: 'engine-a', [FENCE_TOKEN_HEADER]: '1' });

    const { error } = await unaryResult(
      (m, o, done) => client.cancelAllOrders({ symbol: 'BTCUSDT', useMargin: false }, m, o, done),
      md,
    );

    assert.equal(error?.code, Status.FAILED_PRECONDITION);
    assert.equal(header(error?.metadata, 'x-error-reason'), 'FENCED');
    assert.deepEqual(await clientIds(sim.futures), ['b-1']);
  });
});
