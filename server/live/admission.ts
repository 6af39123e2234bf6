/**
 * @module server/live/admission
 * Who may open a dashboard WebSocket: a per-IP token bucket (a reconnect loop or a flood from one
 * address cannot starve others), the origin allow-list (a foreign page in a visitor's browser
 * cannot read the feed), optional API-key or JWT auth, and the client cap.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { verify } from 'hono/jwt';

/** Per-key token bucket: `burst` connections at once, refilled at `perSecond`. */
export class ConnectionRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private lastSweepMs: number;

  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  constructor(perSecond: number, burst: number, now: () => number = Date.now) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.now = now;
    this.lastSweepMs = now();
  }

  /** Takes one token of `key`; false when its bucket is empty. */
  tryTake(key: string): boolean {
    const nowMs = this.now();
    this.sweep(nowMs);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, atMs: nowMs };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((nowMs - bucket.atMs) / 1000) * this.perSecond,
    );
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Addresses tracked (full buckets are forgotten, so this stays small). */
  get tracked(): number {
    return this.buckets.size;
  }

  // A refilled bucket is the same as no bucket, so idle addresses are dropped once a minute
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (nowMs - bucket.atMs >= refillMs) this.buckets.delete(key);
    }
  }
}

/** Counts admitted connections against a cap, reserving a slot from admission to close. */
export class ConnectionGate {
  private open = 0;

  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Connections holding a slot. */
  get count(): number {
    return this.open;
  }

  /**
   * Reserves a slot.
   * @returns the release function (idempotent), or undefined when the cap is reached
   */
  tryAdmit(): (() => void) | undefined {
    if (this.open >= this.max) return undefined;
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }
}

/**
 * Whether a browser page from `origin` may connect. Requests without an Origin header come from
 * programs, not browsers, and cannot be cross-site, so they pass; the page's own origin (same
 * host as the request) always passes.
 * @param origin the Origin header, if any
 * @param host the Host header of the request
 * @param allowed "scheme://host:port" entries or "*"
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || allowed.includes('*')) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && parsed.host === host) return true;
  return allowed.some((entry) => new URL(entry).origin === parsed.origin);
}

/** Accepted credentials; at least one kind must be given. */
export interface AuthOptions {
  readonly apiKeys: readonly string[];
  /** HS256 secret; empty = JWTs are not accepted. */
  readonly jwtSecret: string;
}

/** Checks a credential: one of the API keys, or a JWT signed with the secret and not expired. */
export class Authenticator {
  private readonly keyDigests: readonly Buffer[];

  /** @throws {Error} when neither API keys nor a JWT secret are given */
  private readonly options: AuthOptions;
  constructor(options: AuthOptions) {
    this.options = options;
    if (options.apiKeys.length === 0 && options.jwtSecret === '') {
      throw new Error('auth needs API keys or a JWT secret, otherwise nobody can connect');
    }
    this.keyDigests = options.apiKeys.map(digest);
  }

  /** True when `credential` is an accepted API key or a valid JWT. */
  async accepts(credential: string | undefined): Promise<boolean> {
    if (credential === undefined || credential === '') return false;
    // Comparing fixed-length digests in constant time leaks neither the keys nor their lengths
    const candidate = digest(credential);
    if (this.keyDigests.some((d) => timingSafeEqual(d, candidate))) return true;
    if (this.options.jwtSecret === '' || credential.split('.').length !== 3) return false;
    try {
      await verify(credential, this.options.jwtSecret, 'HS256');
      return true;
    } catch {
      return false;
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The credential of a request: `Authorization: Bearer …`, `x-api-key`, or for browsers (whose
 * WebSocket cannot set headers) the `token` query parameter.
 */
export function credentialOf(
  header: (name: string) => string | undefined,
  query: string | undefined,
): string | undefined {
  const authorization = header('authorization');
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return header('x-api-key') ?? query;
}
