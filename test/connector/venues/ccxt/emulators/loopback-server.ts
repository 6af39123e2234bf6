/**
 * @module test/connector/ccxt/emulators/loopback-server
 * The transport every venue emulator shares: one HTTP server and one WebSocket server on the
 * same 127.0.0.1 port. It records every request (method, path, query, parsed body, headers) so
 * tests can assert exactly what the real ccxt code signed and sent, routes requests to the
 * emulator, tracks sockets so a test can drop them, and closes everything on `close()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One HTTP request as the emulator received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Form or JSON body, parsed; `{}` when empty. */
  readonly body: Readonly<Record<string, unknown>> | readonly unknown[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The query string and body exactly as sent (what a venue signs). */
  readonly rawQuery: string;
  readonly rawBody: string;
}

/** What a route answers: a status and a JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export type HttpHandler = (request: RecordedRequest) => Reply | undefined;

/** Called for each new socket with its path (and query); returns the message handler. */
export type WsHandler = (socket: WebSocket, url: URL) => (data: string) => void;

function parseBody(raw: string, type: string | undefined): RecordedRequest['body'] {
  if (raw === '') return {};
  if (type?.includes('json') || raw.startsWith('{') || raw.startsWith('[')) {
    return JSON.parse(raw) as RecordedRequest['body'];
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  readonly sockets = new Set<WebSocket>();
  /** When it returns true the request is served but its reply is lost (the socket is cut). */
  loseReply: ((request: RecordedRequest) => boolean) | undefined;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private port = 0;

  private readonly handle: HttpHandler;
  private readonly onSocket: WsHandler;
  constructor(handle: HttpHandler, onSocket: WsHandler) {
    this.handle = handle;
    this.onSocket = onSocket;
    this.http = createServer((req, res) => void this.serve(req, res));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (socket, req) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const onMessage = this.onSocket(socket, new URL(req.url ?? '/', 'http://127.0.0.1'));
      socket.on('message', (data) => onMessage(String(data)));
    });
  }

  /** Binds 127.0.0.1 on a free port. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Requests to `path` (and `method`, when given), oldest first. */
  requestsTo(path: string, method?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.path === path && (method === undefined || r.method === method),
    );
  }

  /** Sends `message` as JSON to every open socket `match` selects. */
  broadcast(message: unknown, match: (socket: WebSocket) => boolean = () => true): void {
    const text = JSON.stringify(message);
    for (const socket of this.sockets) if (match(socket)) socket.send(text);
  }

  /** Kills every socket without a close handshake, as a network cut would. */
  dropSockets(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropSockets();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseBody(raw, req.headers['content-type']),
      headers: req.headers,
      rawQuery: url.search.slice(1),
      rawBody: raw,
    };
    this.requests.push(request);
    const reply = this.handle(request) ?? { status: 404, body: { code: -1, msg: 'no route' } };
    if (this.loseReply?.(request) === true) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  }
}
