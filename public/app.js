/**
 * @module public/app
 * The live dashboard: connects to the live server's /ws feed for one symbol and shows candles,
 * open orders as price lines, fills as markers with a sound and a flash, the order book, the
 * recent fills (from trade history too, each once), balance, position and PnL. The symbol comes
 * from `?symbol=` (the server's configured one when absent) and the picker switches it in
 * place, keeping the URL in step. Every message type of the server is handled here; unknown
 * types are ignored, so a newer server never breaks an older page.
 */
import { createPriceChart } from './chart.js';
import { createDepthView } from './depth.js';
import { createHud } from './hud.js';
import { connectFeed, feedUrl } from './socket.js';
import { createTradeSound } from './sound.js';

const OPEN = new Set(['NEW', 'PARTIALLY_FILLED']);

const hud = createHud();
const depth = createDepthView();
const chart = createPriceChart(document.getElementById('chart'));
const sound = createTradeSound();
const picker = document.getElementById('symbol-picker');
/** Open orders by id, as the server reported them. */
const orders = new Map();
let intervalSeconds = 60;
let connected = false;
let upstream = { upstream: 'connecting', message: '' };
let feed;
/** The symbol asked for; '' until the server names its configured one. */
let symbol = new URLSearchParams(window.location.search).get('symbol') ?? '';
/** The server's configured symbol: what a URL without `?symbol=` shows. */
let defaultSymbol = '';

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
    // A fill the list already has (from trade history) is not announced twice
    if (hud.addFill(fill)) sound.play(fill.side);
  },
  account: (account) => hud.renderAccount(account),
  position: (position) => hud.renderPosition(position),
  pnl: (pnl) => hud.renderPnl(pnl),
  status(status) {
    intervalSeconds = status.intervalSeconds || 60;
    upstream = status;
    hud.setMarket(status.symbol, status.interval);
    if (symbol === '') {
      symbol = status.symbol;
      defaultSymbol ||= status.symbol;
      selectInPicker(symbol);
    }
    showStatus();
  },
  depth: (data) => depth.render(data),
  fills(data) {
    hud.showFills(data.fills, data.kind === 'snapshot');
    for (const fill of data.fills) chart.addFill(fill, intervalSeconds);
  },
};

function connect() {
  feed = connectFeed(feedUrl(window.location, symbol), {
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
}

/** Shows `next` instead of the current symbol, without reloading the page. */
function switchTo(next, { push }) {
  if (next === symbol) return;
  feed?.close();
  symbol = next;
  orders.clear();
  chart.reset();
  depth.reset();
  hud.reset();
  hud.setMarket(next, '');
  upstream = { upstream: 'connecting', message: '' };
  if (push) {
    const url = new URL(window.location.href);
    url.searchParams.set('symbol', next);
    window.history.pushState({ symbol: next }, '', url);
  }
  selectInPicker(next);
  connect();
}

function selectInPicker(value) {
  if ([...picker.options].some((o) => o.value === value)) picker.value = value;
}

/** Fills the picker from `GET /symbols`; a server without it keeps the picker hidden. */
async function loadSymbols() {
  try {
    const response = await fetch('/symbols', { headers: { accept: 'application/json' } });
    if (!response.ok) return;
    const body = await response.json();
    picker.replaceChildren(
      ...body.symbols.map((s) => {
        const option = document.createElement('option');
        option.value = s;
        option.textContent = s;
        return option;
      }),
    );
    defaultSymbol = body.default;
    selectInPicker(symbol || body.default);
    picker.hidden = body.symbols.length < 2;
    document.getElementById('symbol').hidden = !picker.hidden;
  } catch (e) {
    console.info('no symbol list; the picker stays hidden', e);
  }
}

picker.addEventListener('change', () => switchTo(picker.value, { push: true }));
window.addEventListener('popstate', () => {
  const wanted = new URLSearchParams(window.location.search).get('symbol') || defaultSymbol;
  if (wanted !== '') switchTo(wanted, { push: false });
});

connect();
void loadSymbols();

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
  get symbol() {
    return symbol;
  },
  get depthLevels() {
    return depth.levels();
  },
  get fillsListed() {
    return hud.fillCount();
  },
};
