/**
 * Backward compatibility: a page written only to the original contract (original-facts §2.3)
 * works unchanged. `OriginalPage` does exactly what the original live.html did with each message
 * (Number/parseFloat coercions, upper-case status and side comparisons, lower-case trade side,
 * seconds floored to the minute for markers), and the test checks what it would have shown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dec } from '../../../core/decimal.js';
import { DashboardClient, eventually, startLive, type Message } from './support/live-harness.js';

/** The original page's message handling, minus the drawing. */
class OriginalPage {
  candles: { time: number; close: number }[] = [];
  readonly lines = new Map<string, { price: number; color: string }>();
  readonly markers: { time: number; position: string }[] = [];
  totalBuys = 0;
  totalSells = 0;
  balance = Number.NaN;
  symbol = 'ETHUSDC';

  handle({ type, data }: Message): void {
    if (type === 'history') {
      this.candles = data.map((c: Record<string, string>) => ({
        time: Number(c.time),
        close: parseFloat(c.close as string),
      }));
    } else if (type === 'kline') {
      const time = Number(data.time);
      const last = this.candles.at(-1);
      if (last !== undefined && time < last.time) throw new Error('older bar: the chart throws');
      if (last?.time === time) this.candles.pop();
      this.candles.push({ time, close: parseFloat(data.close) });
    } else if (type === 'account' && data.asset) {
      if (data.asset === 'USDC' || data.asset === 'USDT') {
        this.balance = parseFloat(data.balance || data.marginBalance || data.free);
      }
      this.symbol = data.symbol || data.asset;
    } else if (type === 'orders') {
      for (const order of Array.isArray(data) ? data : [data]) {
        const key = String(order.id || `${order.side}-${order.price}`);
        if (['FILLED', 'CANCELED', 'EXPIRED'].includes(order.status)) this.lines.delete(key);
        else if (['NEW', 'PARTIALLY_FILLED'].includes(order.status)) {
          const color = order.side === 'BUY' ? '#22c55e' : '#ef4444';
          this.lines.set(key, { price: parseFloat(order.price), color });
        }
      }
    } else if (type === 'trade_event') {
      const time = Math.floor((Number(data.time) || Date.now() / 1000) / 60) * 60;
      if (data.side === 'buy') this.totalBuys++;
      else this.totalSells++;
      this.markers.push({ time, position: data.side === 'buy' ? 'belowBar' : 'aboveBar' });
    }
  }
}

describe('original-contract page', () => {
  it('shows candles, balance, order lines and fill markers from the new server unchanged', async (t) => {
    const { wsUrl, venue, exchange, clock } = await startLive(t);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(6);
    const price = await exchange.getLatestPrice('BTCUSDT');
    const bid = await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.01'),
      price: price.sub(300).floor(),
    });
    await client.waitFor((m) => m.type === 'orders' && m.data.status === 'NEW', 'NEW');
    const page = new OriginalPage();
    let handled = 0;
    const catchUp = () => {
      for (const m of client.messages.slice(handled)) page.handle(m);
      handled = client.messages.length;
    };
    catchUp();
    const line = page.lines.get(bid.orderId);

    const fillSecs = clock.now() / 1000;
    venue.setSpotPrice('BTCUSDT', price.sub(800).floor());
    await client.waitFor((m) => m.type === 'trade_event', 'the fill');
    await eventually(() => client.of('orders').some((m) => m.data.status === 'FILLED'), 'FILLED');
    clock.advance(60_000);
    await eventually(() => client.of('kline').length > 0, 'a kline of the next minute');
    catchUp();

    const nowSecs = clock.now() / 1000;
    assert.equal(page.candles.length >= 100, true);
    for (const c of page.candles) {
      assert.ok(Number.isInteger(c.time) && c.time <= nowSecs && c.time > nowSecs - 86_400 * 3);
      assert.ok(Number.isFinite(c.close) && c.close > 0);
    }
    assert.deepEqual(line, { price: bid.price.toNumber(), color: '#22c55e' });
    assert.equal(page.lines.has(bid.orderId), false, 'the FILLED order line is removed');
    assert.equal(page.totalBuys, 1);
    assert.equal(page.totalSells, 0);
    assert.equal(page.markers[0]?.position, 'belowBar');
    assert.equal(page.markers[0]?.time, Math.floor(fillSecs / 60) * 60);
    assert.equal(page.balance > 0, true);
    assert.equal(page.symbol, 'BTCUSDT');
  });

  it('sends exactly the original keys and value types', async (t) => {
    const { wsUrl, venue, exchange } = await startLive(t);
    const client = await DashboardClient.open(t, wsUrl);
    await client.received(6);
    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.01'),
    });
    venue.step();
    await client.waitFor((m) => m.type === 'trade_event', 'the fill');
    await client.waitFor((m) => m.type === 'kline', 'a kline');

    const first = (type: string) => client.messages.find((m) => m.type === type)?.data;
    const candle = first('history')[0];
    const order = client.of('orders').find((m) => !Array.isArray(m.data))?.data;
    const fill = first('trade_event');
    const account = first('account');
    const position = first('position');
    const kline = first('kline');

    for (const c of [candle, kline]) {
      assert.equal(typeof c.time, 'number');
      for (const k of ['open', 'high', 'low', 'close', 'volume'])
        assert.match(c[k], /^-?\d+(\.\d+)?$/);
    }
    assert.deepEqual(
      [order.status, order.side, order.type, typeof order.price, order.symbol],
      ['NEW', 'BUY', 'MARKET', 'string', 'BTCUSDT'],
    );
    assert.equal(
      client.of('orders').some((m) => m.data.status === 'FILLED'),
      true,
    );
    assert.deepEqual([fill.side, fill.symbol, typeof fill.time], ['buy', 'BTCUSDT', 'number']);
    assert.match(fill.price, /^\d+(\.\d+)?$/);
    assert.equal(fill.amount, '0.01');
    assert.deepEqual(Object.keys(account), ['asset', 'free', 'balance', 'marginBalance', 'symbol']);
    assert.equal(account.asset, 'USDT');
    for (const k of ['symbol', 'amount', 'entryPrice', 'unrealizedPnL']) {
      assert.equal(typeof position[k], 'string');
    }
  });
});
