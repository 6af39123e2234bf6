/**
 * The client half of fencing: what RemoteExchange sends. A bare gRPC server records the metadata
 * of every call, so the test sees the wire as any connector (ours or another language's) would.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Server,
  ServerCredentials,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { toProtoOrder } from '../../connector/codec.js';
import { withResilience } from '../../connector/resilient.exchange.js';
import { dec } from '../../core/decimal.js';
import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Order, PlaceOrderRequest } from '../../core/exchange.types.js';
import {
  FENCE_OWNER_HEADER,
  FENCE_TOKEN_HEADER,
  withFence,
  type FenceStamp,
} from '../../core/fence.js';
import {
  ExchangeServiceService,
  type ExchangeServiceServer,
} from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import { header, remote } from '../support/grpc-harness.js';

interface Seen {
  readonly method: string;
  readonly owner: string | undefined;
  readonly token: string | undefined;
  readonly apiKey: string | undefined;
}

const ORDER: Order = {
  orderId: '7',
  clientOrderId: 'c-1',
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price: dec('90000'),
  quantity: dec('0.01'),
  executedQty: dec(0),
  avgPrice: dec(0),
  status: 'NEW',
  reduceOnly: false,
  postOnly: false,
  createdAtMs: 1,
  updateTimeMs: 1,
  trades: [],
};

/** A gRPC server answering the calls RemoteExchange makes here, recording each one's stamp. */
async function recordingServer(t: TestContext): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const answer =
    (method: string, response: unknown) =>
    (call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => {
      const md: Metadata = call.metadata;
      seen.push({
        method,
        owner: header(md, FENCE_OWNER_HEADER),
        token: header(md, FENCE_TOKEN_HEADER),
        apiKey: header(md, 'x-api-key'),
      });
      done(null, response);
    };
  const implementation = {
    getName: answer('getName', { name: 'sim' }),
    placeOrder: answer('placeOrder', toProtoOrder(ORDER)),
    batchPlaceOrders: answer('batchPlaceOrders', { orders: [], allSuccess: true, errors: [] }),
    cancelOrder: answer('cancelOrder', {}),
    batchCancelOrders: answer('batchCancelOrders', { errors: [] }),
    cancelAllOrders: answer('cancelAllOrders', {}),
    getOpenOrders: answer('getOpenOrders', { orders: [] }),
  };
  const server = new Server();
  server.addService(ExchangeServiceService, implementation as unknown as ExchangeServiceServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  t.after(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, seen };
}

const bid = (symbol = 'BTCUSDT'): PlaceOrderRequest => ({
  symbol,
  side: 'BUY',
  type: 'LIMIT',
  quantity: dec('0.01'),
  price: dec('90000'),
  clientOrderId: 'c-1',
});

const lease = (owner: string, token: number): FenceStamp => ({ symbol: 'BTCUSDT', owner, token });

/** Every order-changing call of the port, once. */
async function everyOrderCall(exchange: Exchange): Promise<void> {
  await exchange.placeOrder(bid());
  await exchange.batchPlaceOrders([bid(), bid()]);
  await exchange.cancelOrder('BTCUSDT', '7');
  await exchange.batchCancelOrders('BTCUSDT', ['7', '8']);
  await exchange.cancelAllOrders('BTCUSDT');
}

const ORDER_CALLS = [
  'placeOrder',
  'batchPlaceOrders',
  'cancelOrder',
  'batchCancelOrders',
  'cancelAllOrders',
];

describe('RemoteExchange under withFence', () => {
  it('sends the lease owner and token with every order-changing call', async (t) => {
    const { address, seen } = await recordingServer(t);
    const exchange = await remote(t, address, { apiKey: 'k1' });

    await withFence(lease('engine-b', 12), () => everyOrderCall(exchange));

    const calls = seen.filter((s) => s.method !== 'getName');
    assert.deepEqual(
      calls.map((s) => s.method),
      ORDER_CALLS,
    );
    for (const call of calls) {
      assert.deepEqual(
        [call.owner, call.token, call.apiKey],
        ['engine-b', '12', 'k1'],
        call.method,
      );
    }
  });

  it('sends nothing extra outside withFence, nor on reads inside it but the one that announces it', async (t) => {
    const { address, seen } = await recordingServer(t);
    const exchange = await remote(t, address);

    await everyOrderCall(exchange);
    await withFence(lease('engine-b', 12), async () => {
      await exchange.getOpenOrders('ETHUSDT');
      await exchange.getOpenOrders('');
      await exchange.getOpenOrders('BTCUSDT');
    });

    assert.equal(seen.length, 1 + ORDER_CALLS.length + 3);
    const announcing = seen.at(-1);
    assert.ok(
      seen.slice(0, -1).every((s) => s.owner === undefined && s.token === undefined),
      JSON.stringify(seen),
    );
    // The new owner's read of its own symbol's orders raises the connector's fence (fence-guard)
    assert.deepEqual(
      [announcing?.method, announcing?.owner, announcing?.token],
      ['getOpenOrders', 'engine-b', '12'],
    );
  });

  it('keeps the stamp across awaits, timers and the venue decorators, one stamp per scope', async (t) => {
    const { address, seen } = await recordingServer(t);
    const exchange = withResilience(await remote(t, address));

    // Two engines' scopes interleave on one client; neither stamp may leak into the other
    await Promise.all([
      withFence(lease('engine-a', 1), async () => {
        await sleep(5);
        await exchange.placeOrder(bid());
        await new Promise((r) => setImmediate(r));
        await exchange.cancelAllOrders('BTCUSDT');
      }),
      withFence(lease('engine-b', 2), async () => {
        await Promise.resolve();
        await exchange.placeOrder(bid());
        await sleep(10);
        await exchange.cancelOrder('BTCUSDT', '7');
      }),
    ]);
    await exchange.placeOrder(bid());

    const stamps = seen
      .filter((s) => s.method !== 'getName')
      .map((s) => `${s.method}:${s.owner ?? '-'}:${s.token ?? '-'}`)
      .sort();
    assert.deepEqual(stamps, [
      'cancelAllOrders:engine-a:1',
      'cancelOrder:engine-b:2',
      'placeOrder:-:-',
      'placeOrder:engine-a:1',
      'placeOrder:engine-b:2',
    ]);
  });

  it("refuses an order call about another symbol than the lease's, without sending it", async (t) => {
    const { address, seen } = await recordingServer(t);
    const exchange = await remote(t, address);
    const refusal = (field: string) => (e: unknown) => {
      assert.ok(e instanceof ExchangeError, String(e));
      assert.equal(e.reason, 'INVALID_ARGUMENT');
      assert.equal(e.field, field);
      assert.match(e.message, /"ETHUSDT" is not "BTCUSDT", the symbol of the lease/);
      return true;
    };

    await withFence(lease('engine-a', 1), async () => {
      await assert.rejects(exchange.placeOrder(bid('ETHUSDT')), refusal('symbol'));
      await assert.rejects(
        exchange.batchPlaceOrders([bid(), bid('ETHUSDT')]),
        refusal('orders[1].symbol'),
      );
      await assert.rejects(exchange.cancelOrder('ETHUSDT', '7'), refusal('symbol'));
      await assert.rejects(exchange.cancelAllOrders('ETHUSDT'), refusal('symbol'));
    });

    assert.deepEqual(
      seen.map((s) => s.method),
      ['getName'],
    );
  });

  it('refuses an owner that gRPC metadata cannot carry, naming the header', async (t) => {
    const { address, seen } = await recordingServer(t);
    const exchange = await remote(t, address);

    await assert.rejects(
      withFence(lease('engine\n-a', 1), () => exchange.placeOrder(bid())),
      (e: unknown) => {
        assert.ok(e instanceof ExchangeError, String(e));
        assert.equal(e.reason, 'INVALID_ARGUMENT');
        assert.equal(e.field, FENCE_OWNER_HEADER);
        return true;
      },
    );
    assert.equal(seen.length, 1);
  });
});
