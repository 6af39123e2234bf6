/**
 * @module core/liveness
 * Whether a peer (the exchange connector) is answering, found out by asking it: a cheap call
 * every `intervalMs`, each with its own deadline. A refusal (UNAVAILABLE, UNAUTHENTICATED...)
 * marks it down at once; so does silence, because a frozen process keeps its sockets open and
 * only a missed deadline reveals it. Listeners hear every change of state, once.
 */
import type { Clock, TimerHandle } from './clock.js';

/** `unknown` until the first probe has answered or failed. */
export type LivenessState = 'unknown' | 'up' | 'down';

/** What the last probes found. */
export interface LivenessStatus {
  readonly state: LivenessState;
  /** When the current state began, epoch ms. */
  readonly sinceMs: number;
  /** Why the peer is down (the last failure), null while up. */
  readonly reason: string | null;
  /** When a probe last succeeded, epoch ms; null before the first. */
  readonly lastOkMs: number | null;
  /** Round trip of the last successful probe, ms. */
  readonly latencyMs: number | null;
}

/** How to probe and how often. */
export interface LivenessOptions {
  /** One cheap call to the peer; resolves when it answered. */
  readonly probe: () => Promise<unknown>;
  readonly clock: Clock;
  /** Time between the end of one probe and the start of the next, ms; default 1000. */
  readonly intervalMs?: number;
  /** A probe without an answer for this long counts as a failure, ms; default 2000. */
  readonly timeoutMs?: number;
}

/** Probes a peer periodically; see the module doc. */
export class LivenessProbe {
  readonly #options: LivenessOptions;
  readonly #listeners = new Set<(status: LivenessStatus) => void>();
  #status: LivenessStatus;
  #timer: TimerHandle | null = null;
  #running = false;
  #inflight: Promise<LivenessStatus> | null = null;

  constructor(options: LivenessOptions) {
    this.#options = options;
    this.#status = {
      state: 'unknown',
      sinceMs: options.clock.now(),
      reason: null,
      lastOkMs: null,
      latencyMs: null,
    };
  }

  /** The current verdict. */
  status(): LivenessStatus {
    return this.#status;
  }

  /** True unless the last probe failed (an unknown peer is given the benefit of the doubt). */
  isUp(): boolean {
    return this.#status.state !== 'down';
  }

  /**
   * Calls `listener` with the new status on every change of state.
   * @returns a function that stops the calls
   */
  onChange(listener: (status: LivenessStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts probing: one probe now, then one every interval. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** Stops probing; a probe in flight is left to finish unheard. */
  stop(): void {
    this.#running = false;
    if (this.#timer) this.#options.clock.clear(this.#timer);
    this.#timer = null;
  }

  /**
   * Probes now (joining a probe already in flight).
   * @returns the status after the probe
   */
  check(): Promise<LivenessStatus> {
    this.#inflight ??= this.#probeOnce().finally(() => (this.#inflight = null));
    return this.#inflight;
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    await this.check();
    if (!this.#running) return;
    this.#timer = this.#options.clock.after(this.#options.intervalMs ?? 1_000, () => {
      this.#timer = null;
      void this.#loop();
    });
  }

  async #probeOnce(): Promise<LivenessStatus> {
    const { clock, probe } = this.#options;
    const timeoutMs = this.#options.timeoutMs ?? 2_000;
    const started = clock.now();
    let timer: TimerHandle | null = null;
    const silence = new Promise<never>((_, reject) => {
      timer = clock.after(timeoutMs, () =>
        reject(new Error(`no answer within ${timeoutMs} ms (frozen or unreachable)`)),
      );
    });
    try {
      await Promise.race([probe(), silence]);
      this.#set('up', null, { lastOkMs: clock.now(), latencyMs: clock.now() - started });
    } catch (e) {
      this.#set('down', e instanceof Error ? e.message : String(e), {});
    } finally {
      if (timer) clock.clear(timer);
    }
    return this.#status;
  }

  #set(
    state: 'up' | 'down',
    reason: string | null,
    update: Partial<Pick<LivenessStatus, 'lastOkMs' | 'latencyMs'>>,
  ): void {
    const previous = this.#status;
    const changed = previous.state !== state;
    this.#status = {
      ...previous,
      ...update,
      state,
      reason,
      sinceMs: changed ? this.#options.clock.now() : previous.sinceMs,
    };
    if (changed) for (const listener of this.#listeners) listener(this.#status);
  }
}
