/**
 * @module connector/venues/ccxt/credentials
 * API credentials of a ccxt venue, from environment variables only: `<PREFIX>_API_KEY`,
 * `<PREFIX>_API_SECRET` and, on OKX and Bitget, `<PREFIX>_API_PASSWORD`. None set means
 * public-data-only mode; a partial set is a configuration mistake and stops start-up.
 */
import type { VenueProfile } from './venue-profiles.js';

export interface Credentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
}

/** What was found: credentials, or none with the variable names to set. */
export type CredentialLookup =
  | { readonly credentials: Credentials; readonly hint: null }
  | { readonly credentials: null; readonly hint: string };

/** The variable names a venue reads, in the order they are documented. */
export function credentialVariables(profile: VenueProfile, prefix = profile.envPrefix): string[] {
  const names = [`${prefix}_API_KEY`, `${prefix}_API_SECRET`];
  if (profile.needsPassword) names.push(`${prefix}_API_PASSWORD`);
  return names;
}

/**
 * Reads a venue's credentials from `env`.
 * @throws {Error} naming the venue and the missing variables when only some are set
 */
export function readCredentials(
  venue: string,
  profile: VenueProfile,
  env: NodeJS.ProcessEnv,
  prefix?: string,
): CredentialLookup {
  const names = credentialVariables(profile, prefix);
  const values = names.map((n) => env[n]?.trim() ?? '');
  const hint = names.join(', ');
  if (values.every((v) => v === '')) return { credentials: null, hint };
  const missing = names.filter((_, i) => values[i] === '');
  if (missing.length > 0) {
    throw new Error(`${venue}: ${missing.join(', ')} not set; set all of ${hint} or none`);
  }
  const [apiKey = '', secret = '', password] = values;
  return {
    credentials: password === undefined ? { apiKey, secret } : { apiKey, secret, password },
    hint: null,
  };
}
