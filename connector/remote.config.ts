/**
 * @module connector/remote.config
 * The `connector:` section every process that reaches venues through the exchange-connector shares
 * (engine, live-server): where the connector is, the key it wants and the venue to use.
 */
import { z } from 'zod';

/** `host:port`, IPv6 hosts in brackets. */
export const hostPortSchema = z
  .string()
  .regex(
    /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/,
    'must be host:port, e.g. 127.0.0.1:50051',
  );

/** The fields of a `connector:` section; callers add their own and make it strict. */
export const remoteConnectorFields = {
  /** host:port of the exchange connector. */
  address: hostPortSchema.default('127.0.0.1:50051'),
  /** Sent as `x-api-key` when the connector has auth on; empty = none. Put it in .env. */
  api_key: z.string().default(''),
  /** Venue to use (`x-exchange`, e.g. "sim"); empty = the connector's default venue. */
  venue: z.string().default(''),
  /**
   * How often the connector is asked whether it answers (a cheap call), ms. A refusal or a
   * missed deadline marks it down: /health says so, dashboards get a status message.
   */
  probe_interval_ms: z.number().int().min(100).max(60_000).default(1_000),
  /** A probe unanswered this long marks the connector down (a frozen process), ms. */
  probe_timeout_ms: z.number().int().min(100).max(60_000).default(2_000),
};
