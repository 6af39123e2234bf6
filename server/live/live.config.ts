/**
 * @module server/live/live.config
 * The live server's config file (configs/live_server.yaml), field by field. Every key is optional
 * and every key is used. With no file at all the server shows BTCUSDT 1m from the connector on
 * 127.0.0.1:50051 at http://127.0.0.1:8888. Venue credentials never live here: the live server
 * reaches venues only through the exchange connector, which holds them.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { remoteConnectorFields } from '../../connector/remote.config.js';
import { ConfigError, loadConfigFile } from '../../core/config-file.js';

/** Kline intervals the venues and the dashboard understand, with their length in seconds. */
export const INTERVAL_SECONDS = {
  '1m': 60,
  '3m': 180,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '4h': 14_400,
  '6h': 21_600,
  '8h': 28_800,
  '12h': 43_200,
  '1d': 86_400,
} as const;

/** A chart interval name such as "1m". */
export type KlineInterval = keyof typeof INTERVAL_SECONDS;

const connectorSchema = z
  .object({
    ...remoteConnectorFields,
  })
  .strict()
  .prefault({});

const tradingSchema = z
  .object({
    /** Exchange-native symbol shown on the dashboard. */
    symbol: z
      .string()
      .regex(/^[A-Z0-9]{2,24}$/, 'must be an exchange symbol such as BTCUSDT')
      .default('BTCUSDT'),
    /** Candle interval of the chart. */
    interval: z
      .enum(Object.keys(INTERVAL_SECONDS) as [KlineInterval, ...KlineInterval[]])
      .default('1m'),
    /** Candles each new client receives in its `history` message. */
    historical_limit: z.number().int().min(1).max(1500).default(100),
  })
  .strict()
  .prefault({});

const rateLimitSchema = z
  .object({
    /** WebSocket connections per second one IP may open, on average. */
    per_second: z.number().positive().default(10),
    /** Connections one IP may open at once before the rate applies. */
    burst: z.number().int().min(1).default(20),
  })
  .strict()
  .prefault({});

const serverSchema = z
  .object({
    /** Interface to bind; 0.0.0.0 shows the dashboard to the network (phones on the LAN). */
    host: z.string().min(1).default('127.0.0.1'),
    /** HTTP and WebSocket port (the dashboard page's default is 8888). */
    port: z.number().int().min(0).max(65535).default(8888),
    /** Answer cross-origin HTTP requests (e.g. /health from another page) from allowed_origins. */
    enable_cors: z.boolean().default(true),
    /**
     * Origins ("scheme://host:port") allowed to open /ws from a browser and to read the HTTP API
     * cross-origin; "*" allows any. The page's own origin is always allowed.
     */
    allowed_origins: z
      .array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })]))
      .default(['http://localhost:8888', 'http://127.0.0.1:8888']),
    /**
     * Host names the server answers to besides IP addresses and localhost; a request whose Host
     * header names anything else gets 403, so a DNS-rebinding page cannot read the dashboard or
     * open /ws. A leading "." allows a domain's subdomains; "*" turns the check off.
     */
    allowed_hosts: z.array(z.string().min(1).max(253)).default([]),
    /** Require a valid API key or JWT on /ws (header, or `?token=` for browsers). */
    enable_auth: z.boolean().default(false),
    /** HS256 secret of accepted JWTs; empty = JWTs not accepted. */
    jwt_secret: z.string().default(''),
    /** Accepted API keys. Put them in .env and reference them as ${VAR}. */
    api_keys: z.array(z.string().min(16, 'an API key needs at least 16 characters')).default([]),
    rate_limit: rateLimitSchema,
    /** How long open connections get to close on SIGTERM before they are cut. */
    shutdown_grace_ms: z.number().int().min(0).default(2000),
  })
  .strict()
  .prefault({})
  .refine((s) => !s.enable_auth || s.api_keys.length > 0 || s.jwt_secret !== '', {
    message: 'enable_auth needs api_keys or jwt_secret, otherwise nobody can connect',
    path: ['enable_auth'],
  });

const performanceSchema = z
  .object({
    /** Concurrent WebSocket clients; more are refused with 503. */
    max_clients: z.number().int().min(1).default(1000),
    /**
     * Bytes a client may have unsent before it counts as too slow and is disconnected (close
     * code 4001). Bounds the memory one stalled client can hold.
     */
    client_buffer_bytes: z
      .number()
      .int()
      .min(16 * 1024)
      .default(1024 * 1024),
    /** How often every client is pinged. */
    ping_interval_ms: z.number().int().min(100).default(30_000),
    /** A client that has not answered a ping for this long is cut. */
    pong_timeout_ms: z.number().int().min(100).default(75_000),
    /** A client whose unsent bytes have not drained for this long is cut as stalled. */
    write_timeout_ms: z.number().int().min(100).default(10_000),
  })
  .strict()
  .prefault({})
  .refine((p) => p.pong_timeout_ms > p.ping_interval_ms, {
    message: 'pong_timeout_ms must be longer than ping_interval_ms',
    path: ['pong_timeout_ms'],
  });

const upstreamSchema = z
  .object({
    /** First wait before resubscribing after an upstream stream failed; doubled per failure. */
    initial_backoff_ms: z.number().int().min(1).default(250),
    /** Cap of that wait. */
    max_backoff_ms: z.number().int().min(1).default(10_000),
  })
  .strict()
  .prefault({});

const dashboardSchema = z
  .object({
    /** Order-book levels per side shown next to the chart. */
    depth_levels: z.number().int().min(1).max(100).default(10),
    /** Most order-book updates a second sent to pages (the latest wins in between). */
    depth_updates_per_second: z.number().min(0.1).max(50).default(4),
    /** How far back the fill list reaches when a symbol's feed starts, in hours. */
    fill_history_hours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(24),
    /** Fills kept in each symbol's list. */
    recent_fills: z.number().int().min(1).max(5000).default(200),
    /** Symbols whose feeds may run at once (the configured one counts). */
    max_symbols: z.number().int().min(1).max(500).default(20),
    /** A symbol no page has watched for this long stops its feed (not the configured one). */
    idle_close_ms: z.number().int().min(0).default(60_000),
  })
  .strict()
  .prefault({});

/** configs/live_server.yaml: every section and key optional, unknown keys refused. */
export const liveServerConfigSchema = z
  .object({
    connector: connectorSchema,
    trading: tradingSchema,
    server: serverSchema,
    web: z
      .object({
        /** Folder of the dashboard page served at `/`. */
        directory: z.string().min(1).default('public'),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        /** pino level: trace, debug, info, warn, error, fatal or silent. */
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
          .default('info'),
      })
      .strict()
      .prefault({}),
    performance: performanceSchema,
    upstream: upstreamSchema,
    /** Many symbols on one server: depth, fill history, and how many symbols may run. */
    dashboard: dashboardSchema,
    engine: z
      .object({
        /**
         * The market-maker's admin API, read for the page's arbitrage panel (its GET
         * /arbitrage); empty = no panel.
         */
        admin_url: z
          .string()
          .regex(
            /^(https?:\/\/[^\s/]+)?$/,
            'must be http(s)://host:port, e.g. http://127.0.0.1:8080, or empty',
          )
          .default('http://127.0.0.1:8080'),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        /** Serve the health endpoint. */
        enabled: z.boolean().default(true),
        /** Its path. */
        endpoint: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a path such as /health')
          .default('/health'),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** Serve Prometheus metrics (clients, broadcast latency, slow cuts, upstream state). */
        enabled: z.boolean().default(true),
        /** Their path. */
        endpoint: z
          .string()
          .regex(/^\/[A-Za-z0-9/_-]*$/, 'must be a path such as /metrics')
          .default('/metrics'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated, defaulted config. */
export type LiveServerConfig = z.output<typeof liveServerConfigSchema>;

/** The config with every default: what a missing file means. */
export function defaultLiveServerConfig(): LiveServerConfig {
  return liveServerConfigSchema.parse({});
}

/** Config file read when --config is not given; its absence means all defaults. */
export const DEFAULT_CONFIG_PATH = 'configs/live_server.yaml';

const CLI_OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  connector: { type: 'string' },
  symbol: { type: 'string' },
} as const;

/**
 * Reads the config file and applies the command-line overrides (--config, --host, --port,
 * --connector, --symbol), validating the result.
 * @param argv arguments after the script name
 * @param env environment for ${VAR} expansion
 * @throws {ConfigError} naming every bad key or flag
 */
export function resolveLiveServerConfig(
  argv: readonly string[],
  env = process.env,
): LiveServerConfig {
  let values: {
    config?: string;
    port?: string;
    host?: string;
    connector?: string;
    symbol?: string;
  };
  try {
    values = parseArgs({ args: [...argv], options: CLI_OPTIONS, strict: true }).values;
  } catch (e) {
    throw new ConfigError('command line', [(e as Error).message]);
  }
  const path = values.config ?? DEFAULT_CONFIG_PATH;
  const file = loadConfigFile(liveServerConfigSchema, path, {
    required: values.config !== undefined,
    env,
  });
  const merged = {
    ...file,
    connector: { ...file.connector, address: values.connector ?? file.connector.address },
    trading: { ...file.trading, symbol: values.symbol ?? file.trading.symbol },
    server: {
      ...file.server,
      host: values.host ?? file.server.host,
      port: values.port === undefined ? file.server.port : Number(values.port),
    },
  };
  const result = liveServerConfigSchema.safeParse(merged);
  if (!result.success) {
    const flags: Record<string, string> = {
      'connector.address': '--connector',
      'trading.symbol': '--symbol',
      'server.port': '--port',
      'server.host': '--host',
    };
    throw new ConfigError(
      'command line',
      result.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.');
        return `${flags[key] ?? key}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}
