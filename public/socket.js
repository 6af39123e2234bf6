/**
 * @module public/socket
 * The feed connection: opens the WebSocket, hands each `{type, data}` message on, and reconnects
 * after any close with exponential backoff and jitter, so a restarted server or a phone waking up
 * resumes by itself. The page never sends anything.
 */

const CONNECT_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

/** Delay before retry number `attempt` (from 0): doubling, capped, between half and all of it. */
function retryDelayMs(attempt) {
  const cap = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/**
 * Connects to `url` and stays connected.
 * @param handlers.onMessage called with each parsed message
 * @param handlers.onState called with {state: 'connecting'|'open'|'closed', code?, retryInMs?}
 * @returns {{close(): void}}
 */
export function connectFeed(url, { onMessage, onState }) {
  let socket;
  let retryTimer;
  let attempt = 0;
  let stopped = false;

  const open = () => {
    onState({ state: 'connecting', attempt });
    socket = new WebSocket(url);
    const timeout = setTimeout(() => socket.close(), CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(timeout);
      attempt = 0;
      onState({ state: 'open' });
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        console.warn('ignoring a frame that is not JSON', event.data);
        return;
      }
      if (message !== null && typeof message.type === 'string') onMessage(message);
    };
    socket.onclose = (event) => {
      clearTimeout(timeout);
      if (stopped) return;
      const retryInMs = retryDelayMs(attempt++);
      onState({ state: 'closed', code: event.code, reason: event.reason, retryInMs });
      retryTimer = setTimeout(open, retryInMs);
    };
  };

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      socket?.close(1000);
    },
  };
}

/**
 * The feed URL: `?ws=` if given, else /ws on this page's host; `?token=` is passed on for
 * servers with auth on.
 * @param symbol the symbol to show; '' means the server's configured one. Naming it (even as '')
 *   asks for the extended messages (order book, fill list)
 */
export function feedUrl(location, symbol) {
  const params = new URLSearchParams(location.search);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = new URL(params.get('ws') || `${scheme}://${location.host}/ws`);
  const token = params.get('token');
  if (token) url.searchParams.set('token', token);
  if (symbol !== undefined) url.searchParams.set('symbol', symbol);
  return url.toString();
}
