/**
 * @module test/e2e/support/engine-process
 * What the engine E2E suites share: a real exchange connector (gRPC, in the test process) over
 * the simulated venue behind a placement-counting port, the market-maker process
 * (`bin/market-maker.js`) started on a temp config, the databases it runs against (the embedded
 * PGlite always, a fresh database on the PostgreSQL at `TEST_DATABASE_URL` when that is set),
 * and readers of its admin API. Every wait is a poll with a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startConnectorServer, type ConnectorServer } from '../../../connector/connector.server.js';
import type { ConnectorMetrics } from '../../../connector/connector.metrics.js';
import type { Exchange } from '../../../core/exchange.port.js';
import { createLogger } from '../../../core/logger.js';
import { createSimulatedVenue, type SimulatedVenue } from '../../../connector/venues/sim/index.js';
import type { Order, PlaceOrderRequest } from '../../../core/exchange.types.js';
import { ZERO, type Decimal } from '../../../core/decimal.js';
import { countingVenue, type Placement } from '../../actors/engine/harness.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../support/postgres.js';

export { eventually } from '../../../core/eventually.js';
export type { Placement } from '../../actors/engine/harness.js';

const BIN = fileURLToPath(new URL('../../../bin/market-maker.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** One database the suites run against; PostgreSQL only when TEST_DATABASE_URL is set. */
export interface DatabaseCase {
  readonly kind: TestDatabaseKind;
  readonly name: string;
}

export const DATABASE_CASES: readonly DatabaseCase[] = TEST_DATABASE_KINDS.map((kind) => ({
  kind,
  name: kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL (TEST_DATABASE_URL)',
}));

/** The `database:` section of an engine config, and how to remove what it points at. */
export interface EngineDatabase {
  readonly configLines: readonly string[];
  close(): Promise<void>;
}

/**
 * A database no other suite uses: an embedded data dir under `dir`, or a new, unmigrated
 * database on the PostgreSQL server (the engine migrates it), dropped again on close.
 */
export async function openEngineDatabase(
  kind: TestDatabaseKind,
  dir: string,
): Promise<EngineDatabase> {
  if (kind === 'pglite') {
    return {
      configLines: ['database:', "  url: ''", `  embedded_dir: ${path.join(dir, 'pglite')}`],
      close: async () => {},
    };
  }
  const db: TestDatabase = await openTestDatabase('postgres', { migrate: false });
  return {
    configLines: ['database:', `  url: '${db.url}'`],
    close: () => db.close(),
  };
}

/** Called after the venue accepted a placement and before the engine hears of it. */
export type PlacementHook = (placement: Placement) => void;

/** The simulated venue behind a real connector, with every placement attempt recorded. */
export interface VenueUnderTest {
  readonly sim: SimulatedVenue;
  /** The venue port itself (not counted), for reading what the venue holds. */
  readonly venue: Exchange;
  readonly placements: Placement[];
  readonly address: string;
  /** Runs `hook` once, on the next accepted placement, before the reply leaves the venue. */
  onNextPlacement(hook: PlacementHook): void;
  /**
   * Stops the connector and starts it again on the same port over the same venue (orders,
   * positions and balances kept), accepting `apiKeys` from now on (none: auth off).
   */
  restartConnector(apiKeys?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the venue (prices move only when a test moves them) and the connector over it.
 * @param options.wrap - decorates the venue port the connector serves (e.g. to inject failures)
 * @param options.apiKeys - keys the connector accepts; none = auth off
 * @param options.metrics - the connector's metrics, read by the test
 */
export async function startVenue(
  symbols: readonly string[],
  options: {
    readonly wrap?: (venue: Exchange) => Exchange;
    readonly apiKeys?: readonly string[];
    /** Where the connector counts what it does (fencing refusals, latencies); none: not counted. */
    readonly metrics?: ConnectorMetrics;
  } = {},
): Promise<VenueUnderTest> {
  const sim = createSimulatedVenue({
    symbols: [...symbols],
    price: { volatilityPerYear: 0, jumpProbability: 0, basisVolatilityBps: 0 },
  });
  const venue = sim.exchange('futures');
  const placements: Placement[] = [];
  const counted = countingVenue(options.wrap ? options.wrap(venue) : venue, placements);
  let hook: PlacementHook | null = null;
  const hooked = new Proxy(counted, {
    get(target, property) {
      if (property === 'placeOrder') {
        return async (request: PlaceOrderRequest): Promise<Order> => {
          const order = await target.placeOrder(request);
          const next = hook;
          hook = null;
          next?.({
            clientOrderId: request.clientOrderId ?? '',
            side: request.side,
            price: request.price?.toFixed() ?? '',
            accepted: true,
          });
          return order;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const serve = (port: number, apiKeys: readonly string[] | undefined) =>
    startConnectorServer({
      venues: new Map([['sim', hooked]]),
      defaultVenue: 'sim',
      host: '127.0.0.1',
      port,
      ...(apiKeys === undefined ? {} : { apiKeys }),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      logger: createLogger('e2e-connector', 'silent'),
    });
  let connector: ConnectorServer = await serve(0, options.apiKeys);
  const port = connector.port;
  return {
    sim,
    venue,
    placements,
    address: connector.address,
    onNextPlacement: (h) => {
      hook = h;
    },
    restartConnector: async (apiKeys) => {
      await connector.shutdown(500);
      connector = await serve(port, apiKeys);
    },
    close: async () => {
      await connector.shutdown(1_000);
      await sim.close();
    },
  };
}

/** A temp dir for one suite. */
export function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'opensqt-e2e-'));
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Writes the engine config (admin on a free port) and returns its path. */
export async function writeEngineConfig(
  dir: string,
  connectorAddress: string,
  database: EngineDatabase,
  symbolLines: readonly string[],
  connectorLines: readonly string[] = [],
): Promise<string> {
  const file = path.join(dir, 'market_maker.yaml');
  const lines = [
    'connector:',
    `  address: ${connectorAddress}`,
    ...connectorLines,
    'admin:',
    '  port: 0',
    'rpc:',
    '  port: 0',
    ...database.configLines,
    'symbols:',
    ...symbolLines,
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

/** A running engine child. */
export interface EngineProcess {
  readonly child: ChildProcess;
  readonly adminUrl: string;
  /** Every line it wrote to stdout and stderr, for failure messages. */
  readonly output: string[];
}

/** Every engine started, so `after` can kill whatever is still running. */
export class EngineFleet {
  readonly #started: ChildProcess[] = [];

  /** The engine started last (it may not be ready yet). */
  latest(): ChildProcess {
    const child = this.#started[this.#started.length - 1];
    if (!child) throw new Error('no engine started yet');
    return child;
  }

  /**
   * Starts the engine and resolves once it logs that it is ready.
   * @param env - extra environment (secrets such as SLACK_WEBHOOK_URL)
   */
  start(configPath: string, env: Readonly<Record<string, string>> = {}): Promise<EngineProcess> {
    const child = spawn(process.execPath, [BIN, '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', DATABASE_URL: '', ...env },
    });
    this.#started.push(child);
    const output: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`engine not ready after ${READY_TIMEOUT_MS} ms:\n${tail(output)}`));
      }, READY_TIMEOUT_MS);
      const early = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`engine exited with ${code} before it was ready:\n${tail(output)}`));
      };
      child.once('exit', early);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        let entry: { msg?: string; admin?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          return;
        }
        if (entry.msg?.startsWith('market-maker ready') && entry.admin) {
          clearTimeout(timer);
          child.off('exit', early);
          resolve({ child, adminUrl: entry.admin, output });
        }
      });
    });
  }

  /** Kills every engine still running and waits for each to exit. */
  async killAll(): Promise<void> {
    await Promise.all(this.#started.map((child) => kill(child, 'SIGKILL')));
  }
}

/**
 * Sends `signal` and resolves with the exit code (null when killed by a signal).
 * Resolves at once for a child that already exited.
 */
export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function tail(lines: readonly string[]): string {
  return lines.slice(-30).join('\n');
}

/** What one engine suite runs on: a temp dir, the venue behind its connector, a database, the config. */
export interface EngineScene {
  readonly dir: string;
  readonly venue: VenueUnderTest;
  readonly database: EngineDatabase;
  /** Path of the engine config written for this scene. */
  readonly config: string;
  /** Every engine the suite starts; killed when the scene closes. */
  readonly fleet: EngineFleet;
}

/** How a scene is set up. */
export interface EngineSceneOptions {
  /** Symbols the venue lists. */
  readonly symbols: readonly string[];
  /** The config's `symbols:` entries, as YAML lines. */
  readonly symbolLines: readonly string[];
  /** Extra `connector:` keys, as YAML lines. */
  readonly connectorLines?: readonly string[];
  /** Further top-level sections (`risk:`, ...), as YAML lines after the symbols. */
  readonly configLines?: readonly string[];
  /** Passed to {@link startVenue}. */
  readonly venue?: Parameters<typeof startVenue>[1];
}

/**
 * Opens a scene in the suite's `before` and closes it (engines killed first) in its `after`.
 * @returns the open scene; throws when called before `before` ran
 */
export function engineScene(
  kind: TestDatabaseKind,
  options: EngineSceneOptions,
): () => EngineScene {
  let scene: EngineScene | undefined;
  let dir: string | undefined;
  let venue: VenueUnderTest | undefined;
  let database: EngineDatabase | undefined;
  const fleet = new EngineFleet();
  before(async () => {
    dir = await makeTempDir();
    venue = await startVenue(options.symbols, options.venue);
    database = await openEngineDatabase(kind, dir);
    const config = await writeEngineConfig(
      dir,
      venue.address,
      database,
      [...options.symbolLines, ...(options.configLines ?? [])],
      options.connectorLines,
    );
    scene = { dir, venue, database, config, fleet };
  });
  after(async () => {
    await fleet.killAll();
    await venue?.close();
    await database?.close();
    await removeTempDir(dir);
  });
  return () => {
    if (!scene) throw new Error('the engine scene opens in before()');
    return scene;
  };
}

// -- ADMIN API --

export interface WorkingOrderView {
  readonly clientOrderId: string;
  readonly side: string;
  readonly price: string;
}

export interface SlotStatus {
  readonly index: number;
  readonly state: string;
  readonly position: string;
  readonly order: WorkingOrderView | null;
}

/** One order as the engine's order ledger holds it (/status `actor.orders`). */
export interface LedgerOrderStatus {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly status: string;
  readonly filledQuantity: string;
  readonly side: string;
  readonly price: string | null;
  readonly quantity: string;
}

export interface SymbolStatus {
  readonly symbol: string;
  readonly state: string;
  readonly actor: {
    readonly phase: string;
    readonly position: string;
    readonly slots: readonly SlotStatus[];
    readonly orders: {
      readonly live: readonly LedgerOrderStatus[];
      readonly recent: readonly LedgerOrderStatus[];
    };
  } | null;
}

export async function symbolStatus(
  engine: EngineProcess,
  symbol: string,
): Promise<SymbolStatus | undefined> {
  const response = await fetch(`${engine.adminUrl}/status`);
  const status = (await response.json()) as { symbols: SymbolStatus[] };
  return status.symbols.find((s) => s.symbol === symbol);
}

export interface SymbolListing {
  readonly symbol: string;
  readonly state: string;
  readonly grid: Record<string, unknown>;
}

export async function listSymbols(engine: EngineProcess): Promise<SymbolListing[]> {
  const response = await fetch(`${engine.adminUrl}/symbols`);
  return (await response.json()) as SymbolListing[];
}

/** Slot states in which nothing is on its way to or from the venue. */
const SETTLED_STATES = new Set(['free', 'opening.resting', 'closing.resting']);

/** What the engine and the venue both say about one symbol, once they agree. */
export interface AgreedState {
  /** Open orders as "SIDE price clientOrderId", sorted. */
  readonly orders: readonly string[];
  /** Signed position, base units, plain decimal. */
  readonly position: string;
  readonly slots: readonly SlotStatus[];
}

/**
 * The engine's view of `symbol` when it is trading, every slot is settled, its working orders
 * are exactly the venue's open orders and its grid position is the venue's position; otherwise
 * undefined (poll it with `eventually`).
 */
export async function agreedState(
  engine: EngineProcess,
  venue: Exchange,
  symbol: string,
): Promise<AgreedState | undefined> {
  const status = await symbolStatus(engine, symbol);
  const actor = status?.actor;
  if (!actor || actor.phase !== 'trading') return undefined;
  if (!actor.slots.every((s) => SETTLED_STATES.has(s.state))) return undefined;
  const local = actor.slots
    .flatMap((s) => (s.order ? [`${s.order.side} ${s.order.price} ${s.order.clientOrderId}`] : []))
    .sort();
  const open = (await venue.getOpenOrders(symbol))
    .map((o) => `${o.side} ${o.price.toFixed()} ${o.clientOrderId}`)
    .sort();
  if (local.join() !== open.join()) return undefined;
  const venuePosition = await positionOf(venue, symbol);
  if (!venuePosition.eq(actor.position)) return undefined;
  return { orders: open, position: venuePosition.toFixed(), slots: actor.slots };
}

async function positionOf(venue: Exchange, symbol: string): Promise<Decimal> {
  const positions = await venue.getPositions(symbol);
  return positions.find((p) => p.symbol === symbol)?.size ?? ZERO;
}

/**
 * How the orders the venue holds differ from `indexed` (the engine's order index or its ledger):
 * one line per order whose status, fill or venue id differ, or that one side lacks. Orders the
 * venue refused never existed there; the index holds them REJECTED.
 * @param indexed - the engine's orders, by client order id
 * @param venue - the venue port
 * @param symbol - the symbol
 * @param placements - every placement attempt the venue saw
 * @param options.partial - `indexed` is a window (the ledger's /status lists only the latest
 *   final orders): orders it lacks are not a difference unless the venue holds them open
 * @returns the differences; empty when the index equals the venue for every order
 */
export async function indexAgainstVenue(
  indexed: readonly LedgerOrderStatus[],
  venue: Exchange,
  symbol: string,
  placements: readonly Placement[],
  options: { readonly partial?: boolean } = {},
): Promise<string[]> {
  const byId = new Map(indexed.map((o) => [o.clientOrderId, o]));
  const problems: string[] = [];
  const accepted = new Set(placements.filter((p) => p.accepted).map((p) => p.clientOrderId));
  const open = new Set((await venue.getOpenOrders(symbol)).map((o) => o.clientOrderId));
  for (const p of placements) {
    const held = byId.get(p.clientOrderId);
    if (!held && options.partial && !open.has(p.clientOrderId)) continue;
    if (!accepted.has(p.clientOrderId)) {
      if (held && held.status !== 'REJECTED')
        problems.push(`${p.clientOrderId}: refused, index ${held.status}`);
      continue;
    }
    const order = await venue.getOrder({ symbol, clientOrderId: p.clientOrderId });
    const want = `${order.status} ${order.executedQty.toFixed()} ${order.orderId}`;
    const have =
      held &&
      `${held.status} ${Number(held.filledQuantity) === 0 ? '0' : held.filledQuantity} ${held.venueOrderId}`;
    if (have !== want)
      problems.push(`${p.clientOrderId}: venue ${want}, index ${have ?? 'missing'}`);
  }
  return problems;
}

/** The engine's order ledger for `symbol` (live and latest final orders), from /status. */
export async function ledgerOrders(
  engine: EngineProcess,
  symbol: string,
): Promise<LedgerOrderStatus[]> {
  const orders = (await symbolStatus(engine, symbol))?.actor?.orders;
  return orders ? [...orders.live, ...orders.recent] : [];
}

/** Client order ids that reached the venue more than once. */
export function duplicateClientOrderIds(placements: readonly Placement[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const p of placements) {
    if (seen.has(p.clientOrderId)) twice.add(p.clientOrderId);
    seen.add(p.clientOrderId);
  }
  return [...twice];
}

/** Drops the client order ids: "SIDE price". */
export function sidesAndPrices(orders: readonly string[]): string[] {
  return orders.map((o) => o.split(' ').slice(0, 2).join(' ')).sort();
}

/** `promise`, or a rejection naming `what` after `timeoutMs`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
