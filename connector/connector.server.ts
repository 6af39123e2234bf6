/**
 * @module connector/connector.server
 * Starts the exchange-connector gRPC server: ExchangeService over the given venues, grpc.health.v1,
 * optional API-key auth, keepalive and message-size limits (requests up to 64 KiB). Shutdown is graceful: new calls are
 * refused, in-flight unary calls finish, every stream ends with UNAVAILABLE "connector shutting
 * down" (clients resubscribe and resync), and whatever is still open after the grace period is cut.
 */
import { Server, ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createAuthInterceptor } from './auth.js';
import type { Exchange } from '../core/exchange.port.js';
import {
  ExchangeServiceDefinition,
  VenueRegistry,
  createExchangeService,
} from './exchange.service.js';
import { shuttingDownStatus } from './grpc-errors.js';
import { HealthService, createHealthService } from './health.service.js';
import { topicLabels, type ConnectorMetrics } from './connector.metrics.js';
import { createLogger } from '../core/logger.js';
import { StreamHub } from './stream-hub.js';

/** 16 MiB: a full GetTickers or a long kline history fits; the gRPC default of 4 MiB may not. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * 64 KiB: the largest valid request (a BatchPlaceOrders of 100 orders with every string at its
 * bound) is under 32 KiB, so anything bigger is refused with RESOURCE_EXHAUSTED before it is
 * decoded or held in memory.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;

const SERVER_CHANNEL_OPTIONS: ServerOptions = {
  // Ping idle clients so half-open connections (NAT, crashed peer) are noticed within ~80 s
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
  'grpc.max_send_message_length': MAX_RESPONSE_BYTES,
};

export interface ConnectorServerOptions {
  /** Served venues by name (the `x-exchange` value selecting each). */
  readonly venues: ReadonlyMap<string, Exchange>;
  /** Venue of calls without `x-exchange`; also the one health reports on. */
  readonly defaultVenue: string;
  /** Interface to bind, e.g. "127.0.0.1". */
  readonly host: string;
  /** Port to bind; 0 picks a free one (tests). */
  readonly port: number;
  /** Accepted API keys; empty or absent = auth off. */
  readonly apiKeys?: readonly string[];
  readonly logger?: Logger;
  /** How often health watchers re-check venue reachability, in ms; default 1000. */
  readonly healthPollMs?: number;
  /** Updates queued per order/account stream subscriber before it is cut; default 32768. */
  readonly streamQueueLimit?: number;
  /** Where stream fan-out, venue health and fencing refusals are counted; none = not measured. */
  readonly metrics?: ConnectorMetrics;
}

export interface ConnectorServer {
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  /** host:port clients dial. */
  readonly address: string;
  /** Open upstream topics and stream subscribers. */
  streams(): { readonly topics: number; readonly subscribers: number };
  /**
   * Stops gracefully; idempotent.
   * @param graceMs how long in-flight calls may take before they are cut
   */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Binds and starts the connector.
 * @throws {Error} when `defaultVenue` is not served or the address cannot be bound
 */
export async function startConnectorServer(
  options: ConnectorServerOptions,
): Promise<ConnectorServer> {
  const log = options.logger ?? createLogger('exchange-connector');
  const registry = new VenueRegistry(options.venues, options.defaultVenue);
  const { metrics } = options;
  const hub = new StreamHub({
    logger: log,
    queueLimit: options.streamQueueLimit,
    observer: metrics && {
      conflated: (key) => metrics.messagesConflated.inc(topicLabels(key)),
      cut: (keys) => keys.forEach((key) => metrics.subscribersCut.inc(topicLabels(key))),
    },
  });
  metrics?.observe({
    venues: () =>
      [...options.venues].map(([name, venue]) => ({ name, reachable: venue.isReachable() })),
    topics: () => hub.topicStats(),
  });
  const service = createExchangeService({ registry, hub, logger: log, metrics });
  const health = createHealthService({
    isServing: () => registry.defaultVenue.isReachable(),
    pollMs: options.healthPollMs,
  });

  const apiKeys = options.apiKeys ?? [];
  const server = new Server({
    ...SERVER_CHANNEL_OPTIONS,
    interceptors: apiKeys.length > 0 ? [createAuthInterceptor(apiKeys)] : [],
  });
  server.addService(ExchangeServiceDefinition, service.implementation);
  server.addService(HealthService, health.implementation);

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (e, bound) =>
      e
        ? reject(new Error(`cannot bind the connector to ${host}:${options.port}: ${e.message}`))
        : resolve(bound),
    ),
  );

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs: number): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      service.stopAccepting();
      const timer = setTimeout(() => {
        log.warn({ graceMs }, 'connector shutdown grace period over: cutting open calls');
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
      health.close();
      hub.closeAll(shuttingDownStatus());
    });
    return stopping;
  };

  return { port, address: `${host}:${port}`, streams: () => hub.stats(), shutdown };
}
