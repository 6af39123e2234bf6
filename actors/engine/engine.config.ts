/**
 * @module actors/engine/engine.config
 * The market-maker's config file (configs/market_maker.yaml), field by field, and the command
 * line that names it. Every key is optional: with no file at all the engine trades a small long
 * grid on BTCUSDT perpetuals of the simulated venue behind a connector on 127.0.0.1:50051, keeps
 * its state in the embedded database under data/pglite and serves the admin API on :8080.
 */
import { parseArgs } from 'node:util';

import { z } from 'zod';
import { remoteConnectorFields } from '../../connector/remote.config.js';

import { ConfigError, loadConfigFile } from '../../core/config-file.js';
import { bookMathConfigSchema } from '../book/book-analytics.config.js';
import { gridConfigSchema, symbolEntrySchema } from './symbol.config.js';
import { alertsConfigSchema } from '../alerts/alerts.config.js';
import { BREAKER_KINDS, riskConfigSchema } from '../risk/risk.config.js';
import { arbitrageSectionSchema } from '../arbitrage/arbitrage-section.config.js';

/** Where the engine looks for its config when `--config` is not given. */
export const DEFAULT_ENGINE_CONFIG_PATH = 'configs/market_maker.yaml';

const connectorSchema = z
  .object({
    ...remoteConnectorFields,
    /** Tries of the first connection before the engine gives up starting; default 10. */
    connect_attempts: z.number().int().min(1).default(10),
  })
  .strict()
  .prefault({});

const adminSchema = z
  .object({
    /** Interface of the admin API; it can add and remove symbols, so keep it on loopback. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Admin HTTP port (/health, /status, /symbols, /metrics); 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(8080),
    /**
     * Host names the admin API answers to besides IP addresses and localhost (DNS-rebinding
     * protection: a request whose Host header names anything else gets 403). A leading "."
     * allows a domain's subdomains; "*" turns the check off.
     */
    allowed_hosts: z.array(z.string().min(1).max(253)).default([]),
    /** Largest request body the admin API reads, in bytes; bigger ones get 413 unread. */
    max_body_bytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict()
  .prefault({});

/** A TCP port, also as digits (a `${VAR}` expansion in the config file yields a string). */
const portNumber = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v),
  z.number({ error: 'must be a port number 0-65535' }).int().min(0).max(65535),
);

const rpcSchema = z
  .object({
    /** Serve the engine gRPC API (RiskService, PositionService, PortfolioService). */
    enabled: z.boolean().default(true),
    /** Interface of the engine gRPC API; it can open breakers and change limits: loopback. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Its port (the original contract's 50052); 0 picks a free port. */
    port: portNumber.default(50052),
    /** The breaker kind OpenCircuitBreaker trips on the symbol (a symbol-scoped one). */
    manual_breaker: z
      .enum(BREAKER_KINDS, { error: `must be a breaker kind: ${BREAKER_KINDS.join(', ')}` })
      .default('drawdown'),
    /** How often SubscribePositions polls the fills ledger for new fills, ms. */
    position_poll_ms: z.number().int().min(50).max(10_000).default(250),
  })
  .strict()
  .prefault({});

const databaseSchema = z
  .object({
    /**
     * A PostgreSQL URL; empty = the embedded database. Usually `${DATABASE_URL:-}`. Checked
     * here and never echoed: a message about it must not print the password.
     */
    url: z
      .string()
      .default('')
      .refine(isPostgresUrlOrEmpty, {
        message:
          'must be a postgres:// or postgresql:// URL such as postgres://user:password@host:5432/db; ' +
          'percent-encode reserved characters in the user and password (# as %23, @ as %40, ' +
          '/ as %2F, space as %20)',
      }),
    /** Data directory of the embedded database. */
    embedded_dir: z.string().min(1).default('data/pglite'),
  })
  .strict()
  .prefault({});

function isPostgresUrlOrEmpty(url: string): boolean {
  if (url === '') return true;
  try {
    const parsed = new URL(url);
    return (
      (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') &&
      parsed.hostname !== '' &&
      parsed.hash === ''
    );
  } catch {
    return false;
  }
}

const ordersSchema = z
  .object({
    /**
     * This engine's client order id namespace: 4 characters of A-Z or 0-9, stamped into every
     * client order id so two engines on one account and symbol never collide or adopt each
     * other's orders. Empty (default): generated once and stored in the engine's database.
     */
    client_id_namespace: z
      .string()
      .regex(/^([0-9A-Z]{4})?$/, 'must be 4 characters of A-Z or 0-9, or empty')
      .default(''),
    /** Wait after a slot's first refused placement before it may place again, ms; doubles. */
    refusal_backoff_initial_ms: z.number().int().positive().default(1_000),
    /** Cap of that wait, ms. */
    refusal_backoff_max_ms: z.number().int().positive().default(60_000),
  })
  .strict()
  .refine((o) => o.refusal_backoff_max_ms >= o.refusal_backoff_initial_ms, {
    message: 'must be at least refusal_backoff_initial_ms',
    path: ['refusal_backoff_max_ms'],
  })
  .prefault({});

const reconcileSchema = z
  .object({
    /**
     * How often each symbol reconciles with the venue while trading, ms (it also does at start
     * and whenever the order stream reconnects); default 60000.
     */
    interval_ms: z.number().int().min(1_000).default(60_000),
    /**
     * Venue position minus grid inventory, as a % of the grid's capacity (levels × order
     * quantity), above which the symbol's entries pause (once a second check moments later
     * confirms it) until a later reconciliation finds it back within; smaller divergences are
     * accepted as the venue's truth and logged. Default 10.
     */
    position_tolerance_pct: z.number().min(0).max(100_000).default(10),
  })
  .strict()
  .prefault({});

const supervisionSchema = z
  .object({
    /** Failures of one symbol within `window_ms` after which it is marked failed. */
    max_failures: z.number().int().min(1).default(5),
    /** The failure-counting window, in ms (default 10 minutes). */
    window_ms: z.number().int().positive().default(600_000),
    /** Wait before the first restart of a failed symbol, doubled per failure, in ms. */
    initial_backoff_ms: z.number().int().positive().default(1_000),
    /** Cap of the restart backoff, in ms. */
    max_backoff_ms: z.number().int().positive().default(60_000),
  })
  .strict()
  .prefault({});

const shutdownSchema = z
  .object({
    /** How long running order workflows may take to finish on SIGTERM, in ms. */
    workflow_grace_ms: z.number().int().min(0).default(5_000),
  })
  .strict()
  .prefault({});

const clusterSchema = z
  .object({
    /**
     * Scale-out: several engines on one PostgreSQL share the active symbols, each symbol owned by
     * one engine at a time through a lease. Also ENGINE_CLUSTER=true.
     */
    enabled: z.boolean().default(false),
    /**
     * This engine's id among them (letters, digits, `.`, `_`, `-`); unique among running
     * engines. Empty: host name and process id. Also ENGINE_ID.
     */
    engine_id: z
      .string()
      .regex(/^([A-Za-z0-9._-]{1,64})?$/, 'must be 1-64 letters, digits, ".", "_" or "-", or empty')
      .default(''),
    /** A lease not renewed for this long is taken by another engine, ms. */
    lease_ttl_ms: z.number().int().min(1_000).max(600_000).default(6_000),
    /** How often leases are renewed and free ones looked for, ms; at most a third of the TTL. */
    scan_interval_ms: z.number().int().min(100).max(200_000).default(1_000),
    /** How long a takeover waits for a dead engine's recovered workflows, ms. */
    recovery_wait_ms: z.number().int().min(0).max(60_000).default(3_000),
  })
  .strict()
  .refine((c) => c.scan_interval_ms * 3 <= c.lease_ttl_ms, {
    message: 'must be at most a third of lease_ttl_ms, so a lease is renewed before it expires',
    path: ['scan_interval_ms'],
  })
  .prefault({});

const DEFAULT_SYMBOLS = [
  {
    symbol: 'BTCUSDT',
    // Trailing: the grid keeps buying near the market whichever way the price goes
    grid: gridConfigSchema.parse({ interval: '50', order_quantity: '0.001', trailing: {} }),
  },
];

/** The whole config file; see each section's schema for units and defaults. */
export const engineConfigSchema = z
  .object({
    connector: connectorSchema,
    admin: adminSchema,
    rpc: rpcSchema,
    database: databaseSchema,
    risk: riskConfigSchema,
    alerts: alertsConfigSchema,
    orders: ordersSchema,
    reconcile: reconcileSchema,
    supervision: supervisionSchema,
    shutdown: shutdownSchema,
    cluster: clusterSchema,
    /** Where order-book math runs (a worker pool by default) and what it measures. */
    book_math: bookMathConfigSchema,
    /**
     * Symbols to trade on the very first start (an empty active set). After that the active set
     * lives in the database and the admin API changes it; this list is not re-applied.
     */
    symbols: z
      .array(symbolEntrySchema)
      .refine((list) => new Set(list.map((s) => s.symbol)).size === list.length, {
        message: 'lists a symbol twice; keep one entry per symbol',
      })
      .default(() => DEFAULT_SYMBOLS.map((s) => symbolEntrySchema.parse(s))),
    /** Funding-rate arbitrage: pairs seeded on the first start, and their guards. */
    arbitrage: arbitrageSectionSchema,
  })
  .strict();

/** The validated, defaulted config. */
export type EngineConfig = z.output<typeof engineConfigSchema>;

/** What the command line says. */
export interface EngineArgs {
  readonly configPath: string;
  /** True when the user named the file, so a missing file is an error. */
  readonly configRequired: boolean;
  /** `--admin-host`: overrides `admin.host` (containers bind 0.0.0.0 on their private network). */
  readonly adminHost?: string;
  /** `--admin-port`: overrides `admin.port`. */
  readonly adminPort?: number;
  /** `--rpc-host`: overrides `rpc.host` (and ENGINE_RPC_HOST). */
  readonly rpcHost?: string;
  /** `--rpc-port`: overrides `rpc.port` (and ENGINE_RPC_PORT). */
  readonly rpcPort?: number;
}

/**
 * Reads `--config PATH [--admin-host H] [--admin-port N] [--rpc-host H] [--rpc-port N]`.
 * @param argv - arguments after the script name
 * @returns the config path and whether it was given explicitly
 * @throws {ConfigError} on an unknown option
 */
export function parseEngineArgs(argv: readonly string[]): EngineArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        'admin-host': { type: 'string' },
        'admin-port': { type: 'string' },
        'rpc-host': { type: 'string' },
        'rpc-port': { type: 'string' },
      },
    });
    const port = values['admin-port'];
    if (port !== undefined && !/^\d{1,5}$/.test(port)) {
      throw new Error(`--admin-port: must be an integer 0-65535, was "${port}"`);
    }
    const rpcPort = values['rpc-port'];
    if (rpcPort !== undefined && !/^\d{1,5}$/.test(rpcPort)) {
      throw new Error(`--rpc-port: must be an integer 0-65535, was "${rpcPort}"`);
    }
    return {
      configPath: values.config ?? DEFAULT_ENGINE_CONFIG_PATH,
      configRequired: values.config !== undefined,
      ...(values['admin-host'] === undefined ? {} : { adminHost: values['admin-host'] }),
      ...(port === undefined ? {} : { adminPort: Number(port) }),
      ...(values['rpc-host'] === undefined ? {} : { rpcHost: values['rpc-host'] }),
      ...(rpcPort === undefined ? {} : { rpcPort: Number(rpcPort) }),
    };
  } catch (e) {
    throw new ConfigError('command line', [
      `${(e as Error).message}; usage: --config FILE [--admin-host HOST] [--admin-port PORT] [--rpc-host HOST] [--rpc-port PORT]`,
    ]);
  }
}

/**
 * Loads and validates the engine config.
 * @param args - where the file is and whether it must exist
 * @param env - variables for `${VAR}` expansion; default process.env
 * @returns the frozen config
 * @throws {ConfigError} listing every problem as "key.path: reason"
 */
export function loadEngineConfig(
  args: EngineArgs,
  env: NodeJS.ProcessEnv = process.env,
): EngineConfig {
  const file = loadConfigFile(engineConfigSchema, args.configPath, {
    required: args.configRequired,
    env,
  });
  const admin = {
    host: args.adminHost ?? file.admin.host,
    port: args.adminPort ?? file.admin.port,
  };
  // The command line wins over the environment, which wins over the file
  const envPort = env.ENGINE_RPC_PORT;
  if (envPort !== undefined && envPort !== '' && !/^\d{1,5}$/.test(envPort)) {
    throw new ConfigError('environment', [
      `ENGINE_RPC_PORT: must be an integer 0-65535, was "${envPort.slice(0, 32)}"`,
    ]);
  }
  const rpc = {
    ...file.rpc,
    host: args.rpcHost ?? (env.ENGINE_RPC_HOST || file.rpc.host),
    port: args.rpcPort ?? (envPort ? Number(envPort) : file.rpc.port),
  };
  const cluster = clusterFromEnv(file.cluster, env);
  if (cluster.enabled && file.database.url === '') {
    throw new ConfigError(args.configPath, [
      'cluster.enabled: scale-out needs one PostgreSQL server shared by the engines; set ' +
        'database.url (DATABASE_URL) to it: the embedded database serves a single engine',
    ]);
  }
  if (cluster.enabled && file.arbitrage.pairs.length > 0) {
    throw new ConfigError(args.configPath, [
      'cluster.enabled: arbitrage pairs run on a single engine; run them on an engine of their ' +
        'own database without cluster.enabled, or remove arbitrage.pairs here',
    ]);
  }
  const result = engineConfigSchema.safeParse({ ...file, admin, rpc, cluster });
  if (!result.success) {
    throw new ConfigError('command line', [
      ...result.error.issues.map((i) => `--${i.path.join('-').replace('_', '-')}: ${i.message}`),
    ]);
  }
  return Object.freeze(result.data);
}

/**
 * ENGINE_CLUSTER (true/false/1/0) and ENGINE_ID override the file's cluster section.
 * @throws {ConfigError} naming the variable when its value is not one of those
 */
function clusterFromEnv(
  file: EngineConfig['cluster'],
  env: NodeJS.ProcessEnv,
): EngineConfig['cluster'] {
  const flag = env.ENGINE_CLUSTER;
  let enabled = file.enabled;
  if (flag !== undefined && flag !== '') {
    if (!/^(true|false|1|0)$/i.test(flag)) {
      throw new ConfigError('environment', [
        `ENGINE_CLUSTER: must be true, false, 1 or 0, was "${flag.slice(0, 32)}"`,
      ]);
    }
    enabled = /^(true|1)$/i.test(flag);
  }
  const id = env.ENGINE_ID;
  return { ...file, enabled, ...(id ? { engine_id: id } : {}) };
}
