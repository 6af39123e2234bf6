/**
 * @module server/live/client-hub
 * The dashboard clients and the fan-out to them. A broadcast serializes its message once and hands
 * the same bytes to every socket without waiting for any of them; what a client has not taken yet
 * stays in its socket's send buffer, which is bounded: a client whose unsent bytes would exceed
 * the limit, or stay unsent longer than the write timeout, is disconnected with close code 4001
 * and a reason, and nobody else notices. Pings find dead peers; shutdown closes with 1001.
 */
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { encodeMessage, type LiveMessage } from './messages.js';

/** Close code and reason for a client that reads slower than the data arrives. */
export const CLOSE_SLOW_CONSUMER = 4001;
/** Close code for a client that stopped answering pings. */
export const CLOSE_PONG_TIMEOUT = 4002;
/** Going away: the server shuts down. */
export const CLOSE_GOING_AWAY = 1001;

/** Limits and timers of the hub, validated by the config schema. */
export interface ClientHubOptions {
  /** Unsent bytes a client may have before it is disconnected as too slow. */
  readonly maxBufferedBytes: number;
  /** How often every client is pinged. */
  readonly pingIntervalMs: number;
  /** A client without a pong for this long is disconnected. */
  readonly pongTimeoutMs: number;
  /** A client whose send buffer has not emptied for this long is disconnected as stalled. */
  readonly writeTimeoutMs: number;
  /** How long a disconnected client's close handshake may take before its socket is cut. */
  readonly closeGraceMs?: number;
  /** The frames a client gets first, or undefined while there is nothing to show yet. */
  readonly snapshot: () => readonly string[] | undefined;
  readonly logger: Logger;
}

interface Client {
  readonly ws: WebSocket;
  readonly address: string;
  /** False until it got its first snapshot; broadcasts skip it meanwhile. */
  ready: boolean;
  lastPongMs: number;
  /** Since when its send buffer has been non-empty, or 0. */
  backloggedSinceMs: number;
}

/** Every connected dashboard client. */
export class ClientHub {
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  private lastPingMs = Date.now();
  private disconnectedSlow = 0;

  private readonly options: ClientHubOptions;
  constructor(options: ClientHubOptions) {
    this.options = options;
    const tickMs = Math.max(50, Math.min(options.pingIntervalMs, options.writeTimeoutMs) / 2);
    this.timer = setInterval(() => this.housekeep(), tickMs).unref();
  }

  /** Connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Clients disconnected for being too slow since start. */
  get slowDisconnects(): number {
    return this.disconnectedSlow;
  }

  /**
   * Takes over an open socket: sends it the snapshot when there is one, then every broadcast.
   * @param address peer address, for logs
   */
  add(ws: WebSocket, address: string): void {
    const client: Client = {
      ws,
      address,
      ready: false,
      lastPongMs: Date.now(),
      backloggedSinceMs: 0,
    };
    this.clients.add(client);
    ws.on('pong', () => (client.lastPongMs = Date.now()));
    ws.on('error', (e) => this.options.logger.debug({ address, err: e }, 'client socket error'));
    ws.once('close', () => this.clients.delete(client));
    const frames = this.options.snapshot();
    if (frames !== undefined) this.sendSnapshot(client, frames);
  }

  /** Sends `messages` to every client that has its snapshot; never waits for a client. */
  broadcast(messages: readonly LiveMessage[]): void {
    for (const message of messages) {
      const data = Buffer.from(encodeMessage(message));
      for (const client of this.clients) if (client.ready) this.send(client, data);
    }
  }

  /** Sends every client (also those still waiting for their first) a fresh snapshot. */
  resnapshot(): void {
    const frames = this.options.snapshot();
    if (frames === undefined) return;
    const data = frames.map((f) => Buffer.from(f));
    for (const client of this.clients) {
      client.ready = true;
      for (const d of data) this.send(client, d);
    }
  }

  /**
   * Closes every client with 1001 and stops the timers.
   * @param graceMs how long the close handshakes may take before the sockets are cut
   */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.timer);
    const closed = [...this.clients].map(
      (c) => new Promise<void>((resolve) => c.ws.once('close', () => resolve())),
    );
    for (const c of this.clients) c.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const c of this.clients) c.ws.terminate();
        resolve();
      }, graceMs);
    });
    await Promise.race([Promise.all(closed), cut]);
    clearTimeout(timer);
  }

  private sendSnapshot(client: Client, frames: readonly string[]): void {
    client.ready = true;
    for (const frame of frames) this.send(client, Buffer.from(frame));
  }

  private send(client: Client, data: Buffer): void {
    const ws = client.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const buffered = ws.bufferedAmount;
    if (buffered + data.length > this.options.maxBufferedBytes) {
      return this.disconnect(
        client,
        CLOSE_SLOW_CONSUMER,
        `slow consumer: ${buffered} bytes unsent, limit ${this.options.maxBufferedBytes}`,
      );
    }
    if (buffered > 0 && client.backloggedSinceMs === 0) client.backloggedSinceMs = Date.now();
    ws.send(data, { binary: false });
  }

  private housekeep(): void {
    const now = Date.now();
    const ping = now - this.lastPingMs >= this.options.pingIntervalMs;
    if (ping) this.lastPingMs = now;
    for (const client of this.clients) {
      const ws = client.ws;
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (now - client.lastPongMs > this.options.pongTimeoutMs) {
        this.disconnect(client, CLOSE_PONG_TIMEOUT, 'no pong within the timeout');
        continue;
      }
      if (ws.bufferedAmount === 0) client.backloggedSinceMs = 0;
      else if (client.backloggedSinceMs === 0) client.backloggedSinceMs = now;
      else if (now - client.backloggedSinceMs > this.options.writeTimeoutMs) {
        const stalledMs = now - client.backloggedSinceMs;
        this.disconnect(client, CLOSE_SLOW_CONSUMER, `slow consumer: send stalled ${stalledMs} ms`);
        continue;
      }
      if (ping) ws.ping();
    }
  }

  /**
   * Closes with a reason and stops sending; the socket is cut after the grace period because a
   * stalled peer never reads the close frame queued behind its backlog.
   */
  private disconnect(client: Client, code: number, reason: string): void {
    this.clients.delete(client);
    if (code === CLOSE_SLOW_CONSUMER) this.disconnectedSlow++;
    this.options.logger.warn(
      { address: client.address, code, reason, bufferedBytes: client.ws.bufferedAmount },
      'disconnecting dashboard client',
    );
    client.ws.close(code, reason);
    const cut = setTimeout(() => client.ws.terminate(), this.options.closeGraceMs ?? 5000);
    cut.unref();
    client.ws.once('close', () => clearTimeout(cut));
  }
}
