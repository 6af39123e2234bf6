/**
 * @module bench/support/engine-bed
 * What bench/engine.bench.ts runs the engine on, wired the way the orchestrator wires it: one
 * database (embedded PGlite in a temp dir, or a fresh database on a real PostgreSQL server),
 * the durable order workflows bound to it, DBOS launched on it, and symbol actors fed through a
 * mailbox that timestamps what reaches it, so the bench can tell when a tick was delivered, when
 * the actor was done with it and when the venue's answer came back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import postgres from 'postgres';

import { createEngineMetrics, type EngineMetrics } from '../../actors/engine/engine.metrics.js';
import { engineStoreFor, type EngineStore } from '../../actors/engine/engine.store.js';
import { Mailbox, type Delivery, type PriceTick } from '../../actors/engine/mailbox.js';
import { durableOrderGateway } from '../../actors/engine/order-gateway.js';
import { SymbolActor } from '../../actors/engine/symbol.actor.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfigWire,
} from '../../actors/engine/symbol.config.js';
import type { SymbolMessage, SymbolPolicy } from '../../actors/engine/symbol.messages.js';
import { openDatabase, type Database } from '../../actors/store/database.js';
import {
  bindOrderWorkflows,
  registerOrderVenue,
  unbindOrderWorkflows,
} from '../../actors/workflows/order.context.js';
import { launchDurableRuntime, shutdownDurableRuntime } from '../../actors/workflows/runtime.js';
import { WallClock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import { createLogger, type Logger } from '../../core/logger.js';
import type { SymbolId } from '../../core/types.js';

/** DBOS's own logger, silenced: the bench reads no logs. */
const SILENT = { info() {}, debug() {}, warn() {}, error() {} };

/** The engine's default order and reconciliation rules, in a namespace of the bench's own. */
const BENCH_POLICY: SymbolPolicy = {
  namespace: 'BNCH',
  refusalBackoffInitialMs: 1_000,
  refusalBackoffMaxMs: 60_000,
  reconcileIntervalMs: 60_000,
  positionTolerancePct: 10,
};

/** Which database a bed runs on. */
export type BedKind = 'pglite' | 'postgres';

/** One database with DBOS launched on it. */
export interface EngineBed {
  readonly kind: BedKind;
  readonly db: Database;
  readonly store: EngineStore;
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  /** Makes `exchange` reachable by the order workflows under its name. */
  useVenue(exchange: Exchange): void;
  /** Shuts DBOS down, closes the database and removes what the bed created. */
  close(): Promise<void>;
}

/** The real PostgreSQL server to also measure against, from the environment, if any. */
export function postgresServerUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/**
 * Opens a database of `kind` (PGlite in a fresh temp dir, or a new database on the server at
 * {@link postgresServerUrl}), binds the order workflows and launches DBOS on it.
 */
export async function openEngineBed(kind: BedKind): Promise<EngineBed> {
  let db: Database;
  let cleanup: () => Promise<void>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'engine-bench-'));
    // Inside the temp dir, so the embedded server's lock file next to it goes with it
    db = await openDatabase({ url: null, dataDir: join(dir, 'pglite') });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const serverUrl = postgresServerUrl();
    if (!serverUrl) throw new Error('BENCH_DATABASE_URL / TEST_DATABASE_URL is not set');
    const name = `opensqt_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    cleanup = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
    try {
      db = await openDatabase({ url: url.toString() });
    } catch (e) {
      await cleanup();
      throw e;
    }
  }
  bindOrderWorkflows({ retry: { sleep: async () => {} } });
  await launchDurableRuntime({ databaseUrl: db.url, appName: 'engine-bench', logger: SILENT });
  return {
    kind,
    db,
    store: engineStoreFor(db.sql),
    metrics: createEngineMetrics(),
    log: createLogger('engine-bench', 'silent'),
    useVenue: (exchange) => registerOrderVenue(exchange),
    close: async () => {
      await shutdownDurableRuntime({ workflowCompletionTimeoutMs: 1_000 });
      unbindOrderWorkflows();
      await db.close();
      await cleanup();
    },
  };
}

/** Milliseconds on the process's monotonic clock. */
export const now = (): number => performance.now();

/**
 * A symbol's mailbox that timestamps traffic: when a price was first offered and not yet taken,
 * how long the actor took from that offer until it came back for the next message (the event
 * lag of that price), and callbacks for the venue's order updates and workflow results.
 */
export class ProbeMailbox extends Mailbox<SymbolMessage> {
  /** Lag of each price the actor finished handling, ms. */
  readonly priceLags: number[] = [];
  /** Called with each order update routed here, as it arrives. */
  onOrder: ((message: Extract<SymbolMessage, { kind: 'order' }>) => void) | null = null;
  /** Called with each message the actor posts itself, as it is posted. */
  onPost: ((message: SymbolMessage) => void) | null = null;
  #pendingSince: number | null = null;
  #handling: number | null = null;

  override offerPrice(tick: PriceTick): void {
    // A conflated price counts from the oldest offer the actor has not taken yet
    this.#pendingSince ??= now();
    super.offerPrice(tick);
  }

  override async put(message: SymbolMessage): Promise<void> {
    if (message.kind === 'order') this.onOrder?.(message);
    return super.put(message);
  }

  override post(message: SymbolMessage): void {
    this.onPost?.(message);
    super.post(message);
  }

  override take(): Promise<Delivery<SymbolMessage> | null> {
    if (this.#handling !== null) this.priceLags.push(now() - this.#handling);
    this.#handling = null;
    return super.take().then((delivery) => {
      if (delivery?.kind === 'price') {
        this.#handling = this.#pendingSince;
        this.#pendingSince = null;
      }
      return delivery;
    });
  }
}

/** A running symbol actor over a probe mailbox. */
export interface BenchSymbol {
  readonly actor: SymbolActor;
  readonly mailbox: ProbeMailbox;
  readonly run: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a symbol actor as the orchestrator does (restore, then run) with the durable order
 * gateway. Whatever feeds the mailbox (a stream router, the bench) is the caller's.
 */
export async function startBenchSymbol(
  bed: EngineBed,
  exchange: Exchange,
  symbol: SymbolId,
  grid: GridConfigWire,
  mailbox: ProbeMailbox = new ProbeMailbox(64),
): Promise<BenchSymbol> {
  const actor = new SymbolActor(
    {
      exchange,
      clock: new WallClock(),
      orders: durableOrderGateway,
      store: bed.store.symbols,
      metrics: bed.metrics,
      log: bed.log,
      policy: BENCH_POLICY,
    },
    {
      symbol,
      grid: gridConfigFromWire(gridConfigSchema.parse(grid)),
      entriesPaused: false,
      mailbox,
    },
  );
  await actor.restore();
  const run = actor.run();
  return {
    actor,
    mailbox,
    run,
    stop: async () => {
      await actor.stop({ cancelOrders: false, graceMs: 2_000 });
      await run.catch(() => undefined);
    },
  };
}

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function until(
  check: () => boolean,
  what: string,
  timeoutMs = 15_000,
  everyMs = 0,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => (everyMs > 0 ? setTimeout(r, everyMs) : setImmediate(r)));
  }
}
