/**
 * @module public/app
 * The live dashboard: connects to the live server's /ws feed and shows candles, open orders as
 * price lines, fills as markers with a sound and a flash, balance, position and PnL. Every
 * message type of the server is handled here; unknown types are ignored, so a newer server
 * never breaks an older page.
 */
import { createPriceChart } from './chart.js';
import { createHud } from './hud.js';
import { connectFeed, feedUrl } from './socket.js';
import { createTradeSound } from './sound.js';

const OPEN = new Set(['NEW', 'PARTIALLY_FILLED']);

const hud = createHud();
const chart = createPriceChart(document.getElementById('chart'));
const sound = createTradeSound();
/** Open orders by id, as the server reported them. */
const orders = new Map();
let intervalSeconds = 60;
let connected = false;
let upstream = { upstream: 'connecting', message: '' };

const orderKey = (o) => String(o.id || `${o.side}-${o.price}`);

function applyOrder(order) {
  const key = orderKey(order);
  if (OPEN.has(order.status)) {
    orders.set(key, order);
    chart.setOrderLine(key, order);
  } else {
    orders.delete(key);
    chart.removeOrderLine(key);
  }
}

function showStatus() {
  if (!connected) return;
  if (upstream.upstream === 'live') hud.setStatus('live', 'Live');
  else if (upstream.upstream === 'connecting') hud.setStatus('waiting', 'Waiting for the exchange');
  else hud.setStatus('degraded', `Exchange feed interrupted: ${upstream.message}`);
}

const handlers = {
  history(candles) {
    chart.setHistory(candles);
    const last = candles[candles.length - 1];
    if (last) hud.setPrice(last.close);
  },
  kline(candle) {
    chart.updateCandle(candle);
    hud.setPrice(candle.close);
  },
  orders(data) {
    // An array is the complete set of open orders (a snapshot); one object is one change
    if (Array.isArray(data)) {
      const keep = new Set(data.map(orderKey));
      for (const key of [...orders.keys()]) {
        if (!keep.has(key)) applyOrder({ ...orders.get(key), status: 'CANCELED' });
      }
      data.forEach(applyOrder);
    } else {
      applyOrder(data);
    }
    hud.renderOrders([...orders.values()]);
  },
  trade_event(fill) {
    chart.addFill(fill, intervalSeconds);
    hud.addFill(fill);
    sound.play(fill.side);
  },
  account: (account) => hud.renderAccount(account),
  position: (position) => hud.renderPosition(position),
  pnl: (pnl) => hud.renderPnl(pnl),
  status(status) {
    intervalSeconds = status.intervalSeconds || 60;
    upstream = status;
    hud.setMarket(status.symbol, status.interval);
    showStatus();
  },
};

connectFeed(feedUrl(window.location), {
  onMessage(message) {
    if (Object.hasOwn(handlers, message.type)) handlers[message.type](message.data);
  },
  onState(change) {
    connected = change.state === 'open';
    if (change.state === 'connecting') {
      hud.setStatus('connecting', change.attempt > 0 ? 'Reconnecting…' : 'Connecting…');
    } else if (change.state === 'open') {
      hud.setStatus('waiting', 'Connected, waiting for data');
    } else {
      const seconds = Math.ceil(change.retryInMs / 1000);
      const why = change.reason || `code ${change.code}`;
      hud.setStatus('down', `Disconnected (${why}), retrying in ${seconds}s`);
    }
  },
});

hud.setMuted(sound.muted);
document.getElementById('mute').addEventListener('click', () => hud.setMuted(sound.toggle()));
document.addEventListener('pointerdown', () => sound.unlock(), { once: true });

/** Read-only counters for the browser test. */
window.__dashboard = {
  get candles() {
    return chart.counts().candles;
  },
  get priceLines() {
    return chart.counts().priceLines;
  },
  get markers() {
    return chart.counts().markers;
  },
  get soundPlays() {
    return sound.plays;
  },
  get status() {
    return document.getElementById('status').dataset.state;
  },
};
