/**
 * @module connector/venues/sim/seeded-random
 * A small seeded PRNG (mulberry32) with uniform and standard-normal draws. The simulated venue
 * takes every random number from here, never from Math.random, so a seed replays exactly.
 */

/** FNV-1a hash of `label` mixed with `seed`: independent, reproducible sub-streams per label. */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

import type { RandomState } from './sim-state.js';

/** Deterministic random numbers from a 32-bit seed. */
export class SeededRandom {
  private state: number;
  private spareNormal: number | undefined;

  /** @param seed any integer; equal seeds yield equal sequences */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    // mulberry32: passes SmallCrush, one multiply-xorshift round per draw
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    // 1 - next() is in (0, 1], so the log is finite
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Position in the sequence, so a restored venue draws exactly what the saved one would have. */
  saveState(): RandomState {
    return { state: this.state, spareNormal: this.spareNormal ?? null };
  }

  /** Continues the sequence from a saved position. */
  restoreState(s: RandomState): void {
    this.state = s.state >>> 0;
    this.spareNormal = s.spareNormal ?? undefined;
  }
}
