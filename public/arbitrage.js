// The arbitrage panel: the market-maker's funding-rate arbitrage pairs (GET /arbitrage, which the
// live server reads from the engine's admin API): both legs, the countdown to the next funding,
// APR, funding received and net PnL. Polls every 2 s; hidden while there are no pairs or the
// engine does not answer.

const POLL_MS = 2000;
const panel = document.getElementById('arbitrage');
const list = document.getElementById('arbitrage-pairs');
const count = document.getElementById('arbitrage-count');
let pairs = [];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function signed(value, digits = 2) {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  return `${n > 0 ? '+' : ''}${n.toFixed(digits)}`;
}

function countdown(ms) {
  if (!ms) return '—';
  const left = Math.max(0, ms - Date.now());
  const s = Math.floor(left / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`;
}

function nextFunding(actor) {
  const times = actor.legs.map((l) => l.nextFundingTimeMs).filter((t) => t > 0);
  return times.length ? Math.min(...times) : 0;
}

function stat(label, value, tone) {
  const row = el('div', 'stat');
  row.append(el('span', 'label', label));
  const v = el('span', 'value', value);
  if (tone) v.dataset.tone = tone;
  row.append(v);
  return row;
}

function render() {
  list.replaceChildren();
  for (const pair of pairs) {
    const actor = pair.actor;
    const box = el('div', 'arb-pair');
    const title = el('h3', 'arb-title', pair.pair);
    title.append(el('span', 'chip', actor ? `${actor.position} · ${actor.trading}` : pair.state));
    box.append(title);
    if (actor) {
      for (const leg of actor.legs) {
        const line =
          `${leg.market} ${leg.symbol}@${leg.venue}  ${leg.position}` +
          (leg.market === 'perp' ? `  rate ${(Number(leg.fundingRate) * 100).toFixed(4)}%` : '');
        box.append(el('div', 'arb-leg', line));
      }
      const stats = el('div', 'stats');
      stats.append(
        stat('Next funding', countdown(nextFunding(actor))),
        stat('APR', actor.apr === null ? '—' : `${(Number(actor.apr) * 100).toFixed(1)}%`),
        stat(
          'Funding received',
          signed(actor.fundingReceived),
          Number(actor.fundingReceived) >= 0 ? 'up' : 'down',
        ),
        stat('Net PnL', signed(actor.netPnl), Number(actor.netPnl) >= 0 ? 'up' : 'down'),
        stat('Hedge ratio', Number(actor.hedgeRatio).toFixed(3)),
      );
      box.append(stats);
    } else if (pair.lastError) {
      box.append(el('p', 'muted', pair.lastError));
    }
    list.append(box);
  }
  count.textContent = pairs.length ? String(pairs.length) : '';
  panel.hidden = pairs.length === 0;
}

async function poll() {
  try {
    const res = await fetch('/arbitrage', { headers: { accept: 'application/json' } });
    pairs = res.ok ? ((await res.json()).pairs ?? []) : [];
  } catch {
    // The engine or the live server is away: the panel hides until it answers again
    pairs = [];
  }
  render();
}

void poll();
setInterval(() => void poll(), POLL_MS);
// The countdown moves every second between polls
setInterval(() => pairs.length && render(), 1000);
