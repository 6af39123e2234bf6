/**
 * @module connector/health.service
 * Standard grpc.health.v1 (Check, Watch, List). The connector and its ExchangeService are SERVING
 * while the default venue is reachable and NOT_SERVING otherwise, so `grpc_health_probe` and load
 * balancers see a venue outage. Watch streams are fed by polling the venue while anyone watches.
 */
import { status as Status, type ServerWritableStream } from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from '../proto/gen/grpc/health/v1/health.js';
import { quoteInput } from '../core/errors.js';
import { shuttingDownStatus } from './grpc-errors.js';

/** The service definition to register the handlers with. */
export { HealthService };

/** Health service names answered: the whole server ("") and ExchangeService. */
export const HEALTH_SERVICE_NAMES = ['', 'opensqt.market_maker.v1.ExchangeService'] as const;

export interface HealthOptions {
  /** True while the default venue is reachable. */
  readonly isServing: () => boolean;
  /** How often Watch streams re-check the venue, in ms; default 1000. */
  readonly pollMs?: number;
}

export interface HealthHandlers {
  readonly implementation: HealthServer;
  /** Reports NOT_SERVING to every watcher, then ends their streams (server shutdown). */
  close(): void;
}

type Watcher = ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;

/** Builds the grpc.health.v1 handlers. */
export function createHealthService(options: HealthOptions): HealthHandlers {
  const pollMs = options.pollMs ?? 1000;
  const watchers = new Set<Watcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let last: ServingStatus | undefined;

  const current = (): ServingStatus =>
    !closed && options.isServing() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  const known = (service: string): boolean =>
    (HEALTH_SERVICE_NAMES as readonly string[]).includes(service);

  const publish = (status: ServingStatus): void => {
    if (status === last) return;
    last = status;
    for (const watcher of watchers) {
      if (known(watcher.request.service)) watcher.write({ status });
    }
  };

  const stopPolling = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  const implementation = {
    check: (call, done) => {
      if (!known(call.request.service)) {
        return done({
          code: Status.NOT_FOUND,
          details: `unknown service ${quoteInput(call.request.service)}; health is reported for "" and "${HEALTH_SERVICE_NAMES[1]}"`,
        });
      }
      done(null, { status: current() });
    },
    list: (_call, done) => {
      const status = current();
      done(null, {
        statuses: Object.fromEntries(HEALTH_SERVICE_NAMES.map((name) => [name, { status }])),
      });
    },
    watch: (call) => {
      if (closed) return void call.emit('error', shuttingDownStatus());
      // Existing watchers first, so none misses a change the newcomer is told about
      const status = current();
      publish(status);
      // The protocol keeps a watch on an unknown service open, reporting SERVICE_UNKNOWN
      call.write({ status: known(call.request.service) ? status : ServingStatus.SERVICE_UNKNOWN });
      watchers.add(call);
      call.on('cancelled', () => {
        watchers.delete(call);
        if (watchers.size === 0) stopPolling();
      });
      timer ??= setInterval(() => publish(current()), pollMs).unref();
    },
  } satisfies HealthServer;

  return {
    implementation,
    close: () => {
      if (closed) return;
      closed = true;
      stopPolling();
      publish(ServingStatus.NOT_SERVING);
      for (const watcher of watchers) watcher.emit('error', shuttingDownStatus());
      watchers.clear();
    },
  };
}
