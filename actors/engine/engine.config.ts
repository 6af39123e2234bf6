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
import { gridConfigSchema, symbolEntrySchema } from './symbol.config.js';

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
  })
  .strict()
  .prefault({});

const databaseSchema = z
  .object({
    /** A PostgreSQL URL; empty = the embedded database. Usually `${DATABASE_URL:-}`. */
    url: z.string().default(''),
    /** Data directory of the embedded database. */
    embedded_dir: z.string().min(1).default('data/pglite'),
  })
  .strict()
  .prefault({});

const riskSchema = z
  .object({
    /** Start with new entries paused: slots still close what they hold, but open nothing. */
    entries_paused: z.boolean().default(false),
  })
  .strict()
  .prefault({});

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

const DEFAULT_SYMBOLS = [
  {
    symbol: 'BTCUSDT',
    grid: gridConfigSchema.parse({ interval: '50', order_quantity: '0.001' }),
  },
];

/** The whole config file; see each section's schema for units and defaults. */
export const engineConfigSchema = z
  .object({
    connector: connectorSchema,
    admin: adminSchema,
    database: databaseSchema,
    risk: riskSchema,
    orders: ordersSchema,
    reconcile: reconcileSchema,
    supervision: supervisionSchema,
    shutdown: shutdownSchema,
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
  })
  .strict();

/** The validated, defaulted config. */
export type EngineConfig = z.output<typeof engineConfigSchema>;

/** What the command line says. */
export interface EngineArgs {
  readonly configPath: string;
  /** True when the user named the file, so a missing file is an error. */
  readonly configRequired: boolean;
}

/**
 * Reads `--config PATH` from the command line.
 * @param argv - arguments after the script name
 * @returns the config path and whether it was given explicitly
 * @throws {ConfigError} on an unknown option
 */
export function parseEngineArgs(argv: readonly string[]): EngineArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', short: 'c' } },
    });
    return {
      configPath: values.config ?? DEFAULT_ENGINE_CONFIG_PATH,
      configRequired: values.config !== undefined,
    };
  } catch (e) {
    throw new ConfigError('command line', [`${(e as Error).message}; usage: --config FILE`]);
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
  const config = loadConfigFile(engineConfigSchema, args.configPath, {
    required: args.configRequired,
    env,
  });
  return Object.freeze(config);
}
