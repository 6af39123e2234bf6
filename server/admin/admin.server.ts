/**
 * @module server/admin/admin.server
 * Serves the admin app over HTTP (Node), and closes it without waiting on idle keep-alive
 * connections, so a stopping engine is never held up by a dashboard or a scraper.
 */
import type { AddressInfo } from 'node:net';

import { serve } from '@hono/node-server';
import type { Server } from 'node:http';

/** Where and what the admin server serves. */
export interface AdminServerOptions {
  /** The app's fetch handler (`createAdminApp(...).fetch`). */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** A listening admin server. */
export interface AdminServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops listening and ends open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Binds the admin API.
 * @throws {Error} naming the address when it cannot be bound (e.g. the port is taken)
 */
export function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: options.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        let closing: Promise<void> | undefined;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () => {
            closing ??= new Promise<void>((done) => {
              (server as Server).close(() => done());
              (server as Server).closeAllConnections();
            });
            return closing;
          },
        });
      },
    ) as Server;
    server.once('error', (e) =>
      reject(
        new Error(`cannot serve the admin API on ${options.host}:${options.port}: ${e.message}`),
      ),
    );
  });
}
