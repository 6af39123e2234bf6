/**
 * @module public/hud
 * Everything on the page besides the chart: price, balances, PnL, position, open orders, recent
 * fills, the connection status and the flash on a fill. Values arrive as decimal strings and are
 * formatted with Intl.NumberFormat, which rounds decimal strings exactly (no float detour).
 * Server text only ever goes in through textContent.
 */

const $ = (id) => document.getElementById(id);
const MAX_FILLS = 30;

const money = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const priceFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });
const signedMoney = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  signDisplay: 'exceptZero',
});

/** Formats a decimal string; "—" when there is none. */
const fmt = (format, value) => (value === undefined || value === '' ? '—' : format.format(value));

/** Sets text and a sign class (up/down/flat) on an element. */
function setSigned(el, value) {
  el.textContent = fmt(signedMoney, value);
  const sign = value?.startsWith('-') ? 'down' : /[1-9]/.test(value ?? '') ? 'up' : 'flat';
  el.dataset.sign = sign;
}

function time(seconds) {
  return new Date(Number(seconds) * 1000).toLocaleTimeString([], { hour12: false });
}

/** Binds the page's elements; returns the render functions. */
export function createHud() {
  let lastPrice;
  let flashTimer;
  /** Listed fills by trade id. */
  const fills = new Map();

  /** Adds a fill to the list unless its trade id is there; false when it was. */
  function listFill(fill) {
    const id = String(fill.id ?? `${fill.side}-${fill.price}-${fill.time}`);
    if (fills.has(id)) return false;
    fills.set(id, fill);
    return true;
  }

  /** Draws the newest MAX_FILLS fills, newest first, and the count of fills listed. */
  function renderFills() {
    const newest = [...fills.values()]
      .sort((a, b) => Number(b.time) - Number(a.time))
      .slice(0, MAX_FILLS);
    $('fills').replaceChildren(
      ...newest.map((fill) => {
        const li = document.createElement('li');
        li.dataset.side = fill.side;
        const side = document.createElement('span');
        side.className = 'order-side';
        side.textContent = fill.side.toUpperCase();
        const what = document.createElement('span');
        what.textContent = `${fill.amount} @ ${fmt(priceFormat, fill.price)}`;
        const when = document.createElement('span');
        when.className = 'muted';
        when.textContent = time(fill.time);
        li.append(side, what, when);
        return li;
      }),
    );
    $('fill-list-count').textContent = String(fills.size);
    $('fills-empty').hidden = fills.size > 0;
  }

  return {
    setStatus(state, text) {
      $('status').dataset.state = state;
      $('status-text').textContent = text;
    },

    setMarket(symbol, interval) {
      $('symbol').textContent = symbol;
      $('interval').textContent = interval;
    },

    setPrice(value) {
      const el = $('price');
      if (lastPrice !== undefined && value !== lastPrice) {
        el.dataset.sign = parseFloat(value) > parseFloat(lastPrice) ? 'up' : 'down';
      }
      lastPrice = value;
      el.textContent = fmt(priceFormat, value);
      document.title = `${fmt(priceFormat, value)} · ${$('symbol').textContent} · OpenSQT`;
    },

    renderAccount(a) {
      $('balance').textContent = `${fmt(money, a.balance)} ${a.asset}`;
      $('available').textContent = fmt(money, a.free);
      $('margin-balance').textContent = fmt(money, a.marginBalance);
      if (a.symbol) $('symbol').textContent = a.symbol;
    },

    renderPnl(p) {
      setSigned($('realized'), p.realizedPnL);
      setSigned($('unrealized'), p.unrealizedPnL);
      setSigned($('net'), p.netPnL);
      $('fees').textContent = fmt(money, p.fees);
      $('fill-count').textContent = `${p.buys} / ${p.sells}`;
    },

    renderPosition(p) {
      const amount = p.amount ?? '0';
      const side = amount.startsWith('-') ? 'SHORT' : /[1-9]/.test(amount) ? 'LONG' : 'FLAT';
      $('position-side').textContent = side;
      $('position-side').dataset.side = side.toLowerCase();
      $('position-size').textContent = side === 'FLAT' ? '0' : amount.replace('-', '');
      $('position-entry').textContent = side === 'FLAT' ? '—' : fmt(priceFormat, p.entryPrice);
      $('position-liq').textContent =
        side === 'FLAT' || !/[1-9]/.test(p.liquidationPrice ?? '')
          ? '—'
          : fmt(priceFormat, p.liquidationPrice);
    },

    /** Lists open orders, best prices first. */
    renderOrders(orders) {
      const list = $('orders');
      const sorted = [...orders].sort((a, b) => parseFloat(b.price) - parseFloat(a.price));
      list.replaceChildren(
        ...sorted.map((o) => {
          const li = document.createElement('li');
          li.dataset.side = o.side === 'BUY' ? 'buy' : 'sell';
          const side = document.createElement('span');
          side.className = 'order-side';
          side.textContent = o.side;
          const price = document.createElement('span');
          price.textContent = parseFloat(o.price) > 0 ? fmt(priceFormat, o.price) : 'market';
          const qty = document.createElement('span');
          qty.className = 'muted';
          qty.textContent =
            o.status === 'PARTIALLY_FILLED' ? `${o.executedQty}/${o.quantity}` : o.quantity;
          li.append(side, price, qty);
          return li;
        }),
      );
      $('order-count').textContent = String(sorted.length);
      $('orders-empty').hidden = sorted.length > 0;
    },

    /**
     * Adds a live fill to the recent list (once per trade id) and flashes it over the chart.
     * @returns false when the fill was listed already (nothing shown)
     */
    addFill(fill) {
      if (!listFill(fill)) return false;
      renderFills();
      const toast = $('fill-toast');
      toast.textContent = `${fill.side === 'buy' ? 'Bought' : 'Sold'} ${fill.amount} @ ${fmt(priceFormat, fill.price)}`;
      toast.dataset.side = fill.side;
      const card = $('chart-card');
      card.dataset.flash = fill.side;
      // Restart the CSS animation even when fills arrive back to back
      toast.hidden = true;
      void toast.offsetWidth;
      toast.hidden = false;
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => {
        toast.hidden = true;
        delete card.dataset.flash;
      }, 1800);
      return true;
    },

    /**
     * Lists fills from the venue's trade history without a flash: `snapshot` replaces the list,
     * otherwise they join it. Each trade id is listed once.
     */
    showFills(list, snapshot) {
      if (snapshot) fills.clear();
      for (const fill of list) listFill(fill);
      renderFills();
    },

    /** Fills listed (distinct trade ids). */
    fillCount() {
      return fills.size;
    },

    /** Forgets the symbol shown (switching symbols): fills, orders, figures. */
    reset() {
      fills.clear();
      renderFills();
      lastPrice = undefined;
      $('price').textContent = '—';
      for (const id of ['balance', 'available', 'margin-balance', 'realized', 'unrealized']) {
        $(id).textContent = '—';
      }
      for (const id of ['net', 'fees', 'fill-count']) $(id).textContent = '—';
      this.renderOrders([]);
    },

    setMuted(muted) {
      const button = $('mute');
      button.setAttribute('aria-pressed', String(!muted));
      button.title = muted
        ? 'Trade sound off (click to turn on)'
        : 'Trade sound on (click to mute)';
    },
  };
}
