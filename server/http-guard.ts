/**
 * @module server/http-guard
 * The HTTP edge rules both servers (admin API, live-server) apply before any route runs:
 * - the Host header must name this server: an IP literal, `localhost`, or a name in the
 *   configured allow-list, so a DNS-rebinding page (evil.example resolving to 127.0.0.1)
 *   cannot drive the admin API or read the dashboard from a visitor's browser;
 * - request bodies are capped (413 before anything is parsed);
 * - a body that is not declared `application/json` is refused with 415, not guessed at.
 * Every refusal carries a short reason, in the JSON body and in the `X-Error-Message` header,
 * because a refused WebSocket upgrade reaches the client as headers only.
 */
import { isIP } from 'node:net';

import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Default cap of a request body: 64 KiB is far above any admin request. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Header repeating a refusal's reason, readable where the body is not (refused upgrades). */
export const ERROR_MESSAGE_HEADER = 'X-Error-Message';

/** Longest piece of request input a refusal quotes back. */
const QUOTE_MAX_CHARS = 64;

/** Renders a refusal in the server's own error shape. */
export type Refuse = (c: Context, status: ContentfulStatusCode, reason: string) => Response;

/**
 * A short, printable quote of request input for an error message: at most 64 characters of
 * visible ASCII, the rest marked as cut, so a hostile header can neither bloat nor forge a reply.
 * @param input - what the request sent
 */
export function quote(input: string): string {
  const printable = input.replace(/[^\x20-\x7e]/g, '?');
  return printable.length <= QUOTE_MAX_CHARS
    ? printable
    : `${printable.slice(0, QUOTE_MAX_CHARS)}... (${input.length} chars)`;
}

/**
 * Sets the reason header on a refusal (header-safe: printable ASCII, bounded).
 * @param c - the request context
 * @param reason - the refusal's reason
 */
export function setReasonHeader(c: Context, reason: string): void {
  c.header(ERROR_MESSAGE_HEADER, reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 300));
}

/**
 * The host name of a Host header value, lower case, without port, brackets or trailing dot.
 * @param host - e.g. "127.0.0.1:8080", "[::1]:8888", "Example.COM."
 * @returns the bare name, or "" when there is none
 */
export function hostnameOf(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end < 0 ? '' : name.slice(1, end);
  }
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && name.indexOf(':') === colon) name = name.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether a request addressed to `host` may be served. IP literals cannot be rebound by DNS and
 * `localhost` never leaves the machine, so both pass; any other name must be allowed explicitly
 * (an entry starting with "." allows that domain's subdomains; "*" allows every name).
 * @param host - the request's Host header
 * @param allowedHosts - configured names
 */
export function isHostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const name = hostnameOf(host);
  if (name === '') return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('.')) return name.endsWith(allowed) || name === allowed.slice(1);
    return hostnameOf(allowed) === name;
  });
}

/**
 * Refuses requests whose Host header names another site (403), before any route runs.
 * @param allowedHosts - extra names this server answers to (see `isHostAllowed`)
 * @param refuse - renders the refusal
 * @param setting - the config key to mention in the refusal, e.g. "admin.allowed_hosts"
 */
export function hostGuard(
  allowedHosts: readonly string[],
  refuse: Refuse,
  setting: string,
): MiddlewareHandler {
  return async (c, next) => {
    // Without a Host header (HTTP/1.0, in-process requests) the URL's host is the addressee
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isHostAllowed(host, allowedHosts)) {
      const reason =
        `host: ${quote(host)} is not a name of this server; ` +
        `add it to ${setting} to serve it (DNS-rebinding protection)`;
      return refuse(c, 403, reason);
    }
    await next();
  };
}

/**
 * Caps request bodies: a declared Content-Length over the cap is refused with 413 before a
 * byte is read, a streamed body as soon as it crosses the cap.
 * @param maxBytes - the cap
 * @param refuse - renders the refusal
 * @param setting - the config key that raises the cap, when there is one
 */
export function bodyCap(maxBytes: number, refuse: Refuse, setting?: string): MiddlewareHandler {
  const raise = setting === undefined ? '' : `; ${setting} raises the limit`;
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => refuse(c, 413, `body: larger than ${maxBytes} bytes${raise}`),
  });
}

/**
 * Refuses a body sent without a JSON content type (415), so a form or text body is never
 * mistaken for a JSON object with missing fields.
 * @param refuse - renders the refusal
 */
export function requireJson(refuse: Refuse): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    if (hasBody) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
        const was = type === '' ? 'none' : quote(type);
        return refuse(
          c,
          415,
          `content-type: send the body as JSON with "Content-Type: application/json", was ${was}`,
        );
      }
    }
    await next();
  };
}
