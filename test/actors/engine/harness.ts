/**
 * @module test/actors/engine/harness
 * What the engine's actor tests share: one in-memory database and one DBOS launch per test file
 * (DBOS is a process-wide singleton), the simulated venue on a virtual clock behind a venue
 * that counts placements, and `eventually` for waiting on asynchronous effects without sleeps.
 */
import { launchDurableRuntime, shutdownDurableRuntime } from '../../../actors/workflows/runtime.js';
import {
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../../actors/workflows/order.context.js';
import { engineStoreFor, type EngineStore } from '../../../actors/engine/engine.store.js';
import { createEngineMetrics, type EngineMetrics } from '../../../actors/engine/engine.metrics.js';
import type { SymbolPolicy } from '../../../actors/engine/symbol.messages.js';
import { VirtualClock } from '../../../core/clock.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createLogger, type Logger } from '../../../core/logger.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../../connector/venues/sim/index.js';
import type { SimVenueConfigInput } from '../../../connector/venues/sim/index.js';
import type { Order, PlaceOrderRequest } from '../../../core/exchange.types.js';
import { openTestDatabase, type TestDatabase } from '../../support/postgres.js';

/** DBOS's own logger, silenced: tests never read logs. */
const SILENT = { info() {}, debug() {}, warn() {}, error() {} };

/** One placement attempt the venue saw. */
export interface Placement {
  readonly clientOrderId: string;
  readonly side: string;
  readonly price: string;
  readonly accepted: boolean;
}

/** A venue port that records every placement attempt, then forwards it. */
export function countingVenue(inner: Exchange, placements: Placement[]): Exchange {
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'placeOrder') {
        return async (request: PlaceOrderRequest): Promise<Order> => {
          const attempt = {
            clientOrderId: request.clientOrderId ?? '',
            side: request.side,
            price: request.price?.toFixed() ?? '',
          };
          try {
            const order = await target.placeOrder(request);
            placements.push({ ...attempt, accepted: true });
            return order;
          } catch (e) {
            placements.push({ ...attempt, accepted: false });
            throw e;
          }
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The simulated venue of one test, with the engine-facing port and its placement log. */
export interface TestVenue {
  readonly sim: SimulatedVenue;
  readonly clock: VirtualClock;
  readonly exchange: Exchange;
  readonly placements: Placement[];
}

/** BTCUSDT perpetuals at a spot price of 100000 that moves only when a test moves it. */
export function createTestVenue(config: SimVenueConfigInput = {}): TestVenue {
  const clock = new VirtualClock();
  const sim = createSimulatedVenue(
    {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      price: { volatilityPerYear: 0, jumpProbability: 0, basisVolatilityBps: 0 },
      ...config,
    },
    clock,
  );
  const placements: Placement[] = [];
  return { sim, clock, exchange: countingVenue(sim.exchange('futures'), placements), placements };
}

/** The namespace every engine test mints client order ids in. */
export const TEST_NAMESPACE = 'T3ST';

/** The engine defaults (config `orders`, `reconcile`) in the test namespace. */
export const TEST_POLICY: SymbolPolicy = {
  namespace: TEST_NAMESPACE,
  refusalBackoffInitialMs: 1_000,
  refusalBackoffMaxMs: 60_000,
  reconcileIntervalMs: 60_000,
  positionTolerancePct: 10,
};

/** One database and one DBOS runtime, shared by a test file. */
export interface EngineTestBed {
  readonly db: TestDatabase;
  readonly store: EngineStore;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** Makes `exchange` the venue the order workflows reach as `exchange.name`. */
  useVenue(exchange: Exchange): void;
  close(): Promise<void>;
}

/** Opens the database, binds the order workflows and launches DBOS. */
export async function openEngineTestBed(): Promise<EngineTestBed> {
  const db = await openTestDatabase('pglite');
  bindOrderWorkflows({ retry: { sleep: async () => {} } });
  await launchDurableRuntime({ databaseUrl: db.url, appName: 'engine-test', logger: SILENT });
  return {
    db,
    store: engineStoreFor(db.sql),
    metrics: createEngineMetrics(),
    log: createLogger('engine-test', process.env.TEST_LOG_LEVEL ?? 'silent'),
    useVenue: (exchange) => registerOrderVenue(exchange),
    close: async () => {
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 1_000 });
      unbindOrderWorkflows();
      await db.close();
    },
  };
}

/** The one polling helper (core/eventually), re-exported where engine tests import it. */
export { eventually } from '../../../core/eventually.js';
