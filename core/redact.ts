/**
 * @module core/redact
 * Strips credentials from anything on its way to a log line, an error message or a config
 * echo: the user-info of every URL (`postgres://user:secret@host` becomes
 * `postgres://user:***@host`), secret-looking `key=value` pairs (`password=...`, `api_key=...`,
 * `token=...`) and the values of secret-looking fields in objects. It works on text, not on
 * parsed URLs, because the URLs that leak are the malformed ones: a password holding `#`, `/`
 * or `@` is exactly what makes `new URL()` throw, and its error then quotes the input whole.
 */

/** What replaces a secret. */
export const REDACTED = '***';

/** Field names whose values are secrets wherever they appear (case-insensitive). */
const SECRET_KEY =
  /^(?:password|passwd|pwd|pass|secret|client_?secret|api_?secret|token|access_?token|refresh_?token|api_?key|apikey|x-api-key|authorization|auth|private_?key|signature|jwt_?secret|api_?keys|sslpassword|passphrase|cookie|set-cookie)$/i;

/**
 * A URL-looking token: a scheme, `://`, then everything up to white space or a quote. The
 * user-info is whatever comes before the token's last `@` (a password may contain `@`, `/`, `#`
 * or `:` unencoded; the host may not contain `@`).
 */
const URL_TOKEN = /\b([a-z][a-z0-9+.-]{1,30}:\/\/)([^\s"'`<>]*)/gi;

/** `key=value` / `key: value` pairs whose key names a secret, in query strings and DSNs. */
const SECRET_PAIR =
  /\b(password|passwd|pwd|secret|client_secret|api_secret|token|access_token|refresh_token|api_key|apikey|x-api-key|private_key|signature|sslpassword|passphrase|jwt_secret)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,"'}]+)/gi;

/** `Authorization: Bearer xyz` and bare bearer tokens. */
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

/**
 * Removes credentials from free text.
 * @param text - anything that may quote a URL, a DSN or a header
 * @returns the text with every secret replaced by `***`
 */
export function redactText(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(URL_TOKEN, (_match, scheme: string, rest: string) => scheme + redactAuthority(rest))
    .replace(SECRET_PAIR, (_match, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(BEARER, (_match, prefix: string) => `${prefix}${REDACTED}`);
}

/** Keeps the user name (useful when diagnosing) and drops everything after its first colon. */
function redactAuthority(rest: string): string {
  const at = rest.lastIndexOf('@');
  if (at < 0) return rest;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
  // A user-info without a colon may itself be a token (https://TOKEN@host); hide it too
  const shown = colon < 0 ? REDACTED : `${user}:${REDACTED}`;
  return `${shown}${rest.slice(at)}`;
}

/**
 * True when a field of this name holds a secret.
 * @param key - an object key, e.g. "password" or "api_key"
 */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** How deep `redactValue` walks before it stops copying (logs never nest this far). */
const MAX_DEPTH = 8;

/**
 * A copy of `value` fit for a log line: strings lose their credentials, fields named like
 * secrets lose their values, errors are copied with redacted message, stack, fields and cause
 * (keeping their class, so a logger still names it). Cycles and very deep structures are cut
 * rather than followed.
 * @param value - anything a logger was given
 * @returns the redacted copy (primitives other than strings unchanged)
 */
export function redactValue(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) return copyError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = walkField(key, field, depth, seen);
  return copy;
}

function walkField(key: string, field: unknown, depth: number, seen: WeakSet<object>): unknown {
  const secret = isSecretKey(key) && field !== undefined && field !== null && field !== '';
  return secret ? REDACTED : walk(field, depth + 1, seen);
}

function copyError(e: Error, depth: number, seen: WeakSet<object>): Error {
  const cause = e.cause === undefined ? undefined : walk(e.cause, depth + 1, seen);
  const safe = new Error(redactText(e.message), cause === undefined ? undefined : { cause });
  Object.setPrototypeOf(safe, Object.getPrototypeOf(e) as object | null);
  safe.name = e.name;
  safe.stack = e.stack === undefined ? undefined : redactText(e.stack);
  const fields = safe as unknown as Record<string, unknown>;
  for (const [key, field] of Object.entries(e)) fields[key] = walkField(key, field, depth, seen);
  return safe;
}

/**
 * An error safe to log or show: same class and fields, redacted message, stack and cause.
 * @param e - anything thrown
 * @returns an Error whose text carries no credentials
 */
export function redactError(e: unknown): Error {
  const safe = redactValue(e);
  return safe instanceof Error ? safe : new Error(redactText(String(e)));
}
