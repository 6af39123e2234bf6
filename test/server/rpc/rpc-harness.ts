/**
 * @module test/server/rpc/rpc-harness
 * The engine gRPC API on 127.0.0.1:0 over hand-written fake ports (or real ones), with clients
 * built from the contract, promisified calls that resolve to the response or the ServiceError,
 * and a stream reader. Every start registers its cleanup with the test context.
 */
import type { TestContext } from 'node:test';
import { credentials, type ServiceError } from '@grpc/grpc-js';

import { VirtualClock, type Clock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { Account } from '../../../core/exchange.types.js';
import { createLogger } from '../../../core/logger.js';
import type { ReconcileSummary } from '../../../actors/engine/reconcile.js';
import { preTradeLimitsFromConfig } from '../../../actors/risk/pre-trade.js';
import { riskConfigSchema } from '../../../actors/risk/risk.config.js';
import { PortfolioServiceClient } from '../../../proto/gen/opensqt/market_maker/v1/portfolio.js';
import { PositionServiceClient } from '../../../proto/gen/opensqt/market_maker/v1/position.js';
import { RiskServiceClient } from '../../../proto/gen/opensqt/market_maker/v1/risk.js';
import { AlertFeed } from '../../../server/rpc/alert-feed.js';
import {
  startEngineRpcServer,
  type EngineRpcDeps,
  type EngineRpcOptions,
} from '../../../server/rpc/rpc.server.js';
import type {
  BreakerReport,
  LimitsPort,
  LiveSymbol,
  ReconcilePort,
  RiskControlPort,
} from '../../../server/rpc/rpc.ports.js';
import type { PreTradeLimits } from '../../../actors/risk/pre-trade.js';

export const silent = createLogger('rpc-test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A futures account with `positions`, 10000 USDT of margin balance, 100 maintenance. */
export function fakeAccount(overrides: Partial<Account> = {}): Account {
  return {
    totalWalletBalance: dec('10000'),
    totalMarginBalance: dec('10000'),
    availableBalance: dec('9000'),
    positions: [],
    accountLeverage: 5,
    isUnified: false,
    totalMaintenanceMargin: dec('100'),
    ...overrides,
  };
}

/** A reconcile port whose runs the test finishes by hand. */
export class FakeReconcile implements ReconcilePort {
  readonly requested: string[] = [];
  traded: string[] = [];
  readonly #listeners = new Set<(symbol: string, summary: ReconcileSummary) => void>();

  symbols(): readonly string[] {
    return this.traded;
  }
  request(symbol: string): boolean {
    if (!this.traded.includes(symbol)) return false;
    this.requested.push(symbol);
    return true;
  }
  onReconciled(listener: (symbol: string, summary: ReconcileSummary) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** A run of `symbol` finished at `atMs`. */
  finish(symbol: string, atMs: number, venue: string, grid: string, trigger = 'manual'): void {
    const summary: ReconcileSummary = {
      trigger,
      atMs,
      updated: 1,
      adopted: [],
      resubmitted: [],
      vanished: [],
      ledgerCorrected: venue === grid ? 0 : 1,
      deferred: 0,
      foreign: [],
      conflicts: [],
      position: { venue, grid, matches: venue === grid },
    };
    for (const listener of this.#listeners) listener(symbol, summary);
  }
}

/** A risk controller with breakers the test opens, whose reset is refused while `holds`. */
export class FakeRisk implements RiskControlPort {
  readonly breakers: (BreakerReport & { holds?: boolean })[] = [];
  readonly enabled = new Set<string>();

  report() {
    return { trading: [], breakers: this.breakers };
  }
  tripBreaker(kind: string, scope: string, _by: string, reason: string) {
    if (!this.enabled.has(`${kind}/${scope}`)) {
      return { ok: false as const, reason: `breaker ${kind} is not enabled for ${scope}` };
    }
    this.breakers.push({ breaker: kind, scope, state: 'open', reason, since: 1_700_000_000_000 });
    return { ok: true as const };
  }
  resetBreaker(kind: string, scope: string) {
    const i = this.breakers.findIndex((b) => b.breaker === kind && b.scope === scope);
    const b = this.breakers[i];
    if (!b) return { ok: false as const, reason: `breaker ${kind} is not enabled for ${scope}` };
    if (b.holds) return { ok: false as const, reason: `the condition still holds: ${b.reason}` };
    this.breakers.splice(i, 1);
    return { ok: true as const };
  }
}

/** Limits of the default config, changeable. */
export function fakeLimits(changeable: boolean): LimitsPort & { current: PreTradeLimits } {
  const port = {
    current: preTradeLimitsFromConfig(riskConfigSchema.parse({}).limits),
    limits: () => port.current,
    maxLeverage: () => 10,
    setLimits: changeable ? (l: PreTradeLimits) => void (port.current = l) : null,
  };
  return port;
}

export interface Harness {
  readonly clients: {
    readonly position: PositionServiceClient;
    readonly risk: RiskServiceClient;
    readonly portfolio: PortfolioServiceClient;
  };
  readonly address: string;
  shutdown(graceMs?: number): Promise<void>;
}

/** Starts the API over `deps` on a free port; shut down after the test. */
export async function startRpc(
  t: TestContext | { after(fn: () => unknown): void },
  deps: Partial<EngineRpcDeps> & Pick<EngineRpcDeps, 'history'>,
  clock: Clock = new VirtualClock(1_700_000_000_000),
  manualBreaker = 'drawdown',
  extra: Partial<EngineRpcOptions> = {},
): Promise<Harness> {
  const full: EngineRpcDeps = {
    ledger: { symbols: () => [] },
    account: {
      getAccount: async () => fakeAccount(),
      getLatestPrice: async () => dec('100'),
    },
    limits: fakeLimits(false),
    reconcile: new FakeReconcile(),
    alerts: new AlertFeed(clock, silent),
    risk: null,
    funding: null,
    clock,
    log: silent,
    ...deps,
  };
  const server = await startEngineRpcServer(full, {
    host: '127.0.0.1',
    port: 0,
    manualBreaker,
    positionPollMs: 20,
    ...extra,
  });
  const insecure = credentials.createInsecure();
  const clients = {
    position: new PositionServiceClient(server.address, insecure),
    risk: new RiskServiceClient(server.address, insecure),
    portfolio: new PortfolioServiceClient(server.address, insecure),
  };
  t.after(async () => {
    for (const c of Object.values(clients)) c.close();
    await server.shutdown(0);
  });
  return { clients, address: server.address, shutdown: (ms = 500) => server.shutdown(ms) };
}

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

/** A unary call: resolves to the response, or rejects with the ServiceError. */
export function call<Req, Res>(client: object, method: string, request: Req): Promise<Res> {
  const fn = (client as Record<string, (r: Req, cb: Callback<Res>) => void>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) =>
    fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

/** The ServiceError a call failed with. */
export async function failure(pending: Promise<unknown>): Promise<ServiceError> {
  try {
    await pending;
  } catch (e) {
    return e as ServiceError;
  }
  throw new Error('the call succeeded');
}

/** A live symbol with orders and a mark. */
export function liveSymbol(
  overrides: Partial<LiveSymbol> & Pick<LiveSymbol, 'symbol'>,
): LiveSymbol {
  return {
    venue: 'sim',
    mark: null,
    liveOrders: [],
    exposure: null,
    divergencePaused: false,
    ...overrides,
  };
}

/**
 * Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`.
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
