/**
 * @module server/rpc/rpc.server
 * The market-maker engine's own gRPC server (default 127.0.0.1:50052): RiskService,
 * PositionService and PortfolioService of the original contract over the ports in rpc.ports,
 * Requests are decoded strictly (bytes that are not a well-framed message of
 * the method are INVALID_ARGUMENT) and bounded (64 KiB). Shutdown is graceful: new calls get
 * UNAVAILABLE, streams end with UNAVAILABLE "engine shutting down", in-flight unary calls may
 * finish within the grace period, then whatever is open is cut.
 */
import { Server, ServerCredentials, status as Status } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { strictRequests } from '../../connector/codec/wire-check.js';
import { PortfolioServiceService } from '../../proto/gen/opensqt/market_maker/v1/portfolio.js';
import { PositionServiceService } from '../../proto/gen/opensqt/market_maker/v1/position.js';
import { RiskServiceService } from '../../proto/gen/opensqt/market_maker/v1/risk.js';
import type { AlertFeed } from './alert-feed.js';
import { createPortfolioService } from './portfolio.service.js';
import { PositionFeed } from './position-feed.js';
import { createPositionService } from './position.service.js';
import { ReconcileTracker } from './reconcile-tracker.js';
import { unavailable as failedUnavailable } from './rpc-errors.js';
import { createRiskService } from './risk.service.js';
import type { HandlerContext } from './rpc-handler.js';
import type {
  AccountPort,
  FundingScanPort,
  HistoryPort,
  LedgerPort,
  LimitsPort,
  ReconcilePort,
  RiskControlPort,
} from './rpc.ports.js';

/** Requests are small (the largest, a SimulateMargin of 100 symbols, is under 8 KiB). */
export const MAX_RPC_REQUEST_BYTES = 64 * 1024;
/** A long order history page (1000 orders) fits with room to spare. */
const MAX_RPC_RESPONSE_BYTES = 16 * 1024 * 1024;

/** The nested-message fields of each request (google.type.Decimal values); others are flat. */
const SHAPES = {
  risk: { updatePositionLimits: { 2: {}, 3: {}, 4: {}, 5: {} } },
  portfolio: { simulateMargin: { 1: { 2: {} } } },
} as const;

/** The API's own metrics; method and code labels come from the contract's bounded sets. */
function rpcMetrics(registry: Registry) {
  return {
    calls: new Counter({
      name: 'market_maker_rpc_calls_total',
      help: 'Engine gRPC API calls by method and the status they ended with',
      labelNames: ['method', 'code'] as const,
      registers: [registry],
    }),
    feedFailures: new Counter({
      name: 'market_maker_rpc_position_feed_failures_total',
      help: 'Failed polls of the fills ledger by the SubscribePositions feed (retried next poll)',
      registers: [registry],
    }),
  };
}

/** What the server reads and drives. */
export interface EngineRpcDeps {
  readonly ledger: LedgerPort;
  readonly history: HistoryPort;
  readonly account: AccountPort;
  readonly limits: LimitsPort;
  readonly reconcile: ReconcilePort;
  /** Alerts published here reach SubscribeRiskAlerts; the caller feeds it (see AlertFeed). */
  readonly alerts: AlertFeed;
  /** The risk controller; null = breaker control answers FAILED_PRECONDITION. */
  readonly risk: RiskControlPort | null;
  /** The arbitrage funding scan; null = no pairs, empty lists. */
  readonly funding: FundingScanPort | null;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface EngineRpcOptions {
  /** Where `market_maker_rpc_calls_total` and the position feed's failures are counted. */
  readonly registry?: Registry;
  /** Interface to bind; keep it on loopback unless the network is trusted (no auth). */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The breaker kind OpenCircuitBreaker trips. */
  readonly manualBreaker: string;
  /** SubscribePositions poll period of the fills ledger, ms; default 250. */
  readonly positionPollMs?: number;
}

/** A running engine gRPC server. */
export interface EngineRpcServer {
  readonly port: number;
  /** host:port clients dial. */
  readonly address: string;
  /** Stops gracefully; idempotent. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Binds and starts the server.
 * @throws {Error} when the address cannot be bound
 */
export async function startEngineRpcServer(
  deps: EngineRpcDeps,
  options: EngineRpcOptions,
): Promise<EngineRpcServer> {
  const { log, clock } = deps;
  let accepting = true;
  const metrics = options.registry ? rpcMetrics(options.registry) : null;
  const ctx: HandlerContext = {
    log,
    accepting: () => accepting,
    streams: new Set(),
    ended: (method, code) => metrics?.calls.inc({ method, code: Status[code] ?? String(code) }),
  };
  const feed = new PositionFeed({
    history: deps.history,
    clock,
    log,
    onPollFailed: () => metrics?.feedFailures.inc(),
    ...(options.positionPollMs === undefined ? {} : { pollMs: options.positionPollMs }),
  });
  const reconciliations = new ReconcileTracker({ port: deps.reconcile, clock });

  const server = new Server({
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.max_receive_message_length': MAX_RPC_REQUEST_BYTES,
    'grpc.max_send_message_length': MAX_RPC_RESPONSE_BYTES,
  });
  server.addService(
    strictRequests(PositionServiceService, {}),
    createPositionService({ ...deps, feed }, ctx),
  );
  server.addService(
    strictRequests(RiskServiceService, SHAPES.risk),
    createRiskService({ ...deps, reconciliations, manualBreaker: options.manualBreaker }, ctx),
  );
  server.addService(
    strictRequests(PortfolioServiceService, SHAPES.portfolio),
    createPortfolioService(deps, ctx),
  );

  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (e, bound) =>
      e
        ? reject(
            new Error(`cannot bind the engine gRPC API to ${host}:${options.port}: ${e.message}`),
          )
        : resolve(bound),
    ),
  );
  log.info({ address: `${host}:${port}` }, 'engine gRPC API listening');

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs: number): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      accepting = false;
      const ending = failedUnavailable('engine shutting down; resubscribe once it is back');
      for (const stream of [...ctx.streams]) stream.fail(ending);
      feed.close();
      reconciliations.close();
      const timer = setTimeout(() => {
        log.warn({ graceMs }, 'engine gRPC API shutdown grace over: cutting open calls');
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return stopping;
  };
  return { port, address: `${host}:${port}`, shutdown };
}
