/**
 * @module core/clock
 * Injectable time: the wall clock for `npm start`, a virtual clock in tests so the simulated venue's
 * price process, funding and candles advance exactly when a test says so.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Epoch milliseconds UTC. */
  now(): number;
  /** Runs `fn` every `intervalMs` until cleared. */
  every(intervalMs: number, fn: () => void): TimerHandle;
  /** Runs `fn` once after `delayMs`. */
  after(delayMs: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** Real time; timers are unref'd so they never keep a process alive on their own. */
export class WallClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setInterval(fn, intervalMs).unref());
    return { id };
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, delayMs).unref();
    this.timers.set(id, t);
    return { id };
  }

  clear(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
}

interface VirtualTimer {
  readonly id: number;
  dueMs: number;
  readonly intervalMs: number | undefined;
  readonly fn: () => void;
}

/** Time that moves only when `advance` is called; due timers fire in time order. */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly timers = new Map<number, VirtualTimer>();
  private nextId = 1;

  /** @param startMs epoch milliseconds the clock starts at */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  every(intervalMs: number, fn: () => void): TimerHandle {
    if (!(intervalMs > 0)) throw new Error(`intervalMs must be positive, was ${intervalMs}`);
    return this.add(intervalMs, intervalMs, fn);
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    return this.add(Math.max(0, delayMs), undefined, fn);
  }

  clear(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: VirtualTimer | undefined;
      for (const t of this.timers.values()) {
        if (t.dueMs <= target && (next === undefined || t.dueMs < next.dueMs)) next = t;
      }
      if (next === undefined) break;
      this.nowMs = next.dueMs;
      if (next.intervalMs === undefined) this.timers.delete(next.id);
      else next.dueMs += next.intervalMs;
      next.fn();
    }
    this.nowMs = target;
  }

  private add(delayMs: number, intervalMs: number | undefined, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + delayMs, intervalMs, fn });
    return { id };
  }
}
