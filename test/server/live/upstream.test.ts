/**
 * Integration: the live server's upstream against the simulated venue, in-process and through a
 * real gRPC connector. Covers fresh snapshots after stream loss and connector restarts, catching
 * up on fills missed during a gap, and realized PnL from real fills.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../core/clock.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { dec, type Decimal } from '../../../core/decimal.js';
import { remote, startConnector, startSimConnector } from '../../support/grpc-harness.js';
import { DashboardClient, eventually, startLive, type Message } from './support/live-harness.js';

const SNAPSHOT = ['history', 'orders', 'account', 'position', 'pnl', 'status'];

const market = (side: 'BUY' | 'SELL', quantity: string) =>
  ({ symbol: 'BTCUSDT', side, type: 'MARKET', quantity: dec(quantity) }) as const;

/** The types of the messages after index `from`, from the next `history` on. */
function snapshotAfter(client: DashboardClient, from: number): string[] {
  const types = client.types().slice(from);
  return types.slice(types.indexOf('history'), types.indexOf('history') + SNAPSHOT.length);
}

async function realizedOf(exchange: Exchange, orderIds: string[]): Promise<[Decimal, Decimal]> {
  let realized = dec(0);
  let fees = dec(0);
  for (const orderId of orderIds) {
    const order = await exchange.getOrder({ symbol: 'BTCUSDT', orderId });
    for (const trade of order.trades) {
      realized = realized.add(trade.realizedPnl);
      fees = fees.add(trade.fee);
    }
  }
  return [realized, fees];
}

describe('upstream feed', () => {
  it('sends every client a fresh snapshot after the venue drops its streams', async (t) => {
    const { wsUrl, venue } = await startLive(t);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(SNAPSHOT.length);
    const from = client.messages.length;

    venue.faults.dropStreams();
    const live = await client.waitFor(
      (m) => m.type === 'status' && m.data.upstream === 'live',
      'the upstream to be live again',
      from,
    );

    const after = client.messages.slice(from);
    assert.deepEqual(after[0]?.data.upstream, 'reconnecting');
    assert.match(after[0]?.data.message, /stream dropped by the venue/);
    assert.deepEqual(snapshotAfter(client, from), SNAPSHOT);
    assert.equal(live.data.message, '');
    venue.step();
    await client.waitFor((m) => m.type === 'kline', 'a kline on the new subscription', from);
  });

  it('reports an order that filled during an outage as FILLED, with its trade, once', async (t) => {
    const { wsUrl, venue, exchange } = await startLive(t);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(SNAPSHOT.length);
    const price = await exchange.getLatestPrice('BTCUSDT');
    const bid = await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.002'),
      price: price.sub(500).floor(),
    });
    await client.waitFor((m) => m.type === 'orders' && m.data.status === 'NEW', 'the NEW order');
    const from = client.messages.length;

    venue.faults.setUnreachable(true);
    await client.waitFor((m) => m.data.upstream === 'reconnecting', 'reconnecting', from);
    venue.setSpotPrice('BTCUSDT', price.sub(1500).floor());
    venue.faults.setUnreachable(false);
    await client.waitFor((m) => m.data.upstream === 'live', 'live again', from);

    const after = client.messages.slice(from);
    const filled = after.filter((m) => m.type === 'orders' && !Array.isArray(m.data));
    assert.deepEqual(
      filled.map((m) => [m.data.id, m.data.status]),
      [[bid.orderId, 'FILLED']],
    );
    const trades = after.filter((m) => m.type === 'trade_event');
    assert.deepEqual(
      trades.map((m) => [m.data.orderId, m.data.side, m.data.amount]),
      [[bid.orderId, 'buy', '0.002']],
    );
    const snapshotOrders = after.find((m: Message) => m.type === 'orders' && Array.isArray(m.data));
    assert.deepEqual(snapshotOrders?.data, []);
    const pnl = after.filter((m) => m.type === 'pnl').at(-1);
    assert.equal(pnl?.data.buys, 1);
  });

  it('computes realized PnL and fees from the fills, equal to the venue ledger', async (t) => {
    const { wsUrl, venue, exchange } = await startLive(t);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(SNAPSHOT.length);

    const buy = await exchange.placeOrder(market('BUY', '0.03'));
    for (let i = 0; i < 40; i++) venue.step();
    const sell = await exchange.placeOrder(market('SELL', '0.01'));
    for (let i = 0; i < 40; i++) venue.step();
    const flip = await exchange.placeOrder(market('SELL', '0.05'));
    await eventually(() => client.of('trade_event').length >= 3, 'three fills');
    const [realized, fees] = await realizedOf(exchange, [buy.orderId, sell.orderId, flip.orderId]);
    await eventually(
      () => client.of('pnl').at(-1)?.data.sells === 2,
      'the PnL after the last fill',
    );

    const pnl = client.of('pnl').at(-1)?.data;
    assert.ok(!realized.isZero(), 'the venue realized something');
    assert.equal(pnl.realizedPnL, realized.toFixed());
    assert.equal(pnl.fees, fees.toFixed());
    assert.equal(pnl.netPnL, realized.sub(fees).toFixed());
    assert.deepEqual([pnl.buys, pnl.sells], [1, 2]);
    const position = client.of('position').at(-1)?.data;
    assert.equal(position.amount, '-0.03');
    assert.equal(position.realizedPnL, realized.toFixed());
  });

  it('sends a fresh snapshot when the gRPC connector restarts', async (t) => {
    const sim = await startSimConnector(t, {
      clock: new VirtualClock(),
      config: { symbols: ['BTCUSDT'] },
    });
    const exchange = await remote(t, sim.server.address);
    const { wsUrl } = await startLive(t, {}, () => async () => exchange);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(SNAPSHOT.length);
    const from = client.messages.length;

    await sim.server.shutdown(0);
    await startConnector(t, [sim.futures, sim.spot], { port: sim.server.port });
    await client.waitFor((m) => m.type === 'history', 'a fresh history', from, 5000);

    await client.received(from + SNAPSHOT.length);
    assert.deepEqual(snapshotAfter(client, from), SNAPSHOT);
    // The venue's clock moves only when told: keep stepping until the resubscribed kline stream,
    // which may go live after the snapshot, carries a candle
    const isKline = (m: { type: string }) => m.type === 'kline';
    await eventually(() => {
      sim.venue.step();
      return client.messages.slice(from).some(isKline);
    }, 'a kline after restart');
    const kline = await client.waitFor(isKline, 'a kline after restart', from);
    assert.equal(typeof kline.data.time, 'number');
  });
});
