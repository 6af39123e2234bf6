/**
 * @module connector/connector.config
 * The exchange-connector's config file (configs/exchange_connector.yaml), field by field. With no
 * file at all the connector serves the built-in simulated venue on 127.0.0.1:50051. Real venues
 * (ccxt) are validated by their own schema in connector/ccxt. Paths are checked when the file is
 * loaded (a state file that is a directory or cannot be written fails then, naming its key).
 */
import { z } from 'zod';
import { ccxtVenuesSchema } from './venues/ccxt/index.js';
import { stateFileProblem } from './venues/sim/sim-state-file.js';

const serverSchema = z
  .object({
    /** Interface to bind; use 0.0.0.0 only behind TLS or a private network. */
    host: z.string().min(1).default('127.0.0.1'),
    /** gRPC port. */
    port: z.number().int().min(0).max(65535).default(50051),
    /** API keys accepted in `x-api-key` metadata; empty = auth off. Put keys in .env, not here. */
    api_keys: z.array(z.string().min(16, 'an API key needs at least 16 characters')).default([]),
    /** How long in-flight calls may take to finish on SIGTERM before they are cut. */
    shutdown_grace_ms: z.number().int().min(0).default(5000),
  })
  .strict();

const metricsSchema = z
  .object({
    /** Serve GET /metrics (Prometheus) and GET /health over HTTP beside the gRPC port. */
    enabled: z.boolean().default(true),
    /** Interface of that listener; loopback unless a scraper on another host needs it. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Its port; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(9464),
  })
  .strict();

const simulatorSchema = z
  .object({
    /** Serve the simulated venue as "sim" (USDT perpetuals) and "sim-spot" (spot and margin). */
    enabled: z.boolean().default(true),
    /** Options of the simulated venue itself (seed, volatility, fees, balances); see connector/sim. */
    options: z.record(z.string(), z.unknown()).default({}),
    /**
     * Where the venue keeps its orders, positions and balances between runs, like a real exchange
     * does while our processes restart; empty = in memory only (every start is a new venue).
     */
    state_file: z
      .string()
      .default('data/sim-venue.json')
      .superRefine((path, ctx) => {
        const problem = path === '' ? undefined : stateFileProblem(path);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Background save period in ms (saves take ~0.1 s); 0 = save only on shutdown. */
    save_interval_ms: z.number().int().min(0).default(60_000),
  })
  .strict();

export const connectorConfigSchema = z
  .object({
    server: serverSchema.prefault({}),
    /** The HTTP listener for Prometheus and probes. */
    metrics: metricsSchema.prefault({}),
    /** Venue used by callers that send no `x-exchange` metadata (every original client). */
    default_venue: z.string().min(1).default('sim'),
    simulator: simulatorSchema.prefault({}),
    /** Real exchanges through ccxt, by venue name (the x-exchange value). Keys come from env. */
    venues: ccxtVenuesSchema,
  })
  .strict();

export type ConnectorConfig = z.output<typeof connectorConfigSchema>;
