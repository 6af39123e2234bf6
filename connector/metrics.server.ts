/**
 * @module connector/metrics.server
 * The exchange-connector's small HTTP listener: `GET /metrics` (Prometheus text format) and
 * `GET /health` (200 while the default venue is reachable, 503 otherwise). gRPC stays on its own
 * port; this one is for scrapers and probes, and binds to loopback unless configured otherwise.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';

/** What the listener serves and where. */
export interface MetricsServerOptions {
  readonly registry: Registry;
  /** True while the process can do its job (the default venue is reachable). */
  readonly healthy: () => boolean;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops listening and ends open connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the app; test it with `app.request()`.
 * @param options - the registry and the health probe
 * @returns the Hono app with /metrics and /health
 */
export function createMetricsApp(options: Pick<MetricsServerOptions, 'registry' | 'healthy'>) {
  const { registry } = options;
  return new Hono()
    .get('/metrics', async (c) =>
      c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    )
    .get('/health', (c) =>
      options.healthy()
        ? c.json({ status: 'ok' })
        : c.json({ status: 'unavailable', reason: 'the default venue is not reachable' }, 503),
    );
}

/**
 * Binds the listener.
 * @throws {Error} naming the address when it cannot be bound
 */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const app = createMetricsApp(options);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        let closing: Promise<void> | undefined;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () => {
            closing ??= new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            });
            return closing;
          },
        });
      },
    ) as Server;
    server.once('error', (e) =>
      reject(new Error(`cannot serve metrics on ${options.host}:${options.port}: ${e.message}`)),
    );
  });
}
