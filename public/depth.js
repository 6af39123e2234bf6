/**
 * @module public/depth
 * The order book next to the chart: asks above (best nearest the middle), the spread, bids
 * below, each level with a bar as long as its share of the largest level shown. Prices and
 * quantities arrive as decimal strings and are shown as they came (no float rounding); bar
 * lengths alone use floats.
 */

const $ = (id) => document.getElementById(id);
const priceFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

function row(price, quantity, largest) {
  const li = document.createElement('li');
  li.style.setProperty('--fill', `${Math.round((parseFloat(quantity) / largest) * 100)}%`);
  const p = document.createElement('span');
  p.className = 'book-price';
  p.textContent = priceFormat.format(price);
  const q = document.createElement('span');
  q.className = 'book-qty';
  q.textContent = quantity;
  li.append(p, q);
  return li;
}

/** Binds the order-book card; returns its render functions. */
export function createDepthView() {
  let shown = 0;

  return {
    /** Draws one `depth` message. */
    render(depth) {
      const all = [...depth.bids, ...depth.asks].map(([, q]) => parseFloat(q));
      const largest = Math.max(...all, Number.MIN_VALUE);
      $('asks').replaceChildren(...[...depth.asks].reverse().map(([p, q]) => row(p, q, largest)));
      $('bids').replaceChildren(...depth.bids.map(([p, q]) => row(p, q, largest)));
      $('book-mid').textContent =
        depth.bestBid && depth.bestAsk
          ? `${priceFormat.format(depth.bestBid)} / ${priceFormat.format(depth.bestAsk)}`
          : '—';
      $('spread').textContent = depth.spread ? `spread ${depth.spread}` : '';
      $('book-empty').hidden = all.length > 0;
      shown = depth.bids.length + depth.asks.length;
    },

    /** Empties the card (switching symbols). */
    reset() {
      $('asks').replaceChildren();
      $('bids').replaceChildren();
      $('book-mid').textContent = '—';
      $('spread').textContent = '';
      $('book-empty').hidden = false;
      shown = 0;
    },

    /** Levels drawn, both sides. */
    levels() {
      return shown;
    },
  };
}
