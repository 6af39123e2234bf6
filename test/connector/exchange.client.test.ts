import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.js';
import { ExchangeError } from '../../core/errors.js';
import { connectRemoteExchange } from '../../connector/exchange.client.js';
import type { Account, Candle, PriceChange } from '../../core/exchange.types.js';
import {
  eventually,
  fakeVenue,
  remote,
  startConnector,
  startSimConnector,
} from '../support/grpc-harness.js';

const rejection = (check: (e: ExchangeError) => void) => (e: unknown) => {
  assert.ok(e instanceof ExchangeError, `expected an ExchangeError, was ${String(e)}`);
  check(e);
  return true;
};

describe('RemoteExchange', () => {
  it('rebuilds the venue error with its reason, field and venue code', async (t) => {
    const venue = fakeVenue('sim', {
      getAccount: async () => {
        throw new ExchangeError('INSUFFICIENT_FUNDS', 'margin balance 3 is below 10', {
          venueCode: '-2019',
        });
      },
      getSymbolInfo: async (symbol) => {
        throw new ExchangeError('UNKNOWN_SYMBOL', `symbol: ${symbol} is not listed`, {
          field: 'symbol',
        });
      },
    });
    const server = await startConnector(t, venue);
    const exchange = await remote(t, server.address);

    await assert.rejects(
      exchange.getAccount(),
      rejection((e) => {
        assert.equal(e.reason, 'INSUFFICIENT_FUNDS');
        assert.equal(e.venueCode, '-2019');
        assert.equal(e.message, 'margin balance 3 is below 10');
      }),
    );
    await assert.rejects(
      exchange.getSymbolInfo('DOGEUSDT'),
      rejection((e) => {
        assert.equal(e.reason, 'UNKNOWN_SYMBOL');
        assert.equal(e.field, 'symbol');
      }),
    );
  });

  it('gives up a unary call at its deadline with TIMEOUT', async (t) => {
    const venue = fakeVenue('sim', { getAccount: () => new Promise<Account>(() => undefined) });
    const server = await startConnector(t, venue);
    const exchange = await remote(t, server.address, { deadlineMs: 100 });
    const started = Date.now();

    await assert.rejects(
      exchange.getAccount(),
      rejection((e) => assert.equal(e.reason, 'TIMEOUT')),
    );
    assert.ok(Date.now() - started < 1000, 'the deadline cut the call');
  });

  it('fails to connect with an error naming the address after the configured attempts', async (t) => {
    const server = await startConnector(t, fakeVenue('sim', {}));
    const address = server.address;
    await server.shutdown(0);

    await assert.rejects(
      connectRemoteExchange(address, { connectAttempts: 3, initialBackoffMs: 10 }),
      new RegExp(`exchange connector at ${address} unreachable after 3 attempts`),
    );
  });

  it('resubscribes its streams after a connector restart and asks the consumer to resync', async (t) => {
    const clock = new VirtualClock();
    const sim = await startSimConnector(t, { clock });
    const exchange = await remote(t, sim.server.address);
    const prices: PriceChange[] = [];
    const errors: ExchangeError[] = [];
    let resyncs = 0;
    exchange.subscribePrice(['BTCUSDT'], {
      next: (p) => prices.push(p),
      error: (e) => errors.push(e),
      resync: () => resyncs++,
    });
    await eventually(() => sim.server.streams().subscribers === 1, 'the subscription');
    clock.advance(250);
    await eventually(() => prices.length > 0, 'a price before the restart');

    await sim.server.shutdown(1000);
    const restarted = await startConnector(t, [sim.futures, sim.spot], { port: sim.server.port });
    await eventually(() => resyncs === 1, 'the resync after resubscribing');
    const before = prices.length;
    clock.advance(250);
    await eventually(() => prices.length > before, 'a price after the restart');

    assert.equal(restarted.streams().subscribers, 1);
    assert.equal(prices.at(-1)?.symbol, 'BTCUSDT');
    assert.ok(prices.at(-1)?.price.gt(0));
    assert.deepEqual(errors, []);
  });

  it('reports a permanent stream failure once and does not resubscribe', async (t) => {
    let opened = 0;
    const venue = fakeVenue('sim', {
      subscribeKlines: () => {
        opened++;
        throw new ExchangeError('INVALID_ARGUMENT', 'interval: 7m is not supported', {
          field: 'interval',
        });
      },
    });
    const server = await startConnector(t, venue);
    const exchange = await remote(t, server.address);
    const errors: ExchangeError[] = [];

    exchange.subscribeKlines(['BTCUSDT'], '7m', {
      next: (_c: Candle) => assert.fail('no candle expected'),
      error: (e) => errors.push(e),
    });
    await eventually(() => errors.length === 1, 'the stream error');
    await new Promise((r) => setTimeout(r, 100));

    assert.equal(errors[0]?.reason, 'INVALID_ARGUMENT');
    assert.equal(errors[0]?.field, 'interval');
    assert.equal(opened, 1);
  });

  it('cancels its streams on close and refuses calls afterwards', async (t) => {
    const venue = fakeVenue('sim', { subscribeAccount: () => ({ close: () => undefined }) });
    const server = await startConnector(t, venue);
    const exchange = await remote(t, server.address);
    exchange.subscribeAccount({ next: () => undefined, error: () => undefined });
    await eventually(() => server.streams().subscribers === 1, 'the subscription');

    await exchange.close();

    await eventually(() => server.streams().subscribers === 0, 'the server to see the cancel');
    assert.equal(exchange.isReachable(), false);
    await assert.rejects(
      exchange.getLatestPrice('BTCUSDT'),
      rejection((e) => assert.equal(e.reason, 'EXCHANGE_UNAVAILABLE')),
    );
  });
});
