/**
 * The stream router over a hand-written venue whose streams the test drives: one subscription
 * per stream, order updates routed by symbol without loss and without one full mailbox holding
 * up another symbol, prices conflated, and a reconcile requested after every gap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Mailbox } from '../../../actors/engine/mailbox.js';
import { StreamRouter } from '../../../actors/engine/stream-router.js';
import type { SymbolMessage } from '../../../actors/engine/symbol.messages.js';
import { VirtualClock } from '../../../core/clock.js';
import { ExchangeError } from '../../../core/errors.js';
import { createLogger } from '../../../core/logger.js';
import type { StreamSink } from '../../../core/stream.js';
import type { Account, OrderUpdate, PriceChange } from '../../../core/exchange.types.js';
import { dec } from '../../../core/decimal.js';
import { orderFor, scriptedExchange } from '../../support/scripted-exchange.js';

function streamingVenue() {
  const sinks = {
    orders: [] as StreamSink<OrderUpdate>[],
    price: [] as { symbols: readonly string[]; sink: StreamSink<PriceChange> }[],
    account: [] as StreamSink<Account>[],
  };
  const closed: string[] = [];
  const exchange = scriptedExchange({
    subscribeOrders: (sink) => {
      sinks.orders.push(sink);
      return { close: () => closed.push('orders') };
    },
    subscribePrice: (symbols, sink) => {
      sinks.price.push({ symbols, sink });
      return { close: () => closed.push(`price:${symbols.join(',')}`) };
    },
    subscribeAccount: (sink) => {
      sinks.account.push(sink);
      return { close: () => closed.push('account') };
    },
  });
  return { exchange, sinks, closed };
}

function update(symbol: string, clientOrderId: string): OrderUpdate {
  const order = orderFor({ symbol, side: 'BUY', type: 'LIMIT', quantity: dec(1), clientOrderId });
  return { exchange: 'scripted', order };
}

function routerFor(mailboxes: Map<string, Mailbox<SymbolMessage>>) {
  const venue = streamingVenue();
  const clock = new VirtualClock();
  const router = new StreamRouter({
    exchange: venue.exchange,
    clock,
    log: createLogger('router-test', 'silent'),
    mailboxOf: (symbol) => mailboxes.get(symbol),
    symbols: () => [...mailboxes.keys()],
  });
  router.start();
  return { router, clock, ...venue };
}

const ids = (messages: (SymbolMessage | undefined)[]) =>
  messages.map((m) => (m?.kind === 'order' ? m.update.order.clientOrderId : m?.kind));

async function drain(mailbox: Mailbox<SymbolMessage>, count: number) {
  const out: (SymbolMessage | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const d = await mailbox.take();
    out.push(d?.kind === 'message' ? d.message : undefined);
  }
  return out;
}

describe('StreamRouter', () => {
  it('opens one subscription per stream, prices for the traded symbols only', () => {
    const boxes = new Map([
      ['BTCUSDT', new Mailbox<SymbolMessage>(4)],
      ['ETHUSDT', new Mailbox<SymbolMessage>(4)],
    ]);
    const { sinks } = routerFor(boxes);

    assert.deepEqual(
      [sinks.orders.length, sinks.account.length, sinks.price.map((p) => p.symbols)],
      [1, 1, [['BTCUSDT', 'ETHUSDT']]],
    );
  });

  it('routes order updates by symbol in order, and a full mailbox holds up only its own symbol', async () => {
    const btc = new Mailbox<SymbolMessage>(1);
    const eth = new Mailbox<SymbolMessage>(1);
    const { sinks, router } = routerFor(
      new Map([
        ['BTCUSDT', btc],
        ['ETHUSDT', eth],
      ]),
    );
    const [orders] = sinks.orders;
    for (const id of ['b1', 'b2', 'b3']) orders?.next(update('BTCUSDT', id));
    orders?.next(update('ETHUSDT', 'e1'));
    orders?.next(update('XRPUSDT', 'x1'));
    await Promise.resolve();

    assert.deepEqual(ids(await drain(eth, 1)), ['e1']);
    assert.deepEqual(router.backlog(), { BTCUSDT: 1, ETHUSDT: 0, XRPUSDT: 0 });
    assert.deepEqual(ids(await drain(btc, 3)), ['b1', 'b2', 'b3']);
  });

  it('conflates prices into the mailbox and reports the age of each feed', async () => {
    const btc = new Mailbox<SymbolMessage>(4);
    const { sinks, clock, router } = routerFor(new Map([['BTCUSDT', btc]]));
    const price = sinks.price[0]?.sink;
    price?.next({ exchange: 's', symbol: 'BTCUSDT', price: dec('100'), timeMs: 1 });
    price?.next({ exchange: 's', symbol: 'BTCUSDT', price: dec('100.50'), timeMs: 2 });
    clock.advance(750);

    assert.deepEqual(await btc.take(), { kind: 'price', tick: { price: '100.5', timeMs: 2 } });
    assert.deepEqual(router.feedAges(), { price: 750, orders: null, account: null });
  });

  it('asks every symbol to reconcile after a gap, and resubscribes an ended stream with backoff', async () => {
    const btc = new Mailbox<SymbolMessage>(4);
    const { sinks, clock } = routerFor(new Map([['BTCUSDT', btc]]));
    sinks.orders[0]?.resync?.();
    sinks.orders[0]?.error(new ExchangeError('SUBSCRIBER_TOO_SLOW', 'cut'));
    clock.advance(499);
    const before = sinks.orders.length;
    clock.advance(1);

    assert.deepEqual([before, sinks.orders.length], [1, 2]);
    const asked = await drain(btc, 2);
    assert.deepEqual(ids(asked), ['reconcile', 'reconcile']);
    assert.deepEqual(
      asked.map((m) => m?.kind === 'reconcile' && m.trigger),
      ['stream', 'stream'],
    );
  });

  it('re-subscribes prices when the symbol set changes and closes everything on stop', () => {
    const boxes = new Map([['BTCUSDT', new Mailbox<SymbolMessage>(4)]]);
    const { router, sinks, closed } = routerFor(boxes);
    boxes.set('ETHUSDT', new Mailbox<SymbolMessage>(4));
    router.refreshSymbols();
    router.stop();

    assert.deepEqual(
      sinks.price.map((p) => p.symbols.join(',')),
      ['BTCUSDT', 'BTCUSDT,ETHUSDT'],
    );
    assert.deepEqual(closed.sort(), [
      'account',
      'orders',
      'price:BTCUSDT',
      'price:BTCUSDT,ETHUSDT',
    ]);
  });
});
