/**
 * @module actors/risk/order-rate
 * Token-bucket order-rate throttle, per symbol and global (NautilusTrader's default is 100 orders
 * per second across the engine). A bucket holds up to `perSecond` tokens and refills continuously;
 * an order takes one token from its symbol's bucket and one from the global bucket, or none when
 * either is empty. Time comes from the caller; counts are plain numbers (they are not money).
 */

/** One bucket: `capacity` tokens, refilled at `perSecond`. */
class TokenBucket {
  #tokens: number;
  #atMs: number;
  #perSecond: number;

  constructor(perSecond: number, nowMs: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
    this.#atMs = nowMs;
  }

  /** Tokens available at `nowMs` (refills first). */
  available(nowMs: number): number {
    if (nowMs > this.#atMs) {
      this.#tokens = Math.min(
        this.#perSecond,
        this.#tokens + ((nowMs - this.#atMs) * this.#perSecond) / 1000,
      );
      this.#atMs = nowMs;
    }
    return this.#tokens;
  }

  take(): void {
    this.#tokens -= 1;
  }

  /** Ms until one token is available at `nowMs`. */
  waitMs(nowMs: number): number {
    const missing = 1 - this.available(nowMs);
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.#perSecond);
  }

  setRate(perSecond: number, nowMs: number): void {
    this.available(nowMs);
    this.#perSecond = perSecond;
    this.#tokens = Math.min(this.#tokens, perSecond);
  }
}

/** Which bucket ran dry. */
export type RateVerdict = null | { readonly scope: 'symbol' | 'global'; readonly waitMs: number };

/** Per-symbol and global buckets. */
export class OrderRateLimiter {
  readonly #symbols = new Map<string, TokenBucket>();
  #global: TokenBucket | null = null;
  #globalPerSecond: number;
  #symbolPerSecond: number;

  /**
   * @param globalPerSecond - orders per second across all symbols (also the burst)
   * @param symbolPerSecond - orders per second for one symbol (also the burst)
   */
  constructor(globalPerSecond: number, symbolPerSecond: number) {
    this.#globalPerSecond = globalPerSecond;
    this.#symbolPerSecond = symbolPerSecond;
  }

  /**
   * Takes a token for one order of `symbol` if both buckets have one.
   * @param symbol - the order's symbol
   * @param nowMs - epoch ms (monotonic within a run)
   * @returns null when the order may go, else which bucket is empty and how long until it is not
   */
  tryTake(symbol: string, nowMs: number): RateVerdict {
    const global = (this.#global ??= new TokenBucket(this.#globalPerSecond, nowMs));
    let bucket = this.#symbols.get(symbol);
    if (!bucket) {
      bucket = new TokenBucket(this.#symbolPerSecond, nowMs);
      this.#symbols.set(symbol, bucket);
    }
    if (bucket.available(nowMs) < 1) return { scope: 'symbol', waitMs: bucket.waitMs(nowMs) };
    if (global.available(nowMs) < 1) return { scope: 'global', waitMs: global.waitMs(nowMs) };
    bucket.take();
    global.take();
    return null;
  }

  /** Changes both rates at runtime; tokens above a new capacity are dropped. */
  setRates(globalPerSecond: number, symbolPerSecond: number, nowMs: number): void {
    this.#globalPerSecond = globalPerSecond;
    this.#symbolPerSecond = symbolPerSecond;
    this.#global?.setRate(globalPerSecond, nowMs);
    for (const bucket of this.#symbols.values()) bucket.setRate(symbolPerSecond, nowMs);
  }

  /** Forgets a removed symbol's bucket. */
  forget(symbol: string): void {
    this.#symbols.delete(symbol);
  }
}
