/**
 * @module actors/arbitrage/funding-interval
 * A perp's ACTUAL funding interval, read from what the venue says instead of assumed: Binance
 * runs 8 h, 4 h and 1 h perps side by side and changes a symbol's interval in volatile markets;
 * the original hard-coded 8 h everywhere. Two sources, both through the venue port:
 * - the settlement history (`getHistoricalFundingRates`) with the next funding time: the time
 *   from the last settlement to the next one is the interval in force now;
 * - the stream: when the next funding time moves on from T1 to T2, a settlement happened and
 *   the interval is T2 − T1.
 * History order is never assumed (the original's analyzer read oldest-first history as
 * newest-first): rows are sorted by time here.
 */

const MINUTE_MS = 60_000;
/** Venue timestamps of a settlement may be this far off the scheduled instant. */
const JITTER_MS = 1_000;
/** Longest interval we accept as real; venues settle every 1 h to 8 h (some 24 h). */
export const MAX_FUNDING_INTERVAL_MS = 24 * 3_600_000;

/** Settlement intervals are whole minutes; venue timestamps jitter by a few ms. */
function toMinutes(ms: number): number | null {
  if (ms < MINUTE_MS - JITTER_MS) return null;
  const rounded = Math.round(ms / MINUTE_MS) * MINUTE_MS;
  return rounded >= MINUTE_MS && rounded <= MAX_FUNDING_INTERVAL_MS ? rounded : null;
}

/**
 * The interval in force, from settlement history and the coming settlement. The venue's own next
 * funding time wins over the history's rhythm (an interval can change), except when the history
 * is visibly behind: a settlement it should already show is missing and the next time lies whole
 * history intervals ahead.
 * @param settlementTimesMs - times of past settlements, any order (epoch ms; zeros ignored)
 * @param nextFundingTimeMs - the coming settlement (epoch ms; 0 when the venue gave none)
 * @param nowMs - now, epoch ms
 * @returns the interval in ms, or null when nothing conclusive is known
 */
export function intervalFromHistory(
  settlementTimesMs: readonly number[],
  nextFundingTimeMs: number,
  nowMs: number,
): number | null {
  const times = [...new Set(settlementTimesMs.filter((t) => t > 0))].sort((x, y) => x - y);
  const last = times.at(-1);
  const previous = times.at(-2);
  const gap = last !== undefined && previous !== undefined ? toMinutes(last - previous) : null;
  const toNext =
    last !== undefined && nextFundingTimeMs > last ? toMinutes(nextFundingTimeMs - last) : null;
  if (toNext === null) return gap;
  const lagging = gap !== null && last !== undefined && last + gap <= nowMs - JITTER_MS;
  if (lagging && toNext > gap && toNext % gap === 0) return gap;
  return toNext;
}

/**
 * The interval a settlement reveals: the next funding time moved from `previousNextMs` to
 * `nextMs`.
 * @returns the interval in ms, or null when the times did not move forward plausibly
 */
export function intervalFromAdvance(previousNextMs: number, nextMs: number): number | null {
  if (previousNextMs <= 0 || nextMs <= previousNextMs) return null;
  return toMinutes(nextMs - previousNextMs);
}
