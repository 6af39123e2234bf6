/**
 * @module server/inspector/inspector-bridge
 * The development bridge between the engine's machine inspection (actors/engine/machine-inspection)
 * and the Stately inspector UI: machine events arrive over WebSocket and are relayed to every page
 * open on the bridge, which hands them to the inspector UI in an iframe. Same protocol as
 * `@statelyai/inspect/server`, but bound to loopback only (that one listens on every interface,
 * which would publish the engine's internals to the network) and with a bounded replay buffer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocket, WebSocketServer } from 'ws';

/** Events replayed to a page that opens late (oldest dropped first). */
const REPLAY_EVENTS = 500;
/** The inspector UI the bridge page embeds. */
const INSPECTOR_UI = 'https://stately.ai/inspect';

/** A running bridge. */
export interface InspectorBridge {
  /** `ws://127.0.0.1:<port>`: where the engine sends machine events (OPENSQT_INSPECT). */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>/`: the page to open in a browser. */
  readonly pageUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the bridge on 127.0.0.1.
 * @param port - TCP port; 0 picks a free one
 * @throws {Error} when the port cannot be bound
 */
export async function startInspectorBridge(port: number): Promise<InspectorBridge> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(bridgePage());
  });
  const sockets = new WebSocketServer({ server, maxPayload: 1024 * 1024 });
  const replay: string[] = [];
  sockets.on('connection', (socket) => {
    for (const message of replay) socket.send(message);
    socket.on('message', (data) => {
      const message = String(data);
      replay.push(message);
      if (replay.length > REPLAY_EVENTS) replay.shift();
      for (const other of sockets.clients) {
        if (other !== socket && other.readyState === WebSocket.OPEN) other.send(message);
      }
    });
  });
  await listen(server, port);
  const bound = (server.address() as AddressInfo).port;
  return {
    wsUrl: `ws://127.0.0.1:${bound}`,
    pageUrl: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.clients) socket.terminate();
        sockets.close(() => server.close(() => resolve()));
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The page: the inspector UI in an iframe, fed with every event the bridge relays. */
function bridgePage(): string {
  return `<!doctype html>
<html><head><title>OpenSQT machines (Stately inspector)</title>
<style>html,body,iframe{margin:0;width:100%;height:100%;border:0}</style></head>
<body><iframe id="ui" src="${INSPECTOR_UI}"></iframe>
<script>
const ui = document.getElementById('ui');
const waiting = [];
let ready = false;
addEventListener('message', (e) => {
  if (e.data && e.data.type === '@statelyai.connected') {
    ready = true;
    for (const event of waiting.splice(0)) ui.contentWindow.postMessage(event, '*');
  }
});
const ws = new WebSocket('ws://' + location.host);
ws.onmessage = (e) => {
  const event = JSON.parse(e.data);
  if (ready) ui.contentWindow.postMessage(event, '*');
  else waiting.push(event);
};
</script></body></html>`;
}
