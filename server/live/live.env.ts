/**
 * @module server/live/live.env
 * The Hono environment of the live server's routes: on Node, `c.env` carries the raw request
 * (`incoming`), whose socket gives the peer address and tells when the connection ends. Requests
 * made with `app.request()` in tests have no `incoming`.
 */
import type { HttpBindings } from '@hono/node-server';

/** Hono `Env` of every live-server route. */
export type LiveEnv = { Bindings: Partial<HttpBindings> };

/** Peer IP address of a request; "unknown" without a socket (in-process test requests). */
export function peerAddress(env: Partial<HttpBindings> | undefined): string {
  return env?.incoming?.socket.remoteAddress ?? 'unknown';
}
